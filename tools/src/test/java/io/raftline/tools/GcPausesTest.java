package io.raftline.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcPausesTest
{
    private static final List<String> LOG = List.of(
        "[1000ms] Using G1",
        "[2000ms] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 51M->2M(1024M) 4.500ms",
        "[3000ms] GC(1) Pause Young (Concurrent Start) (G1 Humongous Allocation) 60M->3M(1024M) 0.812ms",
        "[3100ms] GC(2) Concurrent Mark Cycle 25.001ms",
        "[3200ms] GC(2) Pause Remark 10M->10M(1024M) 1.250ms",
        "[3300ms] GC(2) Pause Cleanup 10M->10M(1024M) 0.050ms",
        "[9000ms] GC(3) Pause Full (System.gc()) 12M->1M(1024M) 30.000ms");

    @Test
    void countsOnlyThePausesThatEndedInTheWindow()
    {
        final GcPauses.Summary summary = GcPauses.parse(LOG, 2500, 8000);

        assertEquals(3, summary.pauses());
        assertEquals(1.25, summary.longestMs(), 1e-9);
    }

    @Test
    void concurrentPhasesAreNotPauses()
    {
        assertEquals(0, GcPauses.parse(List.of(LOG.get(3)), 0, Long.MAX_VALUE).pauses());
    }

    @Test
    void readsEveryLogAndSkipsMissingOnes(@TempDir final Path dir) throws Exception
    {
        Files.write(dir.resolve("a.log"), LOG);
        Files.write(dir.resolve("b.log"), List.of("[5000ms] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 7.000ms"));

        final GcPauses.Summary summary = GcPauses.read(
            List.of(dir.resolve("a.log"), dir.resolve("b.log"), dir.resolve("missing.log")), 0, 8000);

        assertEquals(5, summary.pauses());
        assertEquals(7.0, summary.longestMs(), 1e-9);
    }

    @Test
    void thisProcessLogsItsOwnPausesWhenAsked(@TempDir final Path dir) throws Exception
    {
        final Path log = dir.resolve("gc.log");
        final long fromMs = System.currentTimeMillis();
        assertTrue(GcPauses.logThisProcess(log));
        System.gc();
        GcPauses.stopLoggingThisProcess(log);

        final GcPauses.Summary summary = GcPauses.read(List.of(log), fromMs, System.currentTimeMillis());
        assertTrue(summary.pauses() >= 1, "System.gc() is a logged pause: " + Files.readAllLines(log));
        assertTrue(summary.longestMs() > 0);
    }
}
