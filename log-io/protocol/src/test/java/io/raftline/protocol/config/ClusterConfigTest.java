package io.raftline.protocol.config;

import io.raftline.protocol.config.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterConfigTest
{
    private static Properties threeNodes()
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", "demo");
        properties.setProperty("node.1", "127.0.0.1:20001");
        properties.setProperty("node.2", "127.0.0.1:20002");
        properties.setProperty("node.3", "127.0.0.1:20003");
        return properties;
    }

    private static String errorKey(final Properties properties)
    {
        return assertThrows(ConfigException.class, () -> ClusterConfig.parse(properties, Path.of("/c"))).key();
    }

    @Test
    void readsTheClusterFileOfTheCommandLineContract(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("cluster.properties");
        Files.writeString(file, """
            cluster.id=demo                 # peers or clients with another id are refused
            node.1=127.0.0.1:20001
            node.2=127.0.0.1:20002
            node.3=127.0.0.1:20003
            node.1.dir=/var/lib/raftline/1
            """.replace("                 # peers or clients with another id are refused", ""));
        final ClusterConfig config = ClusterConfig.load(file);
        assertEquals("demo", config.clusterId());
        assertArrayEquals(new int[]{1, 2, 3}, config.memberIds());
        assertEquals(Path.of("/var/lib/raftline/1"), config.member(1).dataDir());
        assertEquals(dir.resolve("node-2"), config.member(2).dataDir());
        assertEquals(20003, config.member(3).port());
        assertEquals("127.0.0.1:20003", config.member(3).endpoint());
    }

    @Test
    void defaultsAreSane()
    {
        final ClusterConfig config = ClusterConfig.parse(threeNodes(), Path.of("/c"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), config.electionTimeoutNs());
        assertEquals(50, config.electionTimeoutTicks());
        assertEquals(5, config.heartbeatIntervalTicks());
        assertEquals(Durability.PAGE_CACHE, config.durability());
        assertEquals("backoff", config.idleStrategy());
        assertEquals(10, config.idleSocketWaitMs());
        assertTrue(config.embeddedDriver());
        assertEquals(4 << 20, config.sessionMemorySlots(), "64 MiB of 16-byte slots");
        assertEquals(64L << 20, config.reserveBytes());
    }

    @Test
    void theMtuDefaultsToWholeLoopbackDatagramsOnlyWhenEveryMemberIsOnLoopback()
    {
        assertEquals(65504, ClusterConfig.parse(threeNodes(), Path.of("/c")).mtuBytes());

        final Properties remote = threeNodes();
        remote.setProperty("node.3", "192.0.2.7:20003");
        assertEquals(8192, ClusterConfig.parse(remote, Path.of("/c")).mtuBytes());

        remote.setProperty("aeron.mtu.bytes", "1408");
        assertEquals(1408, ClusterConfig.parse(remote, Path.of("/c")).mtuBytes());
    }

    @Test
    void tuningKeysAreRead()
    {
        final Properties properties = threeNodes();
        properties.setProperty("raft.election.timeout.ms", "1000");
        properties.setProperty("raft.heartbeat.interval.ms", "100");
        properties.setProperty("raft.tick.ms", "5");
        properties.setProperty("storage.durability", "fsync");
        properties.setProperty("node.idle.strategy", "sleeping");
        properties.setProperty("aeron.driver", "external");
        properties.setProperty("aeron.dir", "/dev/shm/x");
        properties.setProperty("replication.batch.bytes", "4096");
        properties.setProperty("session.memory.mb", "2");
        properties.setProperty("node.idle.socket.wait.ms", "0");
        final ClusterConfig config = ClusterConfig.parse(properties, Path.of("/c"));
        assertEquals(131_072, config.sessionMemorySlots());
        assertEquals(200, config.electionTimeoutTicks());
        assertEquals(20, config.heartbeatIntervalTicks());
        assertEquals(Durability.FSYNC, config.durability());
        assertEquals("sleeping", config.idleStrategy());
        assertFalse(config.embeddedDriver());
        assertEquals("/dev/shm/x", config.aeronDir());
        assertEquals(4096, config.batchBytes());
        assertEquals(0, config.idleSocketWaitMs());
    }

    @Test
    void everyBadValueNamesItsKey()
    {
        final String[][] cases = {
            {"cluster.id", ""},
            {"node.2", "localhost"},
            {"node.2", "127.0.0.1:70000"},
            {"node.0", "127.0.0.1:1"},
            {"node.9.dir", "/tmp/x"},
            {"raft.election.timeout.ms", "soon"},
            {"raft.election.timeout.ms", "1"},
            {"raft.heartbeat.interval.ms", "500"},
            {"storage.durability", "sometimes"},
            {"node.idle.strategy", "spin-forever"},
            {"node.idle.socket.wait.ms", "-1"},
            {"aeron.mtu.bytes", "1500"},
            {"aeron.term.length.bytes", "100000"},
            {"aeron.driver", "external"},
            {"replication.batch.bytes", "0"},
            {"raft.electon.timeout.ms", "100"},
            {"session.memory.mb", "0"},
            {"storage.reserve.mb", "8"},
        };
        for (final String[] c : cases)
        {
            final Properties properties = threeNodes();
            properties.setProperty(c[0], c[1]);
            final String key = errorKey(properties);
            final String expected = c[0].equals("aeron.driver") ? "aeron.dir" : c[0];
            assertEquals(expected, key, "for " + c[0] + "=" + c[1]);
        }
    }

    @Test
    void duplicateEndpointsAndMissingNodesAreRefused()
    {
        final Properties duplicate = threeNodes();
        duplicate.setProperty("node.3", "127.0.0.1:20001");
        assertTrue(errorKey(duplicate).startsWith("node."));

        final Properties none = new Properties();
        none.setProperty("cluster.id", "x");
        assertEquals("node.1", errorKey(none));

        final ClusterConfig config = ClusterConfig.parse(threeNodes(), Path.of("/c"));
        assertEquals("node.7", assertThrows(ConfigException.class, () -> config.member(7)).key());
    }

    @Test
    void anUnreadableFileIsAConfigError(@TempDir final Path dir)
    {
        final ConfigException error = assertThrows(ConfigException.class,
            () -> ClusterConfig.load(dir.resolve("missing.properties")));
        assertTrue(error.getMessage().contains("cannot read the cluster file"));
    }
}
