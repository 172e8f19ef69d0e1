package io.raftline.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One workload run in a process of its own, Raftline's ({@code raftline bench}) or a peer's (a bash command), and
 * what the JSON line it prints last says (../shared/bench/WORKLOAD.md: the same fields for every system).
 */
final class BenchRun
{
    /** The fields compared, in the order printed. */
    static final List<String> METRICS = List.of("ops_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us");

    private static final Pattern SYSTEM = Pattern.compile("\"system\"\\s*:\\s*\"([^\"]*)\"");
    private static volatile Process running; // stopped with this process (Ctrl-C)
    private static volatile boolean stopping; // and no run starts after that

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            stopping = true;
            stop(running);
        }, "raftline-compare-cleanup"));
    }

    private final String name;
    private final List<String> command;

    private BenchRun(final String name, final List<String> command)
    {
        this.name = name;
        this.command = command;
    }

    /** {@code raftline bench <test>} in a new JVM like this one. */
    static BenchRun raftline(final String test, final int payload, final long rate, final Double warmupSeconds,
        final Double durationSeconds, final List<String> tuning)
    {
        final List<String> command = NodeProcesses.javaCommand(List.of(), Raftline.class);
        command.addAll(List.of("bench", test, "--payload", String.valueOf(payload)));
        if (rate > 0)
        {
            command.addAll(List.of("--rate", String.valueOf(rate)));
        }
        if (warmupSeconds != null)
        {
            command.addAll(List.of("--warmup", String.valueOf(warmupSeconds)));
        }
        if (durationSeconds != null)
        {
            command.addAll(List.of("--duration", String.valueOf(durationSeconds)));
        }
        for (final String setting : tuning)
        {
            command.addAll(List.of("--tuning", setting));
        }
        return new BenchRun("raftline", command);
    }

    /** The peer's command with {test}, {payload} and {rate} replaced, run by bash. */
    static BenchRun peer(final String template, final String test, final int payload, final long rate)
    {
        final String line = template.replace("{test}", test).replace("{payload}", String.valueOf(payload))
            .replace("{rate}", String.valueOf(rate));
        return new BenchRun("peer", List.of("bash", "-c", line));
    }

    /** Runs to the end (or the timeout), its output in {@code log}. */
    Result run(final Path log, final long timeoutNs)
    {
        checkNotStopping();
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }
        catch (final IOException ex)
        {
            return Result.failed(name, "cannot start " + command.get(0) + ": " + ex.getMessage(), log);
        }
        running = process;
        try
        {
            checkNotStopping(); // the hook may have looked before this run was known
            if (!process.waitFor(timeoutNs, TimeUnit.NANOSECONDS))
            {
                stop(process);
                return Result.failed(name, "still running after " + TimeUnit.NANOSECONDS.toMinutes(timeoutNs) +
                    " min: stopped", log);
            }
        }
        catch (final InterruptedException ex)
        {
            stop(process);
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted");
        }
        finally
        {
            running = null;
        }
        checkNotStopping(); // the run ended because this process is stopping
        return Result.read(name, process.exitValue(), log);
    }

    private static void checkNotStopping()
    {
        final Process process = running;
        if (stopping)
        {
            stop(process);
            throw new CommandFailure("interrupted");
        }
    }

    private static void stop(final Process process)
    {
        if (process != null && process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }

    /** A run's outcome: the system it names and its numbers, or why it failed. */
    record Result(String system, Map<String, Double> values, String failure, Path log)
    {
        static Result failed(final String system, final String failure, final Path log)
        {
            return new Result(system, Map.of(), failure, log);
        }

        /** Reads the last JSON line of a finished run's output. */
        static Result read(final String name, final int exitCode, final Path log)
        {
            final List<String> lines;
            try
            {
                lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return failed(name, "cannot read its output " + log + ": " + ex.getMessage(), log);
            }
            String json = null;
            for (int i = lines.size() - 1; i >= 0 && json == null; i--)
            {
                final String line = lines.get(i).trim();
                if (line.startsWith("{") && line.contains("\"ops_per_s\""))
                {
                    json = line;
                }
            }
            // why it failed is the last thing it said, which is seldom its JSON line
            String lastLine = lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).trim();
            for (int i = lines.size() - 1; i >= 0; i--)
            {
                if (!lines.get(i).isBlank() && !lines.get(i).trim().startsWith("{"))
                {
                    lastLine = lines.get(i).trim();
                    break;
                }
            }
            if (exitCode != 0 || json == null)
            {
                return failed(name, (exitCode != 0 ? "exit " + exitCode : "no JSON line") + ": " + lastLine, log);
            }
            final Map<String, Double> values = new HashMap<>();
            for (final Map.Entry<String, String> field : Json.numberFields(json).entrySet())
            {
                try
                {
                    values.put(field.getKey(), Double.parseDouble(field.getValue()));
                }
                catch (final NumberFormatException ex)
                {
                    return failed(name, "its JSON line has a bad " + field.getKey() + ": " + json, log);
                }
            }
            for (final String metric : METRICS)
            {
                if (!values.containsKey(metric))
                {
                    return failed(name, "its JSON line has no " + metric + ": " + json, log);
                }
            }
            if (values.getOrDefault("errors", 0.0) > 0)
            {
                return failed(name, String.format(Locale.ROOT, "%.0f errors", values.get("errors")), log);
            }
            final Matcher system = SYSTEM.matcher(json);
            return new Result(system.find() ? system.group(1) : name, values, null, log);
        }

        double value(final String metric)
        {
            return values.get(metric);
        }

        String describe()
        {
            if (failure != null)
            {
                return system + " FAILED: " + failure + " (output: " + log + ")";
            }
            return String.format(Locale.ROOT, "%-14s %,11.0f/s  p50 %,7.0f us  p99 %,7.0f us  p99.9 %,7.0f us  " +
                "max %,7.0f us", system, value("ops_per_s"), value("p50_us"), value("p99_us"), value("p999_us"),
                value("max_us"));
        }

        /** The run's percentiles as a curve: the JSON line holds p50, p90, p99, p99.9 and the maximum. */
        LatencyPlot.Series series(final String label)
        {
            final List<LatencyPlot.Point> points = new ArrayList<>();
            points.add(new LatencyPlot.Point(50, value("p50_us")));
            points.add(new LatencyPlot.Point(90, value("p90_us")));
            points.add(new LatencyPlot.Point(99, value("p99_us")));
            points.add(new LatencyPlot.Point(99.9, value("p999_us")));
            points.add(new LatencyPlot.Point(100, value("max_us")));
            return new LatencyPlot.Series(label, points, 10_000); // room up to 99.99%: the maximum at the edge
        }
    }
}
