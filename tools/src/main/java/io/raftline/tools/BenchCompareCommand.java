package io.raftline.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code raftline bench compare}: Raftline and a peer command run alternately in one sitting, pair after pair, for
 * every point of a grid (tests, payloads, rates); each run is a process of its own. For each point it prints every
 * pair and the ratios Raftline / peer (median of the pairs, with their spread), and can draw both systems' latency
 * curves on one plot. The last line is the sitting's JSON.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Runs Raftline and a peer alternately, pair after pair, and prints the ratios Raftline / peer " +
        "with their spread (throughput above 1 and latencies below 1 favour Raftline).")
final class BenchCompareCommand implements Callable<Integer>
{
    private static final long RUN_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(15);

    enum Test
    {
        throughput, latency
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--peer", required = true, paramLabel = "COMMAND",
        description = "The peer's run, a bash command that prints the workload's JSON line last (fields system, " +
            "ops_per_s, p50_us, p90_us, p99_us, p999_us, max_us, errors); {test}, {payload} and {rate} are " +
            "replaced (rate 0 in a throughput test), e.g. " +
            "'../shared/peers/aeron-cluster-bench/run.sh {test} {payload} {rate}'.")
    private String peerCommand;

    @Option(names = "--test", paramLabel = "TEST", split = ",",
        description = "throughput and/or latency (default: both).")
    private List<Test> tests = new ArrayList<>(List.of(Test.throughput, Test.latency));

    @Option(names = "--payload", paramLabel = "B", split = ",", description = "Payload bytes, one or more " +
        "(default: 100; Aeron's own grid is 32,288,1344).")
    private List<Integer> payloads = new ArrayList<>(List.of(100));

