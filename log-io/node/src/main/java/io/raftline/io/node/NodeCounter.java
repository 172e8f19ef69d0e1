package io.raftline.io.node;

/**
 * The live counters a node publishes in its Aeron directory, readable from another process (Aeron's CnC file)
 * without disturbing the node. Each counter's key holds the node id and, for per-follower counters, the peer id.
 * Type ids are part of the contract with readers: never reuse one.
 */
public enum NodeCounter
{
    ROLE(4201, "role"),
    TERM(4202, "term"),
    LEADER(4203, "leader"),
    COMMIT_INDEX(4204, "commit index"),
    LAST_INDEX(4205, "last index"),
    DURABLE_INDEX(4206, "durable index"),
    ELECTIONS_STARTED(4207, "elections started"),
    APPENDS_SENT(4208, "appends sent"),
    ENTRIES_SENT(4209, "entries sent"),
    BYTES_SENT(4210, "bytes sent"),
    APPENDS_RECEIVED(4211, "appends received"),
    ENTRIES_RECEIVED(4212, "entries received"),
    BYTES_RECEIVED(4213, "bytes received"),
    BACK_PRESSURE(4214, "back-pressure events"),
    NOT_CONNECTED(4215, "sends to an unconnected peer"),
    DROPPED(4216, "messages dropped"),
    MALFORMED(4217, "malformed frames dropped"),
    MATCH_INDEX(4218, "match index"),
    APPLIED_INDEX(4219, "applied index"),
    HEARTBEAT_NS(4220, "agent heartbeat (ns)"),
    FIRST_INDEX(4221, "first index held"),
    SNAPSHOT_INDEX(4222, "snapshot index"),
    FOREIGN_DISK(4223, "voter on another disk (1: remove and add it again)"),
    SNAPSHOT_FAILURES(4224, "snapshots that failed"),
    SNAPSHOT_CHUNKS_SERVED(4225, "snapshot chunks served"),
    SNAPSHOT_CHUNKS_FETCHED(4226, "snapshot chunks fetched"),
    CLIENTS(4227, "clients connected"),
    DISK_FULL(4228, "disk below its reserve (1: no new entries)"),
    APPENDS_REFUSED_DISK_FULL(4229, "appends ignored for a full disk"),
    REPAIRING_TO(4230, "repairing a damaged entry: the index its log must reach again (0: not repairing)"),
    UNAUTHENTICATED(4231, "frames refused by authentication"),
    AUTHENTICATION(4232, "frames between nodes authenticated (0: authentication off)"),
    UNAUTHORISED(4233, "client requests refused for a right their credential lacks");

    /** Key layout: node id (int), peer id (int, 0 when the counter is not per peer). */
    public static final int KEY_LENGTH = 8;

    private final int typeId;
    private final String label;

    NodeCounter(final int typeId, final String label)
    {
        this.typeId = typeId;
        this.label = label;
    }

    public int typeId()
    {
        return typeId;
    }

    public String label()
    {
        return label;
    }

    public static NodeCounter ofTypeId(final int typeId)
    {
        for (final NodeCounter counter : values())
        {
            if (counter.typeId == typeId)
            {
                return counter;
            }
        }
        return null;
    }
}
