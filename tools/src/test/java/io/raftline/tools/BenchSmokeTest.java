package io.raftline.tools;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CI smoke test of {@code raftline bench}: short runs of every subcommand through the real command line (nodes and
 * peers in their own processes), checking exit codes, the JSON contract of bench/WORKLOAD.md and that the plot is
 * valid SVG. Numbers are not judged: a shared 2-core machine makes them noise at these durations.
 */
@Timeout(120)
class BenchSmokeTest
{
    private static final List<String> WORKLOAD_FIELDS = List.of("system", "test", "payload", "rate", "ops_per_s",
        "mib_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "errors", "durability", "idle");
    private static final List<String> CEILING_FIELDS = List.of("test", "payload", "aeron_fanout_msgs_per_s",
        "aeron_rtt_p50_us", "aeron_rtt_p99_us", "aeron_rtt_p999_us", "chronicle_appends_per_s");
    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":(\"[^\"]*\"|[-0-9.eE+]+)");

    @TempDir
    Path dir;

    /** The fields of a one-line JSON object; fails unless the line is one and holds every expected field. */
    private static Map<String, String> json(final String line, final List<String> expected)
    {
        assertTrue(line.startsWith("{") && line.endsWith("}"), "last line is not a JSON object: " + line);
        final Map<String, String> fields = new LinkedHashMap<>();
        final Matcher matcher = FIELD.matcher(line);
        while (matcher.find())
        {
            fields.put(matcher.group(1), matcher.group(2));
        }
        for (final String name : expected)
        {
            assertTrue(fields.containsKey(name), "no \"" + name + "\" in " + line);
        }
        return fields;
    }

    @Test
    void everyBenchCommandRunsAndEndsWithItsJson() throws Exception
    {
        final Path ceilingFile = dir.resolve("ceiling.txt");
        final Path throughputHistogram = dir.resolve("throughput.hgrm");
        final Path latencyHistogram = dir.resolve("latency.hgrm");

        final Cli ceiling = Cli.run("bench", "ceiling", "--duration", "1", "--warmup", "0.5");
        assertEquals(0, ceiling.exitCode(), ceiling.out() + ceiling.err());
        final var ceilingFields = json(ceiling.lastLine(), CEILING_FIELDS);
        assertEquals("\"ceiling\"", ceilingFields.get("test"));
        assertTrue(Double.parseDouble(ceilingFields.get("aeron_fanout_msgs_per_s")) > 0, ceiling.lastLine());
        assertTrue(Double.parseDouble(ceilingFields.get("aeron_rtt_p50_us")) > 0, ceiling.lastLine());
        assertTrue(Double.parseDouble(ceilingFields.get("chronicle_appends_per_s")) > 0, ceiling.lastLine());
        final Matcher queueDir = Pattern.compile("page cache in (\\S+):").matcher(ceiling.out());
        assertTrue(queueDir.find(), ceiling.out());
        assertTrue(Files.notExists(Path.of(queueDir.group(1))), "the queue's folder is removed");
        Files.writeString(ceilingFile, ceiling.out());

        final Cli throughput = Cli.run("bench", "throughput", "--warmup", "1", "--duration", "2",
            "--histogram", throughputHistogram.toString(), "--ceiling-json", ceilingFile.toString());
        assertEquals(0, throughput.exitCode(), throughput.out() + throughput.err());
        final var throughputFields = json(throughput.lastLine(), WORKLOAD_FIELDS);
        assertEquals("\"throughput\"", throughputFields.get("test"));
        assertEquals("0", throughputFields.get("rate"));
        assertEquals("0", throughputFields.get("errors"));
        assertTrue(Double.parseDouble(throughputFields.get("ops_per_s")) > 0, throughput.lastLine());
        assertTrue(Double.parseDouble(throughputFields.get("ceiling_fraction")) > 0, throughput.lastLine());

        assertTrue(Integer.parseInt(throughputFields.get("gc_pauses")) >= 0, throughput.lastLine());
        assertTrue(Double.parseDouble(throughputFields.get("gc_max_pause_ms")) >= 0, throughput.lastLine());

        final Cli latency = Cli.run("bench", "latency", "--rate", "2000", "--warmup", "1", "--duration", "2",
            "--histogram", latencyHistogram.toString(), "--ceiling-json", ceilingFile.toString());
        assertEquals(0, latency.exitCode(), latency.out() + latency.err());
        final var latencyFields = json(latency.lastLine(), WORKLOAD_FIELDS);
        assertEquals("\"latency\"", latencyFields.get("test"));
        assertEquals("2000", latencyFields.get("rate"));
        assertTrue(Double.parseDouble(latencyFields.get("ops_per_s")) > 0, latency.lastLine());
        assertTrue(Double.parseDouble(latencyFields.get("ceiling_rtt_p99_ratio")) > 0, latency.lastLine());

        final Path svg = dir.resolve("plot.svg");
        final Cli plot = Cli.run("bench", "plot", "--out", svg.toString(), "--label", "throughput",
            "--label", "latency 2000/s", throughputHistogram.toString(), latencyHistogram.toString());
        assertEquals(0, plot.exitCode(), plot.out() + plot.err());
        final var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", document.getDocumentElement().getNodeName());
        assertEquals(2, document.getElementsByTagName("path").getLength(), "one curve per run");
        final String text = Files.readString(svg);
        assertTrue(text.contains("latency 2000/s"), "labels in the legend");

        assertNoLeftovers();
    }

