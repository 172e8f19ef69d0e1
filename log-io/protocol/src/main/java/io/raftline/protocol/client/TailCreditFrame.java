package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * TAIL_CREDIT, consumer → node: room for this many more entries.
 * <pre>
 * | clientId i64 | credit i64 | consumer i32 |
 * </pre>
 */
public final class TailCreditFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 20;
    private static final int CLIENT_ID = BODY;
    private static final int CREDIT = BODY + 8;
    private static final int CONSUMER = BODY + 16;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long credit, final int consumer)
    {
        header(buffer, offset, ClientMessageType.TAIL_CREDIT, clusterHash, 0, LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CREDIT, credit, ORDER);
        buffer.putInt(offset + CONSUMER, consumer, ORDER);
        return LENGTH;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    public long credit()
    {
        return longAt(CREDIT);
    }

    public int consumer()
    {
        return intAt(CONSUMER);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
