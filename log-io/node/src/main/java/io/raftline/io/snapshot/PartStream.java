package io.raftline.io.snapshot;

import java.io.IOException;
import java.io.InputStream;

/** The next {@code length} bytes of a stream, and no more: one part of a snapshot's body. */
final class PartStream extends InputStream
{
    private final InputStream in;
    private long left;

    PartStream(final InputStream in, final long length)
    {
        this.in = in;
        this.left = length;
    }

    @Override
    public int read() throws IOException
    {
        if (left == 0)
        {
            return -1;
        }
        final int b = in.read();
        if (b < 0)
        {
            throw new IOException("snapshot body ends " + left + " bytes early");
        }
        left--;
        return b;
    }

    @Override
    public int read(final byte[] into, final int offset, final int length) throws IOException
    {
        if (left == 0)
        {
            return length == 0 ? 0 : -1;
        }
        final int n = in.read(into, offset, (int)Math.min(length, left));
        if (n < 0)
        {
            throw new IOException("snapshot body ends " + left + " bytes early");
        }
        left -= n;
        return n;
    }

    /** Passes over what the reader left unread. */
    void skipRest() throws IOException
    {
        final byte[] scratch = new byte[8192];
        while (left > 0)
        {
            read(scratch, 0, scratch.length);
        }
    }
}
