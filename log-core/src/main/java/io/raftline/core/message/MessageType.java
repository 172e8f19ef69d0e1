package io.raftline.core.message;

/** The messages Raft peers exchange. Codes are sent on the wire: never reuse one. */
public enum MessageType
{
    /** Leader → follower: entries after (index, logTerm), and the leader's commit index (Raft §5.3). */
    APPEND(1),
    /** Follower → leader: accepted up to index, or rejected with a hint (Raft §5.3). */
    APPEND_RESPONSE(2),
    /** Candidate → all: vote for me in term; my last entry is (index, logTerm) (Raft §5.2, §5.4.1). */
    VOTE(3),
    VOTE_RESPONSE(4),
    /** Would you vote for me in term, if I raised it? Nobody changes term for this (Raft thesis §9.6). */
    PRE_VOTE(5),
    PRE_VOTE_RESPONSE(6),
    /** Leader → follower: I am alive; commit is min(your match, my commit); context is a ReadIndex round. */
    HEARTBEAT(7),
    HEARTBEAT_RESPONSE(8),
    /** Leader → transfer target: start an election now (Raft thesis §3.10). */
    TIMEOUT_NOW(9),
    /** Follower → leader: what is committed as of now? context identifies the request (Raft thesis §6.4). */
    READ_INDEX(10),
    /** Leader → follower: index answers the request in context; reject when the leader could not serve it. */
    READ_INDEX_RESPONSE(11),
    /**
     * Leader → follower: the entries you need are compacted; install my snapshot at (index, logTerm), fetching it
     * from node context (one that holds the same snapshot; the leader itself if none). Answered by an
     * APPEND_RESPONSE once installed (Raft §7).
     */
    INSTALL_SNAPSHOT(12);

    private static final MessageType[] BY_CODE = new MessageType[13];

    static
    {
        for (final MessageType type : values())
        {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    MessageType(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /** The type for a wire code, or null when the code is unknown. */
    public static MessageType fromCode(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    public boolean isResponse()
    {
        return this == APPEND_RESPONSE || this == VOTE_RESPONSE || this == PRE_VOTE_RESPONSE ||
            this == HEARTBEAT_RESPONSE || this == READ_INDEX_RESPONSE;
    }
}
