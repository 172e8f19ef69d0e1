package io.raftline.core.sim;

import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.session.SessionTable;
import io.raftline.core.state.AppendAdmission;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Producers as the client library behaves: each opens a session under a fresh name, then appends sequences
 * 1, 2, 3... through whichever node leads, resending what it cannot know was committed (a retry of an earlier
 * sequence) and now and then skipping ahead (a gap the leader must refuse). The leader admits each entry through
 * the node's own {@link AppendAdmission}, so the exactly-once rule checked by {@link StateChecker} is the one the
 * node runs.
 */
final class SimProducers
{
    private final SplittableRandom random;
    private final Producer[] producers;
    private final Map<String, Producer> byName = new HashMap<>();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[SessionTable.MAX_NAME_BYTES + 16]);
    private long opens;

    /** One producer's view: its session once opened, the highest sequence it has sent and the highest committed. */
    private static final class Producer
    {
        final int number;
        String pendingName;
        long sessionId;
        long lastSent;
        long acknowledged;

        Producer(final int number)
        {
            this.number = number;
        }
    }

    SimProducers(final SplittableRandom random, final int count)
    {
        this.random = random;
        this.producers = new Producer[count];
        for (int i = 0; i < count; i++)
        {
            producers[i] = new Producer(i + 1);
        }
    }

    /** One producer sends one request to the leader {@code node}; returns what happened, for the trace. */
    String send(final RaftNode node, final AppendAdmission admission)
    {
        final Producer producer = producers[random.nextInt(producers.length)];
        if (!admission.isReady())
        {
            return "producer " + producer.number + ": leader " + node.id() + " not ready";
        }
        if (producer.sessionId == 0)
        {
            // a real producer waits a while for its open before it asks again under a new name
            return producer.pendingName == null || random.nextDouble() < 0.1 ? open(producer, node) :
                "producer " + producer.number + " waits for " + producer.pendingName;
        }
        final long sequence = nextSequence(producer);
        final int verdict = admission.check(producer.sessionId, sequence);
        if (verdict != SessionTable.ACCEPT)
        {
            if (verdict == SessionTable.OUT_OF_ORDER)
            {
                producer.lastSent = producer.acknowledged; // told where the leader stands: resend from there
            }
            return "producer " + producer.number + " seq " + sequence + " refused: " + verdict;
        }
        final byte[] bytes = ("s" + producer.sessionId + "-" + sequence).getBytes(StandardCharsets.US_ASCII);
        final long index = node.propose(new UnsafeBuffer(bytes), 0, bytes.length, producer.sessionId, sequence);
        if (index > 0)
        {
            admission.onProposed(producer.sessionId, sequence);
        }
        return "producer " + producer.number + " seq " + sequence + " on " + node.id() + " -> " + index;
    }

    /** A session was opened by the entry at {@code index}: if it is a producer's, that is its session. */
    void onOpened(final long index, final String name)
    {
        final Producer producer = byName.remove(name);
        if (producer != null && producer.sessionId == 0)
        {
            producer.sessionId = index;
        }
    }

    /** An entry of a session was committed: its producer hears the acknowledgement. */
    void onCommitted(final long sessionId, final long sequence)
    {
        for (final Producer producer : producers)
        {
            if (producer.sessionId == sessionId)
            {
                producer.acknowledged = Math.max(producer.acknowledged, sequence);
            }
        }
    }

    private String open(final Producer producer, final RaftNode node)
    {
        // a new name per attempt: the first open of it to commit becomes the session, later ones are strays
        producer.pendingName = "p" + producer.number + "-" + (++opens);
        byName.put(producer.pendingName, producer);
        final int length = SessionTable.encodeOpen(producer.pendingName, payload, 0);
        final long index = node.propose(EntryType.SESSION, payload, 0, length, 0, 0);
        return "producer " + producer.number + " opens " + producer.pendingName + " on " + node.id() + " -> " + index;
    }

    /** Mostly the next sequence; sometimes a resend of a recent one, a gap, or a resend of all unacknowledged. */
    private long nextSequence(final Producer producer)
    {
        final double roll = random.nextDouble();
        if (roll < 0.1)
        {
            producer.lastSent = producer.acknowledged; // a timeout: resend everything not acknowledged
        }
        if (roll < 0.25 && producer.lastSent > 0)
        {
            return Math.max(1, producer.lastSent - random.nextInt(4));
        }
        producer.lastSent += roll < 0.3 ? 2 : 1;
        return producer.lastSent;
    }
}
