package io.raftline.io.transport.client;

import org.agrona.MutableDirectBuffer;

/**
 * CONNECTED, node → client: the node's view of the cluster as it answers a CONNECT.
 * <pre>
 * | correlationId i64 | nodeId i32 | leaderId i32 | term i64 | commitIndex i64 | lastIndex i64 | role i32 | pad i32 |
 * </pre>
 * {@code role} is the ordinal of the node's {@code io.raftline.core.Role}.
 */
public final class ConnectedFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 48;
    private static final int CORRELATION_ID = BODY;
    private static final int NODE_ID = BODY + 8;
    private static final int LEADER_ID = BODY + 12;
    private static final int TERM = BODY + 16;
    private static final int COMMIT_INDEX = BODY + 24;
    private static final int LAST_INDEX = BODY + 32;
    private static final int ROLE = BODY + 40;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final int leaderId, final long term, final long commitIndex, final long lastIndex,
        final int role)
    {
        header(buffer, offset, ClientMessageType.CONNECTED, clusterHash, nodeId, LENGTH);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putInt(offset + NODE_ID, nodeId, ORDER);
        buffer.putInt(offset + LEADER_ID, leaderId, ORDER);
        buffer.putLong(offset + TERM, term, ORDER);
        buffer.putLong(offset + COMMIT_INDEX, commitIndex, ORDER);
        buffer.putLong(offset + LAST_INDEX, lastIndex, ORDER);
        buffer.putInt(offset + ROLE, role, ORDER);
        buffer.putInt(offset + ROLE + 4, 0, ORDER);
        return LENGTH;
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    public int nodeId()
    {
        return intAt(NODE_ID);
    }

    /** The leader the node knows, or 0. */
    public int leaderId()
    {
        return intAt(LEADER_ID);
    }

    public long term()
    {
        return longAt(TERM);
    }

    public long commitIndex()
    {
        return longAt(COMMIT_INDEX);
    }

    public long lastIndex()
    {
        return longAt(LAST_INDEX);
    }

    public int role()
    {
        return intAt(ROLE);
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
