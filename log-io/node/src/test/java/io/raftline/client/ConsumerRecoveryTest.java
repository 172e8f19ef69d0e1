package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.ClientMessageType;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An in-process 3-node cluster: a consumer that loses frames, or whose node restarts, misses no entry. */
@Timeout(120)
class ConsumerRecoveryTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    private InProcessCluster cluster;
    private ClusterConfig config;
    private final List<Long> delivered = new ArrayList<>();
    private long lastAcknowledged;
    private final ProducerListener acknowledgements = new ProducerListener()
    {
        @Override
        public void onCommitted(final long sequence, final long index, final long term)
        {
            lastAcknowledged = Math.max(lastAcknowledged, index);
        }

        @Override
        public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
        {
            throw new AssertionError("entry " + sequence + " failed: " + reason);
        }
    };

    private void startCluster(final int basePort)
    {
        cluster = new InProcessCluster(dir, "consumer-recovery", basePort);
        config = cluster.config;
    }

    @AfterEach
    void stopCluster()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void lostFramesAreAskedForAgainNeverSkipped()
    {
        startCluster(22410);
        final int[] frames = new int[1];
        try (Producer producer = Producer.open(config, null, "p", 256, acknowledgements, TIMEOUT_NS);
            Consumer consumer = Consumer.open(config, null, 2, Consumer.FIRST, true, 64, this::record,
                type -> type != ClientMessageType.TAIL_ENTRIES || ++frames[0] % 7 != 3))
        {
            final long last = produce(producer, 2_000);
            await(consumer, last);
            assertTrue(consumer.gaps() > 0, "frames were lost and found missing: " + frames[0] + " frames");
        }
        assertEveryIndexOnceInOrder();
    }

    @Test
    void aConsumerAsksAgainWhenTheNodeItFollowsRestartsQuickly()
    {
        startCluster(22420);
        final int followed = 2;
        try (Producer producer = Producer.open(config, null, "p", 256, acknowledgements, TIMEOUT_NS);
            Consumer consumer = Consumer.open(config, null, followed, Consumer.FIRST, true, 64, this::record))
        {
            await(consumer, produce(producer, 500));
            cluster.restart(followed);
            await(consumer, produce(producer, 500));
        }
        assertEveryIndexOnceInOrder();
    }

    @Test
    void aConsumerFailsOverToAnotherNodeWhenItsNodeGoesAway()
    {
        startCluster(22510);
        final int followed = 2;
        final List<String> changes = new ArrayList<>();
        final EntryHandler handler = new EntryHandler()
        {
            @Override
            public void onEntry(final ConsumedEntry entry)
            {
                record(entry);
            }

            @Override
            public void onConnectionChanged(final boolean connected, final int nodeId)
            {
                changes.add((connected ? "connected to " : "lost ") + nodeId);
            }
        };
        try (Producer producer = Producer.open(config, null, "p", 256, acknowledgements, TIMEOUT_NS);
            Consumer consumer = Consumer.open(config, null, followed, Consumer.FIRST, true, 64, handler))
        {
            await(consumer, produce(producer, 500));
            cluster.nodes[followed - 1].close(); // gone for good
            await(consumer, produce(producer, 500));
            assertTrue(consumer.node() != followed, "reads from node " + consumer.node());
            assertEquals(1, consumer.failovers());
            assertEquals(List.of("connected to 2", "lost 2", "connected to " + consumer.node()), changes);
        }
        assertEveryIndexOnceInOrder();
    }

    /** Its node still answers CONNECT, but the stream's frames stop: the consumer must not wait forever. */
    @Test
    void aStreamThatGoesSilentWhileItsNodeStillAnswersIsAskedForAgain()
    {
        startCluster(22430);
        final boolean[] silent = new boolean[1];
        try (Producer producer = Producer.open(config, null, "p", 256, acknowledgements, TIMEOUT_NS);
            Consumer consumer = Consumer.open(config, null, 3, Consumer.FIRST, true, 64, this::record,
                type -> type != ClientMessageType.TAIL_ENTRIES || !silent[0]))
        {
            await(consumer, produce(producer, 500));
            silent[0] = true;
            produce(producer, 500);
            final long silenceEndNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < silenceEndNs)
            {
                consumer.poll();
            }
            silent[0] = false;
            await(consumer, produce(producer, 500));
        }
        assertEveryIndexOnceInOrder();
    }

    private void record(final ConsumedEntry entry)
    {
        delivered.add(entry.index());
    }

    /** Appends {@code count} entries; returns the index of the last. */
    private long produce(final Producer producer, final int count)
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[100]);
        Appends.appendAndAwait(producer, count, seq -> entry, TIMEOUT_NS);
        assertEquals(0, producer.inFlight(), "every entry acknowledged");
        return lastAcknowledged;
    }

    private static void await(final Consumer consumer, final long index)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (consumer.lastScanned() < index && System.nanoTime() < deadlineNs)
        {
            consumer.poll();
        }
        assertTrue(consumer.lastScanned() >= index, "delivered up to " + consumer.lastScanned() + " of " + index);
    }

    private void assertEveryIndexOnceInOrder()
    {
        for (int i = 0; i < delivered.size(); i++)
        {
            assertEquals(i + 1, delivered.get(i), "every index once, in order");
        }
    }
}
