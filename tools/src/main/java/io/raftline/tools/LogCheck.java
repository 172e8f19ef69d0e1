package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.io.client.Consumer;
import io.raftline.io.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatusReader;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one producer's entries back from a node, up to that node's commit index, and checks them: sequences 1, 2,
 * 3... each exactly once and in index order, each payload starting with {@code NAME-SEQ.} as {@link ProduceRun}
 * writes it.
 */
final class LogCheck
{
    private static final int PROBLEMS_KEPT = 5;

    private final String producer;
    private final Long2LongHashMap indexBySequence = new Long2LongHashMap(-1);
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long expectedSequence = 1;

    private LogCheck(final String producer)
    {
        this.producer = producer;
    }

    /** Reads node {@code nodeId}'s log from its start to its commit index as of now. */
    static LogCheck read(
        final ClusterConfig config, final String bind, final int nodeId, final String producer, final long timeoutNs)
    {
        final LogCheck check = new LogCheck(producer);
        final long target = NodeStatusReader.read(config, nodeId).value(NodeCounter.COMMIT_INDEX);
        try (Consumer consumer = Consumer.open(config, bind, nodeId, Consumer.FIRST, false, 4096,
            (index, term, type, name, sequence, buffer, offset, length) ->
            {
                if (type == EntryType.NORMAL && producer.equals(name))
                {
                    check.onEntry(index, sequence, buffer.getStringWithoutLengthAscii(offset, Math.min(length, 32)));
                }
            }))
        {
            final IdleStrategy idle = new BackoffIdleStrategy(64, 16, 1_000, 1_000_000);
            final long deadlineNs = System.nanoTime() + timeoutNs;
            while (consumer.lastScanned() < target && System.nanoTime() < deadlineNs)
            {
                idle.idle(consumer.poll());
            }
            if (consumer.lastScanned() < target)
            {
                check.problem("could not read node " + nodeId + "'s log back to index " + target + " (read to " +
                    consumer.lastScanned() + ")");
            }
        }
        return check;
    }

    private void onEntry(final long index, final long sequence, final String text)
    {
        if (sequence != expectedSequence || !text.startsWith(producer + "-" + sequence + "."))
        {
            problem("at index " + index + ": expected sequence " + expectedSequence + ", found " + sequence + " (" +
                text + ")");
        }
        if (indexBySequence.put(sequence, index) != -1)
        {
            problem("sequence " + sequence + " is in the log twice");
        }
        expectedSequence = sequence + 1;
    }

    private void problem(final String description)
    {
        if (problemCount++ < PROBLEMS_KEPT)
        {
            problems.add(description);
        }
    }

    /** Entries of the producer read back. */
    long entries()
    {
        return indexBySequence.size();
    }

    /** Where sequence {@code sequence} is in the log, or -1. */
    long indexOf(final long sequence)
    {
        return indexBySequence.get(sequence);
    }

    long problemCount()
    {
        return problemCount;
    }

    /** The first few problems found, one line each. */
    List<String> problems()
    {
        return problems;
    }
}
