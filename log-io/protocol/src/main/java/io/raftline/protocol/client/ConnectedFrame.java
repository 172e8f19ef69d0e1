package io.raftline.protocol.client;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * CONNECTED, node → client: the node's view of the cluster as it answers a CONNECT, and again whenever the leader
 * it knows changes, so that clients follow the leader at once.
 * <pre>
 * | correlationId i64 | nodeId i32 | leaderId i32 | term i64 | commitIndex i64 | lastIndex i64 | role i32 |
 * | configuration length i32 | configuration, padded to 8 |
 * </pre>
 * {@code role} is the ordinal of the node's {@code io.raftline.core.Role}; the configuration (a configuration
 * entry's payload) names the members and where they listen, so a client finds members its cluster file does not
 * list.
 */
public final class ConnectedFrame extends ClientFrame
{
    /** The fixed part; the configuration follows. */
    public static final int LENGTH = BODY + 48;
    private static final int CORRELATION_ID = BODY;
    private static final int NODE_ID = BODY + 8;
    private static final int LEADER_ID = BODY + 12;
    private static final int TERM = BODY + 16;
    private static final int COMMIT_INDEX = BODY + 24;
    private static final int LAST_INDEX = BODY + 32;
    private static final int ROLE = BODY + 40;
    private static final int CONFIGURATION_LENGTH = BODY + 44;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final int leaderId, final long term, final long commitIndex, final long lastIndex,
        final int role, final Configuration configuration)
    {
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putInt(offset + NODE_ID, nodeId, ORDER);
        buffer.putInt(offset + LEADER_ID, leaderId, ORDER);
        buffer.putLong(offset + TERM, term, ORDER);
        buffer.putLong(offset + COMMIT_INDEX, commitIndex, ORDER);
        buffer.putLong(offset + LAST_INDEX, lastIndex, ORDER);
        buffer.putInt(offset + ROLE, role, ORDER);
        final int configurationLength = ConfigurationCodec.encode(configuration, buffer, offset + LENGTH);
        buffer.putInt(offset + CONFIGURATION_LENGTH, configurationLength, ORDER);
        zeroPad(buffer, offset + LENGTH + configurationLength, padded(configurationLength) - configurationLength);
        final int length = LENGTH + padded(configurationLength);
        header(buffer, offset, ClientMessageType.CONNECTED, clusterHash, nodeId, length);
        return length;
    }

    /** The longest frame: the largest configuration. */
    public static int maxLength()
    {
        return LENGTH + 8 + Configuration.MAX_MEMBERS * (16 + 256);
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

    /** The members as the node knows them; throws IllegalArgumentException if not one ({@link #wrap} checked). */
    public Configuration configuration()
    {
        final byte[] bytes = new byte[intAt(CONFIGURATION_LENGTH)];
        buffer.getBytes(offset + LENGTH, bytes);
        return ConfigurationCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Override
    protected boolean isBodyValid()
    {
        final int configurationLength = intAt(CONFIGURATION_LENGTH);
        if (configurationLength < 0 || LENGTH + (long)configurationLength > length)
        {
            return false;
        }
        try
        {
            configuration();
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
