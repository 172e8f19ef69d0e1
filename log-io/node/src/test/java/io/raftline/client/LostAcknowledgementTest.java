package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.RaftlineNode;
import io.raftline.protocol.client.ClientMessageType;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An in-process 3-node cluster; the producer loses a third of its acknowledgements and retries. */
@Timeout(120)
class LostAcknowledgementTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @Test
    void anUnreachableClusterIsReportedWithinTheTimeout(@TempDir final Path dir)
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", "nobody");
        properties.setProperty("node.1", "127.0.0.1:22399");
        final ClusterConfig config = ClusterConfig.parse(properties, dir);
        final long startNs = System.nanoTime();
        final RaftlineClientException ex = assertThrows(RaftlineClientException.ClusterUnavailableException.class,
            () -> Producer.open(config, null, "p", 8, null, TimeUnit.SECONDS.toNanos(1)));
        assertEquals(RaftlineClientException.Reason.CLUSTER_UNAVAILABLE, ex.reason());
        assertTrue(ex.getMessage().startsWith("cluster unreachable"), ex.getMessage());
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    void retriesAfterLostAcknowledgementsAreCommittedExactlyOnce(@TempDir final Path dir) throws Exception
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", "lost-acks");
        for (int id = 1; id <= 3; id++)
        {
            properties.setProperty("node." + id, "127.0.0.1:" + (22300 + id));
        }
        InProcessCluster.secure(dir, properties);
        final ClusterConfig config = ClusterConfig.parse(properties, dir);
        final List<RaftlineNode> nodes = new ArrayList<>();
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes.add(RaftlineNode.start(config, id, true));
            }
            final Map<Long, Long> indexBySequence = new HashMap<>();
            final int[] acks = new int[1];
            final ProducerListener listener = new ProducerListener()
            {
                @Override
                public void onCommitted(final long sequence, final long index, final long term)
                {
                    assertNull(indexBySequence.put(sequence, index), "acknowledged twice: " + sequence);
                }

                @Override
                public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
                {
                    throw new AssertionError("entry " + sequence + " failed: " + reason);
                }
            };
            final int count = 3_000;
            final Producer closed;
            try (Producer producer = Producer.open(config, null, "lossy", 128, listener, TIMEOUT_NS,
                type -> type != ClientMessageType.APPEND_ACK || acks[0]++ % 3 != 1))
            {
                closed = producer;
                final UnsafeBuffer tooLarge = new UnsafeBuffer(new byte[config.maxEntryBytes() + 1]);
                final RaftlineClientException large = assertThrows(
                    RaftlineClientException.EntryTooLargeException.class,
                    () -> producer.offer(tooLarge, 0, tooLarge.capacity()));
                assertEquals(RaftlineClientException.Reason.ENTRY_TOO_LARGE, large.reason());
                assertTrue(large.getMessage().startsWith("entry too large"), large.getMessage());
                Appends.appendAndAwait(
                    producer, count, seq -> new UnsafeBuffer(("lossy-" + seq).getBytes()), TIMEOUT_NS);
            }
            final RaftlineClientException afterClose = assertThrows(RaftlineClientException.ClosedException.class,
                () -> closed.offer(new UnsafeBuffer(new byte[1]), 0, 1));
            assertEquals(RaftlineClientException.Reason.CLOSED, afterClose.reason());
            assertEquals("producer closed", afterClose.getMessage());
            assertEquals(count, indexBySequence.size(), "every entry acknowledged in the end");
            assertTrue(acks[0] / 3 > 10, "a third of " + acks[0] + " acknowledgement frames were lost");

            final List<String> log = new ArrayList<>();
            final long lastIndex = indexBySequence.get((long)count);
            try (Consumer consumer = Consumer.open(config, null, 1, Consumer.FIRST, false, 1024,
                entry ->
                {
                    log.add(entry.sequence() + ":" + entry.text());
                    assertEquals(indexBySequence.get(entry.sequence()), entry.index(), "acknowledged at the index it holds");
                }).pinned())
            {
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (consumer.lastScanned() < lastIndex && System.nanoTime() < deadlineNs)
                {
                    consumer.poll();
                }
            }
            assertEquals(count, log.size(), "each entry in the log exactly once");
            for (int seq = 1; seq <= count; seq++)
            {
                assertEquals(seq + ":lossy-" + seq, log.get(seq - 1));
            }
        }
        finally
        {
            CloseHelper.closeAll(nodes);
            for (final ClusterConfig.Member member : config.members().values())
            {
                IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
            }
        }
    }
}
