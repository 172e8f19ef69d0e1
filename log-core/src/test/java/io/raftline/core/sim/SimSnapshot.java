package io.raftline.core.sim;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.state.ReplicatedState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A snapshot as a simulated machine keeps it on disk: the replicated state at a committed index, with the term and
 * the chain hash of the entry there (so the invariants can go on comparing logs that start after it).
 */
record SimSnapshot(long index, long term, long chain, Configuration configuration, byte[] state)
{
    /** Captures {@code state}, which has applied up to the entry at {@code index} of {@code term}. */
    static SimSnapshot of(final ReplicatedState state, final long term, final long chain)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try
        {
            state.writeTo(new DataOutputStream(bytes));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return new SimSnapshot(state.appliedIndex(), term, chain, state.configuration(), bytes.toByteArray());
    }

    /** A state restored from this snapshot. */
    ReplicatedState restore()
    {
        final ReplicatedState state = new ReplicatedState(64, 16, Configuration.NONE, 0);
        try
        {
            state.readFrom(new DataInputStream(new ByteArrayInputStream(this.state)));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return state;
    }
}
