package io.raftline.io.node;

import io.raftline.protocol.security.ClusterKeys;
import io.raftline.core.RaftNode;
import io.raftline.core.ReadStates;
import io.raftline.core.Role;
import io.raftline.core.SnapshotFetch;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.state.ReplicatedState;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.statemachine.StateMachine;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.DamagedEntryException;
import io.raftline.io.storage.DiskSpace;
import io.raftline.protocol.AeronRuntime;
import io.raftline.io.transport.InboundAdapter;
import io.raftline.io.transport.PeerPublisher;
import io.raftline.io.transport.snapshot.SnapshotChunkFrame;
import io.raftline.io.transport.snapshot.SnapshotReadFrame;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The one thread of a node. Each duty cycle drives the embedded Aeron driver, polls inbound frames (peer messages
 * into the core, client frames to the services), ticks the core from the clock, has the {@link RaftDriver} carry
 * out the core's Ready, applies what committed to the replicated state, and lets the services answer clients.
 * The way of one append: client frame → {@link ClientAdapter} → {@link ProducerService} → core (propose) →
 * Ready → log and peers → core (advance, commit) → {@link CommitApplier} → producers (acknowledge) and
 * {@link ConsumerService} (tail).
 */
final class NodeAgent implements Agent, InboundAdapter.Listener, RaftDriver.Listener
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
    private static final int FRAGMENT_LIMIT = 64;
    private static final long COUNTER_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final RaftDriver driver;
    private final RaftNode node;
    private final ChronicleLog log;
    private final ReplicatedState state;
    private final AeronRuntime aeron;
    private final InboundAdapter inbound;
    private final MemberRegistry members;
    private final NodeCounters counters;
    private final ClientConnections clients;
    private final ClientAdapter clientAdapter;
    private final ProducerService producers;
    private final ConsumerService consumers;
    private final ReadService reads;
    private final AdminService admin;
    private final CommitApplier applier;
    private final SnapshotTaker snapshots;
    private final SnapshotServer snapshotServer;
    private final SnapshotFetcher snapshotFetcher;
    private final SnapshotReadFrame readFrame = new SnapshotReadFrame();
    private final SnapshotChunkFrame chunkFrame = new SnapshotChunkFrame();
    private final PeerPublisher.AppendValidity appendValidity;
    private final NanoClock clock;
    private final CoreClock coreClock;
    private final DiskSpace disk;
    private final Runnable writeLog;
    private final ClientConnections.ConnectedListener announce;
    private final long tickNs;
    private final String roleName;
    private final AutoCloseable[] resources;
    private long nowNs;
    private long ownWorkAtNs;   // the last duty cycle with work of the node's own, beside its driver's
    private long nextTickNs;
    private long nextCountersNs;
    private long nextHousekeepingNs;
    private volatile Throwable failure;
    private volatile boolean cutForRepair;
    private long loggedTerm = -1;          // the leadership last logged (see logLeadership)
    private int loggedLeader = -1;

    /** The parts of a node, made by {@link RaftlineNode}; the agent closes them on its own thread at the end. */
    record Parts(
        RaftNode node,
        ChronicleLog log,
        ReplicatedState state,
        AeronRuntime aeron,
        InboundAdapter.Factory inbound,
        MemberRegistry members,
        NodeCounters counters,
        ClientConnections clients,
        ProducerService producers,
        ConsumerService consumers,
        ReadService reads,
        AdminService admin,
        StateMachine machine,
        SnapshotTaker snapshots,
        DiskSpace disk,
        long stateMissingBelow,
        long clusterHash,
        ClusterKeys keys)
    {
    }

    NodeAgent(final Parts parts, final NanoClock clock, final CoreClock coreClock, final long tickNs)
    {
        this.coreClock = coreClock;
        this.disk = parts.disk();
        this.node = parts.node();
        this.log = parts.log();
        this.state = parts.state();
        this.aeron = parts.aeron();
        this.members = parts.members();
        this.counters = parts.counters();
        this.clients = parts.clients();
        this.producers = parts.producers();
        this.consumers = parts.consumers();
        this.reads = parts.reads();
        this.admin = parts.admin();
        this.driver = new RaftDriver(node, log, members, this);
        this.writeLog = driver::writeLog;
        this.inbound = parts.inbound().create(this);
        this.snapshots = parts.snapshots();
        this.applier = new CommitApplier(state, parts.machine(), log, producers, snapshots);
        this.snapshotServer = new SnapshotServer(node.id(), parts.clusterHash(), snapshots.store(), members);
        this.snapshotFetcher = new SnapshotFetcher(node.id(), parts.clusterHash(), snapshots.store(), members,
            this::onSnapshotFetched, node::snapshotFetchFailed);
        this.clientAdapter = new ClientAdapter(node, log, clients, producers, consumers, reads, admin,
            parts.clusterHash(), node.id(),
            parts.keys() == null ? null : new ClientGate(parts.keys(), parts.counters().transport()),
            parts.counters().transport());
        this.announce = clientAdapter::announce;
        this.appendValidity = node::isAppendCurrent;
        this.resources = new AutoCloseable[]{ inbound, clients, applier, snapshotFetcher, snapshotServer, snapshots,
            consumers, members, counters, aeron, log };
        this.clock = clock;
        this.tickNs = tickNs;
        this.roleName = "raftline-node-" + node.id();
        this.nowNs = clock.nanoTime();
        this.nextTickNs = nowNs + tickNs;
        onConfiguration(node.configuration());
        if (parts.stateMissingBelow() > 0)
        {
            applier.waitForState();
            snapshotFetcher.recover(parts.stateMissingBelow(), otherMembers(), nowNs);
        }
    }

    private int[] otherMembers()
    {
        return java.util.stream.IntStream.of(node.configuration().members()).filter(id -> id != node.id()).toArray();
    }

    @Override
    public int doWork()
    {
        try
        {
            return doDutyCycle();
        }
        catch (final RuntimeException | Error ex)
        {
            // a failed write or a broken invariant stops the node: serving on could lose acknowledged entries
            failure = ex;
            final DamagedEntryException damage = damageIn(ex);
            if (damage != null)
            {
                cutAtDamage(damage, ex);
            }
            throw new AgentTerminationException(ex);
        }
    }

    /**
     * A damaged entry stops the node before it serves or sends the bad bytes. With another voter to send the
     * entries again, the log is cut at it (the repair floor recorded first) and {@link RaftlineNode} starts the
     * node again; without one, the node stays stopped with the error naming the file and index.
     */
    private void cutAtDamage(final DamagedEntryException damage, final Throwable failure)
    {
        if (!hasAnotherVoter())
        {
            LOG.error("node {}: {}; no other voter holds the log to repair it from: the node stops", node.id(),
                damage.getMessage());
            return;
        }
        try
        {
            final long floorIndex = repairFloorIndex();
            log.cutAtDamage(damage.index(), floorIndex, log.term(floorIndex));
            cutForRepair = true;
            LOG.error("node {}: {}; the log is cut at index {} and the node starts again to have a leader send " +
                "the rest (it votes only for a log as up to date as the one it had, up to index {})", node.id(),
                damage.getMessage(), damage.index(), log.metadata().repairFloorIndex());
        }
        catch (final RuntimeException cutFailed)
        {
            failure.addSuppressed(cutFailed);
        }
    }

    /**
     * The last entry this node may have helped commit: a follower acknowledged its whole log; a leader counted its
     * own entries only up to its commit index, besides the entries of earlier terms it acknowledged as a follower.
     * A leader's uncommitted tail is left out, or a cluster that needs its vote could never elect the others.
     */
    private long repairFloorIndex()
    {
        if (!node.isLeader())
        {
            return log.lastIndex();
        }
        long low = log.firstIndex() - 1; // the last index of a term before the leader's own: binary search
        long high = log.lastIndex();
        while (low < high)
        {
            final long middle = (low + high + 1) >>> 1;
            if (log.term(middle) < node.term())
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        // terms never decrease along a log: the later index is the more up to date
        return Math.max(low, Math.min(node.commitIndex(), log.lastIndex()));
    }

    private boolean hasAnotherVoter()
    {
        final Configuration configuration = node.configuration();
        for (final int voter : configuration.voters())
        {
            if (voter != node.id())
            {
                return true;
            }
        }
        for (final int voter : configuration.outgoingVoters())
        {
            if (voter != node.id())
            {
                return true;
            }
        }
        return false;
    }

    private static DamagedEntryException damageIn(final Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause())
        {
            if (cause instanceof DamagedEntryException damage)
            {
                return damage;
            }
        }
        return null;
    }

    /** Whether the agent stopped on a damaged entry and cut its log there: the node is to start again. */
    boolean cutForRepair()
    {
        return cutForRepair;
    }

    /** Closes what the node owns on the thread that used it, after its last duty cycle. */
    @Override
    public void onClose()
    {
        CloseHelper.quietCloseAll(resources);
    }

    Throwable failure()
    {
        return failure;
    }

    private int doDutyCycle()
    {
        nowNs = clock.nanoTime();
        node.advanceClock(coreClock.ticks(nowNs)); // before the input that waited out a stall, not after it
        snapshotServer.onCycle();
        // the embedded driver sends only when invoked: what a cycle offered goes out here in the next cycle, which
        // follows at once after a cycle that did work (the idle strategy waits only after one that did none)
        final int driverWork = aeron.invoke();
        int work = inbound.poll(FRAGMENT_LIMIT);
        work += clients.completePending(nowNs, announce);
        int timerWork = tick();
        work += members.retryPending(appendValidity);
        if (driver.flush())
        {
            // a leader's tick asks for a flush every time (a commit notice may be due): one with nothing else to
            // flush is a timer's work, which is not a reason to stay awake (quietNs)
            if (timerWork > 0 && work == 0)
            {
                timerWork++;
            }
            else
            {
                work++;
            }
        }
        work += applier.apply(node.commitIndex());
        work += snapshots.poll();
        work += snapshotFetcher.doWork(nowNs);
        work += consumers.doWork(nowNs);
        producers.flushAcks();
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            clients.closeIdle(nowNs);
            producers.expireIdleSessions(nowNs, writeLog);
        }
        reads.expire(nowNs);
        admin.doWork(nowNs);
        if (nowNs >= nextCountersNs)
        {
            updateCounters();
        }
        if (work > 0)
        {
            ownWorkAtNs = nowNs;
        }
        return work + driverWork + timerWork;
    }

    /** How long the node has had nothing to do of its own (timers, its own or its driver's, do not count). */
    long quietNs()
    {
        return clock.nanoTime() - ownWorkAtNs;
    }

    @Override
    public void onRaftMessage(final RaftMessage message)
    {
        if (message.type == MessageType.READ_INDEX)
        {
            coreClock.advance(node); // a follower's read: the lease is judged when it is served
        }
        if (message.type == MessageType.APPEND && message.entryCount > 0 && disk.isLow(nowNs))
        {
            // no room to append: unanswered, so the leader sends these entries again later; heartbeats still count
            counters.onAppendRefusedDiskFull();
            return;
        }
        driver.step(message);
    }

    @Override
    public boolean onClientFrame(
        final int type, final DirectBuffer buffer, final int offset, final int length, final boolean signed)
    {
        final boolean wellFormed = clientAdapter.onFrame(type, buffer, offset, length, signed, nowNs);
        driver.writeLog(); // proposals read in place from the frame: written while it is in hand
        return wellFormed;
    }

    @Override
    public boolean onSnapshotFrame(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == SnapshotReadFrame.TYPE)
        {
            if (!readFrame.wrap(buffer, offset, length) || readFrame.to() != node.id())
            {
                return false;
            }
            snapshotServer.onRead(readFrame);
            return true;
        }
        if (!chunkFrame.wrap(buffer, offset, length) || chunkFrame.to() != node.id())
        {
            return false;
        }
        snapshotFetcher.onChunk(chunkFrame, nowNs);
        return true;
    }

    @Override
    public void onSnapshotToFetch(final SnapshotFetch fetch)
    {
        snapshotFetcher.want(fetch, nowNs);
    }

    /**
     * A fetched snapshot is in the store. Where the log holds its entry and this node's states are behind it (or
     * were lost), they start again from it and the log stays; otherwise it is installed in place of the log, unless
     * the core no longer needs it (then it is kept all the same: a committed state, to serve and to restart from).
     */
    private void onSnapshotFetched(final SnapshotStore.Snapshot snapshot)
    {
        final long index = snapshot.index();
        final boolean logHoldsIt = index <= log.lastIndex() && index >= log.firstIndex() - 1 &&
            log.term(index) == snapshot.term();
        if (logHoldsIt && (applier.isWaitingForState() || state.appliedIndex() < index))
        {
            applier.restore(snapshot);
            snapshots.adopt(snapshot);
            LOG.info("node {}: its states start again from snapshot {}", node.id(), index);
        }
        else if (logHoldsIt || !node.installSnapshot(index, snapshot.term(), snapshot.footer().configuration()))
        {
            snapshots.adopt(snapshot);
        }
    }

    @Override
    public void onSnapshotInstalled(final long index)
    {
        final SnapshotStore.Snapshot snapshot = snapshots.store().latest();
        if (snapshot == null || snapshot.index() != index)
        {
            throw new IllegalStateException("snapshot " + index + " was installed but the store holds " + snapshot);
        }
        applier.restore(snapshot);
        snapshots.adopt(snapshot);
        LOG.info("node {}: installed snapshot {}; the log starts again after it", node.id(), index);
    }

    @Override
    public void onReadStates(final ReadStates readStates)
    {
        reads.onReadStates(readStates);
    }

    @Override
    public void onRoleChange(final Role role, final Role previous, final long lastIndex)
    {
        counters.onRole(role, previous);
        producers.onRoleChange(role, lastIndex);
        // reads pending on a leader that lost its role are answered FAILED by the core
    }

    @Override
    public void onConfiguration(final Configuration configuration)
    {
        members.update(configuration);
        clientAdapter.announceToAll();
        final boolean foreignDisk = node.isVoterOnAnotherDisk();
        if (foreignDisk)
        {
            LOG.warn("node {}: the configuration records voter {} on another data directory than {}: it neither " +
                "votes nor counts until it is removed and added again (raftline member remove, then member add " +
                "--voter)", node.id(), node.id(), log.directory());
        }
        counters.foreignDisk(foreignDisk);
    }

    @Override
    public void onLeader(final int leaderId)
    {
        clientAdapter.announceToAll();
    }

    private int tick()
    {
        if (nowNs < nextTickNs)
        {
            return 0;
        }
        driver.tick(coreClock.ticks(nowNs));
        // after a stall (GC, SIGSTOP) tick once, not once per missed period: a burst of ticks would start an
        // election that the stall, not the leader, deserved
        nextTickNs = Math.max(nextTickNs + tickNs, nowNs + tickNs / 2);
        return 1;
    }

    /** Says at INFO when this node's view of who leads changes: what an operator reads first after a failover. */
    private void logLeadership()
    {
        final long term = node.term();
        final int leader = node.leaderId();
        if (term == loggedTerm && leader == loggedLeader)
        {
            return;
        }
        if (leader == node.id())
        {
            LOG.info("node {} leads in term {}", node.id(), term);
        }
        else if (leader != 0)
        {
            LOG.info("node {} follows node {} in term {}", node.id(), leader, term);
        }
        else if (term != loggedTerm)
        {
            LOG.info("node {} is in term {} with no leader known", node.id(), term);
        }
        loggedTerm = term;
        loggedLeader = leader;
    }

    private void updateCounters()
    {
        logLeadership();
        nextCountersNs = nowNs + COUNTER_INTERVAL_NS;
        counters.update(node.term(), node.leaderId(), node.commitIndex(), log.lastIndex(), node.durableIndex());
        counters.appliedIndex(state.appliedIndex());
        counters.logStart(log.firstIndex(), snapshots.latestIndex());
        counters.snapshotChunks(snapshotServer.chunksServed(), snapshotFetcher.chunksFetched());
        counters.clients(clients.size());
        counters.diskFull(disk.isLow(nowNs));
        counters.repairingTo(node.isRepairing() ? log.metadata().repairFloorIndex() : 0);
        counters.heartbeat(nowNs);
        members.updateCounters(node);
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
