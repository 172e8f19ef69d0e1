package io.raftline.io.node;

import io.aeron.Aeron;
import io.raftline.core.RaftNode;
import io.raftline.core.RaftOptions;
import io.raftline.core.quorum.Configuration;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.MetadataStore;
import io.raftline.io.transport.AeronRuntime;
import io.raftline.io.transport.InboundAdapter;
import io.raftline.io.transport.PeerPublisher;
import io.raftline.io.transport.codec.FrameHeader;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One running Raftline node: its data directory, its Aeron runtime and the agent thread that owns the Raft core.
 * {@link #close()} stops the agent, which then closes the log, the transport and the counters on its own thread
 * after its last duty cycle, so that no entry is left half written.
 */
public final class RaftlineNode implements AutoCloseable
{
    /** The one stream every node and client listens on. */
    public static final int STREAM_ID = 1001;
    /** Bytes an Aeron data frame header takes of the MTU. */
    private static final int FRAME_HEADER_BYTES = 32;
    private static final int MAX_PENDING_PER_PEER = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(RaftlineNode.class);

    private final NodeAgent agent;
    private final AgentRunner runner;

    private RaftlineNode(final ClusterConfig config, final int nodeId)
    {
        final ClusterConfig.Member self = config.member(nodeId);
        final int[] memberIds = config.memberIds();
        final int[] peerIds = peersOf(memberIds, nodeId);
        ChronicleLog openedLog = null;
        AeronRuntime runtime = null;
        NodeCounters nodeCounters = null;
        final PeerPublisher[] byId = new PeerPublisher[maxOf(memberIds) + 1];
        try
        {
            openedLog = ChronicleLog.open(self.dataDir(), config.durability());
            runtime = config.embeddedDriver() ?
                AeronRuntime.embedded(aeronDirectory(config, self), config.mtuBytes(), config.socketBufferBytes()) :
                AeronRuntime.external(config.aeronDir());
            final Aeron client = runtime.aeron();
            nodeCounters = new NodeCounters(client, nodeId, peerIds);
            final long clusterHash = FrameHeader.clusterHash(config.clusterId());
            final RaftMessageEncoder encoder = new RaftMessageEncoder(nodeId);
            for (final int peerId : peerIds)
            {
                final String channel = AeronRuntime.publicationChannel(config.member(peerId).endpoint(),
                    config.mtuBytes(), config.termLengthBytes(), config.socketBufferBytes());
                byId[peerId] = new PeerPublisher(peerId, client.addExclusivePublication(channel, STREAM_ID),
                    encoder, clusterHash, openedLog, openedLog.newCursor(), nodeCounters.transport(),
                    MAX_PENDING_PER_PEER);
            }
            final String inboundChannel =
                AeronRuntime.subscriptionChannel(self.endpoint(), config.socketBufferBytes());
            final MetadataStore metadata = openedLog.metadata();
            final RaftNode node = new RaftNode(
                new RaftOptions()
                    .nodeId(nodeId)
                    .electionTimeoutTicks(config.electionTimeoutTicks())
                    .heartbeatIntervalTicks(config.heartbeatIntervalTicks())
                    .maxBatchBytes(Math.min(config.batchBytes(),
                        config.mtuBytes() - FRAME_HEADER_BYTES - RaftMessageEncoder.APPEND_HEADER_LENGTH))
                    .maxInflightAppends(config.inflightAppends())
                    .maxInflightBytes(config.inflightBytes())
                    .entryOverheadBytes(RaftMessageEncoder.ENTRY_OVERHEAD)
                    .readLease(config.readLease())
                    .random(new SplittableRandom()),
                openedLog,
                metadata.currentTerm(),
                metadata.votedFor(),
                Configuration.of(memberIds));
            final io.aeron.Subscription subscription = client.addSubscription(inboundChannel, STREAM_ID);
            final NodeCounters agentCounters = nodeCounters;
            final InboundAdapter.Factory inbound = listener -> new InboundAdapter(nodeId, memberIds, clusterHash,
                subscription, agentCounters.transport(), listener);
            final ClientService clients = new ClientService(node, openedLog, client, clusterHash, config, nodeId,
                nodeCounters.transport());
            final AutoCloseable[] resources = new AutoCloseable[byId.length + 3];
            System.arraycopy(byId, 0, resources, 0, byId.length);
            resources[byId.length] = nodeCounters;
            resources[byId.length + 1] = runtime;
            resources[byId.length + 2] = openedLog;
            this.agent = new NodeAgent(node, openedLog, runtime, inbound, byId, peerIds, nodeCounters, clients,
                new SystemNanoClock(), config.tickNs(), resources);
            final ErrorHandler errorHandler = error -> LOG.error("node {} stopped on an error", nodeId, error);
            this.runner = new AgentRunner(idleStrategy(config), errorHandler, null, agent);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(byId);
            CloseHelper.quietCloseAll(nodeCounters, runtime, openedLog);
            throw ex;
        }
    }

    /** Opens the node's data directory and starts its agent thread. */
    public static RaftlineNode start(final ClusterConfig config, final int nodeId)
    {
        if (config.member(nodeId) == null)
        {
            throw new ConfigException("node." + nodeId, "node " + nodeId + " is not in the cluster file");
        }
        final RaftlineNode node = new RaftlineNode(config, nodeId);
        AgentRunner.startOnThread(node.runner);
        LOG.info("node {} of cluster {} started on {}", nodeId, config.clusterId(), config.member(nodeId).endpoint());
        return node;
    }

    public static String aeronDirectory(final ClusterConfig config, final ClusterConfig.Member member)
    {
        return config.aeronDir().isEmpty() ?
            AeronRuntime.defaultDirectory(config.clusterId(), member.id(), member.port()) : config.aeronDir();
    }

    /** The error that stopped the agent, or null while it runs. */
    public Throwable failure()
    {
        return agent.failure();
    }

    /** Stops the agent and waits for it to close what it owns. */
    @Override
    public void close()
    {
        CloseHelper.close(runner);
    }

    static IdleStrategy idleStrategy(final ClusterConfig config)
    {
        return switch (config.idleStrategy())
        {
            case "sleeping" -> new SleepingMillisIdleStrategy(1);
            case "yielding" -> new YieldingIdleStrategy();
            case "busy-spin" -> new BusySpinIdleStrategy();
            // spin, yield, then park from 1 us doubling up to the maximum: cheap on a 2-core machine shared by
            // several nodes, where a spinning node takes the core another node needs
            default -> new BackoffIdleStrategy(config.idleSpins(), config.idleYields(),
                TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(config.idleMaxParkUs()));
        };
    }

    private static int[] peersOf(final int[] memberIds, final int self)
    {
        final int[] peers = new int[memberIds.length - 1];
        int i = 0;
        for (final int id : memberIds)
        {
            if (id != self)
            {
                peers[i++] = id;
            }
        }
        return peers;
    }

    private static int maxOf(final int[] ids)
    {
        int max = 0;
        for (final int id : ids)
        {
            max = Math.max(max, id);
        }
        return max;
    }
}
