package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * SESSION_OPENED, leader → producer: the session is open; its id is the index of the entry that opened it, and the
 * producer's next entry takes the sequence given (1 for a new session; for a resumed one, the one after the last
 * it committed).
 * <pre>
 * | correlationId i64 | sessionId i64 | next sequence i64 |
 * </pre>
 */
public final class SessionOpenedFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 24;
    private static final int CORRELATION_ID = BODY;
    private static final int SESSION_ID = BODY + 8;
    private static final int NEXT_SEQUENCE = BODY + 16;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final long sessionId, final long nextSequence)
    {
        header(buffer, offset, ClientMessageType.SESSION_OPENED, clusterHash, nodeId, LENGTH);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        buffer.putLong(offset + NEXT_SEQUENCE, nextSequence, ORDER);
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

    public long nextSequence()
    {
        return longAt(NEXT_SEQUENCE);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
