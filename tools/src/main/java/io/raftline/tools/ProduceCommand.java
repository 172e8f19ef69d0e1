package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.OpenSessionFrame;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** {@code raftline produce}: appends entries through one producer session and reports what was acknowledged. */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Appends entries whose payload starts with NAME-SEQ, each acknowledged once committed.")
final class ProduceCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file.")
    private Path clusterFile;

    @ArgGroup(multiplicity = "1")
    private Amount amount;

    static final class Amount
    {
        @Option(names = "--count", paramLabel = "N", description = "Append N entries.")
        Long count;

        @Option(names = "--duration", paramLabel = "SECONDS", description = "Append for this long.")
        Double durationSeconds;
    }

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
        description = "Entries per second, open loop; 0 (default) for as fast as the window allows.")
    private long rate;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Payload size, 1 B to 4 MiB: the NAME-SEQ text is padded to it, or is the whole payload " +
            "when longer (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--producer", paramLabel = "NAME", defaultValue = "p1",
        description = "The producer's name, 1 to 64 bytes (default: ${DEFAULT-VALUE}).")
    private String name;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1024",
        description = "Entries in flight at most, 1 to 4,096 (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
        description = "How long to wait for a leader, and for each entry's outcome (default: ${DEFAULT-VALUE}).")
    private double timeoutSeconds;

    @Option(names = "--history", paramLabel = "FILE", description = "Writes every invocation and outcome here.")
    private Path historyFile;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where replies are received.")
    private String bind;

    @Option(names = "--credentials", paramLabel = "FILE",
        description = "The credential to prove (default: the cluster file's client.credentials.file).")
    private Path credentials;

    @Override
    public Integer call() throws IOException
    {
        if (amount.count != null)
        {
            Flags.within("--count", amount.count, 1, Long.MAX_VALUE);
        }
        else
        {
            Flags.above("--duration", amount.durationSeconds, 0, 365 * 86_400);
        }
        Flags.within("--rate", rate, 0, 100_000_000);
        Flags.within("--size", size, 1, 4 * 1024 * 1024);
        Flags.within("--window", window, 1, OpenSessionFrame.MAX_WINDOW);
        Flags.above("--timeout", timeoutSeconds, 0, 86_400);
        final int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes < 1 || nameBytes > 64 || !name.matches("[\\x21-\\x7e]+"))
        {
            throw new UsageFailure("--producer must be 1 to 64 printable ASCII characters without spaces");
        }
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean terminal = System.console() != null;
        final long startNs = System.nanoTime();
        final long endNs = amount.durationSeconds != null ?
            startNs + (long)(amount.durationSeconds * TimeUnit.SECONDS.toNanos(1)) : Long.MAX_VALUE;
        // Ctrl-C or SIGTERM: stop offering, settle what is in flight, print the summary, close the history whole
        final AtomicReference<ProduceRun> running = new AtomicReference<>();
        final CountDownLatch finished = new CountDownLatch(1);
        final Thread onSignal = new Thread(() ->
        {
            final ProduceRun run = running.get();
            if (run == null || !run.isProducing())
            {
                return; // still waiting for a leader: nothing is in flight, nothing to say
            }
            run.stop();
            try
            {
                finished.await(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "produce-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try
        {
            return produce(config, out, err, terminal, startNs, endNs, running);
        }
        finally
        {
            finished.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running: it was waiting for this
            }
        }
    }

    private int produce(
        final ClusterConfig config, final PrintWriter out, final PrintWriter err, final boolean terminal,
        final long startNs, final long endNs, final AtomicReference<ProduceRun> running) throws IOException
    {
        try (BufferedWriter history = historyFile == null ? null : openHistory(historyFile))
        {
            final ProduceRun run = new ProduceRun(name, size, rate, history);
            running.set(run);
            run.timeout((long)(timeoutSeconds * 1e9));
            run.credentials(credentials);
            if (terminal)
            {
                err.println("waiting for a leader of " + clusterFile + " (nodes " +
                    java.util.Arrays.toString(config.memberIds()) + ") to open session " + name + "...");
                err.flush();
            }
            run.run(clusterFile, bind, window,
                offered -> amount.count != null ? offered < amount.count : System.nanoTime() < endNs,
                () ->
                {
                    if (terminal)
                    {
                        err.printf("%.0f s: %d acknowledged, %d failed%n",
                            (System.nanoTime() - startNs) / 1e9, run.acknowledged(), run.failed() + run.unknown());
                        err.flush();
                    }
                });
            run.printSummary(out, System.nanoTime() - startNs);
            final boolean complete = !run.stoppedEarly() && run.failed() == 0 && run.unknown() == 0 &&
                (amount.count == null || run.acknowledged() == amount.count);
            return complete ? 0 : 1;
        }
    }

    private static BufferedWriter openHistory(final Path file)
    {
        try
        {
            return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot write the history file " + file + ": " + Raftline.describe(ex));
        }
    }
}
