package io.raftline.core.sim;

import io.raftline.core.MemoryRaftLog;
import io.raftline.core.Outbox;
import io.raftline.core.RaftNode;
import io.raftline.core.RaftOptions;
import io.raftline.core.ReadStates;
import io.raftline.core.Ready;
import io.raftline.core.Role;
import io.raftline.core.SnapshotFetch;
import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.ChangeResult;
import io.raftline.core.EntryType;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.quorum.ConfigurationHistory;
import io.raftline.core.state.AppendAdmission;
import io.raftline.core.state.ReplicatedState;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded, deterministic simulation of a Raft group on one thread (after TigerBeetle's VOPR): random ticks,
 * proposals and producers' appends, reads, leadership transfers, membership changes, snapshots with log compaction
 * and their installation on laggards (fetched from the source the leader names, else the leader; the fetch may
 * fail, and a crash may strike between the snapshot reaching the disk and the log being reset), message loss,
 * delay, reordering and duplication, partitions, and crashes that lose whatever was not reported durable. Each step feeds a node several inputs before
 * its Ready is handled, as the node's agent does. Every node applies what commits to its {@link ReplicatedState}.
 * Raft's invariants, exactly-once and equal replicated states are checked after every step; then the network heals
 * and the group must elect a leader and commit within a bounded number of ticks. The same seed replays the same run
 * exactly.
 */
public final class Simulator
{
    static final int ELECTION_TIMEOUT_TICKS = 10;
    /** Machines beyond the first voters: started empty, waiting to be added. */
    static final int SPARES = 2;
    static final int LIVENESS_TICKS = 40 * ELECTION_TIMEOUT_TICKS;
    /** Events kept for a failure's report; {@code -Dsim.trace=N} keeps more when replaying a seed. */
    private static final int TRACE_LENGTH = Integer.getInteger("sim.trace", 40);

    /** Counts of what happened in a run, for the summary. */
    public record Stats(long steps, long elections, long commits, long applied, long configurations, long wipes,
        long crashes, long messages, long dropped, long snapshots, long installs, int livenessTicks, long stalls,
        long clockedReads, long damages)
    {
    }

    private final long seed;
    private final SplittableRandom random;
    private final int nodeCount;     // the first voters
    private final int machines;      // every machine: voters, then spares
    private final Configuration bootstrap;
    private final SimNetwork network;
    private final InvariantChecker checker;
    private final RaftNode[] nodes;
    private final MemoryRaftLog[] logs;
    private final long[] identities;       // of each machine's data directory; a new one when its disk is wiped
    private final boolean[] wiped;
    private final long[] lastCommit;
    private final Configuration[] configurationBefore;   // each node's configuration in force when the step began
    private final ReplicatedState[] states;
    private final SimSnapshot[] snapshots;       // each machine's newest snapshot, on its disk
    private final SnapshotFetch[] fetching;      // what each node's last Ready asked it to fetch
    private final AppendAdmission[] admissions;
    private final Role[] lastRole;
    private final SimProducers producers;
    private final StateChecker stateChecker;
    private final long[] persistedTerm;
    private final int[] persistedVote;
    private final long[] leaderTerm;
    private final long[] repairFloorIndex;   // each machine's, kept on its disk (see RaftOptions.repairFloor)
    private final long[] repairFloorTerm;
    private static final double CRASH_BEFORE_VOTE_PERSIST = 0.05;
    private final boolean[] crashDuringNextPersist;
    private final Deque<Event> trace = new ArrayDeque<>();
    private final Map<Long, Long> readFloor = new HashMap<>();   // read request id -> commit index when asked
    private final double crashRate;
    private final double partitionRate;
    private final double proposeRate;
    private final double membershipRate;
    private final double wipeRate;
    private final double damageRate;
    private final double snapshotRate;
    private final int retainedEntries;
    private final double fetchRate;
    private final int maxInputsPerReady;
    private final boolean writeWhileInHand;
    private final SimClocks clocks;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final java.util.List<Object>[] stalledInputs;   // messages and reads that wait while a node stalls
    private long nextRequestId = 1;
    private long proposals;
    private long steps;
    private long elections;
    private long crashes;
    private long wipes;
    private long damages;
    private long snapshotsTaken;
    private long installs;
    private long stalls;
    private long clockedReads;          // reads answered with an index in seeds with real time (some from a lease)
    private int livenessTicks;

    public Simulator(final long seed, final int nodeCount)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.nodeCount = nodeCount;
        this.machines = nodeCount + SPARES;
        final int[] ids = new int[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            ids[i] = i + 1;
        }
        Configuration first = Configuration.of(ids);
        for (final int id : ids)
        {
            first = first.withMember(id, Configuration.UNBOUND, "sim:" + id);
        }
        this.bootstrap = first;
        this.network = new SimNetwork(random, machines);
        this.checker = new InvariantChecker(machines);
        this.nodes = new RaftNode[machines + 1];
        this.logs = new MemoryRaftLog[machines + 1];
        this.identities = new long[machines + 1];
        this.wiped = new boolean[machines + 1];
        this.states = new ReplicatedState[machines + 1];
        this.snapshots = new SimSnapshot[machines + 1];
        this.fetching = new SnapshotFetch[machines + 1];
        this.admissions = new AppendAdmission[machines + 1];
        this.lastRole = new Role[machines + 1];
        this.persistedTerm = new long[machines + 1];
        this.persistedVote = new int[machines + 1];
        this.leaderTerm = new long[machines + 1];
        this.repairFloorIndex = new long[machines + 1];
        this.repairFloorTerm = new long[machines + 1];
        this.lastCommit = new long[machines + 1];
        this.configurationBefore = new Configuration[machines + 1];
        this.crashDuringNextPersist = new boolean[machines + 1];
        // each seed draws its own weather, from calm to hostile
        network.setFaults(random.nextDouble() * 0.2, random.nextDouble() * 0.05, random.nextDouble() * 0.5);
        this.crashRate = random.nextDouble() * 0.004;
        this.partitionRate = random.nextDouble() * 0.01;
        this.proposeRate = 0.05 + random.nextDouble() * 0.15;
        // the agent feeds a Ready many inputs (a poll's messages, proposals, a tick), and makes the log writes of
        // each while its frame is in hand; some seeds leave the writes to the Ready, so they pile up across inputs
        this.maxInputsPerReady = 1 + random.nextInt(8);
        this.writeWhileInHand = random.nextBoolean();
        this.membershipRate = random.nextDouble() * 0.01;
        this.wipeRate = random.nextDouble() < 0.5 ? 0 : random.nextDouble() * 0.001;
        this.snapshotRate = random.nextDouble() < 0.3 ? 0 : random.nextDouble() * 0.01;
        this.retainedEntries = random.nextInt(30);
        this.fetchRate = 0.05 + random.nextDouble() * 0.5;
        this.producers = new SimProducers(random.split(), 1 + random.nextInt(3));
        this.stateChecker = new StateChecker(producers);
        // its own generator, so that seeds without lease reads keep the weather they always had
        final SplittableRandom options = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.clocks = SimClocks.draw(options, machines, ELECTION_TIMEOUT_TICKS);
        // some seeds run without pre-vote or check-quorum (leases need check-quorum: only where clocks are not real)
        this.preVote = clocks.isReal() || options.nextDouble() >= 0.2;
        this.checkQuorum = clocks.isReal() || options.nextDouble() >= 0.2;
        network.holdBack(options.nextDouble() < 0.5 ? 0 : options.nextDouble() * 0.01, options.split());
        this.damageRate = options.nextDouble() < 0.5 ? 0 : options.nextDouble() * 0.002;
        @SuppressWarnings("unchecked")
        final java.util.List<Object>[] waiting = new java.util.List[machines + 1];
        this.stalledInputs = waiting;
        for (int id = 0; id <= machines; id++)
        {
            stalledInputs[id] = new ArrayList<>();
        }
        for (int id = 1; id <= machines; id++)
        {
            logs[id] = new MemoryRaftLog();
            identities[id] = random.nextLong(1, Long.MAX_VALUE);
            if (id <= nodeCount)
            {
                bootstrap(id);
            }
            start(id);
        }
    }

    /** Runs {@code chaosSteps} random steps, then heals everything and checks that the group makes progress. */
    public Stats run(final int chaosSteps)
    {
        try
        {
            for (int i = 0; i < chaosSteps; i++)
            {
                step();
            }
            heal();
            checkLiveness();
        }
        catch (final RuntimeException | AssertionError failure)
        {
            throw new AssertionError("simulation failed: seed=" + seed + " nodes=" + nodeCount + " step=" + steps +
                " (replay with -Dsim.seed=" + seed + ")\n" + failure + "\nlast events:\n" +
                describeTrace(), failure);
        }
        return new Stats(steps, elections, checker.committedIndex(), stateChecker.applied(),
            stateChecker.configurationsCommitted(), wipes, crashes, network.sent(), network.dropped(), snapshotsTaken,
            installs, livenessTicks, stalls, clockedReads, damages);
    }

    /** Feeds a burst of inputs, then does what each node's Ready asks, applies what committed, and checks. */
    private void step()
    {
        steps++;
        markConfigurations();
        final int inputs = 1 + random.nextInt(maxInputsPerReady);
        for (int i = 0; i < inputs; i++)
        {
            input();
            if (writeWhileInHand)
            {
                writeLogs();
            }
        }
        processAll();
        applyAll();
        fetchSnapshots(fetchRate, true);
        checkAll();
    }

    private void input()
    {
        final double roll = random.nextDouble();
        final int id = 1 + random.nextInt(machines);
        if (roll < wipeRate)
        {
            wipe(id);
        }
        else if (roll < wipeRate + damageRate)
        {
            damage(id);
        }
        else if (roll < crashRate)
        {
            if (random.nextBoolean())
            {
                crash(id, "crash");
            }
            else
            {
                crashDuringNextPersist[id] = true; // after sending what needs no disk, before persisting
            }
        }
        else if (roll < crashRate * 6)
        {
            if (nodes[id] == null)
            {
                start(id);
            }
        }
        else if (roll < crashRate * 6 + partitionRate)
        {
            changePartition();
        }
        else if (roll < 0.35)
        {
            tick(id);
        }
        else if (roll < 0.35 + proposeRate)
        {
            propose(id);
        }
        else if (roll < 0.37 + proposeRate)
        {
            read(id);
        }
        else if (roll < 0.372 + proposeRate)
        {
            transfer(id);
        }
        else if (roll < 0.372 + proposeRate + membershipRate)
        {
            changeMembership();
        }
        else if (roll < 0.372 + proposeRate + membershipRate + snapshotRate)
        {
            takeSnapshot(id);
        }
        else
        {
            // often several messages for one node in a row: a truncation, a step-down and a new term in one Ready
            deliver(random.nextBoolean() ? network.next() : network.nextFor(id));
        }
    }

    /** Notes each node's configuration entry before it takes inputs: a commit may end that configuration's reign. */
    private void markConfigurations()
    {
        for (int id = 1; id <= machines; id++)
        {
            configurationBefore[id] = nodes[id] == null ? null : nodes[id].configuration();
        }
    }

    private void writeLogs()
    {
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id] != null)
            {
                nodes[id].logWrites().writeTo(logs[id]);
            }
        }
    }

    private void applyAll()
    {
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id] != null)
            {
                stateChecker.apply(id, states[id], logs[id], nodes[id].commitIndex());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions

    /**
     * The configurations node {@code id} had in force during this step: the newest now and, when the step changed
     * it (a commit completes one change step and the leader appends the next), the one it had before.
     */
    private java.util.List<Configuration> configurationsInForce(final int id)
    {
        final Configuration before = configurationBefore[id];
        return before == null || before.equals(nodes[id].configuration()) ? java.util.List.of(nodes[id].configuration()) :
            java.util.List.of(nodes[id].configuration(), before);
    }

    private void start(final int id)
    {
        final RaftOptions options = new RaftOptions()
            .nodeId(id)
            .electionTimeoutTicks(ELECTION_TIMEOUT_TICKS)
            .heartbeatIntervalTicks(1 + random.nextInt(3))
            .maxBatchBytes(64 + random.nextInt(512))
            .maxInflightAppends(1 + random.nextInt(8))
            .entryOverheadBytes(16)
            .maxPendingReads(8)
            .readLease(clocks.isReal())
            .preVote(preVote)
            .checkQuorum(checkQuorum)
            .restarted(persistedTerm[id] > 0)
            .repairFloor(repairFloorIndex[id], repairFloorTerm[id])
            .random(random.split());
        // the first voters' disks were made with the cluster; spares and replaced disks were made later
        options.identity(identities[id]).firstMember(id <= nodeCount && !wiped[id]);
        final SimSnapshot snapshot = snapshots[id];
        final MemoryRaftLog log = logs[id];
        if (snapshot != null && (snapshot.index() > log.lastIndex() || log.term(snapshot.index()) != snapshot.term()))
        {
            // a crash after the fetched snapshot reached the disk and before the log was reset: finish the install
            log.reset(snapshot.index(), snapshot.term(), snapshot.chain());
        }
        nodes[id] = new RaftNode(options, log, persistedTerm[id], persistedVote[id], configurationsIn(log,
            snapshot == null ? Configuration.NONE : snapshot.configuration()));
        if (clocks.isReal())
        {
            clocks.started(id);
            nodes[id].advanceClock(clocks.clock(id));
        }
        // the replicated state is not persisted: a restarted node applies its log again from its snapshot on
        states[id] = snapshot == null ? new ReplicatedState(64, 16, Configuration.NONE, 0) : snapshot.restore();
        if (snapshot != null)
        {
            nodes[id].snapshotTaken(snapshot.index(), snapshot.term());
        }
        fetching[id] = null;
        admissions[id] = new AppendAdmission(states[id]);
        lastRole[id] = null;
        checker.onRestart(id);
        record("start " + id + " term=" + persistedTerm[id] + " vote=" + persistedVote[id] + " last=" +
            logs[id].lastIndex());
    }

    /**
     * A first member of a new cluster: its log starts with the cluster's first configuration, as every first
     * member's does (the same entry everywhere), its identities not yet bound.
     */
    private void bootstrap(final int id)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(bootstrap)]);
        final int length = ConfigurationCodec.encode(bootstrap, payload, 0);
        logs[id].append(1, EntryType.CONFIG, 0, 0, payload, 0, length);
        logs[id].sync();
        persistedTerm[id] = 1;
    }

    /**
     * The configuration entries of a log, as a runtime keeps them beside it, after the configuration of the snapshot
     * it starts from ({@link Configuration#NONE} for none: the server waits to be added).
     */
    private static ConfigurationHistory configurationsIn(final MemoryRaftLog log, final Configuration base)
    {
        final ConfigurationHistory history = new ConfigurationHistory(base);
        for (long index = log.firstIndex(); index <= log.lastIndex(); index++)
        {
            final MemoryRaftLog.Entry entry = log.entry(index);
            if (entry.type() == EntryType.CONFIG)
            {
                history.add(index, entry.term(), ConfigurationCodec.decode(
                    new UnsafeBuffer(entry.payload()), 0, entry.payload().length));
            }
        }
        return history;
    }

    /**
     * The machine loses its disk and starts again empty, with a new identity: it has forgotten its votes and its
     * log and must not decide anything until it is added again. Only where enough voters keep their disks for the
     * cluster to go on once the network heals, and once the leader has bound the voters' identities.
     */
    private void wipe(final int id)
    {
        if (!mayLoseLogOf(id))
        {
            return;
        }
        nodes[id] = null;
        // what the old disk acknowledged must not arrive after it is gone: a promise nothing keeps any more
        network.dropFrom(id);
        checker.onWipe(id, logs[id], identities[id]);
        logs[id] = new MemoryRaftLog();
        snapshots[id] = null;
        identities[id] = random.nextLong(1, Long.MAX_VALUE);
        wiped[id] = true;
        wipes++;
        persistedTerm[id] = 0;
        persistedVote[id] = 0;
        repairFloorIndex[id] = 0;
        repairFloorTerm[id] = 0;
        crashes++;
        record("wipe " + id + " (new identity)");
        start(id);
    }

    /**
     * A damaged entry found on the machine's disk (a flipped bit its checksum catches, committed or not): the node
     * stops, its log is cut at the entry, and it starts again with a repair floor, the last entry it held, so that
     * it neither votes nor campaigns before a leader has sent the lost entries back. Under the same conditions as a
     * wipe: the other voters must be able to elect a leader that repairs it.
     */
    private void damage(final int id)
    {
        if (!mayLoseLogOf(id))
        {
            return;
        }
        // found while running (the node knows its role and commit index) or when it starts again after a crash
        final RaftNode running = nodes[id];
        final boolean whileLeading = running.role() == Role.LEADER && random.nextBoolean();
        final long commitIndex = running.commitIndex();
        crash(id, "crash on a damaged entry:");
        final MemoryRaftLog log = logs[id];
        if (log.lastIndex() < log.firstIndex())
        {
            start(id);
            return;
        }
        final long damaged = log.firstIndex() + random.nextLong(log.lastIndex() - log.firstIndex() + 1);
        // what the damaged log held still counts for the commits its acknowledgements helped make
        checker.onDamage(id, log.durableCopy(), identities[id]);
        if (whileLeading)
        {
            // as the node does: a leader helped commit its own entries only up to its commit index, and the
            // entries of earlier terms it acknowledged as a follower
            final long ownTerm = running.term();
            long earlier = log.lastIndex();
            while (earlier >= log.firstIndex() && log.term(earlier) >= ownTerm)
            {
                earlier--;
            }
            final long committed = Math.min(commitIndex, log.lastIndex());
            raiseRepairFloor(id, earlier, log.term(earlier));
            raiseRepairFloor(id, committed, log.term(committed));
        }
        else
        {
            // the runtime knows the term of its last entry unless that entry is the damaged one: then its term
            raiseRepairFloor(id, log.lastIndex(),
                damaged == log.lastIndex() || random.nextBoolean() ? persistedTerm[id] : log.lastTerm());
        }
        log.truncateFrom(damaged);
        log.sync();
        damages++;
        record("damage " + id + " at " + damaged + ": log cut, repair floor " + repairFloorIndex[id] + "/" +
            repairFloorTerm[id]);
        start(id);
    }

    /** As the runtime's metadata does: in Raft's order of logs, a later last term first. */
    private void raiseRepairFloor(final int id, final long index, final long term)
    {
        if (term > repairFloorTerm[id] || (term == repairFloorTerm[id] && index > repairFloorIndex[id]))
        {
            repairFloorIndex[id] = index;
            repairFloorTerm[id] = term;
        }
    }

    /**
     * Whether machine {@code id} may lose its disk, or the part of its log a damaged entry cuts off, and the cluster
     * still go on once the network heals: a quiescent leader, no other repair under way, and, whichever
     * configuration a node acts on, a majority of voters left on their own disks (a learner about to be promoted
     * counts as a voter: its promotion may name the disk it loses).
     */
    private boolean mayLoseLogOf(final int id)
    {
        final int leader = anyLeader();
        if (leader == 0 || nodes[id] == null || !isQuiescent(nodes[leader]) || isRepairing())
        {
            return false; // a node short of its damaged log counts on the others, as if its disk were lost
        }
        for (int other = 1; other <= machines; other++)
        {
            if (nodes[other] != null && (!canLose(nodes[other].configuration(), id) || nodes[other].isCatchingUp(id)))
            {
                return false;
            }
        }
        return true;
    }

    /** Whether some node is still short of a log it lost to damage: one repair at a time, as one disk fails. */
    private boolean isRepairing()
    {
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id] != null ? nodes[id].isRepairing() : isBelowRepairFloor(id))
            {
                return true;
            }
        }
        return false;
    }

    /** Whether a down machine's log is short of its repair floor, in Raft's order of logs as the node judges it. */
    private boolean isBelowRepairFloor(final int id)
    {
        final long lastTerm = logs[id].lastTerm();
        return lastTerm < repairFloorTerm[id] ||
            (lastTerm == repairFloorTerm[id] && logs[id].lastIndex() < repairFloorIndex[id]);
    }

    /**
     * Whether the leader's configuration is committed and is the newest on every disk, down machines' included.
     * Otherwise a voter holding an uncommitted configuration of an older term may need a vote that only the lost
     * disk would give, and the cluster would stay without a leader: Raft tolerates a minority of failures, not
     * every loss of a disk at any moment.
     */
    private boolean isQuiescent(final RaftNode leader)
    {
        final Configuration configuration = leader.configuration();
        if (leader.configurationIndex() > leader.commitIndex())
        {
            return false;
        }
        for (int id = 1; id <= machines; id++)
        {
            final Configuration onDisk = nodes[id] != null ? nodes[id].configuration() : configurationsIn(logs[id],
                snapshots[id] == null ? Configuration.NONE : snapshots[id].configuration()).latest();
            if (!onDisk.isEmpty() && !onDisk.equals(configuration))
            {
                return false;
            }
        }
        return true;
    }

    /** Whether every voter set keeps a majority of voters on their own disks without machine {@code id}'s. */
    private boolean canLose(final Configuration configuration, final int id)
    {
        return configuration.isEmpty() || !configuration.hasUnboundVoter() &&
            keepsMajority(configuration, configuration.voters(), id) &&
            keepsMajority(configuration, configuration.outgoingVoters(), id);
    }

    private boolean keepsMajority(final Configuration configuration, final int[] voters, final int lost)
    {
        int intact = 0;
        for (final int voter : voters)
        {
            intact += voter != lost && configuration.identityMatches(voter, identities[voter]) ? 1 : 0;
        }
        return voters.length == 0 || intact > voters.length / 2;
    }

    /**
     * What an operator does to the leader's configuration: adds a spare machine as a learner, promotes a learner,
     * removes any member (the leader included), replaces a voter, or takes out a voter whose disk was wiped, while
     * keeping three to five voters.
     */
    private void changeMembership()
    {
        final int leader = anyLeader();
        if (leader == 0)
        {
            return;
        }
        final RaftNode node = nodes[leader];
        final Configuration configuration = node.configuration();
        final int id = 1 + random.nextInt(machines);
        final int voters = configuration.voters().length;
        final double roll = random.nextDouble();
        final ChangeResult result;
        final String what;
        if (!configuration.isMember(id))
        {
            what = "add learner " + id;
            result = node.addLearner(id, "sim:" + id);
        }
        else if (configuration.isLearner(id) && roll < 0.7)
        {
            // an operator takes out voters whose disks were lost before adding one
            final boolean intact = allVotersOnTheirDisks(configuration);
            what = "promote " + id + (intact ? "" : " declined: a voter lost its disk");
            result = !intact ? null : voters < 5 ? node.promote(id) : node.removeMember(id);
        }
        else if (configuration.isVoter(id) && configuration.identity(id) != Configuration.UNBOUND &&
            configuration.identity(id) != identities[id])
        {
            what = "remove wiped " + id;
            result = node.removeMember(id);
        }
        else if (configuration.isLearner(id) || voters > 3 || roll < 0.3)
        {
            what = "remove " + id;
            // an operator takes out what is wiped first: removing a voter that keeps its disk must leave a
            // majority on their own disks
            final boolean keeps = !configuration.isVoter(id) || keepsMajority(configuration,
                java.util.stream.IntStream.of(configuration.voters()).filter(v -> v != id).toArray(), 0);
            result = (voters > 3 || !configuration.isVoter(id)) && keeps ? node.removeMember(id) :
                ChangeResult.NO_VOTER_LEFT;
        }
        else
        {
            final boolean intact = allVotersOnTheirDisks(configuration);
            what = "replace " + id + (intact ? "" : " declined: a voter lost its disk");
            result = intact ? replace(node, configuration, id) : null;
        }
        record(what + " on " + leader + ": " + result);
    }

    private boolean allVotersOnTheirDisks(final Configuration configuration)
    {
        for (final int voter : configuration.voters())
        {
            if (!configuration.identityMatches(voter, identities[voter]))
            {
                return false;
            }
        }
        return true;
    }

    /** Swaps voter {@code id} for a learner, in one joint change. */
    private static ChangeResult replace(final RaftNode node, final Configuration configuration, final int id)
    {
        for (final int learner : configuration.learners())
        {
            final int[] voters = java.util.stream.IntStream.concat(
                java.util.stream.IntStream.of(configuration.voters()).filter(v -> v != id),
                java.util.stream.IntStream.of(learner)).toArray();
            return node.changeVoters(voters);
        }
        return ChangeResult.NOT_A_LEARNER;
    }

    /**
     * The machine snapshots its replicated state at its applied index and compacts its log below, keeping a few
     * entries (a retention) for followers that are only a little behind.
     */
    private void takeSnapshot(final int id)
    {
        final RaftNode node = nodes[id];
        final long applied = states[id] == null ? 0 : states[id].appliedIndex();
        if (node == null || clocks.isStalled(id) || applied == 0 || (snapshots[id] != null && snapshots[id].index() >= applied))
        {
            return;
        }
        final MemoryRaftLog log = logs[id];
        snapshots[id] = SimSnapshot.of(states[id], log.term(applied), log.chain(applied));
        node.snapshotTaken(applied, log.term(applied));
        log.compactTo(Math.max(log.firstIndex(), applied + 1 - retainedEntries));
        snapshotsTaken++;
        record("snapshot " + id + " at " + applied + ", log from " + log.firstIndex());
    }

    /**
     * Nodes fetching a snapshot get it now and then: from the source their leader named if it is up, reachable
     * and holds that snapshot, else from the leader; failing both the fetch fails. Between the snapshot reaching
     * the disk and the install, a crash may strike.
     */
    private void fetchSnapshots(final double rate, final boolean mayCrash)
    {
        for (int id = 1; id <= machines; id++)
        {
            final SnapshotFetch fetch = fetching[id];
            if (fetch == null || nodes[id] == null || random.nextDouble() >= rate)
            {
                continue;
            }
            SimSnapshot fetched = servedBy(fetch.source(), id, fetch);
            if (fetched == null)
            {
                fetched = servedBy(fetch.leader(), id, fetch);
            }
            fetching[id] = null;
            if (fetched == null)
            {
                record("fetch of snapshot " + fetch.index() + " by " + id + " failed");
                nodes[id].snapshotFetchFailed(fetch.index());
                continue;
            }
            snapshots[id] = fetched;
            if (mayCrash && random.nextDouble() < 0.05)
            {
                crash(id, "crash before installing snapshot " + fetched.index() + " on");
                continue;
            }
            final long commitBefore = nodes[id].commitIndex();
            logs[id].installing(fetched.index(), fetched.chain());
            final boolean installed = nodes[id].installSnapshot(fetched.index(), fetched.term(),
                fetched.configuration());
            record("install snapshot " + fetched.index() + " on " + id + ": " + installed);
            if (installed)
            {
                installs++;
                if (fetched.index() <= commitBefore)
                {
                    throw new InvariantChecker.Violation("node " + id + " installed snapshot " + fetched.index() +
                        " at or below its commit index " + commitBefore);
                }
            }
            process(id, false);
        }
    }

    /** The snapshot {@code fetch} names, if machine {@code source} is up, reachable and holds it. */
    private SimSnapshot servedBy(final int source, final int to, final SnapshotFetch fetch)
    {
        final SimSnapshot held = source > 0 && source <= machines && nodes[source] != null &&
            network.isConnected(source, to) ? snapshots[source] : null;
        return held != null && held.index() == fetch.index() && held.term() == fetch.term() ? held : null;
    }

    private void crash(final int id, final String why)
    {
        if (nodes[id] == null)
        {
            return;
        }
        nodes[id] = null;
        stalledInputs[id].clear(); // what waited in its socket dies with it
        logs[id].crash(random);
        crashes++;
        record(why + " " + id + " (log kept to " + logs[id].lastIndex() + ")");
    }

    private void tick(final int id)
    {
        if (clocks.isReal())
        {
            if (id == 1)
            {
                timePasses(); // as often as each node ticks in the seeds without real time
            }
        }
        else if (nodes[id] != null)
        {
            nodes[id].tick();
        }
    }

    /**
     * Real time moves on by one: each machine's clock by its own rate, and each running node ticks as its clock
     * says, but only once after a stall (as the node agent does); now and then a node stalls for a while.
     */
    private void timePasses()
    {
        final String stalled = clocks.advance(id -> nodes[id] != null, anyLeader());
        if (stalled != null)
        {
            stalls++;
            record(stalled);
        }
        for (int id = 1; id <= machines; id++)
        {
            final int due = nodes[id] == null ? 0 : clocks.ticksDue(id);
            if (due > 0 && !stalledInputs[id].isEmpty())
            {
                // it runs again: what waited in its socket comes first, then the tick (as the node agent polls)
                for (final Object input : stalledInputs[id])
                {
                    if (input instanceof RaftMessage message)
                    {
                        deliver(message);
                    }
                    else
                    {
                        clocked(id).readIndex((Long)input);
                    }
                }
                stalledInputs[id].clear();
            }
            for (int tick = 0; tick < due; tick++)
            {
                nodes[id].tick(clocks.clock(id));
            }
        }
    }

    /** The runtime sets the node's clock before an input that may serve a read, as the node agent does. */
    private RaftNode clocked(final int id)
    {
        if (clocks.isReal())
        {
            nodes[id].advanceClock(clocks.clock(id));
        }
        return nodes[id];
    }

    /**
     * A producer's request, or a plain proposal, on a leader if there is one (the lowest-numbered, if a stale one
     * still believes it leads).
     */
    private void propose(final int ignored)
    {
        final int id = anyLeader();
        final RaftNode node = id == 0 ? null : nodes[id];
        if (node == null)
        {
            return;
        }
        if (random.nextDouble() < 0.7)
        {
            record(producers.send(node, admissions[id]));
        }
        else
        {
            final byte[] payload = ("p" + (++proposals)).getBytes(StandardCharsets.US_ASCII);
            final long index = node.propose(new UnsafeBuffer(payload), 0, payload.length);
            record("propose p" + proposals + " on " + id + " -> " + index);
        }
    }

    private void read(final int id)
    {
        if (nodes[id] != null)
        {
            final long requestId = nextRequestId++;
            readFloor.put(requestId, checker.committedIndex());
            if (clocks.isStalled(id))
            {
                stalledInputs[id].add(requestId); // waits in the stalled node's socket
            }
            else
            {
                clocked(id).readIndex(requestId);
            }
        }
    }

    private int anyLeader()
    {
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id] != null && nodes[id].role() == Role.LEADER && !clocks.isStalled(id))
            {
                return id;
            }
        }
        return 0;
    }

    private void transfer(final int ignored)
    {
        final int id = anyLeader();
        final RaftNode node = id == 0 ? null : nodes[id];
        if (node != null)
        {
            final int target = random.nextInt(machines + 1);
            record("transfer " + id + " -> " + target + ": " + node.transferLeadership(target));
        }
    }

    private void changePartition()
    {
        final double roll = random.nextDouble();
        if (roll < 0.4)
        {
            network.heal();
            record("heal");
        }
        else if (roll < 0.8)
        {
            final boolean[] inMinority = new boolean[machines + 1];
            final int size = 1 + random.nextInt(machines / 2);
            for (int i = 0; i < size; i++)
            {
                inMinority[1 + random.nextInt(machines)] = true;
            }
            network.partition(inMinority);
            record("partition " + java.util.Arrays.toString(inMinority));
        }
        else
        {
            final int from = 1 + random.nextInt(machines);
            final int to = 1 + random.nextInt(machines);
            network.block(from, to);
            record("block " + from + " -> " + to);
        }
    }

    private void deliver(final RaftMessage message)
    {
        if (message != null && nodes[message.to] != null)
        {
            if (clocks.isStalled(message.to))
            {
                stalledInputs[message.to].add(message);
                return;
            }
            record(message);
            clocked(message.to).step(message);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The runtime's part: persist, send, advance; and a crash may strike in the middle

    private void processAll()
    {
        for (int id = 1; id <= machines; id++)
        {
            process(id, true);
        }
    }

    private void process(final int id, final boolean mayCrash)
    {
        RaftNode node = nodes[id];
        for (int rounds = 0; node != null && node.hasReady(); rounds++)
        {
            if (rounds == 1_000)
            {
                throw new InvariantChecker.Violation("node " + id + " has something to do after every Ready: " +
                    node);
            }
            if (node.role() == Role.LEADER)
            {
                checker.onLeader(id, node.term());
            }
            final Ready ready = node.ready();
            ready.logWrites().writeTo(logs[id]);
            send(ready.messages(), logs[id]);
            // a crash between sending and persisting, and often where it hurts most: with a new term or vote in hand
            if (mayCrash && (crashDuringNextPersist[id] ||
                (ready.hardStateChanged() && random.nextDouble() < CRASH_BEFORE_VOTE_PERSIST)))
            {
                crashDuringNextPersist[id] = false;
                crash(id, "crash before persisting");
                return;
            }
            if (ready.hardStateChanged())
            {
                checker.onPersistedTerm(id, ready.term());
                persistedTerm[id] = ready.term();
                persistedVote[id] = ready.votedFor();
            }
            logs[id].sync();
            if (ready.snapshotInstalled() != 0)
            {
                states[id] = snapshots[id].restore();
                stateChecker.checkRestored(id, states[id]);
            }
            fetching[id] = ready.snapshotToFetch();
            checkAcknowledgements(id, ready.messagesAfterPersist());
            send(ready.messagesAfterPersist(), logs[id]);
            checkReads(id, ready.readStates());
            if (ready.role() != lastRole[id])
            {
                lastRole[id] = ready.role();
                admissions[id].onRoleChange(ready.role(), logs[id].lastIndex());
            }
            node.advance(logs[id].lastIndex());
            if (node.role() == Role.LEADER && leaderTerm[id] != node.term())
            {
                leaderTerm[id] = node.term();
                elections++;
                record("node " + id + " leads term " + node.term());
            }
            node = nodes[id];
        }
    }

    private void checkAcknowledgements(final int id, final MessageQueue queue)
    {
        for (int i = 0; i < queue.size(); i++)
        {
            final RaftMessage message = queue.get(i);
            if (message.type == MessageType.APPEND_RESPONSE && !message.reject)
            {
                checker.checkAcknowledgement(id, message.term, message.index, logs[id]);
            }
        }
    }

    private void send(final MessageQueue queue, final MemoryRaftLog log)
    {
        for (int i = 0; i < queue.size(); i++)
        {
            network.send(Outbox.toInbound(queue.get(i), log));
        }
    }

    /** Linearizable reads (thesis §6.4): the index covers everything committed before the request was made. */
    private void checkReads(final int id, final ReadStates readStates)
    {
        for (int i = 0; i < readStates.size(); i++)
        {
            // kept, not removed: the network may duplicate a forwarded answer
            final Long floor = readFloor.get(readStates.requestId(i));
            final long index = readStates.index(i);
            if (floor == null)
            {
                throw new InvariantChecker.Violation("node " + id + " answered unknown read " +
                    readStates.requestId(i));
            }
            clockedReads += clocks.isReal() && index != ReadStates.FAILED ? 1 : 0;
            if (index != ReadStates.FAILED && index < floor)
            {
                throw new InvariantChecker.Violation("stale read on node " + id + ": index " + index +
                    " but " + floor + " was committed before the read was asked");
            }
        }
    }

    private void checkAll()
    {
        checker.checkCommittedKept(logs);
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id] != null)
            {
                checker.check(id, nodes[id], logs[id]);
                if (nodes[id].role() == Role.LEADER && nodes[id].commitIndex() > lastCommit[id])
                {
                    checker.checkCommittedOnQuorums(nodes[id], configurationsInForce(id), logs, identities);
                }
                lastCommit[id] = nodes[id].commitIndex();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Liveness

    private void heal()
    {
        for (int id = 1; id <= machines; id++)
        {
            clocks.endStall(id);
            stalledInputs[id].clear(); // lost, as a network may lose them

        }
        network.heal();
        network.setFaults(0, 0, 0);
        for (int id = 1; id <= machines; id++)
        {
            crashDuringNextPersist[id] = false;
            if (nodes[id] == null)
            {
                start(id);
            }
        }
        record("healed; checking liveness");
    }

    /** Once the network is healed, a leader is elected and a new proposal commits within a bounded time. */
    private void checkLiveness()
    {
        long proposedIndex = -1;
        long proposedTerm = 0;
        int proposer = 0;
        for (livenessTicks = 1; livenessTicks <= LIVENESS_TICKS; livenessTicks++)
        {
            for (int id = 1; id <= machines; id++)
            {
                nodes[id].tick();
            }
            deliverEverything();
            if (proposedIndex < 0)
            {
                // the newest leader: without check-quorum a leader of an older term, removed and cut off before it
                // learned so, may lead on alone, harmlessly, with nobody answering it
                int newest = 0;
                for (int id = 1; id <= machines; id++)
                {
                    if (nodes[id].role() == Role.LEADER && (newest == 0 || nodes[id].term() > nodes[newest].term()))
                    {
                        newest = id;
                    }
                }
                if (newest != 0)
                {
                    final byte[] payload = "liveness".getBytes(StandardCharsets.US_ASCII);
                    proposedIndex = nodes[newest].propose(new UnsafeBuffer(payload), 0, payload.length);
                    proposedTerm = nodes[newest].term();
                    proposer = newest;
                }
            }
            else if (nodes[proposer].role() != Role.LEADER || nodes[proposer].term() != proposedTerm ||
                newerLeaderThan(proposer))
            {
                // lost leadership before committing (even if it leads again since: a leader between may have cut the
                // entry, seed 353026), or proposed to a removed leader of an older term that leads on alone: propose
                // again on the newest leader
                proposedIndex = -1;
            }
            else if (nodes[proposer].commitIndex() >= proposedIndex && allCaughtUp(proposer, proposedIndex) &&
                isSettled(nodes[proposer]))
            {
                return;
            }
            deliverEverything();
        }
        throw new InvariantChecker.Violation("no progress within " + LIVENESS_TICKS + " ticks after healing: " +
            describeNodes());
    }

    /**
     * A change under way completes: the leader leaves a joint configuration once it commits, and a leader that
     * the configuration removed hands over.
     */
    private static boolean isSettled(final RaftNode leader)
    {
        return !leader.configuration().isJoint() && leader.configuration().isVoter(leader.id()) &&
            leader.configurationIndex() <= leader.commitIndex();
    }

    private boolean newerLeaderThan(final int leader)
    {
        for (int id = 1; id <= machines; id++)
        {
            if (nodes[id].role() == Role.LEADER && nodes[id].term() > nodes[leader].term())
            {
                return true;
            }
        }
        return false;
    }

    /** Every member of the leader's configuration knows {@code index} is committed. */
    private boolean allCaughtUp(final int leader, final long index)
    {
        for (final int id : nodes[leader].configuration().members())
        {
            if (nodes[id].commitIndex() < index)
            {
                return false;
            }
        }
        return true;
    }

    private void deliverEverything()
    {
        // a guard against messages that breed forever, not a budget: a leader thousands of entries ahead of slow
        // followers once needed more than 100,000 deliveries to bring them up to date (seed 15179, 50,000 steps)
        for (int bound = 0; bound < 1_000_000; bound++)
        {
            processAllWithoutCrash();
            applyAll();
            fetchSnapshots(1, false);
            checkAll();
            markConfigurations();
            final RaftMessage message = network.nextInOrder();
            if (message == null)
            {
                return;
            }
            deliver(message);
        }
        throw new InvariantChecker.Violation("messages never stop flowing: " + describeNodes());
    }

    private void processAllWithoutCrash()
    {
        for (int id = 1; id <= machines; id++)
        {
            process(id, false);
        }
    }

    private String describeNodes()
    {
        final StringBuilder text = new StringBuilder();
        for (int id = 1; id <= machines; id++)
        {
            text.append("\n  ").append(nodes[id]);
        }
        return text.toString();
    }

    /** What happened at a step: a delivered message or a description, formatted only when a run fails. */
    private record Event(long step, Object what)
    {
    }

    private void record(final Object what)
    {
        if (trace.size() == TRACE_LENGTH)
        {
            trace.removeFirst();
        }
        trace.addLast(new Event(steps, what));
    }

    private String describeTrace()
    {
        final StringBuilder text = new StringBuilder();
        for (final Event event : trace)
        {
            text.append("#").append(event.step()).append(' ')
                .append(event.what() instanceof RaftMessage ? "deliver " : "").append(event.what()).append('\n');
        }
        return text + "nodes:" + describeNodes();
    }
}
