package io.raftline.tools;

import io.raftline.client.ClientTransport;
import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.ReadIndexFrame;
import io.raftline.protocol.client.ReadIndexResultFrame;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lease reads (raft.read.lease=true) against a leader that is paused (SIGSTOP) while the others elect a new leader
 * and commit a write, and a read asked after that write was acknowledged waits in its socket: when it resumes, its
 * answer covers the write or says it failed.
 */
@Timeout(180)
class LeaseReadProcessTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long NO_ANSWER = Long.MIN_VALUE;

    private final Long2LongHashMap answers = new Long2LongHashMap(NO_ANSWER);
    private final ReadIndexResultFrame result = new ReadIndexResultFrame();
    private long lastAcknowledged;

    @Test
    void aLeaderPausedPastItsLeaseNeverAnswersAReadThatQueuedWithAStaleIndex(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 23101, "raft.read.lease=true");
            Producer producer = Producer.open(cluster.config(), null, "p", 16, listener(), TIMEOUT_NS);
            ClientTransport reader = new ClientTransport(cluster.config(), null, this::onFrame))
        {
            long correlationId = 0;
            for (int round = 1; round <= 3; round++)
            {
                final int leader = ProcessCluster.leaderOf(
                    cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3))).id();
                append(producer, 10);
                final long before = lastAcknowledged;
                awaitConnected(reader, leader);
                final long served = read(reader, leader, ++correlationId);
                assertTrue(served >= before, "a read before the pause covers what was acknowledged: " + served);

                cluster.signal(leader, "STOP");
                append(producer, 1);               // the other two elect a leader and commit it
                final long written = lastAcknowledged;
                final long queued = ++correlationId;
                sendRead(reader, leader, queued); // asked after the write was acknowledged: waits in the paused socket
                cluster.signal(leader, "CONT");
                final long answer = awaitAnswer(reader, queued);
                assertTrue(answer == ReadIndexResultFrame.FAILED || answer >= written,
                    "round " + round + ": stale read from node " + leader + ": index " + answer + " but " + written +
                    " was acknowledged before the read was asked");
            }
        }
    }

    private ProducerListener listener()
    {
        return new ProducerListener()
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
    }

    private void onFrame(final int from, final int type, final org.agrona.DirectBuffer buffer, final int offset,
        final int length)
    {
        if (type == ClientMessageType.READ_INDEX_RESULT && result.wrap(buffer, offset, length))
        {
            answers.put(result.correlationId(), result.index());
        }
    }

    private static void append(final Producer producer, final int count)
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < count; i++)
        {
            while (producer.offer(entry, 0, entry.capacity()) == Producer.BACK_PRESSURED)
            {
                producer.poll();
            }
        }
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (producer.inFlight() > 0 && System.nanoTime() < deadlineNs)
        {
            producer.poll();
        }
        assertTrue(producer.inFlight() == 0, "acknowledged");
    }

    private static void awaitConnected(final ClientTransport reader, final int node)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!reader.isConnected(node) && System.nanoTime() < deadlineNs)
        {
            reader.poll(System.nanoTime(), 16);
        }
        assertTrue(reader.isConnected(node), "node " + node + " answered the reader");
    }

    private static void sendRead(final ClientTransport reader, final int node, final long correlationId)
    {
        final int length = ReadIndexFrame.encode(reader.frame(), 0, reader.clusterHash(), reader.clientId(),
            correlationId);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (!reader.send(node, length))
        {
            assertTrue(System.nanoTime() < deadlineNs, "the read was sent");
            reader.poll(System.nanoTime(), 16);
        }
    }

    private long read(final ClientTransport reader, final int node, final long correlationId)
    {
        sendRead(reader, node, correlationId);
        return awaitAnswer(reader, correlationId);
    }

    private long awaitAnswer(final ClientTransport reader, final long correlationId)
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (answers.get(correlationId) == NO_ANSWER && System.nanoTime() < deadlineNs)
        {
            reader.poll(System.nanoTime(), 16);
        }
        final long answer = answers.get(correlationId);
        assertTrue(answer != NO_ANSWER, "read " + correlationId + " answered");
        return answer;
    }
}
