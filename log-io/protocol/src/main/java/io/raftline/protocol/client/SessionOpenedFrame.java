package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * SESSION_OPENED, leader → producer: the session is open; its id is the index of the entry that opened it.
 * <pre>
 * | correlationId i64 | sessionId i64 |
 * </pre>
 */
public final class SessionOpenedFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 16;
    private static final int CORRELATION_ID = BODY;
    private static final int SESSION_ID = BODY + 8;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final long sessionId)
    {
        header(buffer, offset, ClientMessageType.SESSION_OPENED, clusterHash, nodeId, LENGTH);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        return LENGTH;
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    public long sessionId()
    {
        return longAt(SESSION_ID);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
