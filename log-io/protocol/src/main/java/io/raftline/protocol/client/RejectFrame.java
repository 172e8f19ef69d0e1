package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * REJECT, node → client: a request was refused.
 * <pre>
 * | sessionId, correlationId or stream i64 | sequence i64 | expected sequence i64 | reason i32 | leaderId i32 |
 * </pre>
 * The first field is the session of a refused APPEND, or the correlation id of any other refused request. A tail
 * refused as {@link RejectReason#COMPACTED} carries its stream as its id, the index asked for as its sequence and
 * the first index the node holds as its expected sequence.
 */
public final class RejectFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 32;
    private static final int ID = BODY;
    private static final int SEQUENCE = BODY + 8;
    private static final int EXPECTED = BODY + 16;
    private static final int REASON = BODY + 24;
    private static final int LEADER_ID = BODY + 28;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionOrCorrelationId, final long sequence, final long expectedSequence,
        final RejectReason reason, final int leaderId)
    {
        header(buffer, offset, ClientMessageType.REJECT, clusterHash, nodeId, LENGTH);
        buffer.putLong(offset + ID, sessionOrCorrelationId, ORDER);
        buffer.putLong(offset + SEQUENCE, sequence, ORDER);
        buffer.putLong(offset + EXPECTED, expectedSequence, ORDER);
        buffer.putInt(offset + REASON, reason.code(), ORDER);
        buffer.putInt(offset + LEADER_ID, leaderId, ORDER);
        return LENGTH;
    }

    /** The refused APPEND's session, or the refused request's correlation id. */
    public long id()
    {
        return longAt(ID);
    }

    public long sequence()
    {
        return longAt(SEQUENCE);
    }

    /** For {@link RejectReason#OUT_OF_ORDER}: the sequence the leader expects next. */
    public long expectedSequence()
    {
        return longAt(EXPECTED);
    }

    /** The reason, or null for a code this build does not know. */
    public RejectReason reason()
    {
        return RejectReason.ofCode(intAt(REASON));
    }

    public int reasonCode()
    {
        return intAt(REASON);
    }

    /** The leader the refusing node knows, or 0. */
    public int leaderId()
    {
        return intAt(LEADER_ID);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
