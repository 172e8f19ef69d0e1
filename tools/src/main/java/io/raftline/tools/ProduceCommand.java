package io.raftline.tools;

import io.raftline.io.config.ClusterConfig;
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
import java.util.concurrent.TimeUnit;

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
        long count = -1;

        @Option(names = "--duration", paramLabel = "SECONDS", description = "Append for this long.")
        double durationSeconds = -1;
    }

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
        description = "Entries per second, open loop; 0 (default) for as fast as the window allows.")
    private long rate;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "100",
        description = "Payload size; the NAME-SEQ text is padded to it (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--producer", paramLabel = "NAME", defaultValue = "p1",
        description = "The producer's name, 1 to 64 bytes (default: ${DEFAULT-VALUE}).")
    private String name;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1024",
        description = "Entries in flight at most (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--history", paramLabel = "FILE", description = "Writes every invocation and outcome here.")
    private Path historyFile;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where replies are received.")
    private String bind;

    @Override
    public Integer call() throws IOException
    {
        if (amount.count == 0 || amount.count < -1 || (amount.durationSeconds != -1 && amount.durationSeconds <= 0))
        {
            throw new UsageFailure("--count and --duration must be positive");
        }
        if (rate < 0 || size < 0 || size > 4 * 1024 * 1024 || window < 1 || window > 65_536)
        {
            throw new UsageFailure("out of range: --rate >= 0, 0 <= --size <= 4 MiB, 1 <= --window <= 65536");
        }
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
        final long endNs = amount.durationSeconds > 0 ?
            startNs + (long)(amount.durationSeconds * TimeUnit.SECONDS.toNanos(1)) : Long.MAX_VALUE;
        try (BufferedWriter history = historyFile == null ? null :
            Files.newBufferedWriter(historyFile, StandardCharsets.UTF_8))
        {
            final ProduceRun run = new ProduceRun(name, size, rate, history);
            run.run(config, bind, window,
                offered -> amount.count > 0 ? offered < amount.count : System.nanoTime() < endNs,
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
            final boolean complete = run.failed() == 0 && run.unknown() == 0 &&
                (amount.count < 0 || run.acknowledged() == amount.count);
            return complete ? 0 : 1;
        }
    }
}
