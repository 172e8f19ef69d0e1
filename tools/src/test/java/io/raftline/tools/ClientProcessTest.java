package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.client.Consumer;
import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Producers and consumers against real node processes: exactly-once, order, tails on followers, ReadIndex. */
@Timeout(180)
class ClientProcessTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Records every outcome, in the order the producer reports them. */
    private static final class Outcomes implements ProducerListener
    {
        final Map<Long, Long> indexBySequence = new HashMap<>();
        final List<Long> committedOrder = new ArrayList<>();
        long failed;
        long unknown;

        @Override
        public void onCommitted(final long sequence, final long index, final long term)
        {
            assertEquals(null, indexBySequence.put(sequence, index), "acknowledged twice: " + sequence);
            committedOrder.add(sequence);
        }

        @Override
        public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
        {
            if (maybeCommitted)
            {
                unknown++;
            }
            else
            {
                failed++;
            }
        }
    }

    private static UnsafeBuffer payload(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Offers {@code count} entries "name-seq", polling through back-pressure, then waits for every outcome. */
    private static void produce(final Producer producer, final String name, final long count, final Runnable between)
    {
        for (long seq = 1; seq <= count; seq++)
        {
            final UnsafeBuffer entry = payload(name + "-" + seq);
            while (producer.offer(entry, 0, entry.capacity()) == Producer.BACK_PRESSURED)
            {
                producer.poll();
            }
            producer.poll();
            if (seq == count / 2)
            {
                between.run();
            }
        }
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS * 2;
        while (producer.inFlight() > 0 && !producer.isClosed() && System.nanoTime() < deadlineNs)
        {
            producer.poll();
        }
    }

    /** Reads node {@code nodeId}'s committed log up to {@code target} (normal entries only). */
    private static List<String> readLog(
        final ProcessCluster cluster, final int nodeId, final long target, final List<Long> indexes)
    {
        final List<String> entries = new ArrayList<>();
        try (Consumer consumer = Consumer.open(cluster.config(), null, nodeId, Consumer.FIRST, false, 1024,
            entry ->
            {
                assertEquals(EntryType.NORMAL, entry.type());
                entries.add(entry.producer() + "/" + entry.sequence() + "/" + entry.text());
                indexes.add(entry.index());
            }).pinned())
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (consumer.lastScanned() < target && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            if (consumer.lastScanned() < target)
            {
                // what the nodes and the consumer knew, so that a failure here can be understood afterwards
                fail("node " + nodeId + " streamed up to " + consumer.lastScanned() + " of " + target +
                    " (the consumer saw commit " + consumer.commitIndexSeen() + ", at connect " +
                    consumer.commitIndexAtConnect() + "); nodes: " + StatusCommand.toJson(cluster.statuses()));
            }
        }
        return entries;
    }

    @Test
    void everyAcknowledgedEntryIsCommittedOnceAndInOrderThroughALeaderKilledMidWindow(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21601))
        {
            final NodeStatus first = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            final Outcomes outcomes = new Outcomes();
            final long count = 20_000;
            try (Producer producer = Producer.open(cluster.config(), null, "p1", 1024, outcomes, TIMEOUT_NS))
            {
                produce(producer, "p1", count, () ->
                {
                    try
                    {
                        // the leader of now, with a full window in flight (on a loaded machine leadership may
                        // have moved since the start)
                        cluster.kill(cluster.statuses().stream().filter(NodeStatus::isLeader).findFirst()
                            .map(NodeStatus::id).orElse(first.id()));
                    }
                    catch (final Exception ex)
                    {
                        throw new AssertionError(ex);
                    }
                });
                final long read = producer.readIndex(TIMEOUT_NS);
                final long highestAcked = outcomes.indexBySequence.values().stream().mapToLong(Long::longValue)
                    .max().orElse(0);
                assertTrue(read >= highestAcked, "ReadIndex " + read + " covers acknowledged index " + highestAcked);
            }
            assertEquals(0, outcomes.failed);
            assertEquals(count, outcomes.indexBySequence.size() + outcomes.unknown, "every entry has an outcome");
            for (int i = 0; i < outcomes.committedOrder.size(); i++)
            {
                assertEquals(i + 1, outcomes.committedOrder.get(i), "acknowledged in order");
            }
            final List<NodeStatus> statuses = cluster.await("a new leader", 30,
                s -> ProcessCluster.oneAgreedLeader(s, 2));
            final NodeStatus leader = ProcessCluster.leaderOf(statuses);
            final int follower = statuses.stream().filter(s -> s.reachable() && !s.isLeader()).findFirst()
                .orElseThrow().id();
            final long commit = leader.value(NodeCounter.COMMIT_INDEX);

            final List<Long> leaderIndexes = new ArrayList<>();
            final List<String> onLeader = readLog(cluster, leader.id(), commit, leaderIndexes);
            final List<Long> followerIndexes = new ArrayList<>();
            final List<String> onFollower = readLog(cluster, follower, commit, followerIndexes);
            assertEquals(onLeader, onFollower, "a consumer on a follower sees the leader's committed sequence");
            assertEquals(leaderIndexes, followerIndexes);

            long expected = 1;
            for (int i = 0; i < onLeader.size(); i++)
            {
                assertEquals("p1/" + expected + "/p1-" + expected, onLeader.get(i), "entry " + i + " of the log");
                final Long acknowledgedAt = outcomes.indexBySequence.get(expected);
                if (acknowledgedAt != null)
                {
                    assertEquals(acknowledgedAt, leaderIndexes.get(i), "acknowledged at the index it is at");
                }
                expected++;
            }
            assertTrue(expected - 1 >= outcomes.indexBySequence.size(), "every acknowledged entry is in the log");
        }
    }

    @Test
    void twoProducersKeepTheirOwnOrder(@TempDir final Path dir) throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21701))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            final Outcomes a = new Outcomes();
            final Outcomes b = new Outcomes();
            try (Producer pa = Producer.open(cluster.config(), null, "a", 64, a, TIMEOUT_NS);
                Producer pb = Producer.open(cluster.config(), null, "b", 64, b, TIMEOUT_NS))
            {
                for (long seq = 1; seq <= 2_000; seq++)
                {
                    final UnsafeBuffer ea = payload("a-" + seq);
                    final UnsafeBuffer eb = payload("b-" + seq);
                    while (pa.offer(ea, 0, ea.capacity()) < 0)
                    {
                        pa.poll();
                        pb.poll();
                    }
                    while (pb.offer(eb, 0, eb.capacity()) < 0)
                    {
                        pa.poll();
                        pb.poll();
                    }
                }
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while ((pa.inFlight() > 0 || pb.inFlight() > 0) && System.nanoTime() < deadlineNs)
                {
                    pa.poll();
                    pb.poll();
                }
            }
            assertEquals(2_000, a.indexBySequence.size());
            assertEquals(2_000, b.indexBySequence.size());
            for (long seq = 2; seq <= 2_000; seq++)
            {
                assertTrue(a.indexBySequence.get(seq) > a.indexBySequence.get(seq - 1));
                assertTrue(b.indexBySequence.get(seq) > b.indexBySequence.get(seq - 1));
            }
        }
    }

    @Test
    void aConsumerResumesWithoutGapsOrDuplicatesWhenTheNodeItFollowsRestarts(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 21901))
        {
            final NodeStatus leader = ProcessCluster.leaderOf(cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3)));
            final int followed = leader.id() % 3 + 1;
            final Outcomes outcomes = new Outcomes();
            final List<Long> indexes = new ArrayList<>();
            try (Producer producer = Producer.open(cluster.config(), null, "p", 256, outcomes, TIMEOUT_NS);
                Consumer consumer = Consumer.open(cluster.config(), null, followed, Consumer.FIRST, true, 512,
                    entry -> indexes.add(entry.index())))
            {
                produce(producer, "p", 5_000, () -> { });
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (consumer.lastDelivered() < 5_000 && System.nanoTime() < deadlineNs)
                {
                    consumer.poll();
                }
                cluster.terminate(followed);
                cluster.start(followed);
                produce(producer, "p", 5_000, () -> { });
                final long target = ProcessCluster.leaderOf(cluster.await("the followed node back", 30, s ->
                    ProcessCluster.oneAgreedLeader(s, 3) &&
                    s.get(followed - 1).value(NodeCounter.COMMIT_INDEX) == ProcessCluster.leaderOf(s).value(NodeCounter.COMMIT_INDEX)))
                    .value(NodeCounter.COMMIT_INDEX);
                final long resumeDeadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (consumer.lastDelivered() < target && System.nanoTime() < resumeDeadlineNs)
                {
                    consumer.poll();
                }
                assertEquals(target, consumer.lastDelivered(), "the consumer caught up after the restart");
            }
            for (int i = 0; i < indexes.size(); i++)
            {
                assertEquals(i + 1, indexes.get(i), "every index once, in order, across the restart");
            }
        }
    }

    @Test
    void theDemoExitsZero()
    {
        final Cli demo = Cli.run("demo", "--count", "20000", "--rate", "10000");
        assertEquals(0, demo.exitCode(), demo::toString);
        assertTrue(demo.out().contains("every acknowledged entry is in the log exactly once, in order"), demo::toString);
    }
}
