package io.raftline.core;

import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.quorum.ConfigurationHistory;
import io.raftline.core.quorum.VoteResult;
import io.raftline.core.replication.CatchUp;
import io.raftline.core.replication.Progress;
import io.raftline.core.replication.ProgressTracker;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * One member of a Raft group, as a deterministic state machine: ticks, peer messages, proposals and read requests
 * go in; what to persist, what to send, what is committed and answered reads come out through {@link #ready()}.
 * Single-threaded; no clock, no I/O, and no allocation per entry after warm-up. Sections cited are those of the
 * Raft paper (§5) and Ongaro's thesis.
 */
public final class RaftNode
{
    /** {@link #propose} result: this node is not the leader. */
    public static final long NOT_LEADER = -1;
    /** {@link #propose} result: leadership is being transferred; proposals wait for the new leader. */
    public static final long TRANSFERRING = -2;

    /**
     * What one ready() sends one follower at most: this many batches, and no more than {@link #BYTES_PER_FLUSH}
     * (but always one batch). A follower far behind (a new learner, one back from a pause) is caught up over several
     * of the node's duty cycles, each also serving clients and heartbeats, instead of in one that reads, checks and
     * encodes a whole window (up to 32 MiB): on a slow machine that one took the leader's thread for seconds, past
     * the followers' election timeout.
     */
    static final int BATCHES_PER_FLUSH = 8;
    static final long BYTES_PER_FLUSH = 512 * 1024;
    private static final int NONE = 0;
    private static final MessageQueue.Filter IS_APPEND = message -> message.type == MessageType.APPEND;
    private static final DirectBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final int id;
    private final long identity;
    private final boolean firstMember;
    private final CoreLog log;
    private final ConfigurationHistory configurations;
    private final RandomGenerator random;
    private final int electionTimeoutTicks;
    private final int heartbeatIntervalTicks;
    private final int maxBatchBytes;
    private final int maxSmallAppendsInFlight;
    private final int entryOverheadBytes;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final boolean readLease;
    private long now;                   // the clock (see advanceClock), in ticks
    private long leaderSentAt;          // follower: the latest send time of the leader's messages it heard
    private boolean restartPromise;     // restarted less than an election timeout ago (see isInLease)
    private final long repairFloorIndex; // see RaftOptions.repairFloor
    private final long repairFloorTerm;
    private final ProgressTracker tracker;
    private final ReadIndex readIndex;
    private final Ready ready = new Ready();
    private final MessageQueue.Filter dropAcksAboveTruncation = this::isAckAboveTruncation;

    private Role role = Role.FOLLOWER;
    private long term;               // invariant: never decreases
    private int votedFor;            // in term; NONE if no vote was cast
    private int leaderId;            // NONE when unknown
    private long commitIndex;        // invariant: never decreases; commitIndex <= log.lastIndex()
    private long durableIndex;       // entries up to here were reported durable by the runtime
    private long truncatedFrom;      // used by dropAcksAboveTruncation only
    private long provenIndex;        // this log matches the leader's up to here, as an AppendEntries showed
    private long provenTerm;         // the term of that AppendEntries
    private boolean hardStateChanged;
    private boolean broadcastPending;    // leader: entries or a new commit index to send
    private boolean heartbeatPending;    // leader: a ReadIndex round to confirm
    private boolean commitNoticeDue;     // leader: followers behind on the commit index get an empty append now
    private boolean committedInTerm;     // leader: an entry of its own term is committed (thesis §6.4)
    private boolean campaignTransfer;    // candidate: campaigning on TimeoutNow (thesis §3.10)
    private boolean timeoutNowSent;      // leader: voters may now elect the target despite this term's lease
    private int leadTransferee;          // leader: the node leadership is being handed to, or NONE
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    private long reportedCommitIndex;
    private Role reportedRole;
    private int reportedLeaderId = -1;
    private int[] promotionTarget;       // leader: the voters a change waits for while its new voters catch up
    private CatchUp[] catchUps;          // leader: one per voter of promotionTarget that is a learner now
    private String lastChangeFailure;    // leader: why the last change of voters failed, until the next starts
    private boolean configurationChanged;
    private long snapshotIndex;          // the runtime's newest snapshot, and the term at its index
    private long snapshotTerm;
    private SnapshotFetch snapshotFetch; // follower: the snapshot it needs, until installed or given up
    private long snapshotInstalled;      // installed since the last Ready: the runtime restores its state from it
    private SnapshotFetch reportedSnapshotFetch;

    /** A node whose log holds no configuration entry: {@code configuration} is in force until one is appended. */
    public RaftNode(
        final RaftOptions options,
        final LogView storage,
        final long term,
        final int votedFor,
        final Configuration configuration)
    {
        this(options, storage, term, votedFor, new ConfigurationHistory(configuration));
    }

    /**
     * A node restarting from what it persisted: {@code term} and {@code votedFor} (0 for none), the runtime's log,
     * whose entries are all durable, and the configuration entries in that log (entries of the history that the
     * log no longer holds are dropped). A brand new node passes 0, 0, an empty log and the configuration it starts
     * in: the cluster's first one, or {@link Configuration#NONE} for a server waiting to be added. The core only
     * reads {@code storage}; what it decides to write comes out through {@link Ready#logWrites()}.
     */
    public RaftNode(
        final RaftOptions options,
        final LogView storage,
        final long term,
        final int votedFor,
        final ConfigurationHistory configurations)
    {
        options.conclude();
        if (term < 0 || votedFor < 0)
        {
            throw new IllegalArgumentException("term and votedFor must not be negative: " + term + ", " + votedFor);
        }
        this.id = options.nodeId();
        this.identity = options.identity();
        this.firstMember = options.firstMember();
        this.log = new CoreLog(storage, ready.logWrites);
        this.configurations = configurations;
        configurations.truncateFrom(firstConfigurationNotHeld(configurations, storage));
        this.random = options.random();
        this.electionTimeoutTicks = options.electionTimeoutTicks();
        this.heartbeatIntervalTicks = options.heartbeatIntervalTicks();
        this.maxBatchBytes = options.maxBatchBytes();
        this.maxSmallAppendsInFlight = options.maxSmallAppendsInFlight();
        this.entryOverheadBytes = options.entryOverheadBytes();
        this.preVote = options.preVote();
        this.checkQuorum = options.checkQuorum();
        this.readLease = options.readLease();
        this.tracker = new ProgressTracker(id, configurations.latest(), options.maxInflightAppends(),
            options.maxInflightBytes());
        this.readIndex = new ReadIndex(options.maxPendingReads());
        this.term = term;
        this.votedFor = votedFor;
        this.durableIndex = storage.lastIndex();
        this.commitIndex = storage.firstIndex() - 1; // a compacted prefix was committed
        becomeFollower(term, NONE);
        this.restartPromise = options.restarted();
        this.repairFloorIndex = options.repairFloorIndex();
        this.repairFloorTerm = options.repairFloorTerm();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inputs

    /** One logical tick, and the clock moves on by one. Timeouts are counted in ticks. */
    public void tick()
    {
        tick(now + 1);
    }

    /**
     * One tick of the timeouts, with the runtime's monotonic clock at {@code time} (see {@link #advanceClock}). After
     * a stall the runtime ticks once, not once per tick missed (a burst would start elections the stall deserved),
     * while the clock says how much time really passed.
     */
    public void tick(final long time)
    {
        advanceClock(time);
        if (role == Role.LEADER)
        {
            tickLeader();
        }
        else
        {
            tickElection();
        }
        assert invariants();
    }

    /**
     * The runtime's monotonic clock, in whole ticks since any origin; it never goes back. A leader stamps what it
     * sends with it and measures its read lease on it when a read is served, so the runtime sets it just before
     * inputs that may serve a read (thesis §6.4.1: a lease counted in ticks alone outlives a stall).
     */
    public void advanceClock(final long time)
    {
        now = Math.max(now, time);
    }

    /** The clock, as {@link #tick} and {@link #advanceClock} set it. */
    public long clock()
    {
        return now;
    }

    /** A message from a peer. The entries of an inbound APPEND are read during this call only. */
    public void step(final RaftMessage message)
    {
        if (message.from == id || message.to != id)
        {
            return; // misaddressed: the transport should have filtered it
        }
        if (!isFromLeader(message) && !isVoteRequest(message) && !tracker.configuration().isMember(message.from))
        {
            return; // an answer or a request from a server outside the configuration means nothing here
        }
        if (message.term > term)
        {
            if (!onHigherTerm(message))
            {
                return;
            }
        }
        else if (message.term < term)
        {
            onLowerTerm(message);
            return;
        }
        switch (message.type)
        {
            case VOTE, PRE_VOTE -> onVoteRequest(message);
            case VOTE_RESPONSE, PRE_VOTE_RESPONSE -> onVoteResponse(message);
            case APPEND -> onAppend(message);
            case HEARTBEAT -> onHeartbeat(message);
            case APPEND_RESPONSE -> onAppendResponse(message);
            case HEARTBEAT_RESPONSE -> onHeartbeatResponse(message);
            case TIMEOUT_NOW -> onTimeoutNow(message);
            case READ_INDEX -> onReadIndexRequest(message);
            case READ_INDEX_RESPONSE -> onReadIndexResponse(message);
            case INSTALL_SNAPSHOT -> onInstallSnapshot(message);
            default -> throw new IllegalArgumentException("unknown message type " + message.type);
        }
        assert invariants();
    }

    /** Appends a producer's entry. Returns its index, or {@link #NOT_LEADER} or {@link #TRANSFERRING}. */
    public long propose(final DirectBuffer buffer, final int offset, final int length)
    {
        return propose(buffer, offset, length, 0, 0);
    }

    /** Appends an entry of producer session {@code sessionId}. Returns its index, or a negative refusal. */
    public long propose(
        final DirectBuffer buffer, final int offset, final int length, final long sessionId, final long sequence)
    {
        return propose(EntryType.NORMAL, buffer, offset, length, sessionId, sequence);
    }

    /**
     * Appends an entry of {@code type}: {@link EntryType#NORMAL}, or {@link EntryType#SESSION} to open or close a
     * producer session. Returns its index, or {@link #NOT_LEADER} or {@link #TRANSFERRING}.
     */
    public long propose(
        final int type,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long sessionId,
        final long sequence)
    {
        if (type != EntryType.NORMAL && type != EntryType.SESSION)
        {
            throw new IllegalArgumentException("only normal and session entries can be proposed: " + type);
        }
        if (role != Role.LEADER)
        {
            return NOT_LEADER;
        }
        if (leadTransferee != NONE)
        {
            return TRANSFERRING;
        }
        appendEntry(term, type, sessionId, sequence, buffer, offset, length);
        broadcastPending = true;
        return log.lastIndex();
    }

    /**
     * Asks for a linearizable read (thesis §6.4): a {@link ReadStates} answer for {@code requestId} follows with
     * the index the caller must have applied before reading, or {@link ReadStates#FAILED}.
     */
    public void readIndex(final long requestId)
    {
        if (role == Role.LEADER)
        {
            addRead(requestId, id);
        }
        else if (leaderId != NONE)
        {
            final RaftMessage request = send(ready.messagesAfterPersist, MessageType.READ_INDEX, leaderId);
            request.context = requestId;
        }
        else
        {
            ready.readStates.add(requestId, ReadStates.FAILED);
        }
    }

    /**
     * Hands leadership to {@code target} (thesis §3.10), or with 0 to the most up-to-date voter: proposals stop,
     * the target is brought up to date and told to campaign at once. Gives up after an election timeout. Returns
     * whether the transfer started.
     */
    public boolean transferLeadership(final int requestedTarget)
    {
        final int target = requestedTarget == NONE ? mostUpToDateVoter() : requestedTarget;
        if (role != Role.LEADER || target == id || target == NONE || !tracker.configuration().isVoter(target) ||
            !tracker.isEligible(target))
        {
            return false;
        }
        if (leadTransferee == target)
        {
            return true;
        }
        leadTransferee = target;
        electionElapsed = 0;
        if (tracker.progress(target).matchIndex() == log.lastIndex())
        {
            sendTimeoutNow(target);
        }
        else
        {
            broadcastPending = true;
        }
        return true;
    }

    /**
     * Adds node {@code nodeId}, reachable at {@code endpoint}, as a learner (thesis §4.2.1): it receives the log and
     * counts for nothing until promoted.
     */
    public ChangeResult addLearner(final int nodeId, final String endpoint)
    {
        final ChangeResult refusal = refuseChange();
        if (refusal != null)
        {
            return refusal;
        }
        if (configurations.latest().isMember(nodeId))
        {
            return ChangeResult.ALREADY_MEMBER;
        }
        proposeConfiguration(configurations.latest().addLearner(nodeId, endpoint));
        return ChangeResult.STARTED;
    }

    /**
     * Makes learner {@code nodeId} a voter once it has caught up (thesis §4.2.1): the joint configuration follows by
     * itself, or the promotion fails and {@link #changeFailure()} says why.
     */
    public ChangeResult promote(final int nodeId)
    {
        return promote(nodeId, Long.MAX_VALUE);
    }

    /** As {@link #promote(int)}, failing if the learner has not caught up within {@code catchUpTicks}. */
    public ChangeResult promote(final int nodeId, final long catchUpTicks)
    {
        final ChangeResult refusal = refuseChange();
        if (refusal != null)
        {
            return refusal;
        }
        final Configuration configuration = configurations.latest();
        if (!configuration.isLearner(nodeId))
        {
            return ChangeResult.NOT_A_LEARNER;
        }
        final int[] voters = Arrays.copyOf(configuration.voters(), configuration.voters().length + 1);
        voters[voters.length - 1] = nodeId;
        return changeVoters(voters, catchUpTicks);
    }

    /**
     * Removes member {@code nodeId}, the leader itself included: a learner at once, a voter through a joint
     * configuration (Raft §6). A leader that removes itself leads until the change commits, then hands over.
     */
    public ChangeResult removeMember(final int nodeId)
    {
        final ChangeResult refusal = refuseChange();
        if (refusal != null)
        {
            return refusal;
        }
        final Configuration configuration = configurations.latest();
        if (configuration.isLearner(nodeId))
        {
            lastChangeFailure = null;
            proposeConfiguration(configuration.removeLearner(nodeId));
            return ChangeResult.STARTED;
        }
        if (!configuration.isVoter(nodeId))
        {
            return ChangeResult.NOT_A_MEMBER;
        }
        final int[] voters = java.util.stream.IntStream.of(configuration.voters()).filter(v -> v != nodeId).toArray();
        return voters.length == 0 ? ChangeResult.NO_VOTER_LEFT : changeVoters(voters);
    }

    /**
     * Any change of the voters among the members (several at once, replacing one), in one joint step (Raft §6):
     * C<sub>old,new</sub>, then C<sub>new</sub> once that commits. Learners that become voters first catch up
     * (thesis §4.2.1), or the change fails and {@link #changeFailure()} says why; voters that leave stop being
     * members. A joint configuration whose new voters stop working before it commits is given up for the old one.
     */
    public ChangeResult changeVoters(final int[] voters)
    {
        return changeVoters(voters, Long.MAX_VALUE);
    }

    private ChangeResult changeVoters(final int[] voters, final long catchUpTicks)
    {
        final ChangeResult refusal = refuseChange();
        if (refusal != null)
        {
            return refusal;
        }
        if (voters.length == 0)
        {
            return ChangeResult.NO_VOTER_LEFT;
        }
        final Configuration configuration = configurations.latest();
        int newVoters = 0;
        for (int i = 0; i < voters.length; i++)
        {
            if (!configuration.isMember(voters[i]))
            {
                return ChangeResult.NOT_A_MEMBER;
            }
            for (int j = 0; j < i; j++)
            {
                if (voters[j] == voters[i])
                {
                    return ChangeResult.DUPLICATE_VOTER;
                }
            }
            newVoters += configuration.isLearner(voters[i]) ? 1 : 0;
        }
        // a learner to promote counts for now: it is judged when it has caught up, before the change is proposed
        if (!hasWorkingMajority(configuration, voters, false))
        {
            return ChangeResult.NO_WORKING_MAJORITY;
        }
        lastChangeFailure = null;
        if (newVoters == 0)
        {
            proposeConfiguration(configuration.enterJoint(voters));
            return ChangeResult.STARTED;
        }
        promotionTarget = voters.clone();
        catchUps = new CatchUp[newVoters];
        int i = 0;
        for (final int voter : voters)
        {
            if (configuration.isLearner(voter))
            {
                catchUps[i++] = new CatchUp(voter, log.lastIndex(), now, electionTimeoutTicks,
                    catchUpTicks == Long.MAX_VALUE ? Long.MAX_VALUE : now + catchUpTicks);
            }
        }
        return ChangeResult.STARTED;
    }

    /** Whether a majority of {@code voters} are {@link #isWorking working}; learners count unless judged too. */
    private boolean hasWorkingMajority(
        final Configuration configuration, final int[] voters, final boolean judgeLearners)
    {
        int working = 0;
        for (final int voter : voters)
        {
            working += !judgeLearners && configuration.isLearner(voter) || isWorking(configuration, voter) ? 1 : 0;
        }
        return working > voters.length / 2;
    }

    /**
     * Whether member {@code nodeId} could vote for a leader if this one failed now: this leader, or a member that
     * answered within an election timeout, from the disk the configuration names, and is not repairing its log. A
     * change whose voters are not a majority of such members would leave a cluster that cannot elect a leader once
     * this one is gone (the check etcd calls strict reconfiguration); the operator mends or replaces voters first.
     */
    private boolean isWorking(final Configuration configuration, final int nodeId)
    {
        if (nodeId == id)
        {
            return true;
        }
        final Progress progress = tracker.progress(nodeId);
        return answeredLately(progress) && !progress.isRepairing() &&
            configuration.identityMatches(nodeId, progress.identity());
    }

    /** Whether the follower answered a message sent less than an election timeout ago. */
    private boolean answeredLately(final Progress progress)
    {
        return progress.leaseStart() != Progress.NEVER && now - progress.leaseStart() < electionTimeoutTicks;
    }

    /** Whether a configuration change is under way: an entry not yet committed, a joint configuration, a promotion. */
    public boolean isConfigurationChanging()
    {
        return configurations.latestIndex() > commitIndex || configurations.latest().isJoint() ||
            promotionTarget != null;
    }

    /** Why the last change of voters failed (a promotion, or a joint change given up), or null. */
    public String changeFailure()
    {
        return lastChangeFailure;
    }

    /** Whether learner {@code nodeId} is being brought up to date to become a voter. */
    public boolean isCatchingUp(final int nodeId)
    {
        if (catchUps != null)
        {
            for (final CatchUp catchUp : catchUps)
            {
                if (catchUp.learner() == nodeId)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** The index of the newest configuration entry in the log (0: the configuration the node started with). */
    public long configurationIndex()
    {
        return configurations.latestIndex();
    }

    /**
     * The runtime holds a snapshot of the state at committed index {@code index} (of {@code term}) and may compact
     * the log below it: the leader sends it to followers that need compacted entries.
     */
    public void snapshotTaken(final long index, final long term)
    {
        if (index > log.lastIndex() || index < log.firstIndex() - 1 || log.term(index) != term)
        {
            throw new IllegalArgumentException("snapshot at " + index + " of term " + term + " is not of this log: " +
                log.firstIndex() + ".." + log.lastIndex());
        }
        if (index > snapshotIndex)
        {
            snapshotIndex = index;
            snapshotTerm = term;
        }
        maybeCommitTo(index); // only committed state is snapshotted: after a restart this is news
    }

    /** The newest snapshot the runtime holds (0: none). */
    public long snapshotIndex()
    {
        return snapshotIndex;
    }

    /**
     * The runtime fetched the snapshot at {@code index} of {@code term}, whose configuration is
     * {@code configuration}, and holds it durably: it replaces the log (Raft §7), unless it is no longer needed
     * (this node committed that far meanwhile, or holds that entry), in which case nothing changes. Returns whether
     * it was installed; then {@link Ready#snapshotInstalled()} says so and the runtime restores its state from it.
     */
    public boolean installSnapshot(final long index, final long term, final Configuration configuration)
    {
        if (snapshotFetch != null && snapshotFetch.index() <= index)
        {
            snapshotFetch = null;
        }
        if (index <= commitIndex || role == Role.LEADER)
        {
            return false; // a leader holds every committed entry (§5.4.1): it never needs one
        }
        if (index <= log.lastIndex() && log.term(index) == term)
        {
            maybeCommitTo(index); // the log holds it: by Log Matching, everything before too
            return false;
        }
        log.reset(index, term);
        configurations.reset(configuration);
        applyConfiguration();
        commitIndex = index;
        durableIndex = index;
        snapshotInstalled = index;
        snapshotTaken(index, term);
        if (leaderId != NONE)
        {
            send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, leaderId).index = index;
        }
        return true;
    }

    /** The runtime could not fetch the snapshot at {@code index}: the leader will offer one again. */
    public void snapshotFetchFailed(final long index)
    {
        if (snapshotFetch != null && snapshotFetch.index() == index)
        {
            snapshotFetch = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outputs

    public boolean hasReady()
    {
        return broadcastPending || heartbeatPending || hardStateChanged || configurationChanged ||
            snapshotInstalled != 0 || snapshotFetch != reportedSnapshotFetch ||
            durableIndex < log.lastIndex() ||
            !ready.logWrites.isEmpty() || ready.messages.size() > 0 || ready.messagesAfterPersist.size() > 0 || ready.readStates.size() > 0 ||
            commitIndex != reportedCommitIndex || role() != reportedRole || leaderId != reportedLeaderId;
    }

    /** What to send, persist and deliver now; see {@link Ready} for the order. Call {@link #advance} after. */
    public Ready ready()
    {
        if (role == Role.LEADER)
        {
            flushLeaderMessages();
        }
        ready.hardStateChanged = hardStateChanged;
        ready.term = term;
        ready.votedFor = votedFor;
        ready.persistFromIndex = durableIndex + 1;
        ready.lastIndex = log.lastIndex();
        ready.commitIndex = commitIndex;
        ready.role = role();
        ready.leaderId = leaderId;
        ready.configurationChanged = configurationChanged;
        ready.configuration = configurations.latest();
        ready.snapshotToFetch = snapshotFetch;
        ready.snapshotInstalled = snapshotInstalled;
        return ready;
    }

    /**
     * The log changes decided so far and not yet written, the same object as {@link Ready#logWrites()}. The runtime
     * may write them at any moment before {@link #advance}, and must do so while the buffers of the inputs that
     * carried them (a received frame, a proposal) are still valid.
     */
    public LogWrites logWrites()
    {
        return ready.logWrites;
    }

    /**
     * Whether an AppendEntries this node produced, held back by the transport, may still be sent: it was built by
     * this node as leader of its current term, and the range it names is still in the log, unchanged. The transport
     * asks before resending; only the core can judge.
     */
    public boolean isAppendCurrent(final RaftMessage append)
    {
        return role == Role.LEADER &&
            append.term == term &&
            append.index >= log.firstIndex() - 1 &&
            append.index + append.entryCount <= log.lastIndex() &&
            log.term(append.index) == append.logTerm;
    }

    /**
     * The runtime has done what the last {@link #ready()} asked: the hard state is persisted, the log is durable
     * up to {@code durableIndex} and the messages are sent.
     */
    public void advance(final long durableIndex)
    {
        if (durableIndex > log.lastIndex())
        {
            throw new IllegalArgumentException("durable index " + durableIndex + " > last index " + log.lastIndex());
        }
        hardStateChanged = false;
        configurationChanged = false;
        snapshotInstalled = 0;
        reportedSnapshotFetch = ready.snapshotToFetch;
        reportedCommitIndex = ready.commitIndex;
        reportedRole = ready.role;
        reportedLeaderId = ready.leaderId;
        ready.messages.clear();
        ready.messagesAfterPersist.clear();
        ready.readStates.clear();
        this.durableIndex = Math.max(this.durableIndex, durableIndex);
        if (role == Role.LEADER && tracker.progress(id).maybeUpdate(this.durableIndex))
        {
            // thesis §10.2.1: the leader's own disk write counts like a follower's acknowledgement
            maybeCommit();
        }
        assert invariants();
    }

    // ---------------------------------------------------------------------------------------------------------
    // State, for the runtime and for tests

    public int id()
    {
        return id;
    }

    public Role role()
    {
        return role == Role.FOLLOWER && !tracker.configuration().isVoter(id) ? Role.LEARNER : role;
    }

    /** Whether this node leads: {@code role() == Role.LEADER} without asking the configuration (once per entry). */
    public boolean isLeader()
    {
        return role == Role.LEADER;
    }

    /**
     * Whether this leader has committed an entry of its term. Until then its configuration is not final: an earlier
     * leader's uncommitted configuration entry, which this one does not hold, may still commit in a later term.
     */
    public boolean hasCommittedInTerm()
    {
        return role == Role.LEADER && committedInTerm;
    }

    public long term()
    {
        return term;
    }

    public int votedFor()
    {
        return votedFor;
    }

    public int leaderId()
    {
        return leaderId;
    }

    public long commitIndex()
    {
        return commitIndex;
    }

    public long durableIndex()
    {
        return durableIndex;
    }

    public int leadTransferee()
    {
        return leadTransferee;
    }

    public Configuration configuration()
    {
        return tracker.configuration();
    }

    /** The leader's view of a member's replication, or null when this node is not the leader. */
    public Progress progress(final int nodeId)
    {
        return role == Role.LEADER ? tracker.find(nodeId) : null;
    }

    public LogView log()
    {
        return log;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Role changes

    private void becomeFollower(final long term, final int leaderId)
    {
        if (role == Role.LEADER)
        {
            abandonPromotion("leadership was lost");
            failPendingReads();
            // unsent AppendEntries name ranges of a log that may be truncated before they are encoded
            ready.messages.removeIf(IS_APPEND);
        }
        role = Role.FOLLOWER;
        setTerm(term);
        this.leaderId = leaderId;
        leadTransferee = NONE;
        campaignTransfer = false;
        broadcastPending = false;
        heartbeatPending = false;
        commitNoticeDue = false;
        resetElectionTimer();
    }

    private void becomePreCandidate()
    {
        // thesis §9.6: no term change and no vote, so a node that cannot win disturbs nobody
        role = Role.PRE_CANDIDATE;
        leaderId = NONE;
        resetElectionTimer();
        tracker.resetVotes();
        requestVotes(MessageType.PRE_VOTE, term + 1);
    }

    private void becomeCandidate()
    {
        role = Role.CANDIDATE;
        setTerm(term + 1);
        votedFor = id;
        hardStateChanged = true;
        leaderId = NONE;
        resetElectionTimer();
        tracker.resetVotes();
        requestVotes(MessageType.VOTE, term);
    }

    private void becomeLeader()
    {
        role = Role.LEADER;
        leaderId = id;
        leadTransferee = NONE;
        snapshotFetch = null; // it holds every committed entry (§5.4.1)
        campaignTransfer = false;
        committedInTerm = false;
        timeoutNowSent = false;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        final long nextIndex = log.lastIndex() + 1;
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            progress.reset(nextIndex);
            if (progress.nodeId() == id)
            {
                progress.identity(identity);
                progress.becomeReplicate();
                progress.maybeUpdate(durableIndex);
                progress.setRecentActive(true);
            }
        }
        // §5.4.2, §8: an entry of the new term, so that earlier entries commit (and reads can be served) soon
        appendEntry(term, EntryType.NOOP, 0, 0, EMPTY, 0, 0);
        broadcastPending = true;
    }

    private void setTerm(final long newTerm)
    {
        if (newTerm != term)
        {
            assert newTerm > term : "term went back from " + term + " to " + newTerm;
            term = newTerm;
            votedFor = NONE;
            leaderSentAt = 0;
            hardStateChanged = true;
        }
    }

    private void resetElectionTimer()
    {
        electionElapsed = 0;
        // §5.2: randomized in [T, 2T) so that split votes are rare
        randomizedElectionTimeout = electionTimeoutTicks + random.nextInt(electionTimeoutTicks);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Ticks

    private void tickElection()
    {
        electionElapsed++;
        restartPromise &= electionElapsed < electionTimeoutTicks;
        if (electionElapsed >= randomizedElectionTimeout && isPromotable())
        {
            campaign(false);
        }
    }

    private void tickLeader()
    {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= electionTimeoutTicks)
        {
            electionElapsed = 0;
            abandonStalledJoint(); // before the check below judges this leader by the configuration in force
            // thesis §6.2: a leader cut off from a majority steps down instead of blocking clients forever
            if (checkQuorum && !tracker.isQuorumActive())
            {
                becomeFollower(term, NONE);
                return;
            }
            for (int i = 0; i < tracker.size(); i++)
            {
                tracker.at(i).setRecentActive(tracker.at(i).nodeId() == id);
            }
            leadTransferee = NONE; // thesis §3.10: a transfer that did not finish in time is abandoned
        }
        if (heartbeatElapsed >= heartbeatIntervalTicks)
        {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
        maybeAdvanceMembership();
        // a new commit index rides on the next AppendEntries; one that no entry carried goes out alone once a tick,
        // which saves each follower a message and its answer per commit while entries keep flowing
        commitNoticeDue = true;
        broadcastPending = true;
    }

    /**
     * Whether this node may campaign: a voter of its configuration, speaking from the data directory it records
     * (or one not yet bound). A voter that the newest configuration leaves out may still be needed to elect a
     * leader until that configuration commits (thesis §4.2.2, Figure 4.6), so it still campaigns until it learns
     * the entry is committed.
     */
    private boolean isPromotable()
    {
        if (isRepairing())
        {
            return false;
        }
        final Configuration latest = configurations.latest();
        if (latest.isVoter(id))
        {
            return actsUnder(latest);
        }
        final Configuration previous = configurations.previous();
        return configurations.latestIndex() > commitIndex && previous != null && previous.isVoter(id) &&
            actsUnder(previous);
    }

    /**
     * Whether this node may grant votes: not while it knows nothing of the cluster, nor as a voter of a
     * configuration it may not act under (see {@link RaftOptions#firstMember}). Learners and servers outside their
     * own newest configuration answer (thesis §4.1): they may be voters they do not know of yet, and a candidate
     * counts a vote only from a voter on the disk its configuration records.
     */
    private boolean mayVote()
    {
        final Configuration configuration = tracker.configuration();
        return !configuration.isEmpty() && (!configuration.isVoter(id) || actsUnder(configuration));
    }

    /**
     * Whether the log is still short of what it held before a damaged entry was cut from it (see
     * {@link RaftOptions#repairFloor}). Once it is as up to date as before, it holds every entry it helped commit:
     * a later term's entries come from a leader that holds them all (§5.4), the same term's from the same leader.
     */
    public boolean isRepairing()
    {
        return !isAtLeastAsUpToDate(log.lastTerm(), log.lastIndex(), repairFloorTerm, repairFloorIndex);
    }

    /** §5.4.1: the log ending at (term, index) is at least as up to date as the one ending at the other. */
    private static boolean isAtLeastAsUpToDate(
        final long term, final long index, final long otherTerm, final long otherIndex)
    {
        return term > otherTerm || (term == otherTerm && index >= otherIndex);
    }

    /**
     * Whether the configuration in force makes this node a voter on another data directory than its own (it
     * restarted on an empty or a different disk): it neither votes nor counts until it is removed and added again.
     */
    public boolean isVoterOnAnotherDisk()
    {
        final Configuration configuration = tracker.configuration();
        final long recorded = configuration.identity(id);
        return configuration.isVoter(id) && recorded != Configuration.UNBOUND && recorded != identity;
    }

    /** Whether this node may vote or campaign under {@code configuration}: see {@link RaftOptions#firstMember}. */
    private boolean actsUnder(final Configuration configuration)
    {
        final long recorded = configuration.identity(id);
        return recorded == identity || (recorded == Configuration.UNBOUND && firstMember);
    }

    private void campaign(final boolean transfer)
    {
        campaignTransfer = transfer;
        if (preVote && !transfer)
        {
            becomePreCandidate();
        }
        else
        {
            becomeCandidate();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Terms

    /** A message from a later term. Returns whether to go on and handle it. */
    private boolean onHigherTerm(final RaftMessage message)
    {
        final boolean voteRequest = message.type == MessageType.VOTE || message.type == MessageType.PRE_VOTE;
        if (voteRequest && !message.transfer && isInLease())
        {
            // thesis §4.2.3: a live leader exists, so the request comes from a removed or partitioned server
            return false;
        }
        if (message.type == MessageType.PRE_VOTE ||
            (message.type == MessageType.PRE_VOTE_RESPONSE && !message.reject))
        {
            return true; // a pre-vote's term is hypothetical: nobody adopts it
        }
        final boolean fromLeader = message.type == MessageType.APPEND || message.type == MessageType.HEARTBEAT ||
            message.type == MessageType.INSTALL_SNAPSHOT;
        becomeFollower(message.term, fromLeader ? message.from : NONE);
        return true;
    }

    /**
     * A leader's messages count from any sender: its term is its authority, and a server being added knows the
     * configuration only from the log that the leader sends it (a leader that removed itself hands over with
     * TimeoutNow to a server whose configuration no longer names it).
     */
    private static boolean isFromLeader(final RaftMessage message)
    {
        return message.type == MessageType.APPEND || message.type == MessageType.HEARTBEAT ||
            message.type == MessageType.TIMEOUT_NOW || message.type == MessageType.INSTALL_SNAPSHOT;
    }

    /**
     * Vote requests are answered whatever the configuration says of the candidate (thesis §4.1): it may be a voter
     * this server does not know of yet. A removed server cannot disrupt a live cluster all the same: the lease of
     * {@link #isInLease} and pre-vote keep its requests from changing anything (thesis §4.2.3).
     */
    private static boolean isVoteRequest(final RaftMessage message)
    {
        return message.type == MessageType.VOTE || message.type == MessageType.PRE_VOTE;
    }

    private void onLowerTerm(final RaftMessage message)
    {
        if (message.type == MessageType.APPEND || message.type == MessageType.HEARTBEAT ||
            message.type == MessageType.INSTALL_SNAPSHOT)
        {
            // a stale leader: tell it our term, or it may never learn that it must step down to reach us. With
            // pre-vote, or from a node that cannot campaign while it repairs its log, no vote request carries our
            // term; and even plain Raft's vote requests go only to the voters of our configuration, which, when it is
            // older than the leader's, may not count the leader as one
            send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, message.from);
        }
        else if (message.type == MessageType.PRE_VOTE)
        {
            final RaftMessage response = send(ready.messagesAfterPersist, MessageType.PRE_VOTE_RESPONSE, message.from);
            response.reject = true;
        }
    }

    /**
     * Whether this voter keeps its promise to a leader it heard within an election timeout, or, having restarted,
     * to one it may have heard before (see {@link RaftOptions#restarted}).
     */
    private boolean isInLease()
    {
        return checkQuorum && (leaderId != NONE || restartPromise) && electionElapsed < electionTimeoutTicks;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Elections

    private void requestVotes(final MessageType type, final long campaignTerm)
    {
        final Configuration configuration = tracker.configuration();
        if (tracker.recordVote(id, true) == VoteResult.WON)
        {
            onElectionWon(type);
            return;
        }
        final int[] members = configuration.members();
        for (final int member : members)
        {
            if (member != id && configuration.isVoter(member))
            {
                final RaftMessage request = send(ready.messagesAfterPersist, type, member);
                request.term = campaignTerm;
                request.index = log.lastIndex();
                request.logTerm = log.lastTerm();
                request.transfer = campaignTransfer;
            }
        }
    }

    private void onVoteRequest(final RaftMessage message)
    {
        final boolean preVoteRequest = message.type == MessageType.PRE_VOTE;
        final boolean eligible = mayVote() &&
            tracker.configuration().identityMatches(message.from, message.identity);
        final boolean canVote = eligible && (votedFor == message.from ||
            (votedFor == NONE && leaderId == NONE) ||
            (preVoteRequest && message.term > term));
        // §5.4.1: only for a candidate whose log is at least as up to date as ours, and as the log ours was before
        // a damaged entry was cut from it (it may have helped commit what it lost)
        final boolean upToDate = isAtLeastAsUpToDate(message.logTerm, message.index, log.lastTerm(), log.lastIndex()) &&
            isAtLeastAsUpToDate(message.logTerm, message.index, repairFloorTerm, repairFloorIndex);
        final MessageType responseType = preVoteRequest ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
        final RaftMessage response = send(ready.messagesAfterPersist, responseType, message.from);
        if (canVote && upToDate)
        {
            response.term = message.term;
            if (!preVoteRequest)
            {
                votedFor = message.from;
                hardStateChanged = true;
                electionElapsed = 0;
            }
        }
        else
        {
            response.reject = true;
        }
    }

    private void onVoteResponse(final RaftMessage message)
    {
        final boolean expected = (role == Role.CANDIDATE && message.type == MessageType.VOTE_RESPONSE) ||
            (role == Role.PRE_CANDIDATE && message.type == MessageType.PRE_VOTE_RESPONSE);
        if (!expected || !tracker.configuration().isVoter(message.from))
        {
            return;
        }
        tracker.progress(message.from).identity(message.identity);
        final VoteResult result = tracker.recordVote(message.from, !message.reject &&
            tracker.configuration().identityMatches(message.from, message.identity));
        if (result == VoteResult.WON)
        {
            onElectionWon(message.type == MessageType.VOTE_RESPONSE ? MessageType.VOTE : MessageType.PRE_VOTE);
        }
        else if (result == VoteResult.LOST)
        {
            becomeFollower(term, NONE);
        }
    }

    private void onElectionWon(final MessageType pollType)
    {
        if (pollType == MessageType.PRE_VOTE)
        {
            becomeCandidate();
        }
        else
        {
            becomeLeader();
        }
    }

    private void onTimeoutNow(final RaftMessage message)
    {
        if (role != Role.LEADER && isPromotable())
        {
            campaign(true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Replication: follower side

    private void onAppend(final RaftMessage message)
    {
        hearFromLeader(message);
        final RaftMessage response = send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, message.from);
        final long prevLogIndex = message.index;
        if (prevLogIndex < commitIndex)
        {
            // everything up to commitIndex is known to match; the leader resumes from there
            response.index = commitIndex;
            return;
        }
        if (prevLogIndex > log.lastIndex() || log.term(prevLogIndex) != message.logTerm)
        {
            rejectAppend(response, prevLogIndex);
            return;
        }
        final long lastNewIndex = prevLogIndex + (message.entries == null ? 0 : message.entries.count());
        appendNewEntries(message.entries, prevLogIndex);
        if (snapshotFetch != null && snapshotFetch.index() <= lastNewIndex &&
            log.term(snapshotFetch.index()) == snapshotFetch.term())
        {
            snapshotFetch = null; // the entries came after all: the snapshot is no longer needed
        }
        // §5.3: commit no further than what this message proved to match
        maybeCommitTo(Math.min(message.commitIndex, lastNewIndex));
        prove(lastNewIndex);
        response.index = lastNewIndex;
    }

    /** This log matches the current leader's up to {@code index}: a heartbeat may commit that far. */
    private void prove(final long index)
    {
        if (provenTerm != term)
        {
            provenTerm = term;
            provenIndex = 0;
        }
        provenIndex = Math.max(provenIndex, index);
    }

    /** How far this log is known to match the current leader's: the commit index, or what this term proved. */
    private long provenIndex()
    {
        return Math.max(commitIndex, provenTerm == term ? provenIndex : 0);
    }

    /** §5.3: skips entries already held, truncates at the first conflict, appends the rest. */
    private void appendNewEntries(final EntryBatch entries, final long prevLogIndex)
    {
        final int count = entries == null ? 0 : entries.count();
        for (int position = 0; position < count; position++)
        {
            final long index = prevLogIndex + 1 + position;
            if (index > log.lastIndex())
            {
                appendEntries(entries, position);
                return;
            }
            if (log.term(index) != entries.term(position))
            {
                if (index <= commitIndex)
                {
                    throw new IllegalStateException("node " + id + ": leader " + leaderId + " conflicts with " +
                        "committed entry " + index + " (commit index " + commitIndex + ")");
                }
                truncateFrom(index);
                appendEntries(entries, position);
                return;
            }
        }
    }

    private void truncateFrom(final long index)
    {
        log.truncateFrom(index);
        if (configurations.truncateFrom(index))
        {
            applyConfiguration(); // a truncated configuration entry takes its configuration with it
        }
        durableIndex = Math.min(durableIndex, index - 1);
        // acknowledgements not yet sent must not promise entries that are gone
        truncatedFrom = index;
        ready.messagesAfterPersist.removeIf(dropAcksAboveTruncation);
    }

    private boolean isAckAboveTruncation(final RaftMessage message)
    {
        return message.type == MessageType.APPEND_RESPONSE && !message.reject && message.index >= truncatedFrom;
    }

    /**
     * The rejection carries the conflicting term and the first index this node holds of it, so the leader can
     * skip a whole term per round trip (§5.3, the optimisation at its end).
     */
    private void rejectAppend(final RaftMessage response, final long prevLogIndex)
    {
        response.reject = true;
        response.index = prevLogIndex;
        response.regressed = isRepairing();
        if (prevLogIndex > log.lastIndex())
        {
            response.rejectHintTerm = 0;
            response.rejectHintIndex = log.lastIndex() + 1;
        }
        else
        {
            final long conflictTerm = log.term(prevLogIndex);
            response.rejectHintTerm = conflictTerm;
            response.rejectHintIndex = firstIndexOfTerm(conflictTerm, prevLogIndex);
        }
    }

    private void onHeartbeat(final RaftMessage message)
    {
        hearFromLeader(message);
        // the leader bounds a heartbeat's commit index by what it believes this log holds, but this node may have
        // lost its disk since it last answered and hold other entries now (an older leader's, at the same indexes):
        // commit only what an AppendEntries of this term proved, and ask for one to prove the rest
        final long proven = Math.min(provenIndex(), log.lastIndex());
        maybeCommitTo(Math.min(message.commitIndex, proven));
        final RaftMessage response = send(ready.messagesAfterPersist, MessageType.HEARTBEAT_RESPONSE, message.from);
        response.context = message.context;
        response.reject = Math.min(message.commitIndex, log.lastIndex()) > proven; // entries it holds, unproved
        if (message.commitIndex > log.lastIndex() && isRepairing())
        {
            // the leader believes this log holds what a damaged entry took with it (a heartbeat's commit index is
            // at most its match index), and with nothing new to send it would never learn otherwise
            final RaftMessage regressed = send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, message.from);
            rejectAppend(regressed, log.lastIndex() + 1);
        }
    }

    /**
     * §7: the leader no longer holds the entries this follower needs. A snapshot at or below the commit index, or
     * one whose entry this log holds, changes nothing but the commit index; otherwise the runtime fetches it.
     */
    private void onInstallSnapshot(final RaftMessage message)
    {
        hearFromLeader(message);
        final long index = message.index;
        if (index <= commitIndex)
        {
            send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, message.from).index = commitIndex;
            return;
        }
        if (index <= log.lastIndex() && log.term(index) == message.logTerm)
        {
            maybeCommitTo(index);
            prove(index);
            send(ready.messagesAfterPersist, MessageType.APPEND_RESPONSE, message.from).index = index;
            return;
        }
        final int source = (int)message.context;
        if (snapshotFetch == null || snapshotFetch.index() != index || snapshotFetch.term() != message.logTerm ||
            snapshotFetch.source() != source || snapshotFetch.leader() != message.from)
        {
            snapshotFetch = new SnapshotFetch(index, message.logTerm, source, message.from);
        }
    }

    private void hearFromLeader(final RaftMessage message)
    {
        if (role != Role.FOLLOWER)
        {
            becomeFollower(term, message.from); // §5.2: a (pre-)candidate that hears from this term's leader yields
        }
        leaderId = message.from;
        electionElapsed = 0;
        leaderSentAt = Math.max(leaderSentAt, message.sentAt); // answers carry it: the leader's lease starts there
    }

    private void maybeCommitTo(final long index)
    {
        if (index > commitIndex)
        {
            commitIndex = index;
            configurations.compact(commitIndex);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Replication: leader side

    private void onAppendResponse(final RaftMessage message)
    {
        final Progress progress = heardFromFollower(message);
        if (progress == null)
        {
            return;
        }
        if (message.reject && message.regressed)
        {
            // the follower lost entries it acknowledged (a damaged entry was cut): matchIndex overstates its log
            progress.regress(hintedNextIndex(message), log.lastIndex());
            broadcastPending = true;
            return;
        }
        if (message.reject)
        {
            if (progress.maybeDecrease(message.index, hintedNextIndex(message)))
            {
                broadcastPending = true;
            }
            return;
        }
        if (!progress.maybeUpdate(message.index))
        {
            return;
        }
        if (progress.state() == Progress.State.SNAPSHOT && progress.matchIndex() >= log.firstIndex() - 1)
        {
            progress.becomeProbe(); // it installed an older snapshot, or caught up otherwise: entries reach it now
        }
        if (progress.state() == Progress.State.PROBE)
        {
            progress.becomeReplicate();
        }
        maybeCommit();
        if (role != Role.LEADER)
        {
            return; // the commit completed a configuration that removed this leader: it stepped down
        }
        broadcastPending = true;
        if (message.from == leadTransferee && progress.matchIndex() == log.lastIndex())
        {
            sendTimeoutNow(leadTransferee);
        }
    }

    /**
     * Where to probe next after a rejection: past the leader's last entry of the follower's conflicting term if the
     * leader has that term, else the first index the follower holds of it.
     */
    private long hintedNextIndex(final RaftMessage message)
    {
        if (message.rejectHintTerm == 0)
        {
            return message.rejectHintIndex;
        }
        final long upTo = Math.min(message.index, log.lastIndex());
        final long candidate = lastIndexAtOrBeforeTerm(message.rejectHintTerm, upTo);
        return log.term(candidate) == message.rejectHintTerm ? candidate + 1 : message.rejectHintIndex;
    }

    private void onHeartbeatResponse(final RaftMessage message)
    {
        final Progress progress = heardFromFollower(message);
        if (progress == null)
        {
            return;
        }
        if (progress.state() == Progress.State.SNAPSHOT &&
            now - progress.snapshotSentTick() >= electionTimeoutTicks)
        {
            sendSnapshot(progress); // lost, or the follower restarted: tell it again, with the newest snapshot
        }
        if (progress.matchIndex() < log.lastIndex() || message.reject)
        {
            // the follower may have lost an AppendEntries, or cannot take the commit index on a heartbeat's word:
            // send one, even empty, so that a gap shows as a rejection and a match proves the log
            progress.onHeartbeatResponse();
            progress.requestResend();
            broadcastPending = true;
        }
        if (message.context > progress.readAckedRound())
        {
            progress.onReadAck(message.context);
            releaseConfirmedReads();
        }
    }

    /**
     * A follower that speaks from another data directory than before lost its disk: what it acknowledged is gone,
     * so the leader forgets its match index and probes it from scratch.
     */
    private void onIdentity(final Progress progress, final long spokenFrom)
    {
        if (progress.identity() != Configuration.UNBOUND && progress.identity() != spokenFrom)
        {
            progress.reset(log.lastIndex() + 1);
            broadcastPending = true;
        }
        progress.identity(spokenFrom);
    }

    /**
     * A follower answered this leader: the disk it speaks from, that it is alive, the snapshot it holds. Its
     * progress, or null when this node does not lead it.
     */
    private Progress heardFromFollower(final RaftMessage message)
    {
        final Progress progress = leaderProgress(message.from);
        if (progress != null)
        {
            onIdentity(progress, message.identity);
            progress.setRecentActive(true);
            progress.answered(Math.min(message.sentAt, now)); // no answer can extend the lease into the future
            progress.snapshotHeld(message.snapshotIndex);
        }
        return progress;
    }

    private Progress leaderProgress(final int nodeId)
    {
        return role == Role.LEADER ? tracker.find(nodeId) : null;
    }

    /** §5.3, §5.4.2: commit the quorum's match index, but only by counting replicas of an entry of this term. */
    private boolean maybeCommit()
    {
        final long quorumIndex = tracker.committedIndex();
        if (quorumIndex <= commitIndex || log.term(quorumIndex) != term)
        {
            return false;
        }
        commitIndex = quorumIndex;
        configurations.compact(commitIndex);
        broadcastPending = true;
        if (!committedInTerm)
        {
            committedInTerm = true;
            final long round = readIndex.assignWaiting(commitIndex);
            if (round != ReadIndex.UNASSIGNED)
            {
                startReadRound(round);
            }
        }
        maybeAdvanceMembership();
        return true;
    }

    /** Sends what each follower can take now: new entries within its window, or a new commit index. */
    private void flushLeaderMessages()
    {
        if (heartbeatPending)
        {
            heartbeatPending = false;
            broadcastHeartbeat();
        }
        if (!broadcastPending)
        {
            return;
        }
        broadcastPending = false;
        final boolean commitNews = commitNoticeDue;
        commitNoticeDue = false;
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            if (progress.nodeId() == id)
            {
                continue;
            }
            final long bytesBefore = progress.inflights().bytes();
            if (maybeSendAppend(progress, commitNews))
            {
                // keep filling the pipeline up to the in-flight window, a few batches a flush
                for (int sent = 1; progress.state() == Progress.State.REPLICATE; sent++)
                {
                    if (sent == BATCHES_PER_FLUSH || progress.inflights().bytes() - bytesBefore >= BYTES_PER_FLUSH)
                    {
                        broadcastPending = true; // the rest in the next ready()
                        break;
                    }
                    if (!maybeSendAppend(progress, false))
                    {
                        break;
                    }
                }
            }
        }
    }

    /**
     * Sends the follower the entries after its nextIndex that fit in one batch. A replicating follower with nothing
     * new to receive gets an empty one only when {@code commitNews} and its commit index is behind. A probe always
     * goes out: it asks where the logs agree. Returns whether a message went out.
     */
    private boolean maybeSendAppend(final Progress progress, final boolean commitNews)
    {
        if (progress.isPaused())
        {
            return false;
        }
        if (progress.nextIndex() < log.firstIndex())
        {
            // a follower that has not answered for an election timeout (stopped, cut off) is told when it answers a
            // heartbeat again: the source then named is the best known, not whoever held the snapshot when the log
            // was compacted past it
            return progress.isRecentActive() && sendSnapshot(progress);
        }
        final long prevLogIndex = progress.nextIndex() - 1;
        final long lastIndex = log.lastIndex();
        int entryCount = 0;
        long bytes = 0;
        for (long index = prevLogIndex + 1; index <= lastIndex; index++)
        {
            final long entryBytes = log.payloadLength(index) + (long)entryOverheadBytes;
            if (entryCount > 0 && bytes + entryBytes > maxBatchBytes)
            {
                break;
            }
            bytes += entryBytes;
            entryCount++;
        }
        final boolean resend = progress.takeResendRequest();
        if (entryCount == 0 && progress.state() == Progress.State.REPLICATE && !resend &&
            !(commitNews && progress.commitSent() < commitIndex))
        {
            return false;
        }
        if (entryCount > 0 && bytes < maxBatchBytes / 2 && progress.state() == Progress.State.REPLICATE && !resend &&
            progress.inflights().count() >= maxSmallAppendsInFlight)
        {
            // a small batch waits for an answer to one of those in flight, while what arrives meanwhile joins it: a
            // follower that fell behind then catches up in a few large messages, rather than through a standing
            // queue of small ones that the leader refills as fast as it drains (measured at 100,000 entries/s: the
            // p90 from 10 ms to 0.5 ms); a full batch still goes out up to the in-flight window
            return false;
        }
        final RaftMessage append = send(ready.messages, MessageType.APPEND, progress.nodeId());
        append.index = prevLogIndex;
        append.logTerm = log.term(prevLogIndex);
        append.commitIndex = commitIndex;
        append.entryCount = entryCount;
        append.batchBytes = (int)bytes;
        progress.onSent(prevLogIndex + entryCount, bytes, entryCount, commitIndex);
        return true;
    }

    /**
     * §7: the follower needs entries compacted away; it is told to install the newest snapshot, fetched from a
     * follower that holds the same one (so the leader's bandwidth stays with replication), else from the leader.
     */
    private boolean sendSnapshot(final Progress progress)
    {
        if (snapshotIndex < log.firstIndex() - 1)
        {
            return false; // the runtime compacts only below a snapshot it holds: it is on its way
        }
        progress.becomeSnapshot(snapshotIndex, now);
        final RaftMessage install = send(ready.messages, MessageType.INSTALL_SNAPSHOT, progress.nodeId());
        install.index = snapshotIndex;
        install.logTerm = snapshotTerm;
        install.commitIndex = commitIndex;
        install.context = snapshotSource(progress.nodeId());
        return true;
    }

    /**
     * A follower other than {@code target} that answered lately and holds the newest snapshot, else this leader.
     * Judged by when it last answered, not by the check-quorum flag, which every period clears until its next answer.
     */
    private int snapshotSource(final int target)
    {
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress candidate = tracker.at(i);
            if (candidate.nodeId() != id && candidate.nodeId() != target && answeredLately(candidate) &&
                candidate.snapshotHeld() == snapshotIndex)
            {
                return candidate.nodeId();
            }
        }
        return id;
    }

    private void broadcastHeartbeat()
    {
        final long round = readIndex.latestRound();
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            if (progress.nodeId() != id)
            {
                final RaftMessage heartbeat = send(ready.messages, MessageType.HEARTBEAT, progress.nodeId());
                // a follower may hold uncommitted entries that differ from ours: commit only what it matches
                heartbeat.commitIndex = Math.min(progress.matchIndex(), commitIndex);
                heartbeat.context = round;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Configuration changes (Raft §6, thesis ch. 4)

    /** Appends one entry; a configuration entry is in force from the moment it is in the log (thesis §4.1). */
    private void appendEntry(
        final long entryTerm,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        log.append(entryTerm, type, sessionId, sequence, buffer, offset, length);
        if (type == EntryType.CONFIG)
        {
            final Configuration configuration;
            try
            {
                configuration = ConfigurationCodec.decode(buffer, offset, length);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalStateException("node " + id + ": configuration entry " + log.lastIndex() +
                    " cannot be read: " + ex.getMessage(), ex);
            }
            configurations.add(log.lastIndex(), entryTerm, configuration);
            applyConfiguration();
        }
    }

    /** Appends the batch's entries from {@code fromPosition} on, read in place from the received frame. */
    private void appendEntries(final EntryBatch entries, final int fromPosition)
    {
        final DirectBuffer buffer = entries.buffer();
        for (int position = fromPosition, count = entries.count(); position < count; position++)
        {
            appendEntry(entries.term(position), entries.type(position), entries.sessionId(position),
                entries.sequence(position), buffer, entries.payloadOffset(position), entries.payloadLength(position));
        }
    }

    /** Puts the newest configuration in force: progress for new members, none for those that left. */
    private void applyConfiguration()
    {
        final Configuration configuration = configurations.latest();
        tracker.configure(configuration, log.lastIndex() + 1);
        configurationChanged = true;
        if (role == Role.LEADER)
        {
            if (leadTransferee != NONE && !configuration.isVoter(leadTransferee))
            {
                leadTransferee = NONE;
            }
            if (promotionTarget != null && !allMembers(configuration, promotionTarget))
            {
                abandonPromotion("node " + catchUps[0].learner() + " is no longer a learner");
            }
            broadcastPending = true; // new members are probed at once
        }
    }

    private static boolean allMembers(final Configuration configuration, final int[] ids)
    {
        for (final int nodeId : ids)
        {
            if (!configuration.isMember(nodeId))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Gives up a joint change of this leader's term whose incoming voters have no working majority (of them, fewer
     * than a majority answered within the last election timeout from their disks) while the outgoing voters have
     * one; checked at each election timeout: appends the outgoing configuration again. Left alone, the
     * leader would step down and no candidate could win (one needs a majority of the incoming voters too). Seen in
     * the simulator (seed 868499): a learner promoted as its disk was replaced (its new disk may not vote), in a
     * change from [2, 3] to [1, 2].
     * <p>
     * Only a joint entry of this term that this leader has not committed: then no server holds C<sub>new</sub>, and
     * whatever the joint configuration decided had a majority of the outgoing voters too. One an earlier leader
     * appended may have been committed, and C<sub>new</sub> appended, without this leader knowing: going back to
     * C<sub>old</sub> then would let C<sub>old</sub> and C<sub>new</sub> decide apart (seed 843691, two leaders
     * of disjoint majorities when an earlier version of this method gave that up too).
     */
    private void abandonStalledJoint()
    {
        final Configuration configuration = configurations.latest();
        if (!configuration.isJoint() || configurations.latestTerm() != term ||
            configurations.latestIndex() <= commitIndex || !configuration.isOutgoingVoter(id) ||
            hasWorkingMajority(configuration, configuration.voters(), true) ||
            !hasWorkingMajority(configuration, configuration.outgoingVoters(), true))
        {
            return;
        }
        lastChangeFailure = "fewer than a majority of the new voters " + Arrays.toString(configuration.voters()) +
            " kept working (up, on the disk the configuration names) before the change committed; it was abandoned " +
            "and the voters are " + Arrays.toString(configuration.outgoingVoters()) + " again";
        proposeConfiguration(configuration.abandonJoint());
    }

    private void abandonPromotion(final String why)
    {
        if (promotionTarget != null)
        {
            lastChangeFailure = why;
            promotionTarget = null;
            catchUps = null;
        }
    }

    /** Why no change may start now, or null when one may. */
    private ChangeResult refuseChange()
    {
        if (role != Role.LEADER)
        {
            return ChangeResult.NOT_LEADER;
        }
        if (leadTransferee != NONE)
        {
            return ChangeResult.TRANSFERRING;
        }
        // only once this leader has committed an entry of its term: until then an earlier leader's uncommitted
        // configuration may still be in force somewhere
        if (!committedInTerm)
        {
            return ChangeResult.NOT_READY;
        }
        return isConfigurationChanging() ? ChangeResult.IN_PROGRESS : null; // one change at a time
    }

    private void proposeConfiguration(final Configuration next)
    {
        // a buffer of its own: the entry's bytes must stay as they are until the runtime writes the log
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(next)]);
        final int length = ConfigurationCodec.encode(next, payload, 0);
        appendEntry(term, EntryType.CONFIG, 0, 0, payload, 0, length);
        broadcastPending = true;
    }

    /**
     * The leader's share of a change once a step commits: leaves a joint configuration, promotes a learner that has
     * caught up, binds voters' directories, or, removed by the configuration just committed, hands over and steps
     * down (Raft §6: it leads until C<sub>new</sub> commits, without counting itself).
     */
    private void maybeAdvanceMembership()
    {
        if (role != Role.LEADER || configurations.latestIndex() > commitIndex || !committedInTerm)
        {
            return;
        }
        final Configuration configuration = configurations.latest();
        if (configuration.isJoint())
        {
            proposeConfiguration(configuration.leaveJoint());
        }
        else if (!configuration.isIncomingVoter(id))
        {
            stepDownRemoved();
        }
        else if (promotionTarget != null)
        {
            maybePromote(configuration);
        }
        else if (configuration.hasUnboundVoter())
        {
            maybeBindIdentities(configuration);
        }
    }

    private void maybePromote(final Configuration configuration)
    {
        boolean allCaughtUp = true;
        for (final CatchUp catchUp : catchUps)
        {
            final Progress progress = tracker.find(catchUp.learner());
            final CatchUp.Status status = progress == null ? CatchUp.Status.FAILED :
                catchUp.check(progress.matchIndex(), log.lastIndex(), now);
            if (status == CatchUp.Status.FAILED)
            {
                abandonPromotion(catchUp.failure() != null ? catchUp.failure() :
                    "node " + catchUp.learner() + " is no longer a learner");
                return;
            }
            allCaughtUp &= status == CatchUp.Status.CAUGHT_UP;
        }
        if (allCaughtUp)
        {
            // a learner may have caught up long ago and gone since, and voters may have stopped in the meantime
            if (!hasWorkingMajority(configuration, promotionTarget, true))
            {
                abandonPromotion(ChangeResult.NO_WORKING_MAJORITY.description());
                return;
            }
            Configuration next = configuration.enterJoint(promotionTarget);
            for (final int voter : promotionTarget)
            {
                next = bindIdentity(next, voter); // a promoted learner votes with the directory it caught up in
            }
            promotionTarget = null;
            catchUps = null;
            proposeConfiguration(next);
        }
    }

    /** Records the identities that unbound voters have spoken from, once they have spoken. */
    private void maybeBindIdentities(final Configuration configuration)
    {
        Configuration bound = configuration;
        for (final int voter : configuration.voters())
        {
            bound = bindIdentity(bound, voter);
        }
        if (!bound.equals(configuration))
        {
            proposeConfiguration(bound);
        }
    }

    /** {@code configuration} with voter {@code nodeId} bound to the identity it last spoke from, if unbound. */
    private Configuration bindIdentity(final Configuration configuration, final int nodeId)
    {
        final Progress progress = tracker.find(nodeId);
        final long spokenFrom = nodeId == id ? identity : progress == null ? Configuration.UNBOUND : progress.identity();
        if (configuration.identity(nodeId) != Configuration.UNBOUND || spokenFrom == Configuration.UNBOUND)
        {
            return configuration;
        }
        return configuration.withMember(nodeId, spokenFrom, configuration.endpoint(nodeId));
    }

    /** A leader the committed configuration no longer names: the most up-to-date voter takes over at once. */
    private void stepDownRemoved()
    {
        final int successor = mostUpToDateVoter();
        if (successor != NONE)
        {
            sendTimeoutNow(successor);
        }
        becomeFollower(term, NONE);
    }

    /** The eligible voter, other than this node, with the highest match index; 0 when there is none. */
    private int mostUpToDateVoter()
    {
        int best = NONE;
        long bestMatch = -1;
        for (int i = 0; i < tracker.size(); i++)
        {
            final Progress progress = tracker.at(i);
            final int nodeId = progress.nodeId();
            if (nodeId != id && tracker.configuration().isVoter(nodeId) && tracker.isEligible(nodeId) &&
                progress.matchIndex() > bestMatch)
            {
                best = nodeId;
                bestMatch = progress.matchIndex();
            }
        }
        return best;
    }

    /** The first index of a configuration entry in {@code history} that {@code storage} does not hold as recorded. */
    private static long firstConfigurationNotHeld(final ConfigurationHistory history, final LogView storage)
    {
        for (final ConfigurationHistory.Entry entry : history.entries())
        {
            if (entry.index() == 0 || entry.index() < storage.firstIndex())
            {
                continue; // the base, or compacted away with a snapshot that holds it
            }
            if (entry.index() > storage.lastIndex() || storage.term(entry.index()) != entry.term())
            {
                return entry.index();
            }
        }
        return Long.MAX_VALUE;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Linearizable reads (thesis §6.4)

    private void addRead(final long requestId, final int requester)
    {
        if (readLease && committedInTerm && !timeoutNowSent && hasLease())
        {
            answerRead(requestId, requester, commitIndex);
            return;
        }
        if (readIndex.isFull())
        {
            answerRead(requestId, requester, ReadStates.FAILED);
            return;
        }
        final long round = readIndex.add(requestId, requester, committedInTerm ? commitIndex : ReadIndex.UNASSIGNED);
        if (round != ReadIndex.UNASSIGNED)
        {
            startReadRound(round);
        }
    }

    /**
     * The target campaigns with the transfer flag, which voters honour during a lease (thesis §3.10), so a lease
     * proves nothing for the rest of the term: even an abandoned transfer's TimeoutNow may still arrive.
     */
    private void sendTimeoutNow(final int target)
    {
        timeoutNowSent = true;
        send(ready.messages, MessageType.TIMEOUT_NOW, target);
    }

    /**
     * A majority answered messages sent less than half an election timeout ago, as the clock says now: none of them
     * votes for anyone else before an election timeout from when it heard them, so no other leader can exist
     * (thesis §6.4.1; half, for clocks that run at different rates). Measured from when the messages were sent,
     * not from when their answers arrived, which may be late.
     */
    private boolean hasLease()
    {
        tracker.progress(id).answered(now);
        return now - tracker.quorumLeaseStart() < electionTimeoutTicks / 2;
    }

    private void startReadRound(final long round)
    {
        tracker.progress(id).onReadAck(round);
        heartbeatPending = true;
        releaseConfirmedReads(); // a single voter confirms on its own
    }

    private void releaseConfirmedReads()
    {
        final long confirmedRound = tracker.confirmedReadRound();
        while (readIndex.isHeadConfirmed(confirmedRound))
        {
            answerRead(readIndex.headRequestId(), readIndex.headRequester(), readIndex.headIndex());
            readIndex.removeHead();
        }
    }

    private void answerRead(final long requestId, final int requester, final long index)
    {
        if (requester == id)
        {
            ready.readStates.add(requestId, index);
        }
        else
        {
            final RaftMessage response = send(ready.messages, MessageType.READ_INDEX_RESPONSE, requester);
            response.context = requestId;
            response.commitIndex = index;
            response.reject = index == ReadStates.FAILED;
        }
    }

    private void failPendingReads()
    {
        while (!readIndex.isEmpty())
        {
            answerRead(readIndex.headRequestId(), readIndex.headRequester(), ReadStates.FAILED);
            readIndex.removeHead();
        }
    }

    private void onReadIndexRequest(final RaftMessage message)
    {
        if (role == Role.LEADER)
        {
            addRead(message.context, message.from);
        }
        else
        {
            answerRead(message.context, message.from, ReadStates.FAILED);
        }
    }

    private void onReadIndexResponse(final RaftMessage message)
    {
        ready.readStates.add(message.context, message.reject ? ReadStates.FAILED : message.commitIndex);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    private RaftMessage send(final MessageQueue queue, final MessageType type, final int to)
    {
        final RaftMessage message = queue.add();
        message.type = type;
        message.from = id;
        message.identity = identity;
        message.to = to;
        message.term = term;
        message.snapshotIndex = snapshotIndex;
        message.sentAt = role == Role.LEADER ? now : leaderSentAt;
        return message;
    }

    /** The first index at or before {@code upTo} whose entry has term {@code term}; terms never decrease. */
    private long firstIndexOfTerm(final long term, final long upTo)
    {
        long low = Math.max(log.firstIndex(), commitIndex + 1);
        long high = upTo;
        while (low < high)
        {
            final long middle = (low + high) >>> 1;
            if (log.term(middle) < term)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return Math.min(low, upTo);
    }

    /** The last index at or before {@code upTo} whose term is at most {@code term}. */
    private long lastIndexAtOrBeforeTerm(final long term, final long upTo)
    {
        long low = log.firstIndex() - 1;
        long high = upTo;
        while (low < high)
        {
            final long middle = (low + high + 1) >>> 1;
            if (log.term(middle) <= term)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    private boolean invariants()
    {
        assert commitIndex <= log.lastIndex() : "commit " + commitIndex + " beyond last " + log.lastIndex();
        assert durableIndex <= log.lastIndex() : "durable " + durableIndex + " beyond last " + log.lastIndex();
        assert role != Role.LEADER || leaderId == id : "leader that does not know it leads";
        assert role != Role.CANDIDATE || votedFor == id : "candidate that did not vote for itself";
        return true;
    }

    @Override
    public String toString()
    {
        return "node " + id + " " + role() + " term=" + term + " vote=" + votedFor + " leader=" + leaderId +
            " commit=" + commitIndex + " last=" + log.lastIndex() + " durable=" + durableIndex +
            " configuration@" + configurations.latestIndex() + ": " + configurations.latest();
    }
}
