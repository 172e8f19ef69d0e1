package io.raftline.client;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.Offers;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.client.ConnectedFrame;
import io.raftline.protocol.client.DisconnectFrame;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.FrameAuthenticator;
import io.raftline.protocol.FrameHeader;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.LangUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A client's one connection to the cluster, shared by every producer, consumer and admin request it makes: an Aeron
 * runtime (its own embedded driver, or the one a {@link RaftlineClient} holds), one subscription on its reply
 * endpoint, and one publication per node it knows: first those of the cluster file, then every member a node names
 * in its CONNECTED answers (so a client keeps working when every node it was given has been replaced). It keeps
 * itself known to every node by repeating CONNECT until answered, then once in a while as a keep-alive that names
 * each producer session it holds. What arrives goes to every listener; each takes what is addressed to it (a
 * session, a correlation id, a stream), and the ids it hands out never collide: correlation ids start above any log
 * index, which is what session ids are. Single-threaded: the owner calls {@link #poll} from one thread.
 */
public final class ClientTransport implements AutoCloseable
{
    private static final long CONNECT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long KEEPALIVE_NS = TimeUnit.SECONDS.toNanos(2);
    /** Correlation ids start here: above any log index, so that a REJECT's id names a request or a session. */
    private static final long FIRST_CORRELATION_ID = 1L << 62;

    /** A node this client talks to. */
    private static final class Node
    {
        final int id;
        final String endpoint;
        final ExclusivePublication publication;
        boolean connected;
        long nextConnectNs;

        Node(final int id, final String endpoint, final ExclusivePublication publication)
        {
            this.id = id;
            this.endpoint = endpoint;
            this.publication = publication;
        }
    }

    private final ClusterConfig config;
    private final ClientCredential credential;     // null: frames go unsigned
    private final FrameAuthenticator signer;
    private final int trailerLength;
    private final long clusterHash;
    private final long clientId;
    private final AeronRuntime runtime;
    private final Subscription subscription;
    private final Int2ObjectHashMap<Node> nodes = new Int2ObjectHashMap<>();
    private int[] nodeIds = new int[0];
    private final String replyEndpoint;
    private final UnsafeBuffer frame;
    private final FragmentAssembler assembler;
    private final ConnectedFrame connected = new ConnectedFrame();
    private Listener[] listeners = new Listener[0];
    private long[] sessionIds = new long[0];
    private final ClientDriver ownDriver;   // null when the runtime is shared
    private long correlationIds = FIRST_CORRELATION_ID;
    private int streams;
    private int consumers;
    private boolean polling;
    // spins briefly, then parks up to 100 us: a client shares its cores with the application (and, here, the nodes)
    private IdleStrategy idleStrategy = new BackoffIdleStrategy(64, 16, 1_000, 100_000);
    private Throwable listenerFailure;   // thrown by a listener during a poll: the poll throws it when done
    private boolean closed;

    /** What arrives from nodes: valid client-protocol frames. */
    public interface Listener
    {
        void onFrame(int nodeId, int type, DirectBuffer buffer, int offset, int length);
    }

    /** A connection on an embedded driver of its own, with one listener. */
    /** A connection on an embedded driver of its own, with one listener, under the cluster file's credential. */
    public ClientTransport(final ClusterConfig config, final String bind, final Listener listener)
    {
        this(config, bind, null, credentialOf(config));
        addListener(listener);
    }

    /** A connection on an embedded driver of its own, closed with it, under the cluster file's credential. */
    static ClientTransport withOwnDriver(final ClusterConfig config, final String bind)
    {
        return new ClientTransport(config, bind, null, credentialOf(config));
    }

    /** The credential the cluster file names ({@code client.credentials.file}), or null. */
    static ClientCredential credentialOf(final ClusterConfig config)
    {
        if (config.clientCredentialsFile() == null)
        {
            return null;
        }
        try
        {
            return ClientCredential.load(config.clientCredentialsFile());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, ex.getMessage());
        }
    }

    /**
     * A connection on {@code shared} (not closed with this transport), or on its own embedded driver if null, whose
     * frames are signed under {@code credential} (null: unsigned, for a cluster that does not authenticate).
     */
    ClientTransport(final ClusterConfig config, final String bind, final AeronRuntime shared,
        final ClientCredential credential)
    {
        this.config = config;
        this.credential = credential;
        this.signer = credential == null ? null : credential.authenticator();
        this.trailerLength = credential == null ? 0 : FrameAuthenticator.TRAILER_LENGTH;
        this.clusterHash = FrameHeader.clusterHash(config.clusterId());
        this.clientId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        this.ownDriver = shared == null ? new ClientDriver(config, clientId) : null;
        this.runtime = shared == null ? ownDriver.runtime() : shared;
        try
        {
            final String bindEndpoint = bindEndpoint(config, bind);
            this.subscription = runtime.aeron().addSubscription(
                AeronRuntime.subscriptionChannel(bindEndpoint, config.socketBufferBytes()), AeronRuntime.STREAM_ID);
            this.replyEndpoint = resolve(bindEndpoint);
            for (final int id : config.memberIds())
            {
                addNode(id, config.member(id).endpoint());
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
            final String endpoint = bind.contains(":") ? bind : bind + ":0";
            checkBindable(endpoint);
            return endpoint;
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

    /** A reply endpoint given by hand must be an address of this machine, and a free port. */
    private static void checkBindable(final String endpoint)
    {
        final int colon = endpoint.lastIndexOf(':');
        final String host = endpoint.substring(0, colon);
        final int port;
        try
        {
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, "--bind " + endpoint + ": the port is not a number");
        }
        if (port < 0 || port > 65535 || host.isEmpty())
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, "--bind " + endpoint + ": expected ADDR[:PORT]");
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), port)))
        {
            socket.getLocalPort();
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, "--bind " + endpoint + ": unknown host " + host);
        }
        catch (final IOException ex)
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, "--bind " + endpoint + ": cannot receive there (" + ex.getMessage() +
                "): not an address of this machine, or the port is taken");
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
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, "cannot bind a reply endpoint on " + bindEndpoint);
        }
        return resolved;
    }

    /**
     * What to check when no node answers: a cluster that does not accept a client's credential (another cluster's,
     * or one made under a key it no longer holds) says nothing to it, which looks like a cluster that is down.
     */
    public String unansweredHint()
    {
        final boolean heard = Arrays.stream(nodeIds).anyMatch(this::isConnected);
        return heard ? "" : credential == null ? " (is the cluster running? it may require a credential)" :
            " (is the cluster running, and does it accept credential '" + credential.name() + "'?)";
    }

    /** The name of the credential this client proves, or "none". */
    public String credentialName()
    {
        return credential == null ? "none" : credential.name();
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

    /** From now on frames that arrive go to {@code listener} too. */
    void addListener(final Listener listener)
    {
        final Listener[] grown = Arrays.copyOf(listeners, listeners.length + 1);
        grown[listeners.length] = listener;
        listeners = grown;
    }

    void removeListener(final Listener listener)
    {
        listeners = Arrays.stream(listeners).filter(l -> l != listener).toArray(Listener[]::new);
    }

    /** A producer session of this client, named in its keep-alives so that any leader knows it is alive. */
    void addSession(final long sessionId)
    {
        final long[] grown = Arrays.copyOf(sessionIds, sessionIds.length + 1);
        grown[sessionIds.length] = sessionId;
        sessionIds = grown;
        for (final int id : nodeIds)
        {
            nodes.get(id).nextConnectNs = 0; // named at once, should a new leader not know whose it is
        }
    }

    void removeSession(final long sessionId)
    {
        sessionIds = Arrays.stream(sessionIds).filter(id -> id != sessionId).toArray();
    }

    /** How the blocking calls of this connection's users wait while nothing happens. */
    void idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
    }

    /**
     * One step of a blocking call's wait: idles by the strategy when {@code work} is 0.
     *
     * @throws RaftlineClientException when the waiting thread is interrupted
     */
    void idle(final int work)
    {
        if (polling)
        {
            throw new IllegalStateException("a blocking call from inside a handler or listener cannot be served: " +
                "nothing more is delivered until the handler returns (offer, and poll after it returns)");
        }
        idleStrategy.idle(work);
        if (work == 0 && Thread.currentThread().isInterrupted())
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INTERRUPTED, "interrupted");
        }
    }

    public long nextCorrelationId()
    {
        return ++correlationIds;
    }

    /** A number for a consumer's new stream, unique in this client, echoed in the stream's frames. */
    int nextStream()
    {
        return ++streams;
    }

    /** A number for a new consumer of this client: a node keeps one stream per consumer. */
    int nextConsumer()
    {
        return ++consumers;
    }

    /** The ids of the nodes this client knows, sorted; a new array only when a node is added. */
    public int[] nodeIds()
    {
        return nodeIds;
    }

    /** Whether the node has answered our CONNECT, so that it will answer our requests. */
    public boolean isConnected(final int nodeId)
    {
        final Node node = nodes.get(nodeId);
        return node != null && node.connected;
    }

    /** Sends {@code length} bytes of {@link #frame()} to a node; false on back-pressure or when it is away. */
    public boolean send(final int nodeId, final int length)
    {
        final Node node = nodes.get(nodeId);
        final boolean sent = node != null && Offers.offer(node.publication, frame, 0, signed(length)) > 0;
        if (sent)
        {
            runtime.invoke(); // the embedded driver sends only when invoked: do it now, not after an idle
        }
        return sent;
    }

    public int maxFramePayload(final int nodeId)
    {
        final Node node = nodes.get(nodeId);
        return (node == null ? frame.capacity() : node.publication.maxPayloadLength()) - trailerLength;
    }

    /**
     * Drives the driver, keeps connections alive and delivers what arrived to every listener. A listener that polls
     * from inside a delivery gets nothing more delivered (an image is not read twice at once).
     */
    public int poll(final long nowNs, final int fragmentLimit)
    {
        if (polling)
        {
            return 0;
        }
        int work = runtime.invoke();
        for (final int id : nodeIds)
        {
            final Node node = nodes.get(id);
            if (nowNs >= node.nextConnectNs)
            {
                node.nextConnectNs = nowNs + (node.connected ? KEEPALIVE_NS : CONNECT_RETRY_NS);
                sendConnect(node);
            }
        }
        polling = true;
        try
        {
            work += subscription.poll(assembler, fragmentLimit);
        }
        finally
        {
            polling = false;
        }
        final Throwable failure = listenerFailure;
        if (failure != null)
        {
            // Aeron hands a handler's exception to its error handler and goes on: the caller must hear of it
            listenerFailure = null;
            LangUtil.rethrowUnchecked(failure);
        }
        return work;
    }

    /** One CONNECT per session this client holds (or one naming none): each is a keep-alive for its session. */
    private void sendConnect(final Node node)
    {
        final long[] sessions = sessionIds;
        for (int i = 0; i < Math.max(1, sessions.length); i++)
        {
            node.publication.offer(frame, 0, signed(ConnectFrame.encode(frame, 0, clusterHash, clientId, 0,
                sessions.length == 0 ? 0 : sessions[i], credential == null ? 0 : credential.rights(),
                credential == null ? 0 : credential.keyId(), credential == null ? "" : credential.name(),
                replyEndpoint)));
        }
    }

    /** Signs the frame of {@code length} bytes in {@link #frame()} if this client has a credential; the length to send. */
    private int signed(final int length)
    {
        return signer == null ? length : signer.sign(frame, 0, length);
    }

    /** Forgets that a node knew us (it may have restarted), so CONNECT is repeated until it answers again. */
    public void reconnect(final int nodeId)
    {
        final Node node = nodes.get(nodeId);
        if (node != null)
        {
            node.connected = false;
            node.nextConnectNs = 0;
        }
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
        final Node node = nodes.get(nodeId);
        if (!ClientMessageType.isClientType(type) || node == null)
        {
            return;
        }
        if (type == ClientMessageType.CONNECTED)
        {
            if (!connected.wrap(buffer, offset, length))
            {
                return;
            }
            node.connected = true;
            learnMembers(connected.configuration());
        }
        for (final Listener listener : listeners)
        {
            try
            {
                listener.onFrame(nodeId, type, buffer, offset, length);
            }
            catch (final Throwable ex)
            {
                if (listenerFailure == null)
                {
                    listenerFailure = ex;
                }
            }
        }
    }

    /** Members a node names that this client does not know yet become nodes it talks to. */
    private void learnMembers(final Configuration configuration)
    {
        for (final int id : configuration.members())
        {
            final String endpoint = configuration.endpoint(id);
            if (endpoint != null && !nodes.containsKey(id))
            {
                addNode(id, endpoint);
            }
        }
    }

    private void addNode(final int id, final String endpoint)
    {
        final ExclusivePublication publication = runtime.aeron().addExclusivePublication(
            AeronRuntime.publicationChannel(endpoint, config.mtuBytes(), config.termLengthBytes(),
                config.socketBufferBytes()), AeronRuntime.STREAM_ID);
        nodes.put(id, new Node(id, endpoint, publication));
        final int[] ids = Arrays.copyOf(nodeIds, nodeIds.length + 1);
        ids[nodeIds.length] = id;
        Arrays.sort(ids);
        nodeIds = ids;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (frame != null)
        {
            for (final Node node : nodes.values())
            {
                node.publication.offer(frame, 0, signed(DisconnectFrame.encode(frame, 0, clusterHash, clientId)));
            }
        }
        CloseHelper.quietClose(subscription);
        for (final Node node : nodes.values())
        {
            CloseHelper.quietClose(node.publication);
        }
        CloseHelper.quietClose(ownDriver);
    }
}
