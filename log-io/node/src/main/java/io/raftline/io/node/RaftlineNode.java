package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.RaftOptions;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.quorum.ConfigurationHistory;
import io.raftline.core.state.AppendAdmission;
import io.raftline.core.session.SessionTable;
import io.raftline.core.state.ReplicatedState;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.config.ConfigException;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.statemachine.StateMachine;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.DiskSpace;
import io.raftline.io.storage.StorageException;
import io.raftline.io.storage.ConfigurationEntries;
import io.raftline.protocol.AeronRuntime;
import io.raftline.io.transport.InboundAdapter;
import io.raftline.protocol.client.OpenSessionFrame;
import io.raftline.protocol.FrameHeader;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One running Raftline node: its data directory, its Aeron runtime and the agent thread that owns the Raft core.
 * {@link #close()} stops the agent, which then closes the log, the transport and the counters on its own thread
 * after its last duty cycle, so that no entry is left half written.
 * <p>
 * A damaged entry found while running stops the agent; when it cut its log there for repair (see
 * {@link NodeAgent}), the node opens its directory again at once, and a leader sends it the rest.
 */
public final class RaftlineNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(RaftlineNode.class);

    private final ClusterConfig config;
    private final int nodeId;
    private final ClusterKeys keys;        // null: authentication off
    private final NanoClock clock;
    private final RandomGenerator random;
    private final Object lifecycle = new Object();
    private volatile Incarnation running;
    private volatile Throwable restartFailure;
    private boolean closed;             // guarded by lifecycle

    /** One run of the node, from opening its directory to the end of its agent: a repair starts another. */
    private record Incarnation(NodeAgent agent, AgentRunner runner)
    {
    }

    private RaftlineNode(final ClusterConfig config, final int nodeId, final ClusterKeys keys, final NanoClock clock,
        final RandomGenerator random)
    {
        this.config = config;
        this.keys = keys;
        this.nodeId = nodeId;
        this.clock = clock;
        this.random = random;
    }

    private Incarnation open(final boolean bootstrap)
    {
        final ClusterConfig.Member self = config.member(nodeId);
        ChronicleLog openedLog = null;
        AeronRuntime runtime = null;
        NodeCounters nodeCounters = null;
        ClientConnections clients = null;
        MemberRegistry members = null;
        try
        {
            openedLog = ChronicleLog.open(self.dataDir(), config.durability(), config.segmentBytes(),
                onDamage(self.dataDir(), config));
            final DiskSpace disk = DiskSpace.of(self.dataDir(), config.reserveBytes());
            if (bootstrap)
            {
                bootstrap(openedLog, config);
            }
            final SnapshotStore store = SnapshotStore.open(self.dataDir());
            final SnapshotStore.Snapshot newest = store.latest();
            // usable only if the log reaches back to it; else the state below the log must come from a peer
            final SnapshotStore.Snapshot snapshot =
                newest != null && openedLog.firstIndex() - 1 <= newest.index() ? newest : null;
            final long stateMissingBelow = snapshot == null && openedLog.firstIndex() > 1 ? openedLog.firstIndex() - 1 :
                0;
            if (snapshot != null)
            {
                startFrom(snapshot, openedLog);
            }
            else if (stateMissingBelow > 0)
            {
                LOG.error("node {}: no usable snapshot holds the state below index {}, where its log starts: it " +
                    "fetches one from a peer and applies nothing until then", nodeId, openedLog.firstIndex());
            }
            final StateMachine machine = stateMachine(config);
            runtime = config.embeddedDriver() ?
                AeronRuntime.embedded(aeronDirectory(config, self), config.mtuBytes(), config.socketBufferBytes()) :
                AeronRuntime.external(config.aeronDir());
            final Aeron aeron = runtime.aeron();
            nodeCounters = new NodeCounters(aeron, nodeId);
            final long clusterHash = FrameHeader.clusterHash(config.clusterId());
            final ConfigurationHistory configurations = configurationsOf(openedLog, config,
                snapshot == null ? null : snapshot.footer().configuration());
            final RaftNode node = new RaftNode(raftOptions(config, nodeId, random)
                .identity(openedLog.metadata().identity())
                .restarted(openedLog.metadata().currentTerm() > 0)
                .repairFloor(openedLog.metadata().repairFloorIndex(), openedLog.metadata().repairFloorTerm())
                .firstMember(openedLog.metadata().isFirstMember()),
                openedLog, openedLog.metadata().currentTerm(), openedLog.metadata().votedFor(), configurations);
            logConfiguration(nodeId, node.configuration(), config);
            final ReplicatedState state = new ReplicatedState(new SessionTable(config.maxSessions(),
                OpenSessionFrame.MAX_WINDOW, Math.max(OpenSessionFrame.MAX_WINDOW, config.sessionMemorySlots())),
                Configuration.NONE, openedLog.firstIndex() - 1);
            if (snapshot != null)
            {
                CommitApplier.restore(snapshot, state, machine); // then the entries after it are applied again
                node.snapshotTaken(snapshot.index(), snapshot.term());
            }
            members = new MemberRegistry(nodeId, aeron, config, clusterHash, openedLog, nodeCounters, keys);
            nodeCounters.authentication(keys != null);
            clients = new ClientConnections(aeron, config.mtuBytes(), config.termLengthBytes(),
                config.socketBufferBytes(), nodeCounters.transport());
            final ProducerService producers = new ProducerService(node, new AppendAdmission(state), state.sessions(),
                clients, clusterHash, nodeId, config.maxEntryBytes(), config.sessionTimeoutNs(), clock, disk);
            final ConsumerService consumers = new ConsumerService(node, state, openedLog, clients,
                nodeCounters.transport(), clusterHash, nodeId, Math.max(config.mtuBytes(), config.maxEntryBytes() + 4096));
            final CoreClock coreClock = new CoreClock(clock, config.tickNs());
            final ReadService reads = new ReadService(node, clients, clusterHash, nodeId,
                RaftOptions.DEFAULT_MAX_PENDING_READS, 2 * config.electionTimeoutNs(), coreClock);
            final Subscription subscription = aeron.addSubscription(
                AeronRuntime.subscriptionChannel(self.endpoint(), config.socketBufferBytes()), AeronRuntime.STREAM_ID);
            final NodeCounters counters = nodeCounters;
            final InboundAdapter.Factory inbound = listener -> new InboundAdapter(nodeId, clusterHash, subscription,
                counters.transport(), keys == null ? null : new FrameAuthenticator(keys), listener);
            final SnapshotTaker snapshots = new SnapshotTaker(nodeId, store, node, openedLog, state, machine,
                config.snapshotIntervalEntries(), config.snapshotIntervalBytes(), config.logRetainEntries(),
                counters::snapshotFailures);
            final AdminService admin = new AdminService(node, clients, clusterHash, nodeId, config.electionTimeoutNs(),
                config.tickNs(), snapshots);
            final NodeAgent agent = new NodeAgent(new NodeAgent.Parts(node, openedLog, state, runtime, inbound,
                members, nodeCounters, clients, producers, consumers, reads, admin, machine, snapshots, disk,
                stateMissingBelow, clusterHash, keys), clock, coreClock, config.tickNs());
            final ErrorHandler errorHandler = error -> onAgentError(agent, error);
            return new Incarnation(agent,
                new AgentRunner(idleStrategy(config, runtime, agent), errorHandler, null, agent));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(clients, members, nodeCounters, runtime, openedLog);
            throw ex;
        }
    }

    /**
     * Opens the node's data directory and starts its agent thread. A node on an empty data directory belongs to no
     * cluster: it waits to be added (see {@code raftline member add}), unless {@code bootstrap} makes it one of a
     * new cluster's first members, whose first configuration is the cluster file's nodes.
     */
    public static RaftlineNode start(final ClusterConfig config, final int nodeId, final boolean bootstrap)
    {
        return start(config, nodeId, bootstrap, new SystemNanoClock(), new SplittableRandom());
    }

    /** As {@link #start(ClusterConfig, int, boolean)}, with the clock and the random source given. */
    public static RaftlineNode start(
        final ClusterConfig config,
        final int nodeId,
        final boolean bootstrap,
        final NanoClock clock,
        final RandomGenerator random)
    {
        if (!config.members().containsKey(nodeId))
        {
            throw new ConfigException("node." + nodeId, "node " + nodeId + " is not in the cluster file");
        }
        final ClusterKeys keys = config.loadClusterKeys(); // before anything is made on disk
        if (keys == null)
        {
            LOG.warn("node {}: {}=off: neither frames between nodes nor clients are authenticated; anyone who can " +
                "reach its port can forge frames and produce, consume and administer", nodeId,
                ClusterConfig.AUTHENTICATION);
        }
        checkListenable(config.member(nodeId));
        final RaftlineNode node = new RaftlineNode(config, nodeId, keys, clock, random);
        node.running = node.open(bootstrap);
        AgentRunner.startOnThread(node.running.runner());
        LOG.info("node {} of cluster {} started on {}", nodeId, config.clusterId(), config.member(nodeId).endpoint());
        return node;
    }

    /**
     * A damaged entry at or below the durable watermark is cut for repair only where another voter can send it
     * again: by the newest configuration the directory recorded, or by the cluster file for a log that recorded
     * none.
     */
    private static ChronicleLog.OnDamage onDamage(final java.nio.file.Path dir, final ClusterConfig config)
    {
        final List<ConfigurationEntries.Entry> entries = ConfigurationEntries.recordedIn(dir);
        final int voters;
        if (entries.isEmpty())
        {
            voters = config.memberIds().length;
        }
        else
        {
            final ConfigurationEntries.Entry newest = entries.get(entries.size() - 1);
            final Configuration configuration = ConfigurationCodec.decode(
                new UnsafeBuffer(newest.payload()), 0, newest.payload().length);
            voters = Math.max(configuration.voters().length, configuration.outgoingVoters().length);
        }
        return voters > 1 ? ChronicleLog.OnDamage.CUT : ChronicleLog.OnDamage.REFUSE;
    }

    /** On the agent's thread, as it stops: a cut for repair starts the node again, from another thread. */
    private void onAgentError(final NodeAgent agent, final Throwable error)
    {
        if (!agent.cutForRepair())
        {
            LOG.error("node {} stopped on an error", nodeId, error);
            return;
        }
        final Thread restart = new Thread(this::restartAfterRepairCut, "raftline-node-" + nodeId + "-restart");
        restart.setDaemon(true);
        restart.start();
    }

    private void restartAfterRepairCut()
    {
        synchronized (lifecycle)
        {
            if (closed)
            {
                return;
            }
            CloseHelper.close(running.runner()); // waits for the agent's last duty cycle and its closing
            try
            {
                final Incarnation next = open(false);
                running = next;
                AgentRunner.startOnThread(next.runner());
                LOG.info("node {} started again after cutting a damaged entry", nodeId);
            }
            catch (final RuntimeException ex)
            {
                restartFailure = ex;
                LOG.error("node {} could not start again after cutting a damaged entry", nodeId, ex);
            }
        }
    }

    /** The node's endpoint must be an address of this machine and a free port: said before its folder is made. */
    private static void checkListenable(final ClusterConfig.Member self)
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(self.socketAddress()))
        {
            socket.getLocalPort();
        }
        catch (final java.io.IOException | IllegalArgumentException ex)
        {
            throw new ConfigException("node." + self.id(), "cannot listen on " + self.endpoint() + " (" +
                ex.getMessage() + "): not an address of this machine, or the port is taken");
        }
    }

    /**
     * Makes a new data directory one of a new cluster's first members: its log starts with the cluster's first
     * configuration, the cluster file's nodes as voters (every first member writes the same entry), their disks not
     * yet bound. A directory that holds anything already is left as it is: a cluster is made once.
     */
    private static void bootstrap(final ChronicleLog log, final ClusterConfig config)
    {
        if (log.lastIndex() > 0 || log.firstIndex() > 1 || log.metadata().currentTerm() > 0)
        {
            return;
        }
        Configuration first = Configuration.of(config.memberIds());
        for (final int id : config.memberIds())
        {
            first = first.withMember(id, Configuration.UNBOUND, config.member(id).endpoint());
        }
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(first)]);
        final int length = ConfigurationCodec.encode(first, payload, 0);
        log.metadata().markFirstMember();
        log.metadata().store(1, 0);
        log.append(1, EntryType.CONFIG, 0, 0, payload, 0, length);
        log.sync();
        LOG.info("a new cluster begins: {}", first);
    }

    /**
     * The newest snapshot and the log must agree: a log that does not hold the snapshot's entry is what a crash
     * left between a fetched snapshot reaching the disk and the log being reset to it, so the reset is finished
     * now (the snapshot is committed state; whatever of the log it replaces was not committed beyond it).
     */
    private static void startFrom(final SnapshotStore.Snapshot snapshot, final ChronicleLog log)
    {
        if (snapshot.index() > log.lastIndex() || log.term(snapshot.index()) != snapshot.term())
        {
            LOG.info("the log in {} does not hold snapshot {}'s entry: it starts again after the snapshot",
                log.directory(), snapshot.index());
            log.reset(snapshot.index(), snapshot.term());
        }
    }

    /** The application's state machine the cluster file names, or none. */
    private static StateMachine stateMachine(final ClusterConfig config)
    {
        if (config.stateMachine().isEmpty())
        {
            return StateMachine.NONE;
        }
        try
        {
            final Object made = Class.forName(config.stateMachine()).getConstructor().newInstance();
            if (!(made instanceof StateMachine machine))
            {
                throw new ConfigException(ClusterConfig.STATE_MACHINE, config.stateMachine() + " is not a " +
                    StateMachine.class.getName());
            }
            return machine;
        }
        catch (final ReflectiveOperationException | LinkageError ex)
        {
            throw new ConfigException(ClusterConfig.STATE_MACHINE, "cannot make a " + config.stateMachine() + ": " +
                ex);
        }
    }

    /**
     * The configuration entries of the log, over what came before them: the newest snapshot's configuration,
     * nothing for a new directory (it waits to be added), the cluster file's nodes for a log of a version that
     * wrote no configuration entries.
     */
    private static ConfigurationHistory configurationsOf(
        final ChronicleLog log, final ClusterConfig config, final Configuration inSnapshot)
    {
        final List<ConfigurationEntries.Entry> entries = log.configurationEntries();
        final boolean olderLog = entries.isEmpty() && log.lastIndex() > 0;
        final ConfigurationHistory history = new ConfigurationHistory(inSnapshot != null ? inSnapshot : olderLog ?
            Configuration.of(config.memberIds()) : Configuration.NONE);
        for (final ConfigurationEntries.Entry entry : entries)
        {
            history.add(entry.index(), entry.term(), ConfigurationCodec.decode(
                new UnsafeBuffer(entry.payload()), 0, entry.payload().length));
        }
        return history;
    }

    /** The configuration in force is the log's; the cluster file is only how a node finds the others. */
    private static void logConfiguration(final int nodeId, final Configuration inForce, final ClusterConfig config)
    {
        if (inForce.isEmpty())
        {
            LOG.info("node {} belongs to no cluster yet: it waits to be added", nodeId);
            return;
        }
        if (!java.util.Arrays.equals(inForce.members(), config.memberIds()))
        {
            LOG.info("node {}: the configuration in force is the log's, {}; the cluster file lists nodes {}",
                nodeId, inForce, java.util.Arrays.toString(config.memberIds()));
        }
    }

    /** The core's settings from the cluster file; a replication batch never outgrows one Aeron frame. */
    static RaftOptions raftOptions(final ClusterConfig config, final int nodeId, final RandomGenerator random)
    {
        return new RaftOptions()
            .nodeId(nodeId)
            .electionTimeoutTicks(config.electionTimeoutTicks())
            .heartbeatIntervalTicks(config.heartbeatIntervalTicks())
            .maxBatchBytes(RaftMessageEncoder.maxBatchBytes(
                config.mtuBytes() - (config.authentication() ? FrameAuthenticator.TRAILER_LENGTH : 0),
                config.batchBytes()))
            .maxInflightAppends(config.inflightAppends())
            .maxInflightBytes(config.inflightBytes())
            .entryOverheadBytes(RaftMessageEncoder.ENTRY_OVERHEAD)
            .readLease(config.readLease())
            .random(random);
    }

    public static String aeronDirectory(final ClusterConfig config, final ClusterConfig.Member member)
    {
        return config.aeronDir().isEmpty() ?
            AeronRuntime.defaultDirectory(config.clusterId(), member.id(), member.port()) : config.aeronDir();
    }

    /** The error that stopped the node, or null while it runs (or starts again to repair a damaged entry). */
    public Throwable failure()
    {
        final Throwable failed = restartFailure;
        if (failed != null)
        {
            return failed;
        }
        final NodeAgent agent = running.agent();
        return agent.cutForRepair() ? null : agent.failure();
    }

    /** Stops the agent and waits for it to close what it owns. */
    @Override
    public void close()
    {
        synchronized (lifecycle)
        {
            closed = true;
            CloseHelper.close(running.runner());
        }
    }

    static IdleStrategy idleStrategy(final ClusterConfig config, final AeronRuntime runtime, final NodeAgent agent)
    {
        return switch (config.idleStrategy())
        {
            case "sleeping" -> new SleepingMillisIdleStrategy(1);
            case "yielding" -> new YieldingIdleStrategy();
            case "busy-spin" -> new BusySpinIdleStrategy();
            // spin, yield, then park from 1 us doubling up to the maximum: cheap on a 2-core machine shared by
            // several nodes, where a spinning node takes the core another node needs
            default -> backoff(config, runtime, agent);
        };
    }

    private static IdleStrategy backoff(final ClusterConfig config, final AeronRuntime runtime, final NodeAgent agent)
    {
        final IdleStrategy backoff = new BackoffIdleStrategy(config.idleSpins(), config.idleYields(),
            TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(config.idleMaxParkUs()));
        // an idle node waits for a datagram in the kernel rather than waking thousands of times a second to poll
        return config.idleSocketWaitMs() == 0 ? backoff :
            runtime.socketWaitAfter(backoff, TimeUnit.MILLISECONDS.toNanos(config.idleSocketWaitMs()), agent::quietNs);
    }
}
