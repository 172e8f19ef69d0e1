package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a writer process ({@link CrashChild}) with SIGKILL at random moments and checks that the reopened log is
 * always what the child last reported, or that plus part of the operation it had started: never a mix, never less
 * than what a sync reported. The seed is printed; {@code -Dcrash.seed=N} replays the same kill schedule.
 */
class CrashSafetyTest
{
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void logIsPrefixConsistentAfterEveryKill() throws Exception
    {
        final long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("CrashSafetyTest seed " + seed + " (replay with -Dcrash.seed=" + seed + ")");
        final Random random = new Random(seed);
        final TreeMap<Long, Long> model = new TreeMap<>(); // index -> term of the log as last verified
        long modelLast = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final Durability durability = round % 2 == 0 ? Durability.FSYNC : Durability.PAGE_CACHE;
            final List<String> lines = runAndKill(durability, random.nextLong(), "random", 50 + random.nextInt(400));
            final String context = "round " + round + " seed " + seed + " " + durability;
            assertFalse(lines.isEmpty(), context + ": child printed nothing");
            final String[] open = lines.get(0).split(" ");
            assertEquals("OPEN", open[0], context);
            assertEquals(modelLast, Long.parseLong(open[2]), context + ": child opened a different log");
            String pending = null;
            for (final String line : lines.subList(1, lines.size()))
            {
                final String[] parts = line.split(" ");
                if (parts[0].equals("S"))
                {
                    modelLast = apply(model, modelLast, pending);
                    assertEquals(modelLast, Long.parseLong(parts[1]), context + ": " + line);
                    pending = null;
                }
                else
                {
                    pending = line;
                }
            }
            modelLast = checkReopened(model, modelLast, pending, context);
        }
    }

    @Test
    void tornLastEntryIsFoundByVerifyAndCutOffOnOpen() throws Exception
    {
        final List<String> lines = runAndKill(Durability.PAGE_CACHE, 1, "tail", -1);
        assertTrue(lines.get(lines.size() - 1).startsWith("READY 20"), lines.toString());
        TestEntries.flipPayloadByte(dir, 20, 3);
        try (LogInspector inspector = LogInspector.open(dir))
        {
            final LogInspector.Verification verification = inspector.verify();
            assertEquals(20, verification.index(), verification.toString());
            assertEquals(19, inspector.lastIndex());
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertEquals(19, log.lastIndex(), "the torn entry is cut off");
            TestEntries.append(log, 4);
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE);
            LogCursor cursor = log.newCursor())
        {
            assertEquals(20, log.lastIndex());
            TestEntries.checkEntries(cursor, 1, 20, index -> index == 20 ? 4 : 3);
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            assertTrue(inspector.verify().ok(), "superseded torn entry is not checked: " + inspector.verify());
        }
    }

    private static void dumpThreads(final Process child, final Path errors)
    {
        try
        {
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                Long.toString(child.pid())).redirectOutput(ProcessBuilder.Redirect.appendTo(errors.toFile()))
                .start().waitFor(20, TimeUnit.SECONDS);
        }
        catch (final IOException | InterruptedException ignore)
        {
            // best effort diagnostics
        }
    }

    /** Applies a completed operation to the model; returns the new last index. */
    private static long apply(final TreeMap<Long, Long> model, final long modelLast, final String operation)
    {
        if (operation == null)
        {
            return modelLast;
        }
        final String[] parts = operation.split(" ");
        switch (parts[0])
        {
            case "A":
                final long first = Long.parseLong(parts[1]);
                assertEquals(modelLast + 1, first, operation);
                for (long index = first; index < first + Long.parseLong(parts[2]); index++)
                {
                    model.put(index, Long.parseLong(parts[3]));
                }
                return first + Long.parseLong(parts[2]) - 1;
            case "T":
                final long from = Long.parseLong(parts[1]);
                model.tailMap(from, true).clear();
                return Math.min(modelLast, from - 1);
            case "C":
                return modelLast;
            default:
                throw new AssertionError("unknown line " + operation);
        }
    }

    /** Reopens the log, checks it against the model (allowing the pending operation to be half done), adopts it. */
    private long checkReopened(final TreeMap<Long, Long> model, final long modelLast, final String pending,
        final String context)
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, CrashChild.SEGMENT_BYTES))
        {
            final long last = log.lastIndex();
            final String[] parts = pending == null ? new String[] {"-"} : pending.split(" ");
            if (parts[0].equals("A"))
            {
                final long first = Long.parseLong(parts[1]);
                final long end = first + Long.parseLong(parts[2]) - 1;
                assertTrue(last >= modelLast && last <= end, context + ": last " + last + " after pending " + pending);
                for (long index = first; index <= last; index++)
                {
                    model.put(index, Long.parseLong(parts[3]));
                }
            }
            else if (parts[0].equals("T") && last == Long.parseLong(parts[1]) - 1)
            {
                model.tailMap(Long.parseLong(parts[1]), true).clear();
            }
            else
            {
                assertEquals(modelLast, last, context + ": pending " + pending);
            }
            assertTrue(log.firstIndex() <= last + 1, context);
            model.headMap(log.firstIndex(), false).clear();
            for (long index = log.firstIndex(); index <= last; index++)
            {
                assertEquals(model.get(index), log.term(index), context + ": term at " + index);
            }
            try (LogCursor cursor = log.newCursor())
            {
                if (last >= log.firstIndex())
                {
                    TestEntries.checkEntries(cursor, log.firstIndex(), last, model::get);
                }
            }
            try (LogInspector inspector = LogInspector.open(dir))
            {
                assertTrue(inspector.verify().ok(), context + ": " + inspector.verify());
            }
            return last;
        }
    }

    /** Starts the child; kills it {@code killAfterMs} after it opened the log (or once it prints READY). */
    private List<String> runAndKill(final Durability durability, final long seed, final String mode,
        final int killAfterMs) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-") || argument.startsWith("-Dchronicle") || argument.equals("-ea"))
            {
                command.add(argument);
            }
        }
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.add(dir.toString());
        command.add(durability.name());
        command.add(Long.toString(seed));
        command.add(mode);
        final Path errors = dir.resolveSibling(dir.getFileName() + "-child.err");
        final Path output = dir.resolveSibling(dir.getFileName() + "-child.out");
        final Process child = new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))
            .redirectOutput(output.toFile()) // a file keeps every line written before the kill
            .start();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        final String awaited = killAfterMs < 0 ? "READY" : "OPEN";
        while (!Files.readString(output, StandardCharsets.US_ASCII).contains(awaited))
        {
            if (!child.isAlive() || System.nanoTime() > deadlineNs)
            {
                dumpThreads(child, errors);
                child.destroyForcibly();
                fail("child did not print " + awaited + ": " + Files.readString(errors));
            }
            Thread.sleep(5);
        }
        Thread.sleep(Math.max(0, killAfterMs));
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "child did not die");
        final List<String> lines = new ArrayList<>(Files.readAllLines(output, StandardCharsets.US_ASCII));
        Files.delete(output);
        // a line cut short by the kill is not a complete report
        if (!lines.isEmpty() && !lines.get(lines.size() - 1).matches("[A-Z]+( -?\\d+)*"))
        {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }
}
