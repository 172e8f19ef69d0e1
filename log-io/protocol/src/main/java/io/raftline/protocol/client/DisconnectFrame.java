package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * DISCONNECT, client → node: forget me.
 * <pre>
 * | clientId i64 |
 * </pre>
 */
public final class DisconnectFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 8;
    private static final int CLIENT_ID = BODY;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId)
    {
        header(buffer, offset, ClientMessageType.DISCONNECT, clusterHash, 0, LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        return LENGTH;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
