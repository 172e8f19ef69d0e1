package io.raftline.client;

import io.raftline.io.node.RaftlineNode;
import io.raftline.protocol.client.AdminOperation;
import io.raftline.protocol.client.AdminStatus;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A change whose leader loses the leadership before it completes is settled with the next leader, not reported as
 * failed: on a busy machine an election can come at any time, and the operator asked for an outcome.
 */
@Timeout(120)
class AdminLeadershipChangeTest
{
    private static final int BASE_PORT = 22500;
    private static final String LEARNER_ENDPOINT = "127.0.0.1:" + (BASE_PORT + 4);

    @Test
    void aPromotionWhoseLeaderHandsOverIsCarriedOutByTheNextLeader(@TempDir final Path dir) throws Exception
    {
        try (InProcessCluster cluster = new InProcessCluster(dir, "handover", BASE_PORT);
            AdminClient admin = AdminClient.open(cluster.config, null);
            AdminClient other = AdminClient.open(cluster.config, null))
        {
            final int first = cluster.awaitLeader();
            assertEquals(AdminStatus.DONE,
                admin.request(AdminOperation.ADD_LEARNER, 4, LEARNER_ENDPOINT, TimeUnit.SECONDS.toNanos(10)).status());

            // node 4 is not running yet: the promotion waits for it to catch up while the leadership moves
            final CompletableFuture<AdminClient.Result> promotion = CompletableFuture.supplyAsync(
                () -> admin.request(AdminOperation.PROMOTE, 4, "", TimeUnit.SECONDS.toNanos(60)));
            Thread.sleep(1_000);
            assertFalse(promotion.isDone(), () -> "the promotion ended early: " + promotion.join());
            final int next = first % 3 + 1;
            assertEquals(AdminStatus.DONE,
                other.request(AdminOperation.TRANSFER_LEADERSHIP, next, "", TimeUnit.SECONDS.toNanos(10)).status());

            final Properties properties = new Properties();
            properties.putAll(cluster.properties);
            properties.setProperty("node.4", LEARNER_ENDPOINT);
            final ClusterConfig withLearner = ClusterConfig.parse(properties, dir);
            final RaftlineNode learner = RaftlineNode.start(withLearner, 4, false);
            try
            {
                final AdminClient.Result result = promotion.get(90, TimeUnit.SECONDS);
                assertEquals(AdminStatus.DONE, result.status(), result::toString);
                assertTrue(result.configuration().isVoter(4) && !result.configuration().isJoint(), result::toString);
                assertTrue(other.listMembers(TimeUnit.SECONDS.toNanos(10)).configuration().isVoter(4));
            }
            finally
            {
                CloseHelper.close(learner);
                IoUtil.delete(new File(RaftlineNode.aeronDirectory(withLearner, withLearner.member(4))), true);
            }
        }
    }
}
