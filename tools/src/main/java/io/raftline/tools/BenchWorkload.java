package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.transport.LoopbackPorts;
import io.raftline.protocol.client.OpenSessionFrame;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One run of the standard workload: three node processes on loopback with their logs on the local disk, this
 * process as the one client, warm-up then measurement, latency in an HdrHistogram. The last line printed is the
 * workload's JSON.
 */
abstract class BenchWorkload implements Callable<Integer>
{
    private final String test;

    @Spec
    private CommandSpec spec;

    @Option(names = "--payload", paramLabel = "B", defaultValue = "100", description = "Payload bytes.")
    private int payload;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000",
        description = "Entries per second for the latency test (default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--window", paramLabel = "W", defaultValue = "1024",
        description = "Entries pending acknowledgement at most, 1 to 4,096 (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "5", description = "Warm-up seconds.")
    private double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured seconds (10 throughput, 20 latency).")
    private Double durationSeconds;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the nodes keep their logs (a temporary folder).")
    private Path baseDir;

    @Option(names = "--histogram", paramLabel = "FILE",
        description = "Writes the percentile distribution here (us; the first line is a comment with the settings).")
    private Path histogramFile;

    @Option(names = "--plot", paramLabel = "FILE", description = "Writes an SVG latency plot here.")
    private Path plotFile;

    @Option(names = "--tuning", paramLabel = "KEY=VALUE", description = "Extra cluster file settings.")
    private List<String> tuning = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where the client receives replies.")
    private String bind;

    @Option(names = "--base-port", paramLabel = "P",
        description = "UDP port of node 1; node i uses P+i-1 (default: three free ports).")
    private Integer basePort;

    @Option(names = "--ceiling-json", paramLabel = "FILE",
        description = "The JSON line of 'bench ceiling': states the result as a fraction of what the parts can do.")
    private Path ceilingJson;

    BenchWorkload(final String test)
    {
        this.test = test;
    }

