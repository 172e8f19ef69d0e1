package io.raftline.io.node;

import io.raftline.core.EntryType;
import io.raftline.core.state.ReplicatedState;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.statemachine.StateMachine;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.LogCursor;
import io.raftline.io.storage.StorageException;
import org.agrona.CloseHelper;

import java.io.DataInputStream;
import java.io.IOException;

/**
 * Applies committed entries to the node's {@link ReplicatedState} and to the application's {@link StateMachine},
 * in index order and each once, then tells the producer service (which acknowledges them); stops at the indexes
 * where a snapshot is due and lets the {@link SnapshotTaker} capture the state there. What the replicated state
 * needs of an entry near the tail (its type, session and sequence) is held in memory by the log, so without an
 * application most entries are applied without reading the file again; Raft's own entries, whose payload the
 * state reads, entries an application reads, and older ones are read through a sequential cursor.
 */
final class CommitApplier implements AutoCloseable
{
    private static final int APPLY_LIMIT = 4096;

    private final ReplicatedState state;
    private final StateMachine machine;
    private final boolean machineReadsPayloads;
    private final ChronicleLog log;
    private final ProducerService producers;
    private final SnapshotTaker snapshots;
    private final LogCursor cursor;
    private boolean waitingForState;

    CommitApplier(
        final ReplicatedState state,
        final StateMachine machine,
        final ChronicleLog log,
        final ProducerService producers,
        final SnapshotTaker snapshots)
    {
        this.state = state;
        this.machine = machine;
        this.machineReadsPayloads = machine != StateMachine.NONE;
        this.log = log;
        this.producers = producers;
        this.snapshots = snapshots;
        this.cursor = log.newCursor();
    }

    /**
     * Replaces the replicated state and the application's with those of {@code snapshot}; a snapshot that cannot
     * be read stops the node (its blocks were checked: the bytes are what a node wrote, so this is a bug).
     */
    static void restore(final SnapshotStore.Snapshot snapshot, final ReplicatedState state, final StateMachine machine)
    {
        try
        {
            SnapshotStore.read(snapshot, in -> state.readFrom(new DataInputStream(in)), machine::restore);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot restore snapshot " + snapshot.file() + ": " + ex.getMessage(), ex);
        }
        if (state.appliedIndex() != snapshot.index())
        {
            throw new StorageException("snapshot " + snapshot.file() + " holds the state at index " +
                state.appliedIndex() + ", not " + snapshot.index());
        }
    }

    /** Applies nothing until a snapshot restores the states: this node's own could not be read. */
    void waitForState()
    {
        waitingForState = true;
    }

    boolean isWaitingForState()
    {
        return waitingForState;
    }

    /** Applies up to {@link #APPLY_LIMIT} entries up to {@code commitIndex}; returns how many. */
    int apply(final long commitIndex)
    {
        if (waitingForState)
        {
            return 0;
        }
        int applied = 0;
        final long limit = snapshots.applyLimit(commitIndex);
        while (state.appliedIndex() < limit && applied < APPLY_LIMIT)
        {
            final long index = state.appliedIndex() + 1;
            final long term;
            final int type;
            final long sessionId;
            final long sequence;
            if (log.isRecent(index) && !ReplicatedState.needsPayload(log.type(index)) &&
                !(machineReadsPayloads && log.type(index) == EntryType.NORMAL))
            {
                term = log.term(index);
                type = log.type(index);
                sessionId = log.recentSessionId(index);
                sequence = log.recentSequence(index);
                state.apply(index, term, type, sessionId, sequence, null, 0, 0);
                snapshots.onApplied(log.payloadLength(index));
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
                if (type == EntryType.NORMAL)
                {
                    machine.apply(index, term, cursor.buffer(), cursor.payloadOffset(), cursor.payloadLength());
                }
                snapshots.onApplied(cursor.payloadLength());
            }
            producers.onApplied(index, term, type, sessionId, sequence);
            applied++;
        }
        if (snapshots.maybeCapture())
        {
            applied++;
        }
        return applied;
    }

    /** After a snapshot replaced the log: the states start again from it. */
    void restore(final SnapshotStore.Snapshot snapshot)
    {
        restore(snapshot, state, machine);
        waitingForState = false;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(cursor);
    }
}
