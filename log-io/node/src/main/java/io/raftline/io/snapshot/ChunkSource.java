package io.raftline.io.snapshot;

import io.raftline.io.storage.StorageException;

import java.io.IOException;

/**
 * Serves a snapshot file in chunks of {@link SnapshotFile#BLOCK_SIZE} bytes, as they are on disk, to a node that
 * fetches it. A chunk's body block is checked against the footer before it leaves: a damaged copy is never sent.
 */
public final class ChunkSource implements AutoCloseable
{
    private final SnapshotStore.Snapshot snapshot;
    private final BlockReader reader;

    public ChunkSource(final SnapshotStore.Snapshot snapshot)
    {
        this.snapshot = snapshot;
        try
        {
            this.reader = new BlockReader(snapshot.file(), snapshot.footer());
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read snapshot " + snapshot.file() + ": " + ex.getMessage(), ex);
        }
    }

    public SnapshotStore.Snapshot snapshot()
    {
        return snapshot;
    }

    public long fileLength()
    {
        return snapshot.footer().fileLength();
    }

    /** The number of chunks of the file. */
    public int chunkCount()
    {
        return (int)((fileLength() + SnapshotFile.BLOCK_SIZE - 1) / SnapshotFile.BLOCK_SIZE);
    }

    /**
     * Reads chunk {@code chunk} into {@code into} from 0; returns its length. A {@link StorageException} if the
     * body block it holds fails its checksum or the file cannot be read.
     */
    public int read(final int chunk, final byte[] into)
    {
        final long start = (long)chunk * SnapshotFile.BLOCK_SIZE;
        final int length = (int)Math.min(SnapshotFile.BLOCK_SIZE, fileLength() - start);
        final long bodyLength = snapshot.footer().bodyLength();
        try
        {
            int filled = 0;
            if (start < bodyLength)
            {
                final byte[] block = reader.block(chunk);
                filled = reader.blockLength();
                System.arraycopy(block, 0, into, 0, filled);
            }
            // the footer after the body's last block is checked by its own sum, at the other end
            while (filled < length)
            {
                final int read = reader.readRaw(start + filled, into, filled, length - filled);
                if (read <= 0)
                {
                    throw SnapshotFile.damaged(snapshot.file(), "it ends before byte " + (start + filled));
                }
                filled += read;
            }
            return length;
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read snapshot " + snapshot.file() + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            reader.close();
        }
        catch (final IOException ignored)
        {
            // nothing was written through it
        }
    }
}