    @Option(names = "--rate", paramLabel = "R", split = ",",
        description = "Entries per second of the latency test, one or more (default: 10000).")
    private List<Long> rates = new ArrayList<>(List.of(10_000L));

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "3",
        description = "Pairs of runs per point, 1 to 50 (default: ${DEFAULT-VALUE}).")
    private int pairs;

    @Option(names = "--warmup", paramLabel = "SECONDS",
        description = "Raftline's warm-up seconds (bench's default; the peer's command sets its own).")
    private Double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS",
        description = "Raftline's measured seconds (bench's default; the peer's command sets its own).")
    private Double durationSeconds;

    @Option(names = "--tuning", paramLabel = "KEY=VALUE", description = "Extra cluster file settings for Raftline.")
    private List<String> tuning = new ArrayList<>();

    @Option(names = "--plot-dir", paramLabel = "DIR",
        description = "Writes one SVG per point here: every run's latency by percentile, both systems on one chart.")
    private Path plotDir;

    @Option(names = "--log-dir", paramLabel = "DIR",
        description = "Keeps each run's output here (default: a temporary folder, removed when all runs succeed).")
    private Path logDir;

    @Override
    public Integer call() throws IOException
    {
        Flags.within("--pairs", pairs, 1, 50);
        for (final int payload : payloads)
        {
            Flags.within("--payload", payload, 1, 1024 * 1024);
        }
        for (final long rate : rates)
        {
            Flags.within("--rate", rate, 1, 100_000_000);
        }
        if (warmupSeconds != null)
        {
            Flags.within("--warmup", warmupSeconds, 0, 3600);
        }
        if (durationSeconds != null)
        {
            Flags.above("--duration", durationSeconds, 0, 86_400);
        }
        if (tests.isEmpty())
        {
            throw new UsageFailure("--test: give throughput and/or latency");
        }
        if (peerCommand.isBlank())
        {
            throw new UsageFailure("--peer: give the peer's command");
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (plotDir != null)
        {
            Files.createDirectories(plotDir);
        }
        final boolean keepLogs = logDir != null;
        final Path logs = keepLogs ? Files.createDirectories(logDir) :
            Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "raftline-compare-");
        final Set<Point> points = new LinkedHashSet<>(); // a point given twice runs once
        for (final Test test : new LinkedHashSet<>(tests))
        {
            for (final int payload : payloads)
            {
                for (final long rate : test == Test.latency ? rates : List.of(0L))
                {
                    points.add(new Point(test, payload, rate));
                }
            }
        }
        out.printf("%d point(s) x %d pair(s); runs alternate, the peer first in odd pairs; run output in %s%s%n",
            points.size(), pairs, logs, keepLogs ? "" : " (removed if every run succeeds)");
        out.flush();
        final Thread interrupted = new Thread(() ->
            System.err.println("compare: interrupted; the runs' output so far is in " + logs), "raftline-compare-stop");
        Runtime.getRuntime().addShutdownHook(interrupted);
        final StringBuilder json = new StringBuilder("{\"test\":\"compare\",\"pairs\":").append(pairs)
            .append(",\"points\":[");
        final int failures;
        try
        {
            failures = runPoints(out, points, logs, json);
        }
        finally
        {
            Runtime.getRuntime().removeShutdownHook(interrupted);
        }
        json.append("],\"failed_pairs\":").append(failures).append('}');
        out.println();
        out.println(json);
        out.flush();
        if (failures == 0 && !keepLogs)
        {
            org.agrona.IoUtil.delete(logs.toFile(), true);
        }
        return failures == 0 ? 0 : 1;
    }

    /** Runs every pair of every point, printing as it goes; appends the points' JSON; returns the failed pairs. */
    private int runPoints(final PrintWriter out, final Set<Point> points, final Path logs, final StringBuilder json)
    {
        int failures = 0;
        int p = 0;
        for (final Point point : points)
        {
            out.printf("%n%s%n", point.title());
            final List<BenchRun.Result> ours = new ArrayList<>();
            final List<BenchRun.Result> theirs = new ArrayList<>();
            for (int pair = 1; pair <= pairs; pair++)
            {
                final BenchRun raftline = BenchRun.raftline(point.test.name(), point.payload, point.rate,
                    warmupSeconds, durationSeconds, tuning);
                final BenchRun peer = BenchRun.peer(peerCommand, point.test.name(), point.payload, point.rate);
                final String name = point.fileName() + "-pair" + pair;
                final boolean peerFirst = pair % 2 == 1; // a peer that cannot run is found before a Raftline run
                final BenchRun.Result first = (peerFirst ? peer : raftline).run(
                    logs.resolve(name + (peerFirst ? "-peer.log" : "-raftline.log")), RUN_TIMEOUT_NS);
                final BenchRun.Result second = (peerFirst ? raftline : peer).run(
                    logs.resolve(name + (peerFirst ? "-raftline.log" : "-peer.log")), RUN_TIMEOUT_NS);
                final BenchRun.Result ourResult = peerFirst ? second : first;
                final BenchRun.Result theirResult = peerFirst ? first : second;
                out.printf("  pair %d  %s%n          %s%n", pair, ourResult.describe(), theirResult.describe());
                out.flush();
                if (ourResult.failure() != null || theirResult.failure() != null)
                {
                    failures++;
                    continue;
                }
                ours.add(ourResult);
                theirs.add(theirResult);
            }
            json.append(p++ == 0 ? "" : ",").append(summarise(out, point, ours, theirs));
            if (plotDir != null && !ours.isEmpty())
            {
                writePlot(point, ours, theirs);
            }
        }
        return failures;
    }

    /** Prints the ratios of a point and returns its JSON object. */
    private static String summarise(final PrintWriter out, final Point point, final List<BenchRun.Result> ours,
        final List<BenchRun.Result> theirs)
    {
        final StringBuilder json = new StringBuilder("{\"test\":\"").append(point.test).append("\",\"payload\":")
            .append(point.payload).append(",\"rate\":").append(point.rate).append(",\"valid_pairs\":")
            .append(ours.size());
        if (ours.isEmpty())
        {
            out.println("  no valid pair");
            return json.append('}').toString();
        }
        final String peerName = theirs.get(0).system();
        json.append(",\"peer\":\"").append(Json.escape(peerName)).append("\",\"ratio\":{");
        out.printf("  raftline / %s over %d pair(s): median (min-max)%n", peerName, ours.size());
        for (int m = 0; m < BenchRun.METRICS.size(); m++)
        {
            final String metric = BenchRun.METRICS.get(m);
            final double[] ratios = new double[ours.size()];
            for (int i = 0; i < ratios.length; i++)
            {
                ratios[i] = ours.get(i).value(metric) / Math.max(theirs.get(i).value(metric), 1e-9);
            }
            Arrays.sort(ratios);
            final double median = median(ratios);
            out.printf(Locale.ROOT, "    %-9s %6.2fx (%.2f-%.2f)   raftline %s   %s %s%n", metric, median, ratios[0],
                ratios[ratios.length - 1], values(ours, metric), peerName, values(theirs, metric));
            json.append(m == 0 ? "" : ",").append(String.format(Locale.ROOT,
                "\"%s\":{\"median\":%.3f,\"min\":%.3f,\"max\":%.3f}", metric, median, ratios[0],
                ratios[ratios.length - 1]));
        }
        return json.append("}}").toString();
    }

    private static String values(final List<BenchRun.Result> results, final String metric)
    {
        final StringBuilder text = new StringBuilder();
        for (final BenchRun.Result result : results)
        {
            final double value = result.value(metric);
            text.append(text.length() == 0 ? "" : ", ").append(metric.equals("ops_per_s") ?
                String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.0f", value));
        }
        return text.toString();
    }

    static double median(final double[] sorted)
    {
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private void writePlot(final Point point, final List<BenchRun.Result> ours, final List<BenchRun.Result> theirs)
    {
        final List<LatencyPlot.Series> series = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++)
        {
            series.add(ours.get(i).series("raftline, pair " + (i + 1)));
            series.add(theirs.get(i).series(theirs.get(i).system() + ", pair " + (i + 1)));
        }
        final Path file = plotDir.resolve(point.fileName() + ".svg");
        try
        {
            Files.writeString(file, LatencyPlot.svg(series, point.title() + ": raftline against " +
                theirs.get(0).system(), 2), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    private record Point(Test test, int payload, long rate)
    {
        String title()
        {
            return test == Test.throughput ? "throughput, " + payload + " B (closed loop)" :
                "latency, " + payload + " B at " + rate + "/s (open loop)";
        }

        String fileName()
        {
            return test + "-" + payload + "B" + (test == Test.latency ? "-" + rate : "");
        }
    }
}