    @Test
    void compareAlternatesRaftlineAndAPeerAndGivesTheRatiosOfEachPoint() throws Exception
    {
        // a peer that answers at once: 10 entries/s per payload byte, a p99 of 5 ms
        final String peer = "echo \"the peer's chatter\" >&2; echo '{\"system\":\"fake-peer\",\"test\":\"{test}\"," +
            "\"payload\":{payload},\"rate\":{rate},\"ops_per_s\":{payload}0,\"p50_us\":500,\"p90_us\":900," +
            "\"p99_us\":5000,\"p999_us\":9000,\"max_us\":20000,\"errors\":0}'";
        final Path plots = dir.resolve("plots");

        final Cli compare = Cli.run("bench", "compare", "--peer", peer, "--test", "throughput,latency",
            "--payload", "64", "--rate", "2000", "--pairs", "2", "--warmup", "0.5", "--duration", "1",
            "--plot-dir", plots.toString());

        assertEquals(0, compare.exitCode(), compare.out() + compare.err());
        final String json = compare.lastLine();
        assertTrue(json.startsWith("{\"test\":\"compare\",\"pairs\":2,\"points\":[{\"test\":\"throughput\"," +
            "\"payload\":64,\"rate\":0,\"valid_pairs\":2,\"peer\":\"fake-peer\""), json);
        assertTrue(json.contains("{\"test\":\"latency\",\"payload\":64,\"rate\":2000,\"valid_pairs\":2"), json);
        assertTrue(json.endsWith("\"failed_pairs\":0}"), json);
        // the ratio of each pair is Raftline's figure over the peer's: read Raftline's back from the pair lines
        final Matcher pairs = Pattern.compile("raftline\\s+([0-9,]+)/s").matcher(compare.out());
        final double[] ratios = new double[2];
        for (int i = 0; i < 2; i++)
        {
            assertTrue(pairs.find(), compare.out());
            ratios[i] = Double.parseDouble(pairs.group(1).replace(",", "")) / 640;
        }
        final Matcher ratio = Pattern.compile("\"ops_per_s\":\\{\"median\":([0-9.]+),\"min\":([0-9.]+)")
            .matcher(json);
        assertTrue(ratio.find(), json);
        assertEquals((ratios[0] + ratios[1]) / 2, Double.parseDouble(ratio.group(1)),
            0.01 * Double.parseDouble(ratio.group(1)));
        assertEquals(Math.min(ratios[0], ratios[1]), Double.parseDouble(ratio.group(2)),
            0.01 * Double.parseDouble(ratio.group(2)));
        for (final String point : List.of("throughput-64B.svg", "latency-64B-2000.svg"))
        {
            final var document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(plots.resolve(point).toFile());
            assertEquals(4, document.getElementsByTagName("path").getLength(), "both systems, every pair: " + point);
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
            "no child process left running");
    }

