package io.raftline.tools;

import io.raftline.io.statemachine.StateMachine;
import org.agrona.DirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A state machine whose second snapshot fails to capture and whose third fails while being written: a node must
 * keep its previous snapshot and go on. Its state is the count of entries applied.
 */
public final class FailingStateMachine implements StateMachine
{
    private long applied;
    private int snapshots;

    @Override
    public void apply(final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        applied++;
    }

    @Override
    public Snapshot snapshot()
    {
        snapshots++;
        if (snapshots == 2)
        {
            throw new IllegalStateException("the application cannot capture its state now");
        }
        final long count = applied;
        final boolean failWrite = snapshots == 3;
        return out ->
        {
            new DataOutputStream(out).writeLong(count);
            if (failWrite)
            {
                throw new IOException("the application's disk is full");
            }
        };
    }

    @Override
    public void restore(final InputStream in) throws IOException
    {
        applied = new DataInputStream(in).readLong();
    }
}
