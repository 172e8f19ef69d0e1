package io.raftline.io.node;

import io.raftline.core.state.ReplicatedState;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.LogCursor;
import org.agrona.CloseHelper;

/**
 * Applies committed entries to the node's {@link ReplicatedState}, in index order and each once, then tells the
 * producer service (which acknowledges them). What the state needs of an entry near the tail (its type, session
 * and sequence) is held in memory by the log, so most entries are applied without reading the file again; Raft's
 * own entries, whose payload the state reads, and older ones are read through a sequential cursor.
 */
final class CommitApplier implements AutoCloseable
{
    private static final int APPLY_LIMIT = 4096;

    private final ReplicatedState state;
    private final ChronicleLog log;
    private final ProducerService producers;
    private final LogCursor cursor;

    CommitApplier(final ReplicatedState state, final ChronicleLog log, final ProducerService producers)
    {
        this.state = state;
        this.log = log;
        this.producers = producers;
        this.cursor = log.newCursor();
    }

    /** Applies up to {@link #APPLY_LIMIT} entries up to {@code commitIndex}; returns how many. */
    int apply(final long commitIndex)
    {
        int applied = 0;
        while (state.appliedIndex() < commitIndex && applied < APPLY_LIMIT)
        {
            final long index = state.appliedIndex() + 1;
            final long term;
            final int type;
            final long sessionId;
            final long sequence;
            if (log.isRecent(index) && !ReplicatedState.needsPayload(log.type(index)))
            {
                term = log.term(index);
                type = log.type(index);
                sessionId = log.recentSessionId(index);
                sequence = log.recentSequence(index);
                state.apply(index, term, type, sessionId, sequence, null, 0, 0);
            }
            else
            {
                // seeking to where the cursor already is costs nothing, so a run of reads stays sequential
                if (!cursor.seek(index) || !cursor.next())
                {
                    throw new IllegalStateException("committed entry " + index + " cannot be read");
                }
                term = cursor.term();
                type = cursor.type();
                sessionId = cursor.sessionId();
                sequence = cursor.sequence();
                state.apply(index, term, type, sessionId, sequence, cursor.buffer(), cursor.payloadOffset(),
                    cursor.payloadLength());
            }
            producers.onApplied(index, term, type, sessionId, sequence);
            applied++;
        }
        return applied;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(cursor);
    }
}
