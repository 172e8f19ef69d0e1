package io.raftline.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code raftline produce} stopped halfway by a signal still says what happened, in full. */
@Timeout(180)
class ProduceInterruptedTest
{
    private static final Pattern EVENT = Pattern.compile("\\{\"type\":\"(\\w+)\",\"producer\":\"p1\",\"seq\":(\\d+),.*}");

    @Test
    void aSignalledProducerPrintsItsSummaryAndGivesEveryAppendAnOutcome(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 23301))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            // SIGTERM, which reaches the JVM wherever it runs; Ctrl-C's SIGINT takes the same path (a shutdown hook),
            // but a shell that starts a job in the background makes it ignore SIGINT
            for (final String signal : List.of("TERM"))
            {
                final Path history = dir.resolve("history-" + signal);
                final Path output = dir.resolve("produce-" + signal + ".log");
                final List<String> command = NodeProcesses.javaCommand(List.of(), Raftline.class);
                command.addAll(List.of("produce", "--cluster", cluster.clusterFile().toString(), "--count",
                    "100000000", "--rate", "20000", "--history", history.toString()));
                final Process produce = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (okLines(history) < 2_000 && System.nanoTime() < deadlineNs)
                {
                    Thread.sleep(100);
                }
                assertTrue(okLines(history) >= 2_000, "entries were acknowledged before the signal");
                new ProcessBuilder("kill", "-" + signal, Long.toString(produce.pid())).start().waitFor();
                assertTrue(produce.waitFor(20, TimeUnit.SECONDS), "ended soon after SIG" + signal);

                final String said = Files.readString(output);
                assertTrue(said.contains("interrupted") && said.contains("acknowledged "),
                    "a summary after SIG" + signal + ": " + said);
                final Set<Long> invoked = new HashSet<>();
                final Set<Long> settled = new HashSet<>();
                for (final String line : Files.readAllLines(history, StandardCharsets.UTF_8))
                {
                    final Matcher event = EVENT.matcher(line);
                    assertTrue(event.matches(), "a whole JSON line: " + line);
                    (event.group(1).equals("invoke") ? invoked : settled).add(Long.parseLong(event.group(2)));
                }
                assertEquals(invoked, settled, "every append has an outcome (ok, fail or info)");
            }
        }
    }

    private static long okLines(final Path history) throws java.io.IOException
    {
        if (!Files.exists(history))
        {
            return 0;
        }
        try (var lines = Files.lines(history, StandardCharsets.ISO_8859_1))
        {
            return lines.filter(line -> line.startsWith("{\"type\":\"ok\"")).count();
        }
    }
}
