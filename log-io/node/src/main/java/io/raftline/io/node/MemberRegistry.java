package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.raftline.core.RaftNode;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.replication.Progress;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import io.raftline.io.transport.SharedBatches;
import io.raftline.io.transport.PeerPublisher;
import io.raftline.io.transport.TransportCounters;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The peers this node talks to, as the core's configuration names them: for each, its endpoint, the publication
 * its messages go out on and its match-index counter. The node changes the registry when the core's configuration
 * changes ({@link #update}); in between, the core's messages go to their peer here ({@link #send}). A message to
 * a server outside the configuration (the leader, to a node that does not know the configuration yet; a candidate
 * it has not heard of) goes to the endpoint the cluster file gives it; one with no known endpoint is dropped and
 * counted.
 */
final class MemberRegistry implements RaftDriver.PeerSender, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MemberRegistry.class);
    private static final int MAX_PENDING_PER_PEER = 1024;

    /** One peer; a member of the configuration, or a server this node answers that it does not count as one. */
    private record Peer(int id, String endpoint, PeerPublisher publisher, Counter matchIndex, boolean member)
    {
    }

    private final int selfId;
    private final ClusterKeys keys;    // null: authentication off
    private final SharedBatches sharedBatches = new SharedBatches();
    private final Aeron aeron;
    private final ClusterConfig config;
    private final RaftMessageEncoder encoder;
    private final long clusterHash;
    private final ChronicleLog log;
    private final NodeCounters counters;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private Peer[] peerArray = new Peer[0];
    private Configuration configuration = Configuration.NONE;

    MemberRegistry(
        final int selfId,
        final Aeron aeron,
        final ClusterConfig config,
        final long clusterHash,
        final ChronicleLog log,
        final NodeCounters counters,
        final ClusterKeys keys)
    {
        this.selfId = selfId;
        this.keys = keys;
        this.aeron = aeron;
        this.config = config;
        this.encoder = new RaftMessageEncoder(selfId);
        this.clusterHash = clusterHash;
        this.log = log;
        this.counters = counters;
    }

    /**
     * Connects to members the configuration adds and lets go of those it removed; a member whose endpoint changed
     * is connected again. Endpoints come from the configuration (the log's), else from the cluster file.
     */
    void update(final Configuration configuration)
    {
        for (final Peer peer : peerArray)
        {
            final boolean moved = configuration.isMember(peer.id()) &&
                !peer.endpoint().equals(endpointOf(configuration, peer.id()));
            if (moved || (peer.member() && !configuration.isMember(peer.id())))
            {
                peers.remove(peer.id());
                close(peer);
                LOG.info("node {} let go of node {} at {}", selfId, peer.id(), peer.endpoint());
            }
        }
        for (final int id : configuration.members())
        {
            final Peer known = peers.get(id);
            if (id != selfId && (known == null || !known.member()))
            {
                if (known != null)
                {
                    peers.remove(id);
                    close(known);
                }
                add(id, endpointOf(configuration, id), true);
            }
        }
        this.configuration = configuration;
        peerArray = peers.values().toArray(new Peer[0]);
    }

    private String endpointOf(final Configuration configuration, final int id)
    {
        final String recorded = configuration.endpoint(id);
        if (recorded != null)
        {
            return recorded;
        }
        return config.members().containsKey(id) ? config.member(id).endpoint() : null;
    }

    boolean isPeer(final int id)
    {
        return peers.containsKey(id);
    }

    int peerCount()
    {
        return peerArray.length;
    }

    @Override
    public void send(final RaftMessage message)
    {
        final Peer peer = peerFor(message.to);
        if (peer != null)
        {
            peer.publisher().send(message);
        }
        else
        {
            counters.transport().onDropped();
        }
    }

    /**
     * Offers a frame that is not a Raft message (a snapshot chunk, a request for one) to node {@code to}; one lost
     * to back-pressure or an unknown endpoint is dropped and counted: its sender asks again.
     */
    void sendFrame(final int to, final DirectBuffer buffer, final int offset, final int length)
    {
        final Peer peer = peerFor(to);
        if (peer == null || !peer.publisher().offer(buffer, offset, length))
        {
            counters.transport().onDropped();
        }
    }

    /** The peer {@code id}, connected on first use if not a member (a server being added, or one removed). */
    private Peer peerFor(final int id)
    {
        Peer peer = peers.get(id);
        if (peer == null && id != selfId)
        {
            final String endpoint = endpointOf(configuration, id);
            if (endpoint != null)
            {
                peer = add(id, endpoint, false);
                peerArray = peers.values().toArray(new Peer[0]);
            }
        }
        return peer;
    }

    /** Sends what waited for back-pressure to clear; AppendEntries go only if the core still wants them. */
    int retryPending(final PeerPublisher.AppendValidity validity)
    {
        int work = 0;
        for (final Peer peer : peerArray)
        {
            if (peer.publisher().pendingCount() > 0)
            {
                work += peer.publisher().retry(validity);
            }
        }
        return work;
    }

    /** Publishes the leader's match index of every peer. */
    void updateCounters(final RaftNode node)
    {
        if (!node.isLeader())
        {
            return;
        }
        for (final Peer peer : peerArray)
        {
            final Progress progress = node.progress(peer.id());
            if (progress != null)
            {
                peer.matchIndex().setRelease(progress.matchIndex());
            }
        }
    }

    private Peer add(final int id, final String endpoint, final boolean member)
    {
        if (endpoint == null)
        {
            LOG.warn("node {} cannot reach node {}: its endpoint is not known", selfId, id);
            return null;
        }
        final String channel = AeronRuntime.publicationChannel(
            endpoint, config.mtuBytes(), config.termLengthBytes(), config.socketBufferBytes());
        final TransportCounters transport = counters.transport();
        final PeerPublisher publisher = new PeerPublisher(id, aeron.addExclusivePublication(channel,
            AeronRuntime.STREAM_ID), encoder, clusterHash, log.newCursor(), transport,
            keys == null ? null : new FrameAuthenticator(keys), sharedBatches, MAX_PENDING_PER_PEER);
        final Peer peer = new Peer(id, endpoint, publisher, counters.newMatchIndexCounter(id), member);
        peers.put(id, peer);
        LOG.info("node {} connects to node {} at {}", selfId, id, endpoint);
        return peer;
    }

    private static void close(final Peer peer)
    {
        CloseHelper.quietCloseAll(peer.publisher(), peer.matchIndex());
    }

    @Override
    public void close()
    {
        for (final Peer peer : peerArray)
        {
            close(peer);
        }
        peers.clear();
        peerArray = new Peer[0];
    }
}
