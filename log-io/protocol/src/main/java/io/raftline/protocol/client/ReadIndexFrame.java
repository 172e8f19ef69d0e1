package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * READ_INDEX, client → node: what is committed as of now? (ReadIndex, Raft thesis §6.4)
 * <pre>
 * | clientId i64 | correlationId i64 |
 * </pre>
 */
public final class ReadIndexFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 16;
    private static final int CLIENT_ID = BODY;
    private static final int CORRELATION_ID = BODY + 8;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId)
    {
        header(buffer, offset, ClientMessageType.READ_INDEX, clusterHash, 0, LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        return LENGTH;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
