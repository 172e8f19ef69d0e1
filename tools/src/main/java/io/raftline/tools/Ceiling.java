package io.raftline.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@code bench ceiling} measured: its JSON line, read back by {@code bench throughput --ceiling-json}. */
record Ceiling(int payload, double fanoutPerSecond, double rttP50Us, double rttP99Us, double rttP999Us,
    double appendsPerSecond)
{

    String json()
    {
        return String.format(Locale.ROOT, "{\"test\":\"ceiling\",\"payload\":%d,\"aeron_fanout_msgs_per_s\":%.1f," +
            "\"aeron_rtt_p50_us\":%.1f,\"aeron_rtt_p99_us\":%.1f,\"aeron_rtt_p999_us\":%.1f," +
            "\"chronicle_appends_per_s\":%.1f}", payload, fanoutPerSecond, rttP50Us, rttP99Us, rttP999Us,
            appendsPerSecond);
    }

    /** The last ceiling JSON line in the file (the whole output of {@code bench ceiling} will do). */
    static Ceiling read(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot read the ceiling file " + file + ": " + ex.getMessage());
        }
        for (int i = lines.size() - 1; i >= 0; i--)
        {
            final String line = lines.get(i).trim();
            if (line.startsWith("{") && line.contains("\"test\":\"ceiling\""))
            {
                final Map<String, String> fields = Json.numberFields(line);
                try
                {
                    return new Ceiling(Integer.parseInt(fields.get("payload")),
                        number(fields, "aeron_fanout_msgs_per_s"), number(fields, "aeron_rtt_p50_us"),
                        number(fields, "aeron_rtt_p99_us"), number(fields, "aeron_rtt_p999_us"),
                        number(fields, "chronicle_appends_per_s"));
                }
                catch (final RuntimeException ex)
                {
                    throw new CommandFailure("the ceiling line in " + file + " lacks a field or has a bad value " +
                        "(" + ex.getMessage() + "): " + line);
                }
            }
        }
        throw new CommandFailure(file + " holds no line of 'bench ceiling' JSON ({\"test\":\"ceiling\",...})");
    }

    private static double number(final Map<String, String> fields, final String name)
    {
        final String value = fields.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException("no " + name);
        }
        return Double.parseDouble(value);
    }

    /**
     * Prints how a workload run compares with this ceiling; returns the JSON fields to add to the run's line
     * (for throughput, {@code ceiling_fraction}: entries per second over the lower of the two raw rates).
     */
    String compare(final PrintWriter out, final boolean latencyTest, final int runPayload,
        final double opsPerSecond, final long p50Us, final long p99Us)
    {
        if (runPayload != payload)
        {
            out.printf("note: the ceiling was measured with %d-byte payloads, this run used %d%n", payload,
                runPayload);
        }
        if (latencyTest)
        {
            final double p99Ratio = p99Us / Math.max(rttP99Us, 0.1);
            out.printf(Locale.ROOT, "ceiling: raw Aeron round trip p50 %.1f us, p99 %.1f us; Raftline's p50 is " +
                "%.1f round trips, its p99 %.1f times the raw p99%n", rttP50Us, rttP99Us,
                p50Us / Math.max(rttP50Us, 0.1), p99Ratio);
            out.flush();
            return String.format(Locale.ROOT, ",\"ceiling_rtt_p99_ratio\":%.2f", p99Ratio);
        }
        final double lower = Math.min(fanoutPerSecond, appendsPerSecond);
        final double fraction = opsPerSecond / Math.max(lower, 1);
        out.printf(Locale.ROOT, "ceiling: raw Aeron fan-out %,.0f msgs/s, raw Chronicle %,.0f appends/s; " +
            "Raftline reaches %.1f%% of the lower (%.1f%% of Aeron, %.1f%% of Chronicle)%n", fanoutPerSecond,
            appendsPerSecond, 100 * fraction, 100 * opsPerSecond / Math.max(fanoutPerSecond, 1),
            100 * opsPerSecond / Math.max(appendsPerSecond, 1));
        out.flush();
        return String.format(Locale.ROOT, ",\"ceiling_fraction\":%.4f", fraction);
    }
}
