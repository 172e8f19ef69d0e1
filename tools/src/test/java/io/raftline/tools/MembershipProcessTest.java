package io.raftline.tools;

import io.raftline.core.Role;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes on real node processes through the command line, each under a producer at 10,000 entries a
 * second whose every acknowledged entry must end up in the log exactly once, at the index it was acknowledged at.
 */
@Timeout(180)
class MembershipProcessTest
{
    private static final int RATE = 10_000;

    private static void startNode(final ProcessCluster cluster, final int id)
    {
        Cli.ok("cluster", "start-node", "--dir", cluster.dir().toString(), "--id", Integer.toString(id));
    }

    /** {@code raftline member OPERATION --cluster FILE ARGS... --timeout 60}, which must exit 0. */
    private static void member(final ProcessCluster cluster, final String operation, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of("member", operation, "--cluster",
            cluster.clusterFile().toString(), "--timeout", "60"));
        command.addAll(List.of(args));
        Cli.ok(command.toArray(String[]::new));
    }

    /** The members' JSON as {@code member list --json} prints it. */
    private static String members(final ProcessCluster cluster)
    {
        return Cli.ok("member", "list", "--cluster", cluster.clusterFile().toString(), "--json").lastLine();
    }

    @Test
    void aKilledFollowerIsReplacedByANewNodeOnAnEmptyDisk(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22101);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            producer.awaitMore(5_000, 30);
            final int dead = leader.id() % 3 + 1;
            cluster.kill(dead);
            producer.awaitMore(10_000, 30); // at 10,000/s: a second, past the election timeout since it answered

            // without the leader, the voters left would be the live follower and the dead one: nobody could win
            final Cli unsafe = Cli.run("member", "remove", "--cluster", cluster.clusterFile().toString(), "--id",
                Integer.toString(leader.id()), "--timeout", "10");
            assertEquals(1, unsafe.exitCode(), unsafe::toString);
            assertTrue(unsafe.err().contains("no leader could be elected once this one is gone"), unsafe::toString);
            assertTrue(members(cluster).contains("\"voters\":[1,2,3]"), members(cluster));

            startNode(cluster, 4);
            member(cluster, "add", "--id", "4", "--voter");
            member(cluster, "remove", "--id", Integer.toString(dead));
            producer.awaitMore(5_000, 30);

            final String members = members(cluster);
            final List<Integer> voters = new ArrayList<>(List.of(1, 2, 3, 4));
            voters.remove(Integer.valueOf(dead));
            assertTrue(members.contains("\"voters\":" + voters.toString().replace(" ", "")), members);
            assertTrue(members.contains("\"joint\":false"), members);
            cluster.await("node 4 a follower", 30, s -> s.get(3).role().equals("FOLLOWER"));
            assertExactlyOnce(cluster, producer, 4);
        }
    }

    @Test
    void aClusterGrowsFromThreeToFiveAndShrinksBack(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22201);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            producer.awaitMore(5_000, 30);
            final Cli notRunning = Cli.run("member", "add", "--cluster", cluster.clusterFile().toString(), "--id", "9",
                "--endpoint", "127.0.0.1:9", "--voter", "--timeout", "2");
            assertEquals(1, notRunning.exitCode(), notRunning::toString);
            assertTrue(notRunning.err().contains("did not catch up") && notRunning.err().contains("stays a learner"),
                notRunning::toString);
            assertTrue(members(cluster).contains("\"learners\":[9]"), members(cluster));
            member(cluster, "remove", "--id", "9");

            startNode(cluster, 4);
            startNode(cluster, 5);
            member(cluster, "add", "--id", "4", "--voter");
            member(cluster, "add", "--id", "5", "--voter");
            assertTrue(members(cluster).contains("\"voters\":[1,2,3,4,5]"), members(cluster));
            final List<NodeStatus> five = cluster.await("five agree on a leader", 30,
                s -> ProcessCluster.oneAgreedLeader(s, 5));
            producer.awaitMore(5_000, 30);

            final int leader = ProcessCluster.leaderOf(five).id();
            for (final int id : new int[]{ 4, 5 })
            {
                member(cluster, "remove", "--id", Integer.toString(id));
            }
            assertTrue(members(cluster).contains("\"voters\":[1,2,3]"), members(cluster));
            producer.awaitMore(5_000, 30);
            assertExactlyOnce(cluster, producer, leader <= 3 ? leader % 3 + 1 : 1);
        }
    }

    @Test
    void leadershipMovesOnRequestAndARemovedLeaderHandsOver(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22301);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            final NodeStatus first = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            producer.awaitMore(5_000, 30);
            final int target = first.id() % 3 + 1;
            Cli.ok("leader", "transfer", "--cluster", cluster.clusterFile().toString(), "--to",
                Integer.toString(target));
            assertEquals(target, ProcessCluster.leaderOf(cluster.statuses().stream().filter(NodeStatus::reachable)
                .filter(NodeStatus::isLeader).toList()).id(), "the target leads once transfer returns");
            producer.awaitMore(5_000, 30);

            member(cluster, "remove", "--id", Integer.toString(target));
            final List<NodeStatus> after = cluster.await("a leader among the other two", 30, s ->
                s.stream().filter(n -> n.id() != target).filter(NodeStatus::isLeader).count() == 1);
            final int second = ProcessCluster.leaderOf(after.stream().filter(n -> n.id() != target).toList()).id();
            assertTrue(second != target);
            producer.awaitMore(5_000, 30);
            final String members = members(cluster);
            assertTrue(!members.contains("\"id\":" + target + ","), members);
            assertExactlyOnce(cluster, producer, second);
        }
    }

    @Test
    void aVoterBackOnAnEmptyDiskDoesNotCountUntilAddedAgain(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22401);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            producer.awaitMore(5_000, 30);
            final int wiped = leader.id() % 3 + 1;
            cluster.kill(wiped);
            IoUtil.delete(cluster.config().member(wiped).dataDir().toFile(), false);
            cluster.start(wiped);
            final List<NodeStatus> foreign = cluster.await("node " + wiped + " to see it is on another disk", 30,
                s -> s.get(wiped - 1).value(NodeCounter.FOREIGN_DISK) == 1);
            final String status = Cli.ok("status", "--cluster", cluster.clusterFile().toString(), "--json").out();
            assertTrue(status.contains("\"voterOnAnotherDisk\":true"), status);
            assertTrue(cluster.logsContain("on another data directory"), cluster::logs);
            assertEquals(Role.FOLLOWER.name(), foreign.get(wiped - 1).role(), "it never campaigns");

            member(cluster, "remove", "--id", Integer.toString(wiped));
            member(cluster, "add", "--id", Integer.toString(wiped), "--voter");
            cluster.await("node " + wiped + " a voter on its new disk", 30,
                s -> s.get(wiped - 1).value(NodeCounter.FOREIGN_DISK) == 0 && ProcessCluster.oneAgreedLeader(s, 3));
            producer.awaitMore(5_000, 30);
            assertExactlyOnce(cluster, producer, wiped);
        }
    }

    @Test
    void aProducerOutlivesTheReplacementOfEveryNodeItKnew(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22501);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            producer.awaitMore(5_000, 30);
            for (final int id : new int[]{ 4, 5, 6 })
            {
                startNode(cluster, id);
                member(cluster, "add", "--id", Integer.toString(id), "--voter");
            }
            for (final int id : new int[]{ 1, 2, 3 })
            {
                member(cluster, "remove", "--id", Integer.toString(id));
                cluster.kill(id);
            }
            assertTrue(members(cluster).contains("\"voters\":[4,5,6]"), members(cluster));
            producer.awaitMore(10_000, 30);
            assertExactlyOnce(cluster, producer, 4);
        }
    }

    /** Stops the producer and checks node {@code nodeId}'s log against every acknowledgement it had. */
    static void assertExactlyOnce(
        final ProcessCluster cluster, final BackgroundProducer producer, final int nodeId) throws Exception
    {
        final ProduceRun run = producer.stop();
        System.out.println(producer.summary());
        assertEquals(0, run.failed(), "entries certainly not committed: " + run.lastError());
        assertEquals(0, run.unknown(), "entries of unknown outcome: " + run.lastError());
        cluster.await("node " + nodeId + " committed the last acknowledgement", 30,
            s -> s.get(nodeId - 1).value(NodeCounter.COMMIT_INDEX) >= run.lastIndex());
        Thread.sleep(1_000); // a snapshot still being written compacts the log when done: not while it is read
        final LogCheck check = LogCheck.read(cluster.clusterFile(), null, nodeId, producer.name(),
            TimeUnit.SECONDS.toNanos(30));
        assertEquals(0, check.problemCount(), () -> String.join("\n", check.problems()));
        final Map<Long, Long> acknowledged = producer.acknowledgedIndexes();
        assertEquals(run.acknowledged(), acknowledged.size());
        long held = 0;
        for (final Map.Entry<Long, Long> ack : acknowledged.entrySet())
        {
            if (ack.getValue() >= check.firstIndex())
            {
                assertEquals(ack.getValue(), check.indexOf(ack.getKey()),
                    "sequence " + ack.getKey() + " is where its acknowledgement said (log from " + check.firstIndex() +
                    ", " + check.entries() + " entries read)");
                held++;
            }
        }
        assertEquals(held, check.entries(), "nothing the producer was not told of");
    }
}
