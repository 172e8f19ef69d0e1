package io.raftline.protocol.client;

import io.raftline.protocol.FrameHeader;
import org.agrona.MutableDirectBuffer;

/**
 * APPEND_ACK, leader → producer: these sequences of the session are committed at these indexes.
 * <pre>
 * | sessionId i64 | count i32 | pad i32 | (sequence i64 | index i64 | term i64) * count |
 * </pre>
 */
public final class AckFrame extends ClientFrame
{
    public static final int HEADER_LENGTH = BODY + 16;
    public static final int ENTRY_LENGTH = 24;
    private static final int SESSION_ID = BODY;
    private static final int COUNT = BODY + 8;

    public static int encodeHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.APPEND_ACK, clusterHash, nodeId, HEADER_LENGTH);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        buffer.putLong(offset + COUNT, 0, ORDER);
        return HEADER_LENGTH;
    }

    /** Writes one acknowledgement at {@code position}; returns the position after it. */
    public static int encodeEntry(
        final MutableDirectBuffer buffer, final int position, final long sequence, final long index, final long term)
    {
        buffer.putLong(position, sequence, ORDER);
        buffer.putLong(position + 8, index, ORDER);
        buffer.putLong(position + 16, term, ORDER);
        return position + ENTRY_LENGTH;
    }

    public static void finish(final MutableDirectBuffer buffer, final int offset, final int length, final int count)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putInt(offset + COUNT, count, ORDER);
    }

    /** How many acknowledgements fit a frame of {@code frameBytes}. */
    public static int capacity(final int frameBytes)
    {
        return (frameBytes - HEADER_LENGTH) / ENTRY_LENGTH;
    }

    public long sessionId()
    {
        return longAt(SESSION_ID);
    }

    public int count()
    {
        return intAt(COUNT);
    }

    public long sequence(final int i)
    {
        return longAt(HEADER_LENGTH + i * ENTRY_LENGTH);
    }

    public long index(final int i)
    {
        return longAt(HEADER_LENGTH + i * ENTRY_LENGTH + 8);
    }

    public long term(final int i)
    {
        return longAt(HEADER_LENGTH + i * ENTRY_LENGTH + 16);
    }

    @Override
    protected int minLength()
    {
        return HEADER_LENGTH;
    }

    @Override
    protected boolean isBodyValid()
    {
        final int count = count();
        return count >= 0 && HEADER_LENGTH + (long)count * ENTRY_LENGTH <= length;
    }
}
