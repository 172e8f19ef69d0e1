package io.raftline.tools;

import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real node processes on loopback: elections, crashes, restarts and garbage on the wire. */
@Timeout(120)
class NodeProcessTest
{
    @Test
    void threeNodesElectExactlyOneLeader(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21101))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            Thread.sleep(1000);
            final List<NodeStatus> later = cluster.statuses();
            assertTrue(ProcessCluster.oneAgreedLeader(later, 3), () -> StatusCommand.toJson(later));
            assertEquals(leader.id(), ProcessCluster.leaderOf(later).id(), "a stable cluster keeps its leader");
            assertEquals(leader.value(NodeCounter.TERM), ProcessCluster.leaderOf(later).value(NodeCounter.TERM));
        }
    }

    @Test
    void fiveNodesElectExactlyOneLeader(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 5, 21201))
        {
            final List<NodeStatus> statuses = cluster.await("a leader", 40, s -> ProcessCluster.oneAgreedLeader(s, 5));
            // the new leader's no-op commits on every node
            final long noop = ProcessCluster.leaderOf(statuses).value(NodeCounter.LAST_INDEX);
            cluster.await("the no-op committed everywhere", 20, s -> s.stream().allMatch(n ->
                n.reachable() && n.value(NodeCounter.COMMIT_INDEX) >= noop));
        }
    }

    @Test
    void killedLeaderIsReplacedAndRejoinsAsFollowerWithItsLogRepaired(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21301))
        {
            final NodeStatus first = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            cluster.kill(first.id());
            final NodeStatus second = ProcessCluster.leaderOf(cluster.await("a new leader", 30,
                s -> ProcessCluster.oneAgreedLeader(s, 2) && !s.get(first.id() - 1).reachable()));
            assertNotEquals(first.id(), second.id());
            assertTrue(second.value(NodeCounter.TERM) > first.value(NodeCounter.TERM));

            cluster.start(first.id());
            final List<NodeStatus> healed = cluster.await("the old leader back as a follower", 30, s ->
                ProcessCluster.oneAgreedLeader(s, 3) && s.get(first.id() - 1).role().equals("FOLLOWER") &&
                s.get(first.id() - 1).value(NodeCounter.LAST_INDEX) == ProcessCluster.leaderOf(s).value(NodeCounter.LAST_INDEX) &&
                s.get(first.id() - 1).value(NodeCounter.COMMIT_INDEX) == ProcessCluster.leaderOf(s).value(NodeCounter.COMMIT_INDEX));
            assertEquals(second.id(), ProcessCluster.leaderOf(healed).id(), "a rejoining node does not disturb the leader");
        }
    }

    @Test
    void restartedNodeKeepsItsLogTermAndVote(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21401))
        {
            final List<NodeStatus> statuses = cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            final NodeStatus leader = ProcessCluster.leaderOf(statuses);
            final int followerId = leader.id() % 3 + 1;
            // with the leader as it is then: a fresh leader may append more (its no-op, the members' disk
            // identities) after the status it was found in
            final NodeStatus before = cluster.await("the follower caught up", 20, s ->
                ProcessCluster.oneAgreedLeader(s, 3) && s.get(followerId - 1).value(NodeCounter.LAST_INDEX) ==
                    ProcessCluster.leaderOf(s).value(NodeCounter.LAST_INDEX)).get(followerId - 1);
            final int exitCode = cluster.terminate(followerId);
            assertTrue(exitCode == 0 || exitCode == 128 + 15, "SIGTERM stops a node cleanly: " + exitCode);
            final String logBefore = cluster.logs();
            cluster.start(followerId);
            final NodeStatus after = cluster.await("the follower back", 30, s ->
                s.get(followerId - 1).reachable() && ProcessCluster.oneAgreedLeader(s, 3)).get(followerId - 1);
            assertTrue(after.value(NodeCounter.LAST_INDEX) >= before.value(NodeCounter.LAST_INDEX),
                "the log survives a restart");
            assertEquals(before.value(NodeCounter.TERM), after.value(NodeCounter.TERM),
                "the term survives a restart and the cluster stays in it");
            assertEquals(leader.id(), after.value(NodeCounter.LEADER));
            assertFalse(cluster.logsContain("torn"), "a clean stop leaves no torn tail to cut: " + logBefore);
        }
    }

    @Test
    void aStoppedFollowerCatchesUpAfterSigcont(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21801))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            final int follower = leader.id() % 3 + 1;
            cluster.signal(follower, "STOP");
            final long[] acknowledged = new long[1];
            try (Producer producer = Producer.open(cluster.config(), null, "p", 256, new ProducerListener()
            {
                @Override
                public void onCommitted(final long sequence, final long index, final long term)
                {
                    acknowledged[0]++;
                }

                @Override
                public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
                {
                    throw new AssertionError("entry " + sequence + " failed: " + reason);
                }
            }, TimeUnit.SECONDS.toNanos(30)))
            {
                final UnsafeBuffer entry = new UnsafeBuffer(new byte[100]);
                for (int i = 0; i < 20_000; i++)
                {
                    while (producer.offer(entry, 0, entry.capacity()) == Producer.BACK_PRESSURED)
                    {
                        producer.poll();
                    }
                }
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (producer.inFlight() > 0 && System.nanoTime() < deadlineNs)
                {
                    producer.poll();
                }
            }
            assertEquals(20_000, acknowledged[0], "a majority commits while one follower is stopped");
            Thread.sleep(2_000); // longer than an election timeout: the stopped node must not disturb anyone after
            cluster.signal(follower, "CONT");
            final List<NodeStatus> caughtUp = cluster.await("the follower caught up", 30, s ->
                ProcessCluster.oneAgreedLeader(s, 3) &&
                s.get(follower - 1).value(NodeCounter.COMMIT_INDEX) == ProcessCluster.leaderOf(s).value(NodeCounter.COMMIT_INDEX) &&
                s.get(follower - 1).value(NodeCounter.LAST_INDEX) == ProcessCluster.leaderOf(s).value(NodeCounter.LAST_INDEX));
            assertEquals(leader.id(), ProcessCluster.leaderOf(caughtUp).id(), "the paused follower does not depose the leader");
        }
    }

    @Test
    void garbageDatagramsDoNotDisturbTheCluster(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21501);
            DatagramSocket socket = new DatagramSocket())
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            final Random random = new Random(42);
            final InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] garbage = new byte[1 + random.nextInt(1400)];
                random.nextBytes(garbage);
                final int port = cluster.config().member(1 + random.nextInt(3)).port();
                socket.send(new DatagramPacket(garbage, garbage.length, loopback, port));
            }
            AeronGarbage.send(cluster.config(), 5_000, random);
            Thread.sleep(1000);
            final List<NodeStatus> after = cluster.await("the cluster steady", 10,
                s -> ProcessCluster.oneAgreedLeader(s, 3));
            assertEquals(leader.id(), ProcessCluster.leaderOf(after).id());
            assertEquals(leader.value(NodeCounter.TERM), ProcessCluster.leaderOf(after).value(NodeCounter.TERM));
            final long malformed = after.stream().mapToLong(s -> s.value(NodeCounter.MALFORMED)).sum();
            assertTrue(malformed > 0, "Aeron-framed garbage reaches the decoder and is counted");
        }
    }
}
