package io.raftline.tools;

import io.raftline.io.statemachine.StateMachine;
import org.agrona.DirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A state machine for {@code bench snapshot}: its state is as large as the node's {@code raftline.bulk.bytes}
 * system property says, and takes no memory. The bytes are a function of how many entries were applied, made as
 * the snapshot is written, so every node writes the same bytes at the same index and a restore can check them.
 */
public final class BulkStateMachine implements StateMachine
{
    /** The system property that sets the state's size in bytes. */
    public static final String SIZE_PROPERTY = "raftline.bulk.bytes";
    private static final int CHUNK = 64 * 1024;

    private final long size = Long.getLong(SIZE_PROPERTY, 0L);
    private long applied;

    @Override
    public void apply(final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        applied++;
    }

    @Override
    public Snapshot snapshot()
    {
        final long seed = applied;
        return out -> write(seed, size, out);
    }

    private static void write(final long seed, final long size, final OutputStream out) throws IOException
    {
        final DataOutputStream data = new DataOutputStream(out);
        data.writeLong(seed);
        data.writeLong(size);
        final byte[] chunk = new byte[CHUNK];
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        for (long written = 0; written < size; written += CHUNK)
        {
            state = fill(chunk, state);
            data.write(chunk, 0, (int)Math.min(CHUNK, size - written));
        }
        data.flush();
    }

    /** xorshift64: cheap bytes that are the same on every node and do not compress. */
    private static long fill(final byte[] chunk, final long seed)
    {
        long x = seed;
        for (int i = 0; i < chunk.length; i += 8)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int b = 0; b < 8; b++)
            {
                chunk[i + b] = (byte)(x >>> (8 * b));
            }
        }
        return x;
    }

    @Override
    public void restore(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        final long seed = data.readLong();
        final long stated = data.readLong();
        final byte[] expected = new byte[CHUNK];
        final byte[] read = new byte[CHUNK];
        long state = seed * 0x9E3779B97F4A7C15L + 1;
        for (long done = 0; done < stated; done += CHUNK)
        {
            state = fill(expected, state);
            final int length = (int)Math.min(CHUNK, stated - done);
            data.readFully(read, 0, length);
            if (!java.util.Arrays.equals(expected, 0, length, read, 0, length))
            {
                throw new IOException("bulk state differs at byte " + done);
            }
        }
        applied = seed;
    }
}
