package io.raftline.core.sim;

import io.raftline.core.EntryType;
import io.raftline.core.MemoryRaftLog;
import io.raftline.core.session.Session;
import io.raftline.core.session.SessionTable;
import io.raftline.core.state.ReplicatedState;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Applies each node's committed entries to its {@link ReplicatedState}, the class a node runs, and checks what
 * the state promises: a producer's entry is committed exactly once and in sequence (never a retry twice, never
 * past a gap), and every node holds the same state at the same applied index (compared as snapshot bytes).
 */
final class StateChecker
{
    private static final int COMPARE_EVERY = 4;

    private final SimProducers producers;
    private final Map<Long, byte[]> stateAtIndex = new HashMap<>();
    private final Map<String, Long> indexOfSequence = new HashMap<>();   // "session/sequence" -> index
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long applied;
    private final java.util.Set<Long> configurationEntries = new java.util.HashSet<>();

    StateChecker(final SimProducers producers)
    {
        this.producers = producers;
    }

    long applied()
    {
        return applied;
    }

    /** Configuration entries committed (and applied somewhere), the first ones of the cluster included. */
    long configurationsCommitted()
    {
        return configurationEntries.size();
    }

    /** Applies node {@code id}'s committed entries not yet applied, checking each. */
    void apply(final int id, final ReplicatedState state, final MemoryRaftLog log, final long commitIndex)
    {
        for (long index = state.appliedIndex() + 1; index <= commitIndex; index++)
        {
            final MemoryRaftLog.Entry entry = log.entry(index);
            checkExactlyOnce(id, index, entry, state.sessions());
            final UnsafeBuffer payload = new UnsafeBuffer(entry.payload());
            state.apply(index, entry.term(), entry.type(), entry.sessionId(), entry.sequence(), payload, 0,
                entry.payload().length);
            applied++;
            if (entry.type() == EntryType.CONFIG)
            {
                configurationEntries.add(index);
            }
            if (entry.type() == EntryType.SESSION)
            {
                final String name = SessionTable.openedName(payload, 0, entry.payload().length);
                if (name != null)
                {
                    producers.onOpened(index, name);
                }
            }
            else if (entry.type() == EntryType.NORMAL && entry.sessionId() != 0)
            {
                producers.onCommitted(entry.sessionId(), entry.sequence());
            }
            if (index % COMPARE_EVERY == 0)
            {
                compare(id, index, state);
            }
        }
    }

    private void checkExactlyOnce(
        final int id, final long index, final MemoryRaftLog.Entry entry, final SessionTable sessions)
    {
        if (entry.type() != EntryType.NORMAL || entry.sessionId() == 0)
        {
            return;
        }
        final Long earlier = indexOfSequence.putIfAbsent(entry.sessionId() + "/" + entry.sequence(), index);
        if (earlier != null && earlier != index)
        {
            throw new InvariantChecker.Violation("exactly once: sequence " + entry.sequence() + " of session " +
                entry.sessionId() + " is committed at index " + earlier + " and at index " + index);
        }
        final Session session = sessions.session(entry.sessionId());
        if (session == null)
        {
            return; // admitted, then its session was closed or evicted before the entry committed
        }
        if (entry.sequence() <= session.lastCommittedSequence())
        {
            throw new InvariantChecker.Violation("exactly once: node " + id + " committed sequence " +
                entry.sequence() + " of session " + entry.sessionId() + " again at index " + index);
        }
        if (entry.sequence() != session.lastCommittedSequence() + 1)
        {
            throw new InvariantChecker.Violation("node " + id + " committed sequence " + entry.sequence() +
                " of session " + entry.sessionId() + " after " + session.lastCommittedSequence() + " (a gap)");
        }
    }

    /** A state restored from a snapshot is the state every node had at its index. */
    void checkRestored(final int id, final ReplicatedState state)
    {
        if (state.appliedIndex() % COMPARE_EVERY == 0)
        {
            compare(id, state.appliedIndex(), state);
        }
    }

    /** The state after applying {@code index} is the same on every node. */
    private void compare(final int id, final long index, final ReplicatedState state)
    {
        bytes.reset();
        try
        {
            state.writeTo(new DataOutputStream(bytes));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final byte[] written = bytes.toByteArray();
        final byte[] known = stateAtIndex.putIfAbsent(index, written);
        if (known != null && !Arrays.equals(known, written))
        {
            throw new InvariantChecker.Violation("node " + id + " holds a different replicated state after " +
                "applying index " + index);
        }
    }
}
