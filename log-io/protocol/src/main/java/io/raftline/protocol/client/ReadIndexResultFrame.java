package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * READ_INDEX_RESULT, node → client: the read point, or {@link #FAILED}.
 * <pre>
 * | correlationId i64 | index i64 |
 * </pre>
 */
public final class ReadIndexResultFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 16;
    /** {@link #index()} of a read the node could not serve (no leader, leadership lost, timed out): ask again. */
    public static final long FAILED = -1;
    private static final int CORRELATION_ID = BODY;
    private static final int INDEX = BODY + 8;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final long index)
    {
        header(buffer, offset, ClientMessageType.READ_INDEX_RESULT, clusterHash, nodeId, LENGTH);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + INDEX, index, ORDER);
        return LENGTH;
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    public long index()
    {
        return longAt(INDEX);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
