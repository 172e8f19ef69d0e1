package io.raftline.io.node;

import io.raftline.core.RaftNode;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.state.ReplicatedState;
import io.raftline.io.snapshot.SnapshotFile;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.snapshot.SnapshotWriter;
import io.raftline.io.statemachine.StateMachine;
import io.raftline.io.storage.ChronicleLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Takes the node's snapshots and compacts its log below them. The state is captured on the node's thread, at an
 * applied index (so applying waits only for the capture), and written on a thread of its own while the node goes
 * on appending, replicating and committing. Snapshots are due when the applied index reaches a multiple of
 * {@code snapshot.interval.entries} (the same indexes on every node, so a follower can serve a laggard the
 * leader's snapshot), after {@code snapshot.interval.bytes} of payloads, and on demand. Once one is on disk the
 * core learns of it and the log is compacted, keeping {@code log.retain.entries} below it and everything from the
 * snapshot before it (a damaged newest snapshot then leaves an older one to start from).
 */
final class SnapshotTaker implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
    private static final int SNAPSHOTS_KEPT = 2;

    /** Told when a snapshot asked for on demand is done: its index, or null and why not. */
    interface Requester
    {
        void onSnapshot(long index, String failure);
    }

    /** A write that finished on the writer thread, for the node thread to take in. */
    private record Written(SnapshotStore.Snapshot snapshot, String failure)
    {
    }

    private final int nodeId;
    private final SnapshotStore store;
    private final RaftNode node;
    private final ChronicleLog log;
    private final ReplicatedState state;
    private final StateMachine stateMachine;
    private final long intervalEntries;
    private final long intervalBytes;
    private final long retainEntries;
    private final LongConsumer onFailure;
    private final ExecutorService writer;
    private final AtomicReference<Written> written = new AtomicReference<>();
    private final List<Requester> requesters = new ArrayList<>();
    private final List<Requester> waiting = new ArrayList<>();
    private boolean writing;
    private long bytesSinceLast;
    private long failures;

    SnapshotTaker(
        final int nodeId,
        final SnapshotStore store,
        final RaftNode node,
        final ChronicleLog log,
        final ReplicatedState state,
        final StateMachine stateMachine,
        final long intervalEntries,
        final long intervalBytes,
        final long retainEntries,
        final LongConsumer onFailure)
    {
        this.nodeId = nodeId;
        this.store = store;
        this.node = node;
        this.log = log;
        this.state = state;
        this.stateMachine = stateMachine;
        this.intervalEntries = intervalEntries;
        this.intervalBytes = intervalBytes;
        this.retainEntries = retainEntries;
        this.onFailure = onFailure;
        this.writer = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "raftline-snapshot-" + nodeId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The highest index to apply before looking at snapshots again: the next multiple of the interval, if due. */
    long applyLimit(final long commitIndex)
    {
        if (intervalEntries == 0)
        {
            return commitIndex;
        }
        final long next = (state.appliedIndex() / intervalEntries + 1) * intervalEntries;
        return Math.min(commitIndex, next);
    }

    /** Counts the payload bytes of an applied entry towards the bytes rule. */
    void onApplied(final int payloadLength)
    {
        bytesSinceLast += payloadLength;
    }

    /** Asks for a snapshot at the applied index as soon as one can be taken. */
    void request(final Requester requester)
    {
        waiting.add(requester);
    }

    /** Takes a snapshot now if one is due and none is being written; returns whether it started one. */
    boolean maybeCapture()
    {
        final long applied = state.appliedIndex();
        final SnapshotStore.Snapshot latest = store.latest();
        final boolean fresh = applied > 0 && (latest == null || applied > latest.index());
        final boolean due = !waiting.isEmpty() ||
            (intervalEntries > 0 && applied % intervalEntries == 0) ||
            (intervalBytes > 0 && bytesSinceLast >= intervalBytes);
        if (writing || !due)
        {
            return false;
        }
        if (!fresh)
        {
            answerWaiting(latest == null ? 0 : latest.index(), latest == null ? "nothing applied yet" : null);
            return false;
        }
        capture(applied);
        return true;
    }

    private void capture(final long index)
    {
        final long term = log.term(index);
        final Configuration configuration = state.configuration();
        final byte[] replicated;
        final StateMachine.Snapshot application;
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            state.writeTo(new DataOutputStream(bytes));
            replicated = bytes.toByteArray();
            application = stateMachine.snapshot();
        }
        catch (final IOException | RuntimeException ex)
        {
            onCaptureFailed(index, "capturing the state failed: " + ex);
            return;
        }
        writing = true;
        bytesSinceLast = 0;
        requesters.addAll(waiting);
        waiting.clear();
        writer.execute(() -> written.set(write(index, term, configuration, replicated, application)));
    }

    /** On the writer thread: the whole file, or nothing. */
    private Written write(
        final long index, final long term, final Configuration configuration, final byte[] replicated,
        final StateMachine.Snapshot application)
    {
        final SnapshotWriter out = SnapshotWriter.create(store.directory(), index, term, configuration);
        try
        {
            out.write(replicated);
            out.markStateEnd();
            application.writeTo(out);
            final SnapshotFile.Footer footer = out.finish();
            return new Written(new SnapshotStore.Snapshot(
                store.directory().resolve(SnapshotFile.fileName(index, term)), footer), null);
        }
        catch (final IOException | RuntimeException ex)
        {
            out.abort();
            return new Written(null, "writing snapshot " + index + " failed: " + ex);
        }
    }

    /** Takes in a snapshot the writer finished: the core learns of it and the log is compacted below it. */
    int poll()
    {
        final Written done = written.getAndSet(null);
        if (done == null)
        {
            return 0;
        }
        writing = false;
        if (done.failure() != null)
        {
            onCaptureFailed(done.snapshot() == null ? state.appliedIndex() : done.snapshot().index(), done.failure());
            return 1;
        }
        final SnapshotStore.Snapshot snapshot = done.snapshot();
        adopt(snapshot);
        LOG.info("node {}: snapshot at index {} ({} bytes), the log now starts at {}", nodeId, snapshot.index(),
            snapshot.footer().fileLength(), log.firstIndex());
        for (final Requester requester : requesters)
        {
            requester.onSnapshot(snapshot.index(), null);
        }
        requesters.clear();
        return 1;
    }

    /** A snapshot now in the store (written here, or fetched and installed): the core and the log follow it. */
    void adopt(final SnapshotStore.Snapshot snapshot)
    {
        store.add(snapshot);
        store.retain(SNAPSHOTS_KEPT);
        if (snapshot.index() <= log.lastIndex() && snapshot.index() >= log.firstIndex() - 1)
        {
            node.snapshotTaken(snapshot.index(), snapshot.term());
        }
        final long keepFrom = Math.min(store.previousIndex() + 1, snapshot.index() + 1 - retainEntries);
        if (keepFrom > log.firstIndex())
        {
            log.compactBefore(keepFrom);
        }
    }

    /** The newest snapshot's index, or 0. */
    long latestIndex()
    {
        final SnapshotStore.Snapshot latest = store.latest();
        return latest == null ? 0 : latest.index();
    }

    SnapshotStore store()
    {
        return store;
    }

    long failures()
    {
        return failures;
    }

    private void onCaptureFailed(final long index, final String why)
    {
        failures++;
        onFailure.accept(failures);
        LOG.error("node {}: no snapshot at index {}: {}; the previous one stays", nodeId, index, why);
        requesters.addAll(waiting);
        waiting.clear();
        for (final Requester requester : requesters)
        {
            requester.onSnapshot(0, why);
        }
        requesters.clear();
    }

    private void answerWaiting(final long index, final String failure)
    {
        for (final Requester requester : waiting)
        {
            requester.onSnapshot(index, failure);
        }
        waiting.clear();
    }

    @Override
    public void close()
    {
        writer.shutdownNow();
    }
}
