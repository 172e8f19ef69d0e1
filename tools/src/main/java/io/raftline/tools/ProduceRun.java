package io.raftline.tools;

import io.raftline.client.Producer;
import io.raftline.client.RaftlineClient;
import io.raftline.client.ProducerListener;
import io.raftline.client.RaftlineClientException;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;

/**
 * Drives one producer: entries whose payload starts with {@code NAME-SEQ}, padded to a size, either as fast as the
 * window allows (closed loop) or at a fixed rate (open loop, latency counted from each entry's intended send time,
 * so a stall is charged to the entries it delayed). Records latencies and, when asked, the history of every
 * invocation and outcome.
 */
final class ProduceRun implements ProducerListener
{
    static final long OPEN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final int size;
    private final long rate;
    private final BufferedWriter history;
    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final UnsafeBuffer payload;
    private final byte[] prefix;
    private long[] sendTimeNs;
    private long acknowledged;
    private long failed;
    private long unknown;
    private long lastIndex;
    private String lastError;
    private boolean recording = true;
    private long acknowledgedAtStart;
    private long timeoutNs = OPEN_TIMEOUT_NS;
    private Path credentials;
    private long lastAcknowledgedNs;
    private long longestGapNs;
    private long lastOffered;               // the sequences offered and settled (outcomes come in order)
    private long settledUpTo;
    private volatile boolean stopRequested;
    private volatile boolean producing;     // the session is open: a stop is worth waiting for
    private boolean stoppedEarly;

    ProduceRun(final String name, final int size, final long rate, final BufferedWriter history)
    {
        this.name = name;
        this.size = size;
        this.rate = rate;
        this.history = history;
        this.prefix = (name + "-").getBytes(StandardCharsets.US_ASCII);
        this.payload = new UnsafeBuffer(new byte[Math.max(size, prefix.length + 20)]);
        for (int i = 0; i < payload.capacity(); i++)
        {
            payload.putByte(i, (byte)'.');
        }
        payload.putBytes(0, prefix);
    }

    /**
     * Appends until {@code more} says stop (it is given the number offered so far), then waits for every
     * outcome. {@code progress} is called about once a second.
     */
    void run(
        final Path clusterFile, final String bind, final int window, final LongPredicate more,
        final Runnable progress)
    {
        sendTimeNs = new long[1 << 20];
        // the client library as any application uses it
        try (RaftlineClient client = RaftlineClient.connect(Clients.context(clusterFile, bind, credentials)
            .openTimeout(Duration.ofNanos(timeoutNs)).ackTimeout(Duration.ofNanos(timeoutNs)));
            Producer producer = client.producer(name, window, this))
        {
            producing = true;
            final IdleStrategy idle = new BackoffIdleStrategy(0, 8, 1_000, 100_000); // as the nodes: no spinning on 2 cores
            final long startNs = System.nanoTime();
            lastAcknowledgedNs = startNs;
            long nextProgressNs = startNs + TimeUnit.SECONDS.toNanos(1);
            long offered = 0;
            while (!producer.isClosed() && more.test(offered) && !stopRequested)
            {
                final long nowNs = System.nanoTime();
                int work = 0;
                // offer everything that is due (up to the window) before polling, so that it leaves in few frames
                while (more.test(offered))
                {
                    final long intendedNs = rate > 0 ? startNs + (long)(offered * (1e9 / rate)) : nowNs;
                    if (nowNs < intendedNs)
                    {
                        break;
                    }
                    final int length = encode(offered + 1);
                    final long invokeNs = System.nanoTime();
                    final long sequence = producer.offer(payload, 0, length);
                    if (sequence <= 0)
                    {
                        break;
                    }
                    if (history != null)
                    {
                        event("{\"type\":\"invoke\",\"producer\":\"" + name + "\",\"seq\":" + sequence +
                            ",\"time_ns\":" + invokeNs + "}");
                    }
                    sendTimeNs[(int)(sequence & (sendTimeNs.length - 1))] = intendedNs;
                    lastOffered = sequence;
                    offered++;
                    work++;
                }
                work += producer.poll();
                if (nowNs >= nextProgressNs)
                {
                    nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                    progress.run();
                }
                idle.idle(work);
            }
            long stopDeadlineNs = Long.MAX_VALUE;
            while (!producer.isClosed() && producer.inFlight() > 0 && System.nanoTime() < stopDeadlineNs)
            {
                if (stopRequested && stopDeadlineNs == Long.MAX_VALUE)
                {
                    stopDeadlineNs = System.nanoTime() + STOP_GRACE_NS; // outcomes that are on their way
                }
                idle.idle(producer.poll());
                if (System.nanoTime() >= nextProgressNs)
                {
                    nextProgressNs += TimeUnit.SECONDS.toNanos(1);
                    progress.run();
                }
            }
            stoppedEarly = stopRequested;
            for (long sequence = settledUpTo + 1; stoppedEarly && sequence <= lastOffered; sequence++)
            {
                onFailed(sequence, true, new Failure(RaftlineClientException.Reason.CLOSED,
                    "interrupted before its outcome was known"));
            }
        }
    }

