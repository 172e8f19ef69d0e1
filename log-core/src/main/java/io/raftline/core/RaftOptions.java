package io.raftline.core;

import java.util.random.RandomGenerator;

/**
 * Settings of one {@link RaftNode}: fluent setters, then {@link #conclude()} validates them. Times are in ticks;
 * the runtime chooses how long a tick is.
 */
public final class RaftOptions
{
    /** Defaults, in one place: the cluster file's defaults are these (its times are these ticks of 10 ms). */
    public static final int DEFAULT_ELECTION_TIMEOUT_TICKS = 50;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_TICKS = 5;
    public static final int DEFAULT_MAX_BATCH_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_INFLIGHT_APPENDS = 256;
    /**
     * One, not four: fewer, fuller messages and answers, measured on a 2-core machine where each datagram is dear
     * (against four: 10,000/s p90 0.71x, p99 0.85x, median 1.04x; 50,000/s p99 0.34x; closed-loop throughput 1.05x).
     */
    public static final int DEFAULT_MAX_SMALL_APPENDS_IN_FLIGHT = 1;
    public static final int DEFAULT_MAX_INFLIGHT_BYTES = 32 * 1024 * 1024;
    public static final int DEFAULT_ENTRY_OVERHEAD_BYTES = 48;
    public static final int DEFAULT_MAX_PENDING_READS = 4096;

    private int nodeId;
    private long identity;
    private boolean firstMember = true;
    private int electionTimeoutTicks = DEFAULT_ELECTION_TIMEOUT_TICKS;
    private int heartbeatIntervalTicks = DEFAULT_HEARTBEAT_INTERVAL_TICKS;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxInflightAppends = DEFAULT_MAX_INFLIGHT_APPENDS;
    private long maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES;
    private int maxSmallAppendsInFlight = DEFAULT_MAX_SMALL_APPENDS_IN_FLIGHT;
    private int entryOverheadBytes = DEFAULT_ENTRY_OVERHEAD_BYTES;
    private boolean readLease;
    private boolean restarted;
    private long repairFloorIndex;
    private long repairFloorTerm;
    private int maxPendingReads = DEFAULT_MAX_PENDING_READS;
    private boolean preVote = true;
    private boolean checkQuorum = true;
    private RandomGenerator random;

    /** This node's id: positive, unique in the cluster. */
    public RaftOptions nodeId(final int nodeId)
    {
        this.nodeId = nodeId;
        return this;
    }

    /**
     * The identity of this node's data directory, made when the directory was created: a voter counts only while
     * it speaks from the directory its configuration records (0: none, as in tests that do not bind identities).
     */
    public RaftOptions identity(final long identity)
    {
        this.identity = identity;
        return this;
    }

    public long identity()
    {
        return identity;
    }

    /**
     * Whether this node's data directory was made as one of the cluster's first members (its log starts with the
     * cluster's first configuration). Only such a node votes and campaigns under a configuration that has not yet
     * bound its identity; a directory made later (a server being added, or one whose disk was replaced) acts only
     * once a configuration records its own identity, so that a server that lost its disk cannot vote itself, or a
     * stale candidate, into leadership with an old configuration it replays from the log.
     */
    public RaftOptions firstMember(final boolean firstMember)
    {
        this.firstMember = firstMember;
        return this;
    }

    public boolean firstMember()
    {
        return firstMember;
    }

    /** T: a follower that hears nothing for a random time in [T, 2T) starts an election (Raft §5.2). */
    public RaftOptions electionTimeoutTicks(final int ticks)
    {
        this.electionTimeoutTicks = ticks;
        return this;
    }

    /** How often a leader sends heartbeats; well below the election timeout. */
    public RaftOptions heartbeatIntervalTicks(final int ticks)
    {
        this.heartbeatIntervalTicks = ticks;
        return this;
    }

    /** Entry bytes (payload plus {@link #entryOverheadBytes}) per AppendEntries; at least one entry is sent. */
    public RaftOptions maxBatchBytes(final int bytes)
    {
        this.maxBatchBytes = bytes;
        return this;
    }

    /** AppendEntries in flight to one follower before the leader waits for answers. */
    public RaftOptions maxInflightAppends(final int count)
    {
        this.maxInflightAppends = count;
        return this;
    }

    /**
     * AppendEntries under half of {@link #maxBatchBytes} in flight to one follower before the next small one waits for
     * an answer, gathering what arrives meanwhile; a full batch still goes out up to the in-flight window.
     */
    public RaftOptions maxSmallAppendsInFlight(final int count)
    {
        this.maxSmallAppendsInFlight = count;
        return this;
    }

    /** Entry bytes in flight to one follower before the leader waits for answers. */
    public RaftOptions maxInflightBytes(final long bytes)
    {
        this.maxInflightBytes = bytes;
        return this;
    }

    /** What an entry costs on the wire beyond its payload; the transport sets it to its own header size. */
    public RaftOptions entryOverheadBytes(final int bytes)
    {
        this.entryOverheadBytes = bytes;
        return this;
    }

