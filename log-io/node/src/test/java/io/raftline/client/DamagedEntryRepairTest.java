package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.RaftlineNode;
import io.raftline.io.storage.MetadataStore;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A committed entry damaged on one node (a flipped byte its checksum catches) is never served: the node cuts its
 * log there and a leader sends the rest again, whether the damage is found when the node starts or while it runs.
 */
@Timeout(180)
class DamagedEntryRepairTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int PAYLOAD_LENGTH = 100;
    private static final int DAMAGED = 2;

    @TempDir
    Path dir;
    private InProcessCluster cluster;
    private int produced;

    @AfterEach
    void stopCluster()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void damageFoundWhenTheNodeStartsIsRepairedFromAPeer() throws IOException
    {
        cluster = new InProcessCluster(dir, "damage-at-start", 22490);
        produce(3_000);
        cluster.nodes[DAMAGED - 1].close();
        flipByteOfEntry(1_234);
        cluster.nodes[DAMAGED - 1] = RaftlineNode.start(cluster.config, DAMAGED, true);
        produce(500);
        assertTrue(MetadataStore.read(dataDir()).repairFloorIndex() >= 1_234, "the cut recorded its floor");
        assertSameEntriesOnEveryNode();
    }

    @Test
    void damageFoundWhileTheNodeServesAConsumerIsRepairedFromAPeer() throws IOException
    {
        cluster = new InProcessCluster(dir, "damage-while-running", 22500);
        produce(3_000);
        flipByteOfEntry(2_222); // under the running node's mapping, as a disk error read back shows it
        // the damaged node reads the entry for this consumer: it must neither serve it nor stop for good
        final Map<Long, String> served = consume(DAMAGED);
        assertNull(cluster.nodes[DAMAGED - 1].failure(), "the node started again");
        assertTrue(MetadataStore.read(dataDir()).repairFloorIndex() >= 2_222, "the cut recorded its floor");
        checkPayloads(served);
        produce(500);
        assertSameEntriesOnEveryNode();
    }

    private Path dataDir()
    {
        return cluster.config.member(DAMAGED).dataDir();
    }

    private void produce(final int count)
    {
        final ProducerListener listener = new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                throw new AssertionError("entry " + sequence + " failed: " + reason);
            }
        };
        try (Producer producer = Producer.open(cluster.config, null, "p" + produced, 256, listener, TIMEOUT_NS))
        {
            final int first = produced + 1;
            Appends.appendAndAwait(producer, count, seq -> new UnsafeBuffer(payload(first + seq - 1)), TIMEOUT_NS);
            assertEquals(0, producer.inFlight(), "every entry acknowledged");
        }
        produced += count;
    }

    /** A payload that names its entry throughout: any changed byte breaks the pattern. */
    private static byte[] payload(final int n)
    {
        final byte[] token = String.format("entry-%07d|", n).getBytes(StandardCharsets.US_ASCII);
        final byte[] bytes = new byte[PAYLOAD_LENGTH];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = token[i % token.length];
        }
        return bytes;
    }

    /** Flips one byte of entry {@code n}'s payload in the damaged node's segment files, in place. */
    private void flipByteOfEntry(final int n) throws IOException
    {
        final byte[] needle = payload(n);
        final List<Path> files;
        try (Stream<Path> list = Files.list(dataDir().resolve("log")))
        {
            files = list.filter(f -> f.toString().endsWith(".cq4")).sorted().toList();
        }
        for (final Path file : files)
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = new String(content, StandardCharsets.ISO_8859_1)
                .indexOf(new String(needle, StandardCharsets.ISO_8859_1));
            if (at >= 0)
            {
                final int position = at + PAYLOAD_LENGTH / 2;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
                {
                    channel.write(ByteBuffer.wrap(new byte[] {(byte)(content[position] ^ 0x5A)}), position);
                    channel.force(false);
                }
                return;
            }
        }
        throw new AssertionError("entry " + n + " not found in " + files);
    }

    /** Every entry produced so far, as node {@code id} serves it: index to payload. */
    private Map<Long, String> consume(final int id)
    {
        final Map<Long, String> entries = new TreeMap<>();
        final EntryHandler handler = entry -> entries.put(entry.index(), entry.text());
        try (Consumer consumer = Consumer.open(cluster.config, null, id, Consumer.FIRST, false, 256, handler).pinned())
        {
            final long deadlineNs = System.nanoTime() + 2 * TIMEOUT_NS;
            while (entries.size() < produced && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
        }
        assertEquals(produced, entries.size(), "node " + id + " served every entry");
        return entries;
    }

    /** Each entry produced once, intact. */
    private void checkPayloads(final Map<Long, String> entries)
    {
        final boolean[] seen = new boolean[produced + 1];
        for (final Map.Entry<Long, String> entry : entries.entrySet())
        {
            final String payload = entry.getValue();
            final int n = Integer.parseInt(payload.substring(6, 13));
            assertEquals(new String(payload(n), StandardCharsets.US_ASCII), payload, "intact at " + entry.getKey());
            assertTrue(!seen[n], "entry " + n + " once");
            seen[n] = true;
        }
    }

    private void assertSameEntriesOnEveryNode()
    {
        final Map<Long, String> reference = consume(1);
        checkPayloads(reference);
        for (int id = 2; id <= 3; id++)
        {
            assertEquals(reference, consume(id), "node " + id + " holds the same entries as node 1");
        }
        for (final ClusterConfig.Member member : cluster.config.members().values())
        {
            assertNull(cluster.nodes[member.id() - 1].failure(), "node " + member.id() + " runs");
            assertEquals(0, cluster.status(member.id()).value(NodeCounter.REPAIRING_TO), "repaired");
        }
    }
}
