package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * CLOSE_SESSION, producer → leader: the session is finished.
 * <pre>
 * | clientId i64 | sessionId i64 |
 * </pre>
 */
public final class CloseSessionFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 16;
    private static final int CLIENT_ID = BODY;
    private static final int SESSION_ID = BODY + 8;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.CLOSE_SESSION, clusterHash, 0, LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        return LENGTH;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
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
