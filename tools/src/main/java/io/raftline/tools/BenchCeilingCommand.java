package io.raftline.tools;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.FragmentHandler;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.AeronRuntime;
import io.raftline.io.transport.LoopbackPorts;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.HdrHistogram.Histogram;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftline bench ceiling}: what the parts alone do on this machine with the same payload, so that a
 * Raftline figure can be read as a fraction of it. (a) Raw Aeron UDP from one publisher (this process) to two
 * subscribers in their own processes, the leader's replication fan-out: messages per second each received.
 * (b) Raw Aeron UDP ping-pong with a process of its own: round trip percentiles. (c) Raw Chronicle Queue appends
 * in this process to a temporary folder on the local disk (page cache). Aeron runs as in a Raftline node: an
 * embedded driver per process in INVOKER mode driven from the process's one thread, with the MTU, buffers, term
 * length and back-off idle strategy of a default cluster file. The last line printed is one JSON object.
 */
@Command(name = "ceiling", mixinStandardHelpOptions = true,
    description = "Measures what the parts alone do here: raw Aeron fan-out and round trip, raw Chronicle appends.")
final class BenchCeilingCommand implements Callable<Integer>
{
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long RESULT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long PEER_STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    /** Messages offered to one publication before the driver is invoked again. */
    private static final int OFFER_BURST = 64;
    private static final int MAX_PAYLOAD_BYTES = 1024 * 1024;
    /** Bytes of a message the test uses: a marker and a sequence number. */
    private static final int MIN_PAYLOAD_BYTES = 16;

