package io.raftline.protocol.client;

import io.raftline.protocol.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * TAIL_ENTRIES, node → consumer: committed entries in index order.
 * <pre>
 * | commitIndex i64 | from i64 | scanned to i64 | count i32 | stream i32 | entry * count |
 *   entry: | index i64 | term i64 | sessionId i64 | sequence i64 | type i32 | payload length i32 |
 *          | payload, padded to 8 |
 * </pre>
 * The frame covers the indexes [{@code from}, {@code scanned to}): every entry there was sent or, being Raft's own
 * and not asked for, skipped; a frame with no entries says where the stream stands. {@code stream}: the number the
 * consumer gave the request this stream answers. Written with
 * {@link #encodeHeader}, {@link #encodeEntryHeader} and the payload per entry, then {@link #finish}; read by
 * wrapping, then {@link #nextEntry()} until it returns false.
 */
public final class TailEntriesFrame extends ClientFrame
{
    public static final int HEADER_LENGTH = BODY + 32;
    public static final int ENTRY_HEADER_LENGTH = 40;
    private static final int COMMIT_INDEX = BODY;
    private static final int FROM = BODY + 8;
    private static final int SCANNED_TO = BODY + 16;
    private static final int COUNT = BODY + 24;
    private static final int STREAM = BODY + 28;
    private static final int ENTRY_INDEX = 0;
    private static final int ENTRY_TERM = 8;
    private static final int ENTRY_SESSION_ID = 16;
    private static final int ENTRY_SEQUENCE = 24;
    private static final int ENTRY_TYPE = 32;
    private static final int ENTRY_PAYLOAD_LENGTH = 36;

    public static int encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long commitIndex, final int stream, final long fromIndex)
    {
        header(buffer, offset, ClientMessageType.TAIL_ENTRIES, clusterHash, nodeId, HEADER_LENGTH);
        buffer.putLong(offset + COMMIT_INDEX, commitIndex, ORDER);
        buffer.putLong(offset + FROM, fromIndex, ORDER);
        buffer.putLong(offset + SCANNED_TO, fromIndex, ORDER);
        buffer.putInt(offset + COUNT, 0, ORDER);
        buffer.putInt(offset + STREAM, stream, ORDER);
        return HEADER_LENGTH;
    }

    /** Writes the fixed part of an entry at {@code position}; the caller copies the payload after it. */
    public static int encodeEntryHeader(
        final MutableDirectBuffer buffer, final int position, final long index, final long term,
        final long sessionId, final long sequence, final int type, final int payloadLength)
    {
        buffer.putLong(position + ENTRY_INDEX, index, ORDER);
        buffer.putLong(position + ENTRY_TERM, term, ORDER);
        buffer.putLong(position + ENTRY_SESSION_ID, sessionId, ORDER);
        buffer.putLong(position + ENTRY_SEQUENCE, sequence, ORDER);
        buffer.putInt(position + ENTRY_TYPE, type, ORDER);
        buffer.putInt(position + ENTRY_PAYLOAD_LENGTH, payloadLength, ORDER);
        return position + ENTRY_HEADER_LENGTH;
    }

    /** Writes a whole entry at {@code position}; returns the position after it, padding included. */
    public static int encodeEntry(
        final MutableDirectBuffer buffer, final int position, final long index, final long term,
        final long sessionId, final long sequence, final int type, final DirectBuffer payload,
        final int payloadOffset, final int payloadLength)
    {
        final int payloadPosition =
            encodeEntryHeader(buffer, position, index, term, sessionId, sequence, type, payloadLength);
        buffer.putBytes(payloadPosition, payload, payloadOffset, payloadLength);
        zeroPad(buffer, payloadPosition + payloadLength, padded(payloadLength) - payloadLength);
        return position + entryLength(payloadLength);
    }

    public static int entryLength(final int payloadLength)
    {
        return ENTRY_HEADER_LENGTH + padded(payloadLength);
    }

    public static void finish(
        final MutableDirectBuffer buffer, final int offset, final int length, final int count, final long scannedTo)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putLong(offset + SCANNED_TO, scannedTo, ORDER);
        buffer.putInt(offset + COUNT, count, ORDER);
    }

    public long commitIndex()
    {
        return longAt(COMMIT_INDEX);
    }

    public long fromIndex()
    {
        return longAt(FROM);
    }

    public int stream()
    {
        return intAt(STREAM);
    }

    public long scannedTo()
    {
        return longAt(SCANNED_TO);
    }

    public int count()
    {
        return intAt(COUNT);
    }

    /** Moves to the next entry; false when every entry was read. */
    public boolean nextEntry()
    {
        return nextEntry(count(), ENTRY_HEADER_LENGTH, ENTRY_PAYLOAD_LENGTH);
    }

    public long entryIndex()
    {
        return longAt(entryPosition() + ENTRY_INDEX);
    }

    public long entryTerm()
    {
        return longAt(entryPosition() + ENTRY_TERM);
    }

    public long entrySessionId()
    {
        return longAt(entryPosition() + ENTRY_SESSION_ID);
    }

    public long entrySequence()
    {
        return longAt(entryPosition() + ENTRY_SEQUENCE);
    }

    public int entryType()
    {
        return intAt(entryPosition() + ENTRY_TYPE);
    }

    /** Where the current entry's payload starts in {@link #buffer()}. */
    public int entryPayloadOffset()
    {
        return offset + entryPosition() + ENTRY_HEADER_LENGTH;
    }

    public int entryPayloadLength()
    {
        return intAt(entryPosition() + ENTRY_PAYLOAD_LENGTH);
    }

    @Override
    protected int minLength()
    {
        return HEADER_LENGTH;
    }

    @Override
    protected boolean isBodyValid()
    {
        return count() >= 0 && fromIndex() >= 1 && scannedTo() >= fromIndex() &&
            entriesFit(HEADER_LENGTH, count(), ENTRY_HEADER_LENGTH, ENTRY_PAYLOAD_LENGTH);
    }
}
