package io.raftline.tools;

import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.snapshot.SnapshotFile;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.statemachine.KeyValueStateMachine;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots on real node processes: the log compacted below them, a follower that fell behind the compaction and a
 * node on an empty disk catching up from one, the key-value state equal on every node, and a producer at 10,000
 * entries a second whose every acknowledged entry is in the log exactly once throughout.
 */
@Timeout(180)
class SnapshotProcessTest
{
    private static final int RATE = 10_000;
    /**
     * What a leader sends a stopped follower waits in its publication up to the in-flight window (MiBs by default),
     * enough for the follower to catch up from it alone when it runs again; a window of one batch makes the leader
     * compact past it, as these tests need.
     */
    private static final String SMALL_INFLIGHT = "replication.inflight.bytes=65536";
    private static final String[] COMPACTING = {
        "snapshot.interval.entries=5000", "log.retain.entries=500", "storage.segment.bytes=262144", SMALL_INFLIGHT,
        "state.machine=" + KeyValueStateMachine.class.getName() };

    /** Appends {@code count} key-value puts ("k-i" = "v-i-round") and waits until each is acknowledged. */
    private static void putKeys(final ProcessCluster cluster, final int count, final int round) throws Exception
    {
        final long[] acknowledged = new long[1];
        try (Producer producer = Producer.open(cluster.config(), null, "kv-" + round, 64, new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                acknowledged[0]++;
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                throw new AssertionError("put " + sequence + " failed: " + reason);
            }
        }, TimeUnit.SECONDS.toNanos(30)))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
            for (int i = 0; i < count; i++)
            {
                final int length = KeyValueStateMachine.encodePut(buffer, 0, "k-" + (i % 500),
                    ("v-" + i + "-" + round).getBytes(StandardCharsets.US_ASCII));
                while (producer.offer(buffer, 0, length) == Producer.BACK_PRESSURED)
                {
                    producer.poll();
                }
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged[0] < count && System.nanoTime() < deadlineNs)
            {
                producer.poll();
            }
        }
        assertEquals(count, acknowledged[0]);
    }

    /** The footer of node {@code id}'s snapshot at {@code index}, or null if it holds none there. */
    private static SnapshotFile.Footer snapshotAt(final ProcessCluster cluster, final int id, final long index)
        throws Exception
    {
        for (final Path file : SnapshotStore.list(cluster.config().member(id).dataDir()))
        {
            final SnapshotFile.Footer footer = SnapshotFile.readFooter(file);
            if (footer.index() == index)
            {
                return footer;
            }
        }
        return null;
    }

    @Test
    void aFollowerStoppedWhileTheLeaderCompactsPastItCatchesUpFromASnapshotAndCanLead(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22601, COMPACTING);
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            final NodeStatus first = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            producer.awaitMore(3_000, 30);
            final int laggard = first.id() % 3 + 1;
            cluster.signal(laggard, "STOP");
            final long stoppedAt = cluster.status(laggard).value(NodeCounter.LAST_INDEX);
            producer.awaitMore(25_000, 60);
            final long leaderFirst = cluster.status(first.id()).value(NodeCounter.FIRST_INDEX);
            assertTrue(leaderFirst > stoppedAt + 1, "the leader compacted past the stopped follower: first " +
                leaderFirst + ", follower at " + stoppedAt);
            final int other = 6 - first.id() - laggard;
            // the leader names the other follower as the source only once it has reported the leader's newest
            // snapshot: resume the laggard just after that follower has caught up with a new one, not in the moment
            // between the leader's snapshot and the follower's (a tenth of a second on a slow machine, of every half)
            final long snapshotBefore = cluster.status(first.id()).value(NodeCounter.SNAPSHOT_INDEX);
            cluster.await("the other follower holds the leader's next snapshot", 30, s ->
            {
                final long leaderSnapshot = s.get(first.id() - 1).value(NodeCounter.SNAPSHOT_INDEX);
                return leaderSnapshot > snapshotBefore &&
                    s.get(other - 1).value(NodeCounter.SNAPSHOT_INDEX) == leaderSnapshot;
            });
            cluster.signal(laggard, "CONT");
            final List<NodeStatus> caughtUp = cluster.await("the follower caught up from a snapshot", 60, s ->
                s.get(laggard - 1).value(NodeCounter.FIRST_INDEX) > stoppedAt + 1 &&
                s.get(laggard - 1).value(NodeCounter.COMMIT_INDEX) >= leaderFirst);
            assertTrue(caughtUp.get(laggard - 1).value(NodeCounter.SNAPSHOT_INDEX) >= leaderFirst - 1);
            assertTrue(caughtUp.get(laggard - 1).value(NodeCounter.SNAPSHOT_CHUNKS_FETCHED) > 0);
            // the leader snapshots every half second here, and names itself while the other follower has not yet
            // taken (or reported) the same snapshot: an offer made in that moment is served by the leader
            final long servedByLeader = caughtUp.get(first.id() - 1).value(NodeCounter.SNAPSHOT_CHUNKS_SERVED);
            final long servedByFollower = caughtUp.get(other - 1).value(NodeCounter.SNAPSHOT_CHUNKS_SERVED);
            assertTrue(servedByFollower > 0 && servedByLeader <= servedByFollower, "the follower that holds the same " +
                "snapshot serves it: " + servedByFollower + " chunks, the leader " + servedByLeader);
            producer.awaitMore(3_000, 30);

            // the installed state holds the producer's session: its retries to the new leader are deduplicated
            Cli.ok("leader", "transfer", "--cluster", cluster.clusterFile().toString(), "--to",
                Integer.toString(laggard));
            producer.awaitMore(5_000, 30);
            MembershipProcessTest.assertExactlyOnce(cluster, producer, laggard);
        }
    }

    @Test
    void aNodeOnAnEmptyDiskCatchesUpFromASnapshotToTheSameState(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22701, COMPACTING))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            putKeys(cluster, 12_000, 1);
            Cli.ok("cluster", "start-node", "--dir", dir.toString(), "--id", "4");
            Cli.ok("member", "add", "--cluster", cluster.clusterFile().toString(), "--id", "4", "--voter",
                "--timeout", "60");
            final NodeStatus joined = cluster.status(4);
            assertTrue(joined.value(NodeCounter.SNAPSHOT_INDEX) >= 5_000, "it started from a snapshot");
            assertTrue(joined.value(NodeCounter.FIRST_INDEX) > 1);
            putKeys(cluster, 12_000, 2);

            // every node snapshots at the same multiples of the interval: the same state writes the same bytes
            final long index = cluster.status(1).value(NodeCounter.SNAPSHOT_INDEX);
            cluster.await("every node's snapshot at " + index, 30, s -> s.stream().allMatch(n ->
                n.value(NodeCounter.SNAPSHOT_INDEX) >= index));
            final SnapshotFile.Footer reference = snapshotAt(cluster, 1, index);
            assertTrue(reference.applicationLength() > 500 * 8, "the key-value state is in it");
            for (int id = 2; id <= 4; id++)
            {
                final SnapshotFile.Footer footer = snapshotAt(cluster, id, index);
                assertTrue(footer != null, "node " + id + " holds snapshot " + index);
                assertEquals(reference.bodyCrc(), footer.bodyCrc(), "node " + id + " holds the same state at " + index);
            }

            final Cli gone = Cli.run("tail", "--cluster", cluster.clusterFile().toString(), "--node", "1",
                "--from", "1", "--to", "10");
            assertEquals(1, gone.exitCode(), gone::toString);
            assertTrue(gone.err().contains("no longer holds entry 1") && gone.err().lines().count() == 1,
                gone::toString);
            final Cli inspect = Cli.ok("inspect", cluster.config().member(4).dataDir().toString(), "--json");
            assertTrue(inspect.out().contains("\"snapshots\":[{"), inspect::toString);
            Cli.ok("verify", cluster.config().member(4).dataDir().toString());
            assertTrue(Files.exists(cluster.config().member(4).dataDir().resolve(SnapshotStore.DIRECTORY)));
        }
    }

    @Test
    void aStateMachineThatFailsToSnapshotLeavesThePreviousSnapshotAndTheNodeRunning(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22801, "snapshot.interval.entries=2000",
            "state.machine=" + FailingStateMachine.class.getName());
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", RATE, dir.resolve("h")))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            producer.awaitMore(9_000, 30);
            final List<NodeStatus> after = cluster.await("a snapshot at 8000 after two that failed", 30, s ->
                s.stream().allMatch(n -> n.value(NodeCounter.SNAPSHOT_INDEX) >= 8_000));
            for (final NodeStatus node : after)
            {
                assertEquals(2, node.value(NodeCounter.SNAPSHOT_FAILURES), "node " + node.id() + " counts them");
                assertTrue(snapshotAt(cluster, node.id(), 2_000) != null || snapshotAt(cluster, node.id(), 8_000) != null);
            }
            assertEquals(leader.id(), ProcessCluster.leaderOf(after).id(), "nothing else was disturbed");
            assertTrue(cluster.logsContain("no snapshot at index 4000") &&
                cluster.logsContain("cannot capture its state now"), cluster::logs);
            MembershipProcessTest.assertExactlyOnce(cluster, producer, leader.id());
        }
    }

    @Test
    void aNodeWhoseSnapshotIsDamagedRebuildsItsStateFromAPeer(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 22901, COMPACTING))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            putKeys(cluster, 12_000, 1);
            final int damaged = leader.id() % 3 + 1;
            cluster.await("node " + damaged + " snapshotted", 30,
                s -> s.get(damaged - 1).value(NodeCounter.SNAPSHOT_INDEX) >= 10_000);
            cluster.terminate(damaged);
            final Path data = cluster.config().member(damaged).dataDir();
            final List<Path> snapshots = SnapshotStore.list(data);
            for (int i = 0; i + 1 < snapshots.size(); i++)
            {
                Files.delete(snapshots.get(i));
            }
            final Path newest = snapshots.get(snapshots.size() - 1);
            final byte[] bytes = Files.readAllBytes(newest);
            bytes[100] ^= 0x10;
            Files.write(newest, bytes);
            final Cli verify = Cli.run("verify", data.toString());
            assertEquals(1, verify.exitCode(), verify::toString);
            assertTrue(verify.err().contains(newest.getFileName().toString()), "verify names it: " + verify);

            cluster.start(damaged);
            cluster.await("node " + damaged + " rebuilt its state from a peer", 60, s ->
                s.get(damaged - 1).value(NodeCounter.APPLIED_INDEX) >= s.get(leader.id() - 1)
                    .value(NodeCounter.COMMIT_INDEX) && s.get(damaged - 1).value(NodeCounter.SNAPSHOT_CHUNKS_FETCHED) > 0);
            assertTrue(cluster.logsContain("is damaged") && cluster.logsContain("fetches one from a peer"),
                cluster::logs);
            assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".damaged")), "set aside");

            putKeys(cluster, 6_000, 2);
            final long index = cluster.status(leader.id()).value(NodeCounter.SNAPSHOT_INDEX);
            cluster.await("every node's snapshot at " + index, 30, s -> s.stream().allMatch(n ->
                n.value(NodeCounter.SNAPSHOT_INDEX) >= index));
            assertEquals(snapshotAt(cluster, leader.id(), index).bodyCrc(), snapshotAt(cluster, damaged, index).bodyCrc(),
                "the rebuilt node holds the same state");
        }
    }

    @Test
    void aFetchWhoseSourceStopsGoesOnFromTheLeaderWithTheChunksAlreadyIn(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 23001,
            List.of("-D" + BulkStateMachine.SIZE_PROPERTY + "=" + (300L << 20)), "snapshot.interval.entries=4000",
            "log.retain.entries=0", "storage.segment.bytes=262144", SMALL_INFLIGHT,
            "state.machine=" + BulkStateMachine.class.getName());
            // slow enough for every node to write each 300 MiB snapshot: followers then hold the leader's
            BackgroundProducer producer = new BackgroundProducer(cluster.clusterFile(), "p", 1_000, dir.resolve("h")))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            final int source = leader.id() % 3 + 1;
            final int laggard = 6 - leader.id() - source;
            cluster.signal(laggard, "STOP");
            producer.awaitMore(5_000, 60);
            cluster.await("the leader and the source at snapshot 4000", 60, s ->
                s.get(leader.id() - 1).value(NodeCounter.SNAPSHOT_INDEX) >= 4_000 &&
                s.get(source - 1).value(NodeCounter.SNAPSHOT_INDEX) ==
                    s.get(leader.id() - 1).value(NodeCounter.SNAPSHOT_INDEX) &&
                s.get(leader.id() - 1).value(NodeCounter.FIRST_INDEX) > 2_000);
            // the leader learns that the source holds its snapshot from the source's next answers (heartbeats every
            // 50 ms); the next snapshot is four seconds away (two were too few on a slow machine: the laggard,
            // resumed, began fetching 3.4 s later, from the leader alone, its source not yet holding the next one)
            Thread.sleep(300);
            cluster.signal(laggard, "CONT");
            cluster.await("the laggard fetching from the source", 30,
                s -> s.get(laggard - 1).value(NodeCounter.SNAPSHOT_CHUNKS_FETCHED) > 0);
            cluster.signal(source, "STOP");
            try
            {
                cluster.await("the laggard installed the snapshot", 60,
                    s -> s.get(laggard - 1).value(NodeCounter.SNAPSHOT_INDEX) >= 4_000 &&
                        s.get(laggard - 1).value(NodeCounter.SNAPSHOT_CHUNKS_FETCHED) > 0 &&
                        s.get(leader.id() - 1).value(NodeCounter.SNAPSHOT_CHUNKS_SERVED) > 0);
            }
            finally
            {
                cluster.signal(source, "CONT");
            }
            assertTrue(cluster.logsContain("instead, going on from"), cluster::logs);
            producer.awaitMore(1_000, 30);
            MembershipProcessTest.assertExactlyOnce(cluster, producer, laggard);
        }
    }
}