    @Test
    void compareSaysWhichRunFailedAndKeepsItsOutput() throws Exception
    {
        final Path logs = dir.resolve("logs");

        final Cli compare = Cli.run("bench", "compare", "--peer", "echo 'no such peer'; exit 3", "--test",
            "throughput", "--pairs", "1", "--warmup", "0.5", "--duration", "1", "--log-dir", logs.toString());

        assertEquals(1, compare.exitCode(), compare.out() + compare.err());
        assertTrue(compare.out().contains("peer FAILED: exit 3: no such peer"), compare.out());
        assertTrue(compare.lastLine().endsWith("\"valid_pairs\":0}],\"failed_pairs\":1}"), compare.lastLine());
        assertEquals("no such peer\n", Files.readString(logs.resolve("throughput-100B-pair1-peer.log")));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo()
    {
        assertEquals(2.0, BenchCompareCommand.median(new double[] { 1, 2, 9 }));
        assertEquals(2.5, BenchCompareCommand.median(new double[] { 1, 2, 3, 9 }));
    }

    @Test
    void badUsageExitsTwo()
    {
        assertEquals(2, Cli.run("bench").exitCode());
        assertEquals(2, Cli.run("bench", "sideways").exitCode());
        assertEquals(2, Cli.run("bench", "ceiling", "--payload", "4").exitCode());
        assertEquals(2, Cli.run("bench", "compare").exitCode(), "no --peer");
        assertEquals(2, Cli.run("bench", "compare", "--peer", "true", "--pairs", "0").exitCode());
        assertEquals(2, Cli.run("bench", "compare", "--peer", " ").exitCode(), "a blank --peer");
        assertEquals(2, Cli.run("bench", "compare", "--peer", "true", "--test", "sideways").exitCode());
        assertEquals(2, Cli.run("bench", "plot", "--out", dir.resolve("x.svg").toString(), "--label", "a", "--label",
            "b", dir.resolve("one.hgrm").toString()).exitCode());
    }

    @Test
    void plotRejectsWhatIsNotADistribution() throws Exception
    {
        final Path notHistogram = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        final Cli plot = Cli.run("bench", "plot", "--out", dir.resolve("x.svg").toString(), notHistogram.toString());
        assertEquals(1, plot.exitCode());
        assertTrue(plot.err().contains("notes.txt"), plot.err());
    }

    @Test
    void plotReadsBackTheDistributionTheBenchWrites() throws Exception
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (long i = 1; i <= 10_000; i++)
        {
            histogram.recordValue(i * 1_000); // 1 us .. 10 ms
        }
        final Path file = dir.resolve("run.hgrm");
        try (PrintStream stream = new PrintStream(Files.newOutputStream(file)))
        {
            stream.println("# raftline latency, 100 B, 10000/s");
            histogram.outputPercentileDistribution(stream, 1000.0);
        }

        final BenchPlotCommand.Distribution distribution = BenchPlotCommand.read(file, "run");

        assertEquals("raftline latency, 100 B, 10000/s", distribution.settings());
        assertEquals(10_000, distribution.series().totalCount());
        final List<LatencyPlot.Point> points = distribution.series().points();
        assertEquals(100.0, points.get(points.size() - 1).percentile(), 1e-9);
        assertEquals(histogram.getMaxValue() / 1000.0, points.get(points.size() - 1).valueUs(), 0.01);
        final LatencyPlot.Point median = points.stream().filter(p -> p.percentile() >= 50).findFirst().orElseThrow();
        assertEquals(histogram.getValueAtPercentile(50) / 1000.0, median.valueUs(), 10.0);
    }

    /** Every process and folder of the ceiling run is gone (its Aeron folders are named after this process). */
    private static void assertNoLeftovers() throws Exception
    {
        final String prefix = "raftline-ceiling-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm").toFile().isDirectory() ? Path.of("/dev/shm") :
            Path.of(System.getProperty("java.io.tmpdir"))))
        {
            assertEquals(List.of(), shm.filter(p -> p.getFileName().toString().startsWith(prefix)).toList());
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(),
            "no child process left running");
    }
}
