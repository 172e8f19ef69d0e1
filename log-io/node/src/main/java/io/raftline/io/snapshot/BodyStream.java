package io.raftline.io.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** A snapshot's body read in order, each block checked against the footer before its bytes are handed out. */
final class BodyStream extends InputStream
{
    private final BlockReader reader;
    private final int blockCount;
    private int block = -1;
    private byte[] bytes;
    private int position;
    private int limit;

    BodyStream(final Path file, final SnapshotFile.Footer footer) throws IOException
    {
        this.reader = new BlockReader(file, footer);
        this.blockCount = footer.blockCrcs().length;
    }

    @Override
    public int read() throws IOException
    {
        if (!ensureAvailable())
        {
            return -1;
        }
        return bytes[position++] & 0xFF;
    }

    @Override
    public int read(final byte[] into, final int offset, final int length) throws IOException
    {
        if (length == 0)
        {
            return 0;
        }
        if (!ensureAvailable())
        {
            return -1;
        }
        final int n = Math.min(length, limit - position);
        System.arraycopy(bytes, position, into, offset, n);
        position += n;
        return n;
    }

    private boolean ensureAvailable() throws IOException
    {
        while (position == limit)
        {
            if (block + 1 >= blockCount)
            {
                return false;
            }
            block++;
            bytes = reader.block(block);
            limit = reader.blockLength();
            position = 0;
        }
        return true;
    }

    @Override
    public void close() throws IOException
    {
        reader.close();
    }
}
