package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.protocol.config.Durability;
import io.raftline.io.storage.ChronicleLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line under mistakes: each failure clear (one line, in words), fast and harmless. */
@Timeout(120)
class CommandLineFailuresTest
{
    @TempDir
    Path dir;

    private static void assertOneLine(final Cli result, final int exitCode, final String... words)
    {
        assertEquals(exitCode, result.exitCode(), result::toString);
        final String first = result.err().strip().lines().findFirst().orElse("");
        for (final String word : words)
        {
            assertTrue(first.contains(word), "'" + word + "' in " + result);
        }
        assertFalse(result.err().contains("Exception") || result.err().contains("\tat "), result::toString);
        assertEquals(1, result.err().strip().lines().count(), "one line, not the usage: " + result);
    }

    private Path stoppedClusterFile() throws Exception
    {
        return NodeProcesses.writeClusterFile(dir, "stopped", 1, 23901, List.of());
    }

    @Test
    void everyNumericFlagRefusesWhatItCannotMeanNamingTheFlagAndItsRange() throws Exception
    {
        final String file = stoppedClusterFile().toString();
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "-1"), 2, "--count", "at least 1", "-1");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "0"), 2, "--count");
        assertOneLine(Cli.run("produce", "--cluster", file, "--duration", "-1"), 2, "--duration", "more than 0");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "5", "--size", "0"), 2, "--size",
            "1 to 4194304");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "5", "--window", "0"), 2, "--window");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "5", "--rate", "-3"), 2, "--rate");
        assertOneLine(Cli.run("tail", "--cluster", file, "--from", "-2"), 2, "--from");
        assertOneLine(Cli.run("tail", "--cluster", file, "--from", "9", "--to", "3"), 2, "--to", "9");
        assertOneLine(Cli.run("cluster", "start", "--nodes", "10", "--dir", dir.toString()), 2, "--nodes", "1 to 9");
        assertOneLine(Cli.run("member", "list", "--cluster", file, "--timeout", "0"), 2, "--timeout");
        assertOneLine(Cli.run("demo", "--count", "3"), 2, "--count", "10");
        assertOneLine(Cli.run("bench", "latency", "--rate", "0"), 2, "--rate");
        assertOneLine(Cli.run("snapshot", "--cluster", file, "--node", "0"), 2, "--node");
        assertOneLine(Cli.run("member", "remove", "--cluster", file, "--id", "-1"), 2, "--id", "must be 1 to", "-1");
        assertOneLine(Cli.run("member", "promote", "--cluster", file, "--id", "0"), 2, "--id");
        assertOneLine(Cli.run("member", "add", "--cluster", file, "--id", "-4", "--endpoint", "h:1"), 2, "--id");
        assertOneLine(Cli.run("cluster", "start-node", "--dir", dir.toString(), "--id", "0"), 2, "--id");
        assertOneLine(Cli.run("demo", "--base-port", "70000"), 2, "--base-port", "1 to 65533");
        assertOneLine(Cli.run("bench", "latency", "--base-port", "0"), 2, "--base-port");
    }

    @Test
    void aNumberTooLargeForItsFlagSaysHowLargeItMayBe() throws Exception
    {
        final String file = stoppedClusterFile().toString();
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "99999999999999999999"), 2, "--count",
            "99999999999999999999", "9223372036854775807");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "5", "--window", "99999999999"), 2,
            "--window", "2147483647");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "5", "--size", "ten"), 2, "--size",
            "'ten'", "whole number");
    }

    @Test
    void aMissingClusterFileIsNamedOnce()
    {
        final String missing = dir.resolve("nope.properties").toString();
        final Cli produce = Cli.run("produce", "--cluster", missing, "--count", "1");
        assertOneLine(produce, 1, missing, "no such file");
        assertEquals(produce.err().indexOf(missing), produce.err().lastIndexOf(missing), produce::toString);
    }

    @Test
    void tailAgainstAStoppedClusterGivesUpAtItsTimeout() throws Exception
    {
        final String file = stoppedClusterFile().toString();
        final long startNs = System.nanoTime();
        assertOneLine(Cli.run("tail", "--cluster", file, "--timeout", "1"), 1, "did not answer within 1 s");
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(8), "not the old fixed 10 s");
        assertOneLine(Cli.run("tail", "--cluster", file, "--timeout", "0"), 2, "--timeout");
    }

    @Test
    void aNodeRefusesAKeyOthersCanReadOrNoKeyAtAllNamingWhatToDo() throws Exception
    {
        final Path clusterFile = stoppedClusterFile();
        final Path key = dir.resolve("cluster.key");
        assertTrue(Files.exists(key), "the cluster file's key is written beside it");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertOneLine(Cli.run("node", "--cluster", clusterFile.toString(), "--id", "1"), 1, key.toString(),
            "chmod 600");
        assertFalse(Files.exists(dir.resolve("node-1")), "nothing made on disk");
        Files.writeString(clusterFile, "cluster.id=x\nnode.1=127.0.0.1:23911\n");
        assertOneLine(Cli.run("node", "--cluster", clusterFile.toString(), "--id", "1"), 1, "cluster.key.file",
            "security.authentication=off");
        assertOneLine(Cli.run("keys", "create", "--dir", dir.toString()), 1, "exists");
        final Path other = dir.resolve("other");
        final Cli created = Cli.run("keys", "create", "--dir", other.toString());
        assertEquals(0, created.exitCode(), created::toString);
        assertTrue(created.out().contains("cluster.key.file="), created::toString);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(other.resolve("cluster.key"))));
    }

    @Test
    void durationsReadInTheUnitThatSuitsThem()
    {
        assertEquals("97 us", ProduceRun.human(97_400));
        assertEquals("2.7 ms", ProduceRun.human(2_690_000));
        assertEquals("1.25 s", ProduceRun.human(1_250_000_000));
    }

    @Test
    void clusterStartReusesAnExistingClusterFileAsItIsOrRefusesNamingIt() throws Exception
    {
        final Cli started = Cli.run("cluster", "start", "--nodes", "1", "--dir", dir.toString(), "--base-port",
            "23911");
        assertEquals(0, started.exitCode(), started::toString);
        final Path clusterFile = dir.resolve("cluster.properties");
        try
        {
            // a tail from past the commit index returns at once, saying why it shows nothing
            final long startNs = System.nanoTime();
            final Cli tail = Cli.run("tail", "--cluster", clusterFile.toString(), "--from", "5000", "--to", "6000");
            assertEquals(0, tail.exitCode(), tail::toString);
            assertTrue(tail.err().contains("nothing from index 5000"), tail::toString);
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
        }
        finally
        {
            assertEquals(0, Cli.run("cluster", "stop", "--dir", dir.toString()).exitCode());
        }
        Files.writeString(clusterFile, Files.readString(clusterFile) + "storage.durability=fsync\n");
        final byte[] before = Files.readAllBytes(clusterFile);
        assertOneLine(Cli.run("cluster", "start", "--nodes", "3", "--dir", dir.toString()), 1,
            clusterFile.toString(), "nodes [1]", "--nodes 1");
        assertArrayEquals(before, Files.readAllBytes(clusterFile), "the cluster file is never rewritten");
        final Cli again = Cli.run("cluster", "start", "--nodes", "1", "--dir", dir.toString());
        try
        {
            assertEquals(0, again.exitCode(), again::toString);
            assertArrayEquals(before, Files.readAllBytes(clusterFile), "restarted as the file says, fsync kept");
            assertOneLine(Cli.run("cluster", "start", "--nodes", "1", "--dir", dir.toString()), 1,
                "already running");
            // one node stopped by hand is started again by cluster start, the others left to run
            final ProcessHandle node = ProcessHandle.of(Long.parseLong(
                Files.readString(dir.resolve("node-1.pid")).strip())).orElseThrow();
            node.destroy();
            assertTrue(node.onExit().get(20, TimeUnit.SECONDS) != null);
            final Cli restarted = Cli.run("cluster", "start", "--nodes", "1", "--dir", dir.toString());
            assertEquals(0, restarted.exitCode(), restarted::toString);
            assertTrue(Long.parseLong(Files.readString(dir.resolve("node-1.pid")).strip()) != node.pid(),
                "a new process");
            // a node that cannot start (here: a key others can read) leaves the file as it was
            Files.setPosixFilePermissions(dir.resolve("cluster.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
            assertOneLine(Cli.run("cluster", "start-node", "--dir", dir.toString(), "--id", "2"), 1,
                "did not start", "as it was");
            assertArrayEquals(before, Files.readAllBytes(clusterFile), "no node.2 left in the file");
        }
        finally
        {
            Cli.run("cluster", "stop", "--dir", dir.toString());
        }
    }

    @Test
    void aTakenPortIsNamedAtOnceAndNothingIsLeftRunning() throws Exception
    {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 23922)))
        {
            final long startNs = System.nanoTime();
            assertOneLine(Cli.run("cluster", "start", "--nodes", "3", "--dir", dir.toString(), "--base-port", "23921"),
                1, "UDP port 23922", "node 2");
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "at once");
            assertFalse(Files.exists(dir.resolve("node-1.pid")), "nothing was started");
        }
    }

    @Test
    void aClientAgainstAStoppedClusterSaysSoWithinItsTimeout() throws Exception
    {
        final String file = stoppedClusterFile().toString();
        final long startNs = System.nanoTime();
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "3", "--timeout", "1"), 1, "no leader");
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
        final Cli status = Cli.run("status", "--cluster", file);
        assertEquals(1, status.exitCode(), "scripts test for a cluster that is down: " + status);
        assertTrue(status.out().contains("unreachable"), status::toString);
    }

    @Test
    void badAddressesAndPathsAreNamedInWords() throws Exception
    {
        final String file = stoppedClusterFile().toString();
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "3", "--bind", "garbage", "--timeout", "1"), 1,
            "--bind", "garbage");
        assertOneLine(Cli.run("produce", "--cluster", file, "--count", "3", "--history", "/proc/nope/x"), 1,
            "history file", "/proc/nope/x");
        final Path far = dir.resolve("far");
        Files.createDirectories(far);
        Files.writeString(far.resolve("c.properties"), "cluster.id=x\nnode.1=10.99.99.99:23931\n" +
            "security.authentication=off\n");
        assertOneLine(Cli.run("node", "--cluster", far.resolve("c.properties").toString(), "--id", "1"), 1,
            "cannot listen on 10.99.99.99:23931");
        assertFalse(Files.exists(far.resolve("node-1")), "no data folder is made for a node that cannot start");
    }

    @Test
    void dumpSaysWhatTheLogHoldsWhenAskedForWhatItDoesNot()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            final UnsafeBuffer payload = new UnsafeBuffer("x".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 3; i++)
            {
                log.append(1, EntryType.NORMAL, 0, 0, payload, 0, 1);
            }
        }
        final Cli dump = Cli.run("dump", dir.toString(), "--from", "7");
        assertEquals(0, dump.exitCode(), dump::toString);
        assertEquals("", dump.out());
        assertTrue(dump.err().contains("the log holds indexes 1..3"), dump::toString);
    }

    @Test
    void aClientStoppedBySigtermLeavesNoDriverFolderAndStaleOnesAreRemoved() throws Exception
    {
        final File shm = new File("/dev/shm");
        final File base = shm.isDirectory() ? shm : new File(System.getProperty("java.io.tmpdir"));
        final File stale = new File(base, "raftline-client-999999999-1");
        assertTrue(stale.mkdirs() || stale.isDirectory());
        final String file = stoppedClusterFile().toString();
        final List<String> command = NodeProcesses.javaCommand(List.of(), Raftline.class);
        command.addAll(List.of("produce", "--cluster", file, "--count", "3", "--timeout", "60"));
        final Process client = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(dir.resolve("client.log").toFile()).start();
        final String prefix = "raftline-client-" + client.pid() + "-";
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!hasFolder(base, prefix) && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(50);
        }
        assertTrue(hasFolder(base, prefix), "the client made its driver's folder");
        assertFalse(stale.exists(), "a dead client's folder is removed by the next client");
        client.destroy(); // SIGTERM
        assertTrue(client.waitFor(20, TimeUnit.SECONDS));
        assertFalse(hasFolder(base, prefix), "its folder went with it");
    }

    private static boolean hasFolder(final File base, final String prefix)
    {
        final String[] names = base.list((folder, name) -> name.startsWith(prefix));
        return names != null && names.length > 0;
    }
}
