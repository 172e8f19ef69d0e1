package io.raftline.client;

import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.config.ConfigException;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The entry point of the client library: one connection to the cluster (one reply subscription, one publication per
 * node, on an embedded media driver or an external one) shared by every {@link Producer}, {@link Consumer} and
 * {@link AdminClient} it makes, configured by a {@link Context}.
 *
 * <pre>{@code
 * try (RaftlineClient client = RaftlineClient.connect(new RaftlineClient.Context()
 *         .clusterId("orders").endpoint(1, "10.0.0.1:9001").endpoint(2, "10.0.0.2:9001").endpoint(3, "10.0.0.3:9001"));
 *      Producer producer = client.producer("checkout", 256, listener))
 * {
 *     producer.offer(buffer, 0, length);
 *     producer.poll();
 * }
 * }</pre>
 *
 * <p>By default single-threaded: the client and what it makes are used from one thread (the embedded driver runs
 * in that thread's polls). Since they share the connection, a poll of any of them moves them all: a consumer's
 * handler may be called while another consumer or a producer polls, always on that thread. With {@link Context#clientThread()} the client runs a thread of its own instead and makes
 * {@link AsyncProducer}s, which any thread may use. Closing the client closes what it made.
 */
public final class RaftlineClient implements AutoCloseable
{
    private final Context context;
    private final ClusterConfig config;
    private final AeronRuntime runtime;
    private final ClientDriver embedded;        // null with an external driver
    private final ClientTransport transport;
    private final List<AutoCloseable> made = new ArrayList<>();
    private final List<Producer> producers = new ArrayList<>();
    private final List<Consumer> consumers = new ArrayList<>();
    private final ClientThread clientThread;    // null unless the context asks for one
    private boolean closed;

    /** The client's settings: fluent setters, checked by {@link RaftlineClient#connect}. */
    public static final class Context
    {
        private Path clusterFile;
        private String clusterId;
        private final Map<Integer, String> endpoints = new TreeMap<>();
        private final Properties settings = new Properties();
        private String bind;
        private Duration openTimeout = Duration.ofSeconds(10);
        private Duration ackTimeout = Duration.ofSeconds(10);
        private String aeronDirectory;
        private boolean clientThread;
        private IdleStrategy idleStrategy;
        private Path credentials;

        /** Reads the cluster id, the nodes and the transport settings from the servers' cluster file. */
        public Context clusterFile(final Path file)
        {
            this.clusterFile = file;
            return this;
        }

        /** The cluster's id (its {@code cluster.id}); frames of other clusters are ignored. */
        public Context clusterId(final String clusterId)
        {
            this.clusterId = clusterId;
            return this;
        }

        /** Node {@code nodeId} listens at {@code hostAndPort}; name at least one, the client learns the others. */
        public Context endpoint(final int nodeId, final String hostAndPort)
        {
            endpoints.put(nodeId, hostAndPort);
            return this;
        }

        /**
         * A cluster-file setting that concerns clients ({@code aeron.mtu.bytes}, {@code aeron.term.length.bytes},
         * {@code aeron.socket.buffer.bytes}, {@code client.entry.max.bytes}), when not reading a cluster file.
         */
        public Context setting(final String key, final String value)
        {
            settings.setProperty(key, value);
            return this;
        }

        /**
         * The credential file this client proves (and signs its frames with) to a cluster that authenticates
         * clients; by default the cluster file's {@code client.credentials.file}, if it names one.
         */
        public Context credentials(final Path file)
        {
            this.credentials = file;
            return this;
        }

        /** The local address (ADDR or ADDR:PORT) replies come to; by default the one that reaches the first node. */
        public Context bind(final String bind)
        {
            this.bind = bind;
            return this;
        }

        /** How long opening a producer waits for a leader to open its session. Default 10 s. */
        public Context openTimeout(final Duration timeout)
        {
            this.openTimeout = timeout;
            return this;
        }

        /** How long an entry may go unacknowledged before the producer gives up on it (and stops). Default 10 s. */
        public Context ackTimeout(final Duration timeout)
        {
            this.ackTimeout = timeout;
            return this;
        }

        /** Use the media driver already running in this Aeron directory instead of an embedded one. */
        public Context aeronDirectory(final String directory)
        {
            this.aeronDirectory = directory;
            return this;
        }

        /**
         * Run a thread of the client's own that does all its I/O, so that any thread may append through
         * {@link RaftlineClient#asyncProducer} (futures and blocking calls); the duty-cycle producers and consumers
         * are then not available.
         */
        public Context clientThread()
        {
            this.clientThread = true;
            return this;
        }

        /**
         * How the client waits while nothing happens: in its blocking calls (append, flush, poll(Duration), admin
         * requests, opening a producer) and, with {@link #clientThread()}, on its own thread. By default it spins
         * briefly, then parks up to 100 us (up to 1 ms on its own thread): a client shares its cores with the
         * application. {@code BusySpinIdleStrategy} buys the shortest round trips with a core.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        public Duration openTimeout()
        {
            return openTimeout;
        }

        public Duration ackTimeout()
        {
            return ackTimeout;
        }

        /** Checks every setting; throws {@link IllegalArgumentException} naming the first that cannot be used. */
        ClusterConfig conclude()
        {
            require(openTimeout != null && !openTimeout.isNegative() && !openTimeout.isZero(),
                "openTimeout must be positive: " + openTimeout);
            require(ackTimeout != null && !ackTimeout.isNegative() && !ackTimeout.isZero(),
                "ackTimeout must be positive: " + ackTimeout);
            try
            {
                if (clusterFile != null)
                {
                    require(clusterId == null && endpoints.isEmpty() && settings.isEmpty(),
                        "give a cluster file or a cluster id with endpoints, not both");
                    return ClusterConfig.load(clusterFile);
                }
                require(clusterId != null && !clusterId.isBlank(), "clusterId is required (or a clusterFile)");
                require(!endpoints.isEmpty(), "at least one endpoint is required (or a clusterFile)");
                final Properties properties = new Properties();
                properties.putAll(settings);
                properties.setProperty(ClusterConfig.CLUSTER_ID, clusterId);
                endpoints.forEach((id, endpoint) -> properties.setProperty("node." + id, endpoint));
                // the folder resolves servers' data directories, which a client never uses
                return ClusterConfig.parse(properties, Path.of(System.getProperty("java.io.tmpdir")));
            }
            catch (final ConfigException ex)
            {
                throw new IllegalArgumentException(ex.getMessage(), ex);
            }
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }

    private RaftlineClient(final Context context, final ClusterConfig config)
    {
        this.context = context;
        this.config = config;
        if (context.aeronDirectory != null)
        {
            this.embedded = null;
            try
            {
                this.runtime = AeronRuntime.external(context.aeronDirectory);
            }
            catch (final RuntimeException ex)
            {
                throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST,
                    "no Aeron media driver answers in " + context.aeronDirectory + ": " + ex.getMessage());
            }
        }
        else
        {
            try
            {
                this.embedded = new ClientDriver(config, ThreadLocalRandom.current().nextLong());
            }
            catch (final NoClassDefFoundError ex)
            {
                throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST,
                    "an embedded media driver needs io.aeron:aeron-driver on the class path " +
                    "(or name an external driver's directory: Context.aeronDirectory)");
            }
            this.runtime = embedded.runtime();
        }
        try
        {
            this.transport = new ClientTransport(config, context.bind, runtime, credential(context, config));
            if (context.idleStrategy != null)
            {
                transport.idleStrategy(context.idleStrategy);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(embedded != null ? embedded : runtime);
            throw ex;
        }
        this.clientThread = context.clientThread ? new ClientThread(runtime, context.idleStrategy) : null;
    }

    private static io.raftline.protocol.security.ClientCredential credential(
        final Context context, final ClusterConfig config)
    {
        if (context.credentials == null)
        {
            return ClientTransport.credentialOf(config);
        }
        try
        {
            return io.raftline.protocol.security.ClientCredential.load(context.credentials);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RaftlineClientException(RaftlineClientException.Reason.INVALID_REQUEST, ex.getMessage());
        }
    }

    /**
     * Starts the client's Aeron runtime: an embedded media driver, or a connection to the external one the context
     * names. Nothing is sent until a producer or consumer is made.
     *
     * @throws IllegalArgumentException when a setting cannot be used
     */
    public static RaftlineClient connect(final Context context)
    {
        return new RaftlineClient(context, context.conclude());
    }

    /**
     * Opens a producer session named {@code name} with up to {@code window} entries in flight (1 to 4,096),
     * waiting up to the context's open timeout for a leader.
     *
     * @throws RaftlineClientException.ClusterUnavailableException when no leader opens the session in time
     */
    public Producer producer(final String name, final int window, final ProducerListener listener)
    {
        checkOpen();
        checkNoClientThread();
        return producer(name, 0, window, listener);
    }

    /**
     * Carries on session {@code sessionId} (named {@code name}, as {@link Producer#sessionId()} gave it before a
     * restart), with a window no larger than it was opened with. The producer's {@link Producer#nextSequence()}
     * then says which of what was sent is committed; offering the rest again, in order, commits each entry once.
     *
     * @throws RaftlineClientException.SessionExpiredException when the leader no longer knows the session (it
     *                                                         expired after {@code session.timeout.ms}, or was closed)
     * @throws RaftlineClientException.ClusterUnavailableException when no leader answers in time
     */
    public Producer resumeProducer(final String name, final long sessionId, final int window,
        final ProducerListener listener)
    {
        if (sessionId < 1)
        {
            throw new IllegalArgumentException("session id " + sessionId + ": a session's id is 1 or above");
        }
        return producer(name, sessionId, window, listener);
    }

    private Producer producer(final String name, final long resumeSessionId, final int window,
        final ProducerListener listener)
    {
        checkOpen();
        checkNoClientThread();
        forgetClosed();
        final Producer producer = Producer.open(transport, false, name, resumeSessionId, window, listener,
            context.openTimeout.toNanos(), context.ackTimeout.toNanos(), type -> true);
        made.add(producer);
        producers.add(producer);
        return producer;
    }

    /**
     * A consumer of the committed log from {@code fromIndex} ({@link Consumer#FIRST}, an index, or
     * {@link Consumer#NOW}), through node {@code nodeId} first and another if it goes away.
     */
    public Consumer consumer(final int nodeId, final long fromIndex, final EntryHandler handler)
    {
        checkOpen();
        checkNoClientThread();
        forgetClosed();
        final Consumer consumer = Consumer.open(transport, false, nodeId, fromIndex, false,
            Consumer.DEFAULT_WINDOW, handler, type -> true);
        made.add(consumer);
        consumers.add(consumer);
        return consumer;
    }

    /** As {@link #consumer(int, long, EntryHandler)}, through the first node named first. */
    public Consumer consumer(final long fromIndex, final EntryHandler handler)
    {
        return consumer(config.memberIds()[0], fromIndex, handler);
    }

    /**
     * Opens a producer session for use from any thread (see {@link AsyncProducer}); needs
     * {@link Context#clientThread()}. Waits up to the open timeout for a leader.
     *
     * @throws RaftlineClientException.ClusterUnavailableException when no leader opens the session in time
     */
    public AsyncProducer asyncProducer(final String name, final int window)
    {
        checkOpen();
        if (clientThread == null)
        {
            throw new IllegalStateException("asyncProducer needs a client thread: Context.clientThread()");
        }
        final java.util.concurrent.CompletableFuture<AsyncProducer> opened = new java.util.concurrent.CompletableFuture<>();
        clientThread.submit(() ->
        {
            try
            {
                final AsyncProducer.Outcomes outcomes = new AsyncProducer.Outcomes();
                final AsyncProducer producer = new AsyncProducer(Producer.open(transport, false, name, 0,
                    window, outcomes, context.openTimeout.toNanos(), context.ackTimeout.toNanos(), type -> true));
                outcomes.owner(producer);
                clientThread.add(producer);
                opened.complete(producer);
            }
            catch (final RuntimeException ex)
            {
                opened.completeExceptionally(ex);
            }
        });
        final AsyncProducer producer = AsyncProducer.await(opened, context.openTimeout.plusSeconds(5));
        made.add(producer);
        return producer;
    }

    /**
     * Polls every producer and consumer this client made and has not closed: each sends, asks for credit and times
     * out only in its own poll, so a duty cycle polls all of them, or this. Allocation-free; returns the work done.
     *
     * @throws RaftlineClientException as a consumer's {@link Consumer#poll()} does, or from a handler
     */
    public int poll()
    {
        int work = 0;
        for (int i = 0; i < producers.size(); i++)
        {
            final Producer producer = producers.get(i);
            if (!producer.isClosed())
            {
                work += producer.poll();
            }
        }
        for (int i = 0; i < consumers.size(); i++)
        {
            final Consumer consumer = consumers.get(i);
            if (!consumer.isClosed())
            {
                work += consumer.poll();
            }
        }
        return work;
    }

    /**
     * Membership, leadership transfer and snapshots, on this client's connection (blocking calls; not with
     * {@link Context#clientThread()}).
     */
    public AdminClient admin()
    {
        checkOpen();
        checkNoClientThread();
        forgetClosed();
        final AdminClient admin = new AdminClient(transport, false);
        made.add(admin);
        return admin;
    }

    /** Closes every producer (ending its session), consumer and admin client this client made, then its connection. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietCloseAll(made);
        CloseHelper.quietClose(clientThread);
        CloseHelper.quietClose(transport);
        CloseHelper.quietClose(embedded != null ? embedded : runtime);
    }

    /** The connection its producers and consumers share (for tests in this package). */
    ClientTransport transport()
    {
        return transport;
    }

    /** What was closed need not be closed again, nor polled: a long-lived client does not grow with its past. */
    private void forgetClosed()
    {
        producers.removeIf(Producer::isClosed);
        consumers.removeIf(Consumer::isClosed);
        made.removeIf(made -> made instanceof Producer producer ? producer.isClosed() :
            made instanceof Consumer consumer ? consumer.isClosed() :
            made instanceof AdminClient admin && admin.isClosed());
    }

    private void checkNoClientThread()
    {
        if (clientThread != null)
        {
            throw new IllegalStateException("this client runs its own thread: use asyncProducer");
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new RaftlineClientException.ClosedException("client closed");
        }
    }
}