    /** The Aeron settings of a Raftline node with a default cluster file. */
    record AeronSettings(int mtuBytes, int socketBufferBytes, int termLengthBytes, int idleSpins, int idleYields,
        int idleMaxParkUs)
    {
        static AeronSettings defaults()
        {
            final Properties properties = new Properties();
            properties.setProperty(ClusterConfig.CLUSTER_ID, "ceiling");
            properties.setProperty("node.1", "127.0.0.1:1");
            final ClusterConfig config = ClusterConfig.parse(properties, Path.of("."));
            return new AeronSettings(config.mtuBytes(), config.socketBufferBytes(), config.termLengthBytes(),
                config.idleSpins(), config.idleYields(), config.idleMaxParkUs());
        }

        IdleStrategy idleStrategy()
        {
            // as RaftlineNode's default: spin, yield, then park from 1 us doubling up to the maximum
            return new BackoffIdleStrategy(idleSpins, idleYields, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(idleMaxParkUs));
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "MTU %d, socket buffers and window %d KiB, term %d MiB, " +
                "back-off idle %d spins/%d yields/park 1..%d us", mtuBytes, socketBufferBytes / 1024,
                termLengthBytes / (1024 * 1024), idleSpins, idleYields, idleMaxParkUs);
        }
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--payload", paramLabel = "B", defaultValue = "100",
        description = "Payload bytes (16 to 1 MiB; default: ${DEFAULT-VALUE}).")
    private int payload;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "5",
        description = "Measured seconds of each part (default: ${DEFAULT-VALUE}).")
    private double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
        description = "Warm-up seconds before each part (default: ${DEFAULT-VALUE}).")
    private double warmupSeconds;

    @Override
    public Integer call() throws Exception
    {
        Flags.within("--payload", payload, MIN_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES);
        Flags.above("--duration", durationSeconds, 0, 3600);
        Flags.within("--warmup", warmupSeconds, 0, 3600);
        final PrintWriter out = spec.commandLine().getOut();
        final AeronSettings settings = AeronSettings.defaults();
        final long warmupNs = (long)(warmupSeconds * 1e9);
        final long measureNs = (long)(durationSeconds * 1e9);
        final Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "raftline-ceiling-");
        final Resources resources = new Resources(dir);
        // on SIGINT/SIGTERM: stop the peers and remove the folders, but leave Aeron to the exiting JVM (closing it
        // under the thread that drives it could crash that thread before the folders are gone)
        final Thread cleanup = new Thread(() -> resources.close(false), "raftline-ceiling-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            out.printf(Locale.ROOT, "ceiling of the parts, %d-byte payload: %s; %.0f s warm-up, %.0f s measured " +
                "per part%n", payload, settings, warmupSeconds, durationSeconds);
            out.flush();
            final int basePort = LoopbackPorts.freeBase(4);
            final long timeoutSeconds = (long)(3 * (warmupSeconds + durationSeconds)) + 60;
            final String selfEndpoint = "127.0.0.1:" + (basePort + 2);
            final AeronRuntime runtime = resources.add(AeronRuntime.embedded(
                AeronRuntime.defaultDirectory("ceiling-" + ProcessHandle.current().pid(), 0, basePort + 2),
                settings.mtuBytes(), settings.socketBufferBytes()));

            final double[] fanout = fanout(runtime, resources, settings, basePort, warmupNs, measureNs, timeoutSeconds);
            out.printf(Locale.ROOT, "aeron fan-out, 1 publisher -> 2 subscriber processes: %,.0f and %,.0f msgs/s " +
                "received (%.1f MiB/s each)%n", fanout[0], fanout[1], Math.min(fanout[0], fanout[1]) * payload /
                (1024 * 1024));
            out.flush();

            final Histogram rtt = roundTrip(runtime, resources, settings, selfEndpoint, "127.0.0.1:" + (basePort + 3),
                warmupNs, measureNs, timeoutSeconds);
            out.printf(Locale.ROOT, "aeron round trip, ping-pong between 2 processes: %,d round trips; us p50 %.1f, " +
                "p99 %.1f, p99.9 %.1f, max %.1f%n", rtt.getTotalCount(), us(rtt, 50), us(rtt, 99), us(rtt, 99.9),
                rtt.getMaxValue() / 1000.0);
            out.flush();

            final double appends = chronicleAppends(dir.resolve("queue"), payload, warmupNs, measureNs);
            out.printf(Locale.ROOT, "chronicle appends, one thread, page cache in %s: %,.0f appends/s (%.1f MiB/s)%n",
                dir, appends, appends * payload / (1024 * 1024));
            final Ceiling ceiling = new Ceiling(payload, Math.min(fanout[0], fanout[1]), us(rtt, 50), us(rtt, 99),
                us(rtt, 99.9), appends);
            out.println(ceiling.json());
            out.flush();
            return 0;
        }
        finally
        {
            resources.close(true);
            try
            {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            catch (final IllegalStateException ignore)
            {
                // already shutting down: the hook runs anyway
            }
        }
    }

    /**
     * One publication per subscriber process (as a leader has one per follower), the same messages offered to
     * each. Returns the measured messages per second each subscriber received.
     */
    private double[] fanout(
        final AeronRuntime runtime, final Resources resources, final AeronSettings settings, final int basePort,
        final long warmupNs, final long measureNs, final long timeoutSeconds)
    {
        final Peer[] subscribers = new Peer[2];
        final ExclusivePublication[] publications = new ExclusivePublication[2];
        for (int i = 0; i < 2; i++)
        {
            final String endpoint = "127.0.0.1:" + (basePort + i);
            subscribers[i] = resources.start("subscriber-" + (i + 1), "subscribe", endpoint, "-", settings,
                timeoutSeconds);
            publications[i] = resources.add(runtime.aeron().addExclusivePublication(AeronRuntime.publicationChannel(
                endpoint, settings.mtuBytes(), settings.termLengthBytes(), settings.socketBufferBytes()),
                BenchCeilingPeer.STREAM_ID));
        }
        final IdleStrategy idle = settings.idleStrategy();
        awaitConnected(runtime, idle, publications, null, subscribers);
        final UnsafeBuffer message = message(payload);
        final BufferClaim claim = new BufferClaim();
        final boolean[] ended = new boolean[2];
        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmupNs;
        final long endNs = measureStartNs + measureNs;
        while (!ended[0] || !ended[1])
        {
            final long nowNs = System.nanoTime();
            final byte marker = nowNs >= endNs ? BenchCeilingPeer.END :
                nowNs >= measureStartNs ? BenchCeilingPeer.MEASURED : BenchCeilingPeer.WARMUP;
            message.putByte(0, marker);
            int work = 0;
            for (int i = 0; i < 2; i++)
            {
                for (int n = 0; !ended[i] && n < OFFER_BURST && send(publications[i], message, claim); n++)
                {
                    ended[i] = marker == BenchCeilingPeer.END;
                    work++;
                }
            }
            if (nowNs - endNs > RESULT_TIMEOUT_NS)
            {
                throw new CommandFailure("aeron fan-out: could not send the end marker within 30 s");
            }
            work += runtime.invoke();
            idle.idle(work);
        }
        CloseHelper.closeAll(publications);
        final double[] perSecond = new double[2];
        for (int i = 0; i < 2; i++)
        {
            final String[] result = subscribers[i].result(runtime, idle).split(" ");
            final long count = Long.parseLong(result[1]);
            final long elapsedNs = Long.parseLong(result[2]);
            perSecond[i] = count / Math.max(elapsedNs / 1e9, 1e-9);
        }
        return perSecond;
    }

    /** Ping-pong, one message in flight: the round trip of each measured ping into a histogram (ns). */
    private Histogram roundTrip(
        final AeronRuntime runtime, final Resources resources, final AeronSettings settings,
        final String selfEndpoint, final String peerEndpoint, final long warmupNs, final long measureNs,
        final long timeoutSeconds)
    {
        final Subscription pongs = resources.add(runtime.aeron().addSubscription(
            AeronRuntime.subscriptionChannel(selfEndpoint, settings.socketBufferBytes()),
            BenchCeilingPeer.STREAM_ID));
        final Peer pong = resources.start("pong", "pong", peerEndpoint, selfEndpoint, settings, timeoutSeconds);
        final ExclusivePublication pings = resources.add(runtime.aeron().addExclusivePublication(
            AeronRuntime.publicationChannel(peerEndpoint, settings.mtuBytes(), settings.termLengthBytes(),
            settings.socketBufferBytes()), BenchCeilingPeer.STREAM_ID));
        final IdleStrategy idle = settings.idleStrategy();
        awaitConnected(runtime, idle, new ExclusivePublication[]{ pings }, pongs, new Peer[]{ pong });
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final UnsafeBuffer message = message(payload);
        final BufferClaim claim = new BufferClaim();
        final long[] received = { 0 };
        final FragmentHandler handler = new FragmentAssembler((buffer, offset, length, header) ->
            received[0] = buffer.getLong(offset + 1));
        final long startNs = System.nanoTime();
        final long measureStartNs = startNs + warmupNs;
        final long endNs = measureStartNs + measureNs;
        long sequence = 0;
        long nowNs = startNs;
        while (nowNs < endNs)
        {
            sequence++;
            message.putByte(0, nowNs >= measureStartNs ? BenchCeilingPeer.MEASURED : BenchCeilingPeer.WARMUP);
            message.putLong(1, sequence);
            final long sendNs = System.nanoTime();
            while (!send(pings, message, claim))
            {
                idle.idle(runtime.invoke());
                failIfLate(sendNs, "aeron round trip: the ping publication stayed back-pressured");
            }
            idle.reset();
            while (received[0] != sequence)
            {
                final int work = runtime.invoke() + pongs.poll(handler, BenchCeilingPeer.FRAGMENT_LIMIT);
                if (work == 0)
                {
                    failIfLate(sendNs, "aeron round trip: no pong within 5 s");
                }
                idle.idle(work);
            }
            nowNs = System.nanoTime();
            if (sendNs >= measureStartNs)
            {
                histogram.recordValue(nowNs - sendNs);
            }
        }
        message.putByte(0, BenchCeilingPeer.END);
        final long endSendNs = System.nanoTime();
        while (!send(pings, message, claim))
        {
            idle.idle(runtime.invoke());
            failIfLate(endSendNs, "aeron round trip: could not send the end marker");
        }
        pong.result(runtime, idle);
        return histogram;
    }

    /** Appends of the payload to a raw queue in this thread, as ChronicleLog copies a direct buffer. */
    private static double chronicleAppends(final Path dir, final int payload, final long warmupNs, final long measureNs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            BitUtil.align(payload, 64), 64));
        for (int i = 0; i < payload; i++)
        {
            buffer.putByte(i, (byte)('a' + i % 26));
        }
        // check the clock every so many appends: about 64 KiB of them, at least one
        final int batch = Math.max(1, Math.min(1024, 64 * 1024 / payload));
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY)
            .build(); ExcerptAppender appender = queue.createAppender())
        {
            final long startNs = System.nanoTime();
            final long measureStartNs = startNs + warmupNs;
            final long endNs = measureStartNs + measureNs;
            long appended = 0;
            long appendedAtStart = -1;
            long startedNs = 0;
            long nowNs = startNs;
            while (nowNs < endNs || appendedAtStart < 0)
            {
                for (int i = 0; i < batch; i++)
                {
                    try (DocumentContext context = appender.writingDocument())
                    {
                        context.wire().bytes().unsafeWrite(buffer.addressOffset(), payload);
                    }
                }
                appended += batch;
                nowNs = System.nanoTime();
                if (appendedAtStart < 0 && nowNs >= measureStartNs)
                {
                    appendedAtStart = appended;
                    startedNs = nowNs;
                }
            }
            return (appended - appendedAtStart) / Math.max((nowNs - startedNs) / 1e9, 1e-9);
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /** A message of the payload's size: marker byte, sequence, then filler. */
    private static UnsafeBuffer message(final int payload)
    {
        final UnsafeBuffer message = new UnsafeBuffer(BufferUtil.allocateDirectAligned(BitUtil.align(payload, 64), 64));
        message.setMemory(0, payload, (byte)'.');
        return message;
    }

    /** Zero-copy when the message fits a frame (as PeerPublisher does), else a fragmenting offer. */
    private boolean send(final ExclusivePublication publication, final UnsafeBuffer message, final BufferClaim claim)
    {
        final long result;
        if (payload <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(payload, claim);
            if (result > 0)
            {
                claim.buffer().putBytes(claim.offset(), message, 0, payload);
                claim.commit();
            }
        }
        else
        {
            result = publication.offer(message, 0, payload);
        }
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED ||
            result == Publication.NOT_CONNECTED)
        {
            throw new CommandFailure("aeron: the publication to " + publication.channel() + " is " +
                (result == Publication.NOT_CONNECTED ? "no longer connected (did a peer process stop?)" : "closed"));
        }
        return result > 0;
    }

    private static void failIfLate(final long sinceNs, final String message)
    {
        if (System.nanoTime() - sinceNs > REPLY_TIMEOUT_NS)
        {
            throw new CommandFailure(message);
        }
    }

    /** Drives this process's driver until every publication (and the subscription, if any) is connected. */
    private static void awaitConnected(
        final AeronRuntime runtime, final IdleStrategy idle, final ExclusivePublication[] publications,
        final Subscription subscription, final Peer[] peers)
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (true)
        {
            boolean connected = subscription == null || subscription.isConnected();
            for (final ExclusivePublication publication : publications)
            {
                connected &= publication.isConnected();
            }
            if (connected)
            {
                return;
            }
            for (final Peer peer : peers)
            {
                peer.failIfExited();
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new CommandFailure("aeron: the peer processes did not connect within 20 s");
            }
            idle.idle(runtime.invoke());
        }
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** A peer process: its output lines are collected by a daemon thread; the RESULT line is its answer. */
    private static final class Peer
    {
        private final String name;
        private final Process process;
        private final String aeronDir;
        private final ArrayDeque<String> lines = new ArrayDeque<>();
        private String result;

        Peer(final String name, final Process process, final String aeronDir)
        {
            this.name = name;
            this.process = process;
            this.aeronDir = aeronDir;
            final Thread reader = new Thread(this::readOutput, "raftline-ceiling-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        private void readOutput()
        {
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = reader.readLine()) != null)
                {
                    synchronized (this)
                    {
                        if (line.startsWith("RESULT "))
                        {
                            result = line;
                        }
                        lines.addLast(line);
                        if (lines.size() > 20)
                        {
                            lines.removeFirst();
                        }
                    }
                }
            }
            catch (final IOException ignore)
            {
                // the process is gone; what it said is in lines
            }
        }

        /** Waits for the RESULT line, driving this process's Aeron meanwhile (the peer may still need it). */
        String result(final AeronRuntime runtime, final IdleStrategy idle)
        {
            final long deadlineNs = System.nanoTime() + RESULT_TIMEOUT_NS;
            while (true)
            {
                synchronized (this)
                {
                    if (result != null)
                    {
                        return result;
                    }
                }
                if (!process.isAlive() && process.onExit().isDone())
                {
                    try
                    {
                        Thread.sleep(50); // let the reader take the last lines
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new CommandFailure("interrupted");
                    }
                    synchronized (this)
                    {
                        if (result != null)
                        {
                            return result;
                        }
                    }
                    failIfExited();
                }
                if (System.nanoTime() > deadlineNs)
                {
                    throw new CommandFailure("the " + name + " process gave no result within 30 s: " + lastLines());
                }
                idle.idle(runtime.invoke());
            }
        }

        void failIfExited()
        {
            if (!process.isAlive())
            {
                throw new CommandFailure("the " + name + " process stopped (exit " + process.exitValue() + "): " +
                    lastLines());
            }
        }

        private synchronized String lastLines()
        {
            return lines.isEmpty() ? "no output" : String.join(" | ", lines);
        }

        void stop()
        {
            if (process.isAlive())
            {
                NodeProcesses.stop(process.toHandle(), PEER_STOP_GRACE_NS);
            }
            IoUtil.delete(new File(aeronDir), true); // a killed driver leaves its directory behind
        }
    }

    /** Everything a run starts or creates, closed in reverse order once (at the end or from the shutdown hook). */
    private static final class Resources
    {
        private final Path dir;
        private final List<Peer> peers = new ArrayList<>();
        private final List<AutoCloseable> closeables = new ArrayList<>();
        private final List<String> aeronDirs = new ArrayList<>();
        private boolean closed;

        Resources(final Path dir)
        {
            this.dir = dir;
        }

        synchronized <T extends AutoCloseable> T add(final T closeable)
        {
            if (closed)
            {
                CloseHelper.quietClose(closeable);
                throw new CommandFailure("interrupted");
            }
            closeables.add(closeable);
            if (closeable instanceof AeronRuntime runtime)
            {
                aeronDirs.add(runtime.directory());
            }
            return closeable;
        }

        /** Starts a peer process with this JVM, its flags and class path. */
        synchronized Peer start(
            final String name, final String role, final String listen, final String reply,
            final AeronSettings settings, final long timeoutSeconds)
        {
            if (closed)
            {
                throw new CommandFailure("interrupted");
            }
            final long pid = ProcessHandle.current().pid();
            final int port = Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
            final String aeronDir = AeronRuntime.defaultDirectory("ceiling-" + pid, peers.size() + 1, port);
            final List<String> command = NodeProcesses.javaCommand(List.of(), BenchCeilingPeer.class);
            command.addAll(List.of(role, aeronDir, listen, reply, Integer.toString(settings.mtuBytes()),
                Integer.toString(settings.socketBufferBytes()), Integer.toString(settings.termLengthBytes()),
                Integer.toString(settings.idleSpins()), Integer.toString(settings.idleYields()),
                Integer.toString(settings.idleMaxParkUs()), Long.toString(pid), Long.toString(timeoutSeconds)));
            try
            {
                final Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
                final Peer peer = new Peer(name, process, aeronDir);
                peers.add(peer);
                return peer;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot start the " + name + " process: " + ex.getMessage(), ex);
            }
        }

        /** Stops the peers, closes what this process opened (when asked) and removes every folder. */
        synchronized void close(final boolean closeAeron)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            for (final Peer peer : peers)
            {
                peer.process.destroy();
            }
            for (final Peer peer : peers)
            {
                peer.stop();
            }
            for (int i = closeables.size() - 1; i >= 0 && closeAeron; i--)
            {
                CloseHelper.quietClose(closeables.get(i));
            }
            for (final String aeronDir : aeronDirs)
            {
                IoUtil.delete(new File(aeronDir), true);
            }
            IoUtil.delete(dir.toFile(), true);
        }
    }
}