    @Override
    public Integer call() throws Exception
    {
        final boolean latencyTest = test.equals("latency");
        Flags.within("--payload", payload, 1, 1024 * 1024);
        Flags.within("--window", window, 1, OpenSessionFrame.MAX_WINDOW);
        Flags.within("--warmup", warmupSeconds, 0, 3600);
        if (durationSeconds != null)
        {
            Flags.above("--duration", durationSeconds, 0, 86_400);
        }
        Flags.within("--rate", rate, 1, 100_000_000);
        final double measuredSeconds = durationSeconds != null ? durationSeconds : latencyTest ? 20 : 10;
        // read before the nodes start, so that a bad file fails at once
        final Ceiling ceiling = ceilingJson != null ? Ceiling.read(ceilingJson) : null;
        final PrintWriter out = spec.commandLine().getOut();
        final Path dir = baseDir != null ? Files.createDirectories(baseDir).resolve("bench-" + ProcessHandle.current()
            .pid()) : Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "raftline-bench-");
        final List<String> lines = new ArrayList<>(tuning);
        if (lines.stream().noneMatch(line -> line.startsWith(ClusterConfig.DURABILITY + "=")))
        {
            lines.add(ClusterConfig.DURABILITY + "=page-cache");
        }
        final int base = basePort != null ? (int)Flags.within("--base-port", basePort, 1, 65533) :
            LoopbackPorts.freeBase(3);
        final Path clusterFile = NodeProcesses.writeClusterFile(dir, "bench", 3, base, lines);
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final Process[] nodes = new Process[4];
        final Thread cleanup = new Thread(() -> stopAndRemove(nodes, config, dir), "raftline-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes[id] = NodeProcesses.start(clusterFile, id, dir, true, List.of(GcPauses.logFlag(gcLog(dir, id))));
            }
            NodeProcesses.awaitLeader(config, TimeUnit.SECONDS.toNanos(30))
                .orElseThrow(() -> new CommandFailure("no leader elected within 30 s; see " + dir));
            out.printf("%s test, %d-byte payload%s, window %d, %s durability, %s idle; %.0f s warm-up, %.0f s measured%n",
                test, payload, latencyTest ? ", " + rate + "/s" : "", window, config.durability().text(),
                config.idleStrategy(), warmupSeconds, measuredSeconds);
            out.flush();
            final boolean clientGcLogged = GcPauses.logThisProcess(gcLog(dir, 0));
            final ProduceRun run = new ProduceRun("bench", payload, latencyTest ? rate : 0, null);
            run.recording(false);
            final long startNs = System.nanoTime();
            final long measureStartNs = startNs + (long)(warmupSeconds * 1e9);
            final long endNs = measureStartNs + (long)(measuredSeconds * 1e9);
            final boolean[] measuring = { false };
            final long[] measuredNs = { 0 };
            final long[] measuredMs = { 0, 0 }; // wall clock, to pick the GC pauses of the measured window
            run.run(clusterFile, bind, window, offered ->
            {
                final long nowNs = System.nanoTime();
                if (!measuring[0] && nowNs >= measureStartNs)
                {
                    measuring[0] = true;
                    measuredMs[0] = System.currentTimeMillis();
                    run.recording(true);
                }
                if (nowNs >= endNs)
                {
                    if (measuredNs[0] == 0)
                    {
                        measuredNs[0] = nowNs - measureStartNs;
                        measuredMs[1] = System.currentTimeMillis();
                        run.recording(false);
                    }
                    return false;
                }
                return true;
            }, () ->
            {
                out.printf("  %.0f s: %,d acknowledged%n", (System.nanoTime() - startNs) / 1e9, run.acknowledged());
                out.flush();
            });
            final Histogram histogram = run.latency();
            final double seconds = Math.max(measuredNs[0], 1) / 1e9;
            final double opsPerSecond = run.acknowledgedRecorded() / seconds;
            final long errors = run.failed() + run.unknown();
            if (clientGcLogged)
            {
                GcPauses.stopLoggingThisProcess(gcLog(dir, 0));
            }
            final GcPauses.Summary gc = GcPauses.read(List.of(gcLog(dir, 0), gcLog(dir, 1), gcLog(dir, 2),
                gcLog(dir, 3)), measuredMs[0], measuredMs[1] == 0 ? Long.MAX_VALUE : measuredMs[1]);
            out.printf("acknowledged %,.0f entries/s (%.1f MiB/s); latency us p50 %d, p90 %d, p99 %d, p99.9 %d, " +
                "max %d; errors %d%n", opsPerSecond, opsPerSecond * payload / (1024 * 1024),
                us(histogram, 50), us(histogram, 90), us(histogram, 99), us(histogram, 99.9),
                histogram.getMaxValue() / 1000, errors);
            out.printf(Locale.ROOT, "GC pauses while measured: %d, longest %.3f ms (3 nodes%s)%n", gc.pauses(),
                gc.longestMs(), clientGcLogged ? " and the client" : "; the client's could not be logged");
            final String title = "raftline " + test + ", " + payload + " B" + (latencyTest ? ", " + rate + "/s" : "") +
                ", window " + window + ", " + config.durability().text() + ", " + config.idleStrategy();
            final String fractionField = ceiling == null ? "" : ceiling.compare(out, latencyTest, payload, opsPerSecond,
                us(histogram, 50), us(histogram, 99));
            if (histogramFile != null)
            {
                try (PrintStream stream = new PrintStream(new FileOutputStream(histogramFile.toFile())))
                {
                    // the settings, for 'bench plot'; HdrHistogram's own readers skip lines they cannot parse
                    stream.println("# " + title + "; " + String.format(Locale.ROOT, "%.0f s warm-up, %.0f s measured",
                        warmupSeconds, measuredSeconds));
                    histogram.outputPercentileDistribution(stream, 1000.0);
                }
            }
            if (plotFile != null)
            {
                Files.writeString(plotFile, LatencyPlot.svg(List.of(new LatencyPlot.Series(title, histogram))));
            }
            out.println("{\"system\":\"raftline\",\"test\":\"" + test + "\",\"payload\":" + payload + ",\"rate\":" +
                (latencyTest ? rate : 0) + ",\"ops_per_s\":" + String.format(Locale.ROOT, "%.1f", opsPerSecond) +
                ",\"mib_per_s\":" + String.format(Locale.ROOT, "%.2f", opsPerSecond * payload / (1024 * 1024)) +
                ",\"p50_us\":" + us(histogram, 50) + ",\"p90_us\":" + us(histogram, 90) +
                ",\"p99_us\":" + us(histogram, 99) + ",\"p999_us\":" + us(histogram, 99.9) +
                ",\"max_us\":" + histogram.getMaxValue() / 1000 + ",\"errors\":" + errors +
                ",\"durability\":\"" + config.durability().text() + "\",\"idle\":\"" + config.idleStrategy() + "\"" +
                ",\"gc_pauses\":" + gc.pauses() + ",\"gc_max_pause_ms\":" +
                String.format(Locale.ROOT, "%.3f", gc.longestMs()) + fractionField + "}");
            out.flush();
            return errors == 0 ? 0 : 1;
        }
        finally
        {
            stopAndRemove(nodes, config, dir);
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

    /** Node {@code id}'s GC log, or the client's for 0. */
    private static Path gcLog(final Path dir, final int id)
    {
        return dir.resolve(id == 0 ? "gc-client.log" : "gc-node-" + id + ".log");
    }

    private static long us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1000;
    }

    private static synchronized void stopAndRemove(final Process[] nodes, final ClusterConfig config, final Path dir)
    {
        for (final Process node : nodes)
        {
            if (node != null && node.isAlive())
            {
                NodeProcesses.stop(node.toHandle(), NodeProcesses.STOP_GRACE_NS);
            }
        }
        for (final ClusterConfig.Member member : config.members().values())
        {
            IoUtil.delete(new java.io.File(io.raftline.io.node.RaftlineNode.aeronDirectory(config, member)), true);
        }
        IoUtil.delete(dir.toFile(), true);
    }
}
