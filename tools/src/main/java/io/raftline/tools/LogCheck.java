package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.client.Consumer;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatusReader;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one producer's entries back from a node, up to that node's commit index, and checks them: sequences 1, 2,
 * 3... each exactly once and in index order, each payload starting with {@code NAME-SEQ.} as {@link ProduceRun}
 * writes it. A log that a snapshot compacted is checked from where it starts: its first entry of the producer
 * may be any sequence, the ones after must follow it.
 */
final class LogCheck
{
    private static final int PROBLEMS_KEPT = 5;

    private final String producer;
    private final Long2LongHashMap indexBySequence = new Long2LongHashMap(-1);
    private final List<String> problems = new ArrayList<>();
    private long problemCount;
    private long expectedSequence = 1;
    private long firstIndex = 1;

    private LogCheck(final String producer)
    {
        this.producer = producer;
    }

    /** Reads node {@code nodeId}'s log from its start to its commit index as of now. */
    static LogCheck read(
        final Path clusterFile, final String bind, final int nodeId, final String producer, final long timeoutNs)
    {
        final LogCheck check = new LogCheck(producer);
        final long target = NodeStatusReader.read(ClusterConfig.load(clusterFile), nodeId)
            .value(NodeCounter.COMMIT_INDEX);
        check.firstIndex = -1;
        // every entry, Raft's own too, so that the first one delivered says where the log starts
        try (RaftlineClient client = Clients.connect(clusterFile, bind);
            Consumer consumer = client.consumer(nodeId, Consumer.FIRST,
            entry ->
            {
                if (check.firstIndex < 0)
                {
                    check.firstIndex = entry.index();
                }
                if (entry.type() != EntryType.NORMAL)
                {
                    return;
                }
                // by the payload's NAME- prefix too: a closed session's name is gone once its opening is compacted
                final String text = entry.buffer().getStringWithoutLengthAscii(entry.offset(),
                    Math.min(entry.length(), 32));
                if (producer.equals(entry.producer()) || text.startsWith(producer + "-"))
                {
                    check.onEntry(entry.index(), entry.sequence(), text);
                }
            }).withRaftEntries().pinned())
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
        if (indexBySequence.isEmpty() && firstIndex > 1)
        {
            expectedSequence = sequence; // what came before is in the snapshot the log starts after
        }
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

    /** The first index the node served: acknowledgements below it are in its snapshot. */
    long firstIndex()
    {
        return firstIndex;
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
