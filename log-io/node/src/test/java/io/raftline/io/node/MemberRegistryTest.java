package io.raftline.io.node;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.config.Durability;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.FrameHeader;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry follows the core's configuration: peers are connected as they are added and let go of after. */
@Timeout(60)
class MemberRegistryTest
{
    @Test
    void peersFollowTheConfigurationAndMessagesToOthersAreDropped(@TempDir final Path dir)
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", "registry");
        for (int id = 1; id <= 4; id++)
        {
            properties.setProperty("node." + id, "127.0.0.1:" + (23400 + id));
        }
        final ClusterConfig config = ClusterConfig.parse(properties, dir);
        AeronRuntime aeron = null;
        NodeCounters counters = null;
        ChronicleLog log = null;
        MemberRegistry registry = null;
        try
        {
            aeron = AeronRuntime.embedded(dir.resolve("aeron").toString(), 8192, 1 << 20);
            counters = new NodeCounters(aeron.aeron(), 1);
            log = ChronicleLog.open(dir.resolve("data"), Durability.PAGE_CACHE);
            registry = new MemberRegistry(1, aeron.aeron(), config, FrameHeader.clusterHash("registry"), log,
                counters, null);
            registry.update(Configuration.of(1, 2, 3));
            assertEquals(2, registry.peerCount());
            assertTrue(registry.isPeer(2));
            assertTrue(registry.isPeer(3));
            assertFalse(registry.isPeer(1), "not a peer of itself");

            registry.update(Configuration.withLearners(new int[]{1, 2}, new int[]{4, 9}));
            assertTrue(registry.isPeer(4), "a learner is a peer: it receives the log");
            assertFalse(registry.isPeer(3), "let go of");
            assertFalse(registry.isPeer(9), "no endpoint is known for it");
            assertEquals(2, registry.peerCount());

            registry.update(Configuration.withLearners(new int[]{1, 2}, new int[]{4, 9})
                .withMember(9, 0, "127.0.0.1:23409"));
            assertTrue(registry.isPeer(9), "the log's configuration names where a member listens");
            assertEquals(3, registry.peerCount());

            final RaftMessage toStranger = new RaftMessage();
            toStranger.type = MessageType.HEARTBEAT;
            toStranger.from = 1;
            toStranger.to = 8;
            registry.send(toStranger);
            assertEquals(1, counters.transport().dropped(), "no endpoint is known for node 8");

            final RaftMessage toOutsider = new RaftMessage();
            toOutsider.type = MessageType.APPEND_RESPONSE;
            toOutsider.from = 1;
            toOutsider.to = 3;
            registry.send(toOutsider);
            assertTrue(registry.isPeer(3), "answered at the endpoint the cluster file gives it");
            assertEquals(1, counters.transport().dropped());
            registry.update(Configuration.of(1, 2));
            assertTrue(registry.isPeer(3), "a server this node answers stays reachable");
            registry.update(Configuration.of(1, 2, 3));
            registry.update(Configuration.of(1, 2));
            assertFalse(registry.isPeer(3), "a member the configuration removes is let go of");
        }
        finally
        {
            CloseHelper.quietCloseAll(registry, log, counters, aeron);
        }
    }
}
