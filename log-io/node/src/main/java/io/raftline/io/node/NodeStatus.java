package io.raftline.io.node;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node's state as its live counters show it. An unreachable node (not running, or its agent has not beaten
 * for {@link NodeStatusReader#STALE_AFTER_NS}) has only its id.
 */
public record NodeStatus(
    int id, boolean reachable, Map<NodeCounter, Long> counters, Map<Integer, Long> matchIndexByPeer)
{
    public static NodeStatus unreachable(final int id)
    {
        return new NodeStatus(id, false, new EnumMap<>(NodeCounter.class), new TreeMap<>());
    }

    public long value(final NodeCounter counter)
    {
        final Long value = counters.get(counter);
        return value == null ? 0 : value;
    }

    /** The role's name as the command line reports it (LEADER, FOLLOWER, CANDIDATE, PRE_CANDIDATE, LEARNER). */
    public String role()
    {
        final int ordinal = (int)value(NodeCounter.ROLE);
        final io.raftline.core.Role[] roles = io.raftline.core.Role.values();
        return ordinal >= 0 && ordinal < roles.length ? roles[ordinal].name() : "UNKNOWN";
    }

    public boolean isLeader()
    {
        return reachable && "LEADER".equals(role());
    }
}