    /**
     * Asks the run, from another thread (a signal's shutdown hook), to stop offering, wait a moment for the outcomes
     * on their way, and report the rest as unknown.
     */
    void stop()
    {
        stopRequested = true;
    }

    /** Whether the session is open and entries may be in flight. */
    boolean isProducing()
    {
        return producing;
    }

    /** Whether {@link #stop} cut the run short. */
    boolean stoppedEarly()
    {
        return stoppedEarly;
    }

    /**
     * "name-sequence" padded with dots to the size. The dots were written once: sequences only grow, so each text
     * covers the digits of the one before.
     */
    private int encode(final long sequence)
    {
        return Math.max(size, prefix.length + payload.putLongAscii(prefix.length, sequence));
    }

    @Override
    public void onCommitted(final long sequence, final long index, final long term)
    {
        final long nowNs = System.nanoTime();
        settledUpTo = Math.max(settledUpTo, sequence);
        acknowledged++;
        lastIndex = index;
        longestGapNs = Math.max(longestGapNs, nowNs - lastAcknowledgedNs);
        lastAcknowledgedNs = nowNs;
        if (recording)
        {
            latency.recordValue(Math.max(0, nowNs - sendTimeNs[(int)(sequence & (sendTimeNs.length - 1))]));
        }
        if (history != null)
        {
            event("{\"type\":\"ok\",\"producer\":\"" + name + "\",\"seq\":" + sequence + ",\"index\":" + index +
                ",\"term\":" + term + ",\"time_ns\":" + nowNs + "}");
        }
    }

    @Override
    public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
    {
        settledUpTo = Math.max(settledUpTo, sequence);
        if (maybeCommitted)
        {
            unknown++;
        }
        else
        {
            failed++;
        }
        lastError = reason.message();
        if (history != null)
        {
            event("{\"type\":\"" + (maybeCommitted ? "info" : "fail") + "\",\"producer\":\"" + name +
                "\",\"seq\":" + sequence + ",\"time_ns\":" + System.nanoTime() + ",\"error\":\"" +
                Json.escape(reason.message()) + "\"}");
        }
    }

    private void event(final String line)
    {
        try
        {
            history.write(line);
            history.newLine();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the history file: " + ex.getMessage(), ex);
        }
    }

    /**
     * How long to wait for a leader to open the session, and for an entry's outcome before it is reported unknown
     * (default 30 s).
     */
    void timeout(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
    }

    /** The credential the run's client proves (default: the cluster file's). */
    void credentials(final Path credentials)
    {
        this.credentials = credentials;
    }

    /** Stops or resumes recording latencies (for a warm-up); resuming starts a new measurement. */
    void recording(final boolean recording)
    {
        this.recording = recording;
        if (recording)
        {
            latency.reset();
            acknowledgedAtStart = acknowledged;
        }
    }

    /** Acknowledged since recording last resumed. */
    long acknowledgedRecorded()
    {
        return acknowledged - acknowledgedAtStart;
    }

    Histogram latency()
    {
        return latency;
    }

    long acknowledged()
    {
        return acknowledged;
    }

    long failed()
    {
        return failed;
    }

    long unknown()
    {
        return unknown;
    }

    /** The longest time without an acknowledgement while the run lasted (from its start to its last one). */
    long longestGapNs()
    {
        return longestGapNs;
    }

    long lastIndex()
    {
        return lastIndex;
    }

    String lastError()
    {
        return lastError;
    }

    void printSummary(final PrintWriter out, final long elapsedNs)
    {
        final double seconds = elapsedNs / 1e9;
        if (stoppedEarly)
        {
            out.println("interrupted: stopped offering; appends without an outcome within a second are unknown");
        }
        out.printf("acknowledged %d, failed %d, unknown %d in %.1f s: %.0f entries/s%n",
            acknowledged, failed, unknown, seconds, acknowledged / Math.max(seconds, 1e-9));
        if (latency.getTotalCount() > 0)
        {
            printLatency(out, "latency", latency);
            out.printf("longest time without an acknowledgement: %s%n", human(longestGapNs));
        }
        if (lastError != null)
        {
            out.println("last error: " + lastError);
        }
        out.flush();
    }

    /** A histogram's percentiles in human units. */
    static void printLatency(final PrintWriter out, final String what, final Histogram histogram)
    {
        out.printf("%s: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s%n", what,
            human(histogram.getValueAtPercentile(50)), human(histogram.getValueAtPercentile(90)),
            human(histogram.getValueAtPercentile(99)), human(histogram.getValueAtPercentile(99.9)),
            human(histogram.getMaxValue()));
    }

    /** A duration in the unit that reads best: us below a millisecond, ms below a second, else s. */
    static String human(final long nanos)
    {
        if (nanos < 1_000_000)
        {
            return nanos / 1000 + " us";
        }
        return nanos < 1_000_000_000 ? String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6) :
            String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
    }
}
