package io.raftline.io.client;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.raftline.io.config.ClusterConfig;
import io.raftline.io.transport.AeronRuntime;
import io.raftline.io.transport.Offers;
import io.raftline.io.transport.client.ConnectFrame;
import io.raftline.io.transport.client.DisconnectFrame;
import io.raftline.io.transport.client.ClientMessageType;
import io.raftline.io.transport.codec.FrameHeader;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A client's link to the cluster: its own embedded Aeron driver (driven from the caller's thread, like a node's),
 * one subscription on its reply endpoint, and one publication per node. It keeps itself known to every node by
 * repeating CONNECT until answered, then once in a while as a keep-alive. Single-threaded: the owner calls
 * {@link #poll} from one thread.
 */
public final class ClientTransport implements AutoCloseable
{
    private static final long CONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long KEEPALIVE_NS = TimeUnit.SECONDS.toNanos(2);

    private final ClusterConfig config;
    private final long clusterHash;
    private final long clientId;
    private final AeronRuntime runtime;
    private final Subscription subscription;
    private final int[] memberIds;
    private final ExclusivePublication[] publications;
    private final boolean[] connected;
    private final long[] nextConnectNs;
    private final String replyEndpoint;
    private final UnsafeBuffer frame;
    private final FragmentAssembler assembler;
    private final Listener listener;
    private final File aeronDir;
    private long correlationIds;

    /** What arrives from nodes: valid client-protocol frames. */
    public interface Listener
    {
        void onFrame(int nodeId, int type, DirectBuffer buffer, int offset, int length);
    }

    public ClientTransport(final ClusterConfig config, final String bind, final Listener listener)
    {
        this.config = config;
        this.clusterHash = FrameHeader.clusterHash(config.clusterId());
        this.clientId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        this.listener = listener;
        this.aeronDir = new File(AeronRuntime.defaultDirectory(
            "client", (int)ProcessHandle.current().pid(), (int)(clientId & 0xFFFF)));
        this.runtime = AeronRuntime.embedded(aeronDir.getPath(), config.mtuBytes(), config.socketBufferBytes());
        try
        {
            final String bindEndpoint = bindEndpoint(config, bind);
            this.subscription = runtime.aeron().addSubscription(
                AeronRuntime.subscriptionChannel(bindEndpoint, config.socketBufferBytes()), AeronRuntime.STREAM_ID);
            this.replyEndpoint = resolve(bindEndpoint);
            final int[] ids = config.memberIds();
            this.memberIds = ids;
            int maxId = 0;
            for (final int id : ids)
            {
                maxId = Math.max(maxId, id);
            }
            this.publications = new ExclusivePublication[maxId + 1];
            this.connected = new boolean[maxId + 1];
            this.nextConnectNs = new long[maxId + 1];
            for (final int id : ids)
            {
                publications[id] = runtime.aeron().addExclusivePublication(AeronRuntime.publicationChannel(
                    config.member(id).endpoint(), config.mtuBytes(), config.termLengthBytes(),
                    config.socketBufferBytes()), AeronRuntime.STREAM_ID);
            }
            this.frame = new UnsafeBuffer(new byte[Math.max(config.mtuBytes(), config.maxEntryBytes() + 4096)]);
            this.assembler = new FragmentAssembler(this::onFragment);
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** ADDR[:PORT], or by default the local address that reaches the first node, on a free port. */
    static String bindEndpoint(final ClusterConfig config, final String bind)
    {
        if (bind != null && !bind.isBlank())
        {
            return bind.contains(":") ? bind : bind + ":0";
        }
        final ClusterConfig.Member first = config.member(config.memberIds()[0]);
        try (DatagramSocket probe = new DatagramSocket())
        {
            probe.connect(new InetSocketAddress(first.host(), first.port()));
            final InetAddress local = probe.getLocalAddress();
            return (local == null || local.isAnyLocalAddress() ? "127.0.0.1" : local.getHostAddress()) + ":0";
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot find a local address that reaches " + first.endpoint(), ex);
        }
    }

    private String resolve(final String bindEndpoint)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String resolved = subscription.resolvedEndpoint();
        while (resolved == null && System.nanoTime() < deadlineNs)
        {
            runtime.invoke();
            resolved = subscription.resolvedEndpoint();
        }
        if (resolved == null)
        {
            throw new RaftlineClientException("cannot bind a reply endpoint on " + bindEndpoint);
        }
        return resolved;
    }

    public long clientId()
    {
        return clientId;
    }

    public long clusterHash()
    {
        return clusterHash;
    }

    public ClusterConfig config()
    {
        return config;
    }

    public String replyEndpoint()
    {
        return replyEndpoint;
    }

    /** A frame buffer for the caller to encode into before {@link #send}. */
    public UnsafeBuffer frame()
    {
        return frame;
    }

    public long nextCorrelationId()
    {
        return ++correlationIds;
    }

    /** Whether the node has answered our CONNECT, so that it will answer our requests. */
    public boolean isConnected(final int nodeId)
    {
        return connected[nodeId];
    }

    /** Sends {@code length} bytes of {@link #frame()} to a node; false on back-pressure or when it is away. */
    public boolean send(final int nodeId, final int length)
    {
        final boolean sent = Offers.offer(publications[nodeId], frame, 0, length) > 0;
        if (sent)
        {
            runtime.invoke(); // the embedded driver sends only when invoked: do it now, not after an idle
        }
        return sent;
    }

    public int maxFramePayload(final int nodeId)
    {
        return publications[nodeId].maxPayloadLength();
    }

    /** Drives the driver, keeps connections alive and delivers what arrived. */
    public int poll(final long nowNs, final int fragmentLimit)
    {
        int work = runtime.invoke();
        for (final int id : memberIds)
        {
            if (nowNs >= nextConnectNs[id])
            {
                nextConnectNs[id] = nowNs + (connected[id] ? KEEPALIVE_NS : CONNECT_RETRY_NS);
                publications[id].offer(frame, 0, ConnectFrame.encode(frame, 0, clusterHash, clientId, 0,
                    replyEndpoint));
            }
        }
        work += subscription.poll(assembler, fragmentLimit);
        return work;
    }

    /** Forgets that a node knew us (it may have restarted), so CONNECT is repeated until it answers again. */
    public void reconnect(final int nodeId)
    {
        connected[nodeId] = false;
        nextConnectNs[nodeId] = 0;
    }

    private void onFragment(
        final DirectBuffer buffer, final int offset, final int length, final io.aeron.logbuffer.Header header)
    {
        if (FrameHeader.validate(buffer, offset, length, clusterHash) != FrameHeader.VALID)
        {
            return;
        }
        final int type = FrameHeader.type(buffer, offset);
        final int nodeId = FrameHeader.senderId(buffer, offset);
        if (!ClientMessageType.isClientType(type) || nodeId < 1 || nodeId >= connected.length ||
            publications[nodeId] == null)
        {
            return;
        }
        if (type == ClientMessageType.CONNECTED)
        {
            connected[nodeId] = true;
        }
        listener.onFrame(nodeId, type, buffer, offset, length);
    }

    @Override
    public void close()
    {
        if (publications != null && frame != null)
        {
            for (int id = 1; id < publications.length; id++)
            {
                if (publications[id] != null)
                {
                    publications[id].offer(frame, 0, DisconnectFrame.encode(frame, 0, clusterHash, clientId));
                }
            }
        }
        CloseHelper.quietCloseAll(subscription);
        if (publications != null)
        {
            CloseHelper.quietCloseAll(publications);
        }
        CloseHelper.quietClose(runtime);
        IoUtil.delete(aeronDir, true);
    }
}
