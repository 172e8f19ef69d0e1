package io.raftline.io.statemachine;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An application's state, kept beside the log on every node (the part Aeron Cluster's clustered service and Ratis'
 * {@code StateMachine} play). Every node calls it on its own thread with each committed entry that a producer
 * appended, in index order, exactly once per index: the applied index is part of the state, kept in each snapshot,
 * and after a restart the state is restored from the newest snapshot and the entries after it are applied again.
 * The same entries in the same order must give the same state on every node: no clock, no randomness, no I/O
 * whose answer may differ.
 * <p>
 * Name the class (public, with a public no-argument constructor) in the cluster file: {@code state.machine=...}.
 */
public interface StateMachine
{
    /** A state machine that keeps nothing: a node without an application. */
    StateMachine NONE = new StateMachine()
    {
        @Override
        public void apply(final long index, final long term, final DirectBuffer buffer, final int offset,
            final int length)
        {
        }

        @Override
        public Snapshot snapshot()
        {
            return out -> { };
        }

        @Override
        public void restore(final InputStream in)
        {
        }
    };

    /**
     * Applies the committed entry at {@code index}; its payload is {@code length} bytes at {@code offset} of
     * {@code buffer}, valid during the call only. Must not throw: the entry is committed whatever happens.
     */
    void apply(long index, long term, DirectBuffer buffer, int offset, int length);

    /**
     * Captures the state as of the last applied entry. Called on the node's thread, which applies nothing else
     * meanwhile; the snapshot returned is written on another thread while entries go on being applied, so it must
     * not change with them (a copy, or an immutable structure). A capture or a write that throws leaves the
     * previous snapshot in place and the node running.
     */
    Snapshot snapshot();

    /** Replaces the whole state with what a {@link Snapshot} wrote; reads {@code in} to its end. */
    void restore(InputStream in) throws IOException;

    /** A captured state, written once, as a stream (a snapshot of any size is never held whole by the node). */
    @FunctionalInterface
    interface Snapshot
    {
        void writeTo(OutputStream out) throws IOException;
    }
}
