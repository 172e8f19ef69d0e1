package io.raftline.tools;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The garbage collection pauses of a benchmark's processes, from the JVM's own GC log ({@code -Xlog:gc} with
 * wall-clock milliseconds), so that a run can state its longest pause inside the measured window.
 */
final class GcPauses
{
    // [1795384123456ms] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 51M->2M(1024M) 1.234ms
    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+)ms\\].* Pause .* (\\d+(?:\\.\\d+)?)ms$");

    /** The longest pause and how many there were, over every log read. */
    record Summary(int pauses, double longestMs)
    {
        static final Summary NONE = new Summary(0, 0);

        Summary plus(final Summary other)
        {
            return new Summary(pauses + other.pauses, Math.max(longestMs, other.longestMs));
        }
    }

    private GcPauses()
    {
    }

    /** The flag that makes a child JVM log its pauses to {@code file}. */
    static String logFlag(final Path file)
    {
        return "-Xlog:gc:file=\"" + file.toAbsolutePath() + "\":timemillis";
    }

    /**
     * Starts logging this JVM's pauses to {@code file}, as {@link #logFlag} does for a child. Returns false when the
     * JVM does not offer the diagnostic command (then this process's pauses are not counted).
     */
    static boolean logThisProcess(final Path file)
    {
        return vmLog("output=\"" + file.toAbsolutePath() + "\" what=gc decorators=timemillis");
    }

    /** Stops what {@link #logThisProcess} started (the JVM drops an output with nothing left to log). */
    static void stopLoggingThisProcess(final Path file)
    {
        vmLog("output=\"" + file.toAbsolutePath() + "\" what=gc=off");
    }

    private static boolean vmLog(final String arguments)
    {
        try
        {
            ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmLog",
                new Object[] { new String[] { arguments } }, new String[] { String[].class.getName() });
            return true;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    /** The pauses that ended between {@code fromMs} and {@code toMs} (wall clock) in the given logs. */
    static Summary read(final List<Path> logs, final long fromMs, final long toMs) throws IOException
    {
        Summary summary = Summary.NONE;
        for (final Path log : logs)
        {
            if (Files.exists(log))
            {
                summary = summary.plus(parse(Files.readAllLines(log, StandardCharsets.UTF_8), fromMs, toMs));
            }
        }
        return summary;
    }

    static Summary parse(final List<String> lines, final long fromMs, final long toMs)
    {
        int pauses = 0;
        double longestMs = 0;
        for (final String line : lines)
        {
            final Matcher matcher = PAUSE.matcher(line.strip());
            if (matcher.matches())
            {
                final long atMs = Long.parseLong(matcher.group(1));
                if (atMs >= fromMs && atMs <= toMs)
                {
                    pauses++;
                    longestMs = Math.max(longestMs, Double.parseDouble(matcher.group(2)));
                }
            }
        }
        return new Summary(pauses, longestMs);
    }
}
