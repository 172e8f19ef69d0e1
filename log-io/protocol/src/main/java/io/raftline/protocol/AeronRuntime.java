package io.raftline.protocol;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.nio.TransportPoller;

import java.io.File;
import java.util.function.LongSupplier;

/**
 * The node's Aeron client and, by default, its own embedded media driver. Both run on the caller's thread
 * (driver in {@link ThreadingMode#INVOKER} mode, client with a conductor invoker): a node is one thread, which
 * is what a 2-core machine shared by several nodes can afford. {@link #invoke()} is their duty cycle.
 */
public final class AeronRuntime implements AutoCloseable
{
    /** The one stream every node and client listens on. */
    public static final int STREAM_ID = 1001;

    private final MediaDriver driver;
    private final AgentInvoker driverInvoker;
    private final Aeron aeron;
    private final AgentInvoker clientInvoker;
    private DriverSockets sockets;

    private AeronRuntime(final MediaDriver driver, final Aeron aeron)
    {
        this.driver = driver;
        this.driverInvoker = driver != null ? driver.sharedAgentInvoker() : null;
        this.aeron = aeron;
        this.clientInvoker = aeron.conductorAgentInvoker();
    }

    /** The channel of a UDP publication to {@code endpoint} with a node's MTU, term length and send buffer. */
    public static String publicationChannel(
        final String endpoint, final int mtuBytes, final int termLengthBytes, final int socketBufferBytes)
    {
        return new ChannelUriStringBuilder()
            .media("udp")
            .endpoint(endpoint)
            .mtu(mtuBytes)
            .termLength(termLengthBytes)
            .socketSndbufLength(socketBufferBytes)
            .build();
    }

    /** The channel of a UDP subscription on {@code endpoint} with a node's receive buffer and window. */
    public static String subscriptionChannel(final String endpoint, final int socketBufferBytes)
    {
        return new ChannelUriStringBuilder()
            .media("udp")
            .endpoint(endpoint)
            .socketRcvbufLength(socketBufferBytes)
            .receiverWindowLength(socketBufferBytes)
            .build();
    }

    /** Starts an embedded driver in {@code aeronDir} (which this process owns: cleaned on start and on close). */
    public static AeronRuntime embedded(final String aeronDir, final int mtuBytes, final int socketBufferBytes)
    {
        return embedded(aeronDir, mtuBytes, socketBufferBytes, true);
    }

    /**
     * As above; without {@code asyncExecutor} the driver's slow tasks (resolving host names) run in the invoking
     * thread and it starts no thread at all, as a client library must (a thread of its own that is not a daemon
     * would keep an application's JVM alive).
     */
    public static AeronRuntime embedded(
        final String aeronDir, final int mtuBytes, final int socketBufferBytes, final boolean asyncExecutor)
    {
        // the driver's pollers read each socket in turn up to this many sockets, else make one select for all; a
        // node polls its inbound socket and one per publication on every duty cycle, so selecting cuts an idle
        // cycle's system calls (four to two in a 3-node cluster with one client). Read once, when the driver's
        // first poller is made; a -D setting wins.
        if (System.getProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME) == null)
        {
            System.setProperty(TransportPoller.ITERATION_THRESHOLD_PROP_NAME, "0");
        }
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.INVOKER)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .mtuLength(mtuBytes)
            .ipcMtuLength(mtuBytes)
            .socketSndbufLength(socketBufferBytes)
            .socketRcvbufLength(socketBufferBytes)
            .initialWindowLength(socketBufferBytes)
            .warnIfDirectoryExists(false)
            .spiesSimulateConnection(true)
            .asyncExecutorEnabled(asyncExecutor);
        final MediaDriver driver = MediaDriver.launch(driverContext);
        try
        {
            final Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(driver.aeronDirectoryName())
                .useConductorAgentInvoker(true)
                .driverAgentInvoker(driver.sharedAgentInvoker()));
            return new AeronRuntime(driver, aeron);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /** Connects to a media driver that runs apart, in {@code aeronDir}. */
    public static AeronRuntime external(final String aeronDir)
    {
        final Aeron aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(aeronDir)
            .useConductorAgentInvoker(true));
        return new AeronRuntime(null, aeron);
    }

    /** The default directory of a node's embedded driver: in shared memory when the host has it. */
    public static String defaultDirectory(final String clusterId, final int nodeId, final int port)
    {
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return new File(base, "raftline-" + clusterId.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + nodeId + "-" + port)
            .getPath();
    }

    public Aeron aeron()
    {
        return aeron;
    }

    public String directory()
    {
        return aeron.context().aeronDirectoryName();
    }

    /** One duty cycle of the driver (when embedded) and of the client conductor; returns the work done. */
    public int invoke()
    {
        int work = driverInvoker != null ? driverInvoker.invoke() : 0;
        work += clientInvoker.invoke();
        return work;
    }

    /**
     * For the thread that invokes this runtime: {@code backoff}, and once {@code quietNs} (how long the thread has had
     * nothing to do of its own) reaches {@code waitAfterNs}, a wait in the kernel until a datagram reaches one of the
     * embedded driver's sockets (see {@link SocketWaitIdleStrategy}). Without an embedded driver, {@code backoff}.
     */
    public IdleStrategy socketWaitAfter(final IdleStrategy backoff, final long waitAfterNs, final LongSupplier quietNs)
    {
        return driver == null ? backoff : new SocketWaitIdleStrategy(backoff, driverSockets(), waitAfterNs, quietNs);
    }

    /** The embedded driver's sockets, to wait on from the thread that invokes this runtime. */
    DriverSockets driverSockets()
    {
        if (sockets == null)
        {
            sockets = new DriverSockets(driver.context());
        }
        return sockets;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(sockets, aeron, driver);
    }
}
