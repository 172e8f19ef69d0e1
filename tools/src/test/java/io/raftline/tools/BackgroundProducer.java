package io.raftline.tools;


import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A {@link ProduceRun} at a fixed rate on a thread of its own, writing its history, until stopped. */
final class BackgroundProducer implements AutoCloseable
{
    private static final Pattern OK = Pattern.compile("\"type\":\"ok\".*\"seq\":(\\d+),\"index\":(\\d+)");

    private final String name;
    private final Path historyFile;
    private final BufferedWriter history;
    private final ProduceRun run;
    private final AtomicBoolean producing = new AtomicBoolean(true);
    private final AtomicLong acknowledged = new AtomicLong();
    private final Thread thread;
    private volatile RuntimeException failure;

    BackgroundProducer(final Path clusterFile, final String name, final long rate, final Path historyFile)
        throws IOException
    {
        this.name = name;
        this.historyFile = historyFile;
        this.history = Files.newBufferedWriter(historyFile);
        this.run = new ProduceRun(name, 100, rate, history);
        this.thread = new Thread(() ->
        {
            try
            {
                run.run(clusterFile, null, 256, offered ->
                {
                    acknowledged.set(run.acknowledged());
                    return producing.get();
                }, () -> { });
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }, "producer-" + name);
        thread.start();
    }

    String name()
    {
        return name;
    }

    /** Waits until {@code count} more entries are acknowledged than now. */
    void awaitMore(final long count, final long timeoutSeconds) throws InterruptedException
    {
        final long target = acknowledged.get() + count;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (acknowledged.get() < target)
        {
            if (System.nanoTime() > deadlineNs || !thread.isAlive())
            {
                throw new AssertionError("the producer stalled at " + acknowledged.get() + " acknowledged" +
                    (failure != null ? ": " + failure.getMessage() : ""));
            }
            Thread.sleep(10);
        }
    }

    /** Stops offering, waits for every outcome and returns the run's summary; fails if the producer failed. */
    ProduceRun stop() throws InterruptedException, IOException
    {
        producing.set(false);
        thread.join(TimeUnit.SECONDS.toMillis(60));
        history.close();
        if (failure != null)
        {
            throw failure;
        }
        return run;
    }

    /** Acknowledged, the longest time without one, and the latency p99 (after {@link #stop}). */
    String summary()
    {
        return String.format("%d acknowledged, longest time without an acknowledgement %.1f ms, p99 %.2f ms",
            run.acknowledged(), run.longestGapNs() / 1e6, run.latency().getValueAtPercentile(99) / 1e6);
    }

    /** Sequence to index of every acknowledgement in the history. */
    Map<Long, Long> acknowledgedIndexes() throws IOException
    {
        final Map<Long, Long> indexes = new HashMap<>();
        for (final String line : Files.readAllLines(historyFile))
        {
            final Matcher ok = OK.matcher(line);
            if (ok.find())
            {
                assertEquals(null, indexes.put(Long.parseLong(ok.group(1)), Long.parseLong(ok.group(2))),
                    "acknowledged twice: " + line);
            }
        }
        return indexes;
    }

    @Override
    public void close() throws InterruptedException, IOException
    {
        if (thread.isAlive())
        {
            stop();
        }
    }
}
