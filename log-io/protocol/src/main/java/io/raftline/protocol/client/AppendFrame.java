package io.raftline.protocol.client;

import io.raftline.protocol.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * APPEND, producer → leader: entries of one session, consecutive sequences.
 * <pre>
 * | clientId i64 | sessionId i64 | count i32 | pad i32 | entry * count |
 *   entry: | sequence i64 | payload length i32 | pad i32 | payload, padded to 8 |
 * </pre>
 * Written with {@link #encodeHeader}, {@link #encodeEntry} per entry, then {@link #finish}. Read by wrapping, then
 * {@link #nextEntry()} until it returns false; {@link #wrap} has checked that every entry lies in the frame.
 */
public final class AppendFrame extends ClientFrame
{
    public static final int HEADER_LENGTH = BODY + 24;
    public static final int ENTRY_HEADER_LENGTH = 16;
    private static final int CLIENT_ID = BODY;
    private static final int SESSION_ID = BODY + 8;
    private static final int COUNT = BODY + 16;
    private static final int ENTRY_SEQUENCE = 0;
    private static final int ENTRY_PAYLOAD_LENGTH = 8;

    public static int encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.APPEND, clusterHash, 0, HEADER_LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        buffer.putLong(offset + COUNT, 0, ORDER);
        return HEADER_LENGTH;
    }

    /** Writes one entry at {@code position}; returns the position after it. */
    public static int encodeEntry(
        final MutableDirectBuffer buffer, final int position, final long sequence, final DirectBuffer payload,
        final int payloadOffset, final int payloadLength)
    {
        buffer.putLong(position + ENTRY_SEQUENCE, sequence, ORDER);
        buffer.putInt(position + ENTRY_PAYLOAD_LENGTH, payloadLength, ORDER);
        buffer.putInt(position + ENTRY_PAYLOAD_LENGTH + 4, 0, ORDER);
        buffer.putBytes(position + ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        zeroPad(buffer, position + ENTRY_HEADER_LENGTH + payloadLength, padded(payloadLength) - payloadLength);
        return position + entryLength(payloadLength);
    }

    public static int entryLength(final int payloadLength)
    {
        return ENTRY_HEADER_LENGTH + padded(payloadLength);
    }

    public static void finish(final MutableDirectBuffer buffer, final int offset, final int length, final int count)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putInt(offset + COUNT, count, ORDER);
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    public long sessionId()
    {
        return longAt(SESSION_ID);
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

    public long entrySequence()
    {
        return longAt(entryPosition() + ENTRY_SEQUENCE);
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
        return count() >= 1 && entriesFit(HEADER_LENGTH, count(), ENTRY_HEADER_LENGTH, ENTRY_PAYLOAD_LENGTH);
    }
}