    /** Read requests waiting for a heartbeat round; beyond it a request fails at once. */
    public RaftOptions maxPendingReads(final int count)
    {
        this.maxPendingReads = count;
        return this;
    }

    /** Ask before campaigning, so a node that cannot win does not raise everyone's term (thesis §9.6). */
    public RaftOptions preVote(final boolean preVote)
    {
        this.preVote = preVote;
        return this;
    }

    /**
     * A leader that has not heard from a quorum for an election timeout steps down, and a node that heard from a
     * leader within the election timeout ignores vote requests (thesis §6.2, §9.6).
     */
    public RaftOptions checkQuorum(final boolean checkQuorum)
    {
        this.checkQuorum = checkQuorum;
        return this;
    }

    /**
     * Serve reads from the leader's lease instead of a heartbeat round (Raft thesis §6.4.1): while a majority
     * answered the leader within the last half election timeout, no other leader can have been elected, because
     * voters that heard from a leader ignore candidates for an election timeout. This assumes clocks whose rates
     * differ by less than that margin and messages that arrive within it; off by default. Needs check-quorum.
     */
    public RaftOptions readLease(final boolean readLease)
    {
        this.readLease = readLease;
        return this;
    }

    public boolean readLease()
    {
        return readLease;
    }

    /**
     * The node starts again on a log it ran before. Before it went down it may have answered a leader whose read
     * lease still counts on that answer, so for one election timeout it keeps the promise it may have made: with
     * check-quorum, it ignores vote requests that are not a leadership transfer, as if it had just heard a leader.
     */
    public RaftOptions restarted(final boolean restarted)
    {
        this.restarted = restarted;
        return this;
    }

    public boolean restarted()
    {
        return restarted;
    }

    /**
     * The log lost entries this node may have acknowledged: a damaged entry was found and the log cut there, to be
     * sent again by a leader. Its last entry before the cut was at {@code index}, of a term no higher than
     * {@code term}. It may have helped commit entries it no longer holds, so it votes only for a candidate whose log is
     * at least as up to date as that (Raft's comparison, §5.4.1), and it does not campaign until its own log is
     * again; meanwhile its rejections tell the leader that its log went back below what it acknowledged. 0: the
     * log lost nothing.
     */
    public RaftOptions repairFloor(final long index, final long term)
    {
        this.repairFloorIndex = index;
        this.repairFloorTerm = term;
        return this;
    }

    public long repairFloorIndex()
    {
        return repairFloorIndex;
    }

    public long repairFloorTerm()
    {
        return repairFloorTerm;
    }

    /** The only source of randomness (election timeouts): seeded, so a run can be replayed. */
    public RaftOptions random(final RandomGenerator random)
    {
        this.random = random;
        return this;
    }

    /** Validates every setting; throws {@link IllegalArgumentException} naming the first bad one. */
    public RaftOptions conclude()
    {
        require(nodeId > 0, "nodeId must be positive: " + nodeId);
        require(electionTimeoutTicks >= 2, "electionTimeoutTicks must be at least 2: " + electionTimeoutTicks);
        require(heartbeatIntervalTicks >= 1 && heartbeatIntervalTicks < electionTimeoutTicks,
            "heartbeatIntervalTicks must be in [1, electionTimeoutTicks): " + heartbeatIntervalTicks);
        require(maxBatchBytes > 0, "maxBatchBytes must be positive: " + maxBatchBytes);
        require(maxInflightAppends > 0, "maxInflightAppends must be positive: " + maxInflightAppends);
        require(maxInflightBytes > 0, "maxInflightBytes must be positive: " + maxInflightBytes);
        require(maxSmallAppendsInFlight > 0, "maxSmallAppendsInFlight must be positive: " + maxSmallAppendsInFlight);
        require(entryOverheadBytes >= 0, "entryOverheadBytes must not be negative: " + entryOverheadBytes);
        require(maxPendingReads > 0, "maxPendingReads must be positive: " + maxPendingReads);
        require(random != null, "random must be set (a seeded generator)");
        require(!readLease || checkQuorum, "readLease needs checkQuorum");
        require(repairFloorIndex >= 0 && repairFloorTerm >= 0 && (repairFloorIndex == 0) == (repairFloorTerm == 0),
            "repairFloor must be an index and a term, both positive, or both 0: " + repairFloorIndex + ", " +
            repairFloorTerm);
        return this;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    public int nodeId()
    {
        return nodeId;
    }

    public int electionTimeoutTicks()
    {
        return electionTimeoutTicks;
    }

    public int heartbeatIntervalTicks()
    {
        return heartbeatIntervalTicks;
    }

    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    public int maxInflightAppends()
    {
        return maxInflightAppends;
    }

    public long maxInflightBytes()
    {
        return maxInflightBytes;
    }

    public int maxSmallAppendsInFlight()
    {
        return maxSmallAppendsInFlight;
    }

    public int entryOverheadBytes()
    {
        return entryOverheadBytes;
    }

    public int maxPendingReads()
    {
        return maxPendingReads;
    }

    public boolean preVote()
    {
        return preVote;
    }

    public boolean checkQuorum()
    {
        return checkQuorum;
    }

    public RandomGenerator random()
    {
        return random;
    }
}
