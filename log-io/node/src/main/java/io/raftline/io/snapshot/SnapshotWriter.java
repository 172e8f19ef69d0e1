package io.raftline.io.snapshot;

import io.raftline.core.quorum.Configuration;
import io.raftline.io.storage.StorageException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes one snapshot file as a stream: the body goes out a block at a time (checksummed as it goes), so a
 * snapshot of any size takes one block of memory. The file appears under its final name only once complete and
 * forced ({@link #finish}); until then it is a temporary file that a restart deletes.
 */
public final class SnapshotWriter extends OutputStream
{
    static final String TEMPORARY_SUFFIX = ".tmp";

    private final Path directory;
    private final Path temporary;
    private final long index;
    private final long term;
    private final Configuration configuration;
    private final FileChannel channel;
    private final byte[] block = new byte[SnapshotFile.BLOCK_SIZE];
    private final CRC32C crc = new CRC32C();
    private int[] blockCrcs = new int[64];
    private int blocks;
    private int filled;
    private long written;
    private long stateLength = -1;
    private boolean closed;

    private SnapshotWriter(
        final Path directory, final Path temporary, final long index, final long term,
        final Configuration configuration, final FileChannel channel)
    {
        this.directory = directory;
        this.temporary = temporary;
        this.index = index;
        this.term = term;
        this.configuration = configuration;
        this.channel = channel;
    }

    /** Starts the snapshot at {@code index} of {@code term} in {@code directory}. */
    public static SnapshotWriter create(
        final Path directory, final long index, final long term, final Configuration configuration)
    {
        final Path temporary = directory.resolve(SnapshotFile.fileName(index, term) + TEMPORARY_SUFFIX);
        try
        {
            Files.createDirectories(directory);
            final FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            return new SnapshotWriter(directory, temporary, index, term, configuration, channel);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot create snapshot " + temporary + ": " + ex.getMessage(), ex);
        }
    }

    /** Ends the replicated state's part of the body: what is written from now on is the application's. */
    public void markStateEnd()
    {
        stateLength = written;
    }

    @Override
    public void write(final int b) throws IOException
    {
        block[filled++] = (byte)b;
        written++;
        if (filled == block.length)
        {
            flushBlock();
        }
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length) throws IOException
    {
        int position = offset;
        int left = length;
        while (left > 0)
        {
            final int n = Math.min(left, block.length - filled);
            System.arraycopy(bytes, position, block, filled, n);
            filled += n;
            written += n;
            position += n;
            left -= n;
            if (filled == block.length)
            {
                flushBlock();
            }
        }
    }

    /** Writes the footer, forces the file and gives it its final name; returns the footer. */
    public SnapshotFile.Footer finish()
    {
        try
        {
            if (filled > 0)
            {
                flushBlock();
            }
            final int[] crcs = Arrays.copyOf(blockCrcs, blocks);
            final SnapshotFile.Footer footer = new SnapshotFile.Footer(index, term, written,
                stateLength < 0 ? written : stateLength, configuration, crcs, SnapshotFile.bodyCrc(crcs));
            writeFully(ByteBuffer.wrap(SnapshotFile.encodeFooter(footer)), written);
            channel.force(true);
            channel.close();
            closed = true;
            final Path file = directory.resolve(SnapshotFile.fileName(index, term));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SnapshotStore.forceDirectory(directory);
            return footer;
        }
        catch (final IOException ex)
        {
            abort();
            throw new StorageException("cannot write snapshot " + temporary + ": " + ex.getMessage(), ex);
        }
    }

    /** Gives up: the temporary file goes. */
    public void abort()
    {
        try
        {
            if (!closed)
            {
                closed = true;
                channel.close();
            }
            Files.deleteIfExists(temporary);
        }
        catch (final IOException ignored)
        {
            // a temporary file left behind is deleted at the next start
        }
    }

    /** Same as {@link #abort} unless finished: closing without finishing leaves no snapshot. */
    @Override
    public void close()
    {
        if (!closed)
        {
            abort();
        }
    }

    private void flushBlock() throws IOException
    {
        crc.reset();
        crc.update(block, 0, filled);
        if (blocks == blockCrcs.length)
        {
            blockCrcs = Arrays.copyOf(blockCrcs, blocks * 2);
        }
        blockCrcs[blocks] = (int)crc.getValue();
        writeFully(ByteBuffer.wrap(block, 0, filled), (long)blocks * SnapshotFile.BLOCK_SIZE);
        blocks++;
        filled = 0;
    }

    private void writeFully(final ByteBuffer bytes, final long position) throws IOException
    {
        long at = position;
        while (bytes.hasRemaining())
        {
            at += channel.write(bytes, at);
        }
    }
}
