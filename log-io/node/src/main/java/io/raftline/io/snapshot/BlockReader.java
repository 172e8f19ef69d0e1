package io.raftline.io.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/** Reads a snapshot's body block by block, each checked against the footer before anyone sees its bytes. */
final class BlockReader implements AutoCloseable
{
    private final Path file;
    private final SnapshotFile.Footer footer;
    private final FileChannel channel;
    private final byte[] block = new byte[SnapshotFile.BLOCK_SIZE];
    private final CRC32C crc = new CRC32C();
    private int loaded = -1;
    private int loadedLength;

    BlockReader(final Path file, final SnapshotFile.Footer footer) throws IOException
    {
        this.file = file;
        this.footer = footer;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Loads and checks block {@code index}; returns null when good, else what is wrong with it. */
    String check(final int index) throws IOException
    {
        final long start = (long)index * SnapshotFile.BLOCK_SIZE;
        final int length = (int)Math.min(SnapshotFile.BLOCK_SIZE, footer.bodyLength() - start);
        final ByteBuffer target = ByteBuffer.wrap(block, 0, length);
        while (target.hasRemaining())
        {
            if (channel.read(target, start + target.position()) < 0)
            {
                return "block " + index + " (bytes " + start + "..) is cut short";
            }
        }
        crc.reset();
        crc.update(block, 0, length);
        if ((int)crc.getValue() != footer.blockCrcs()[index])
        {
            loaded = -1;
            return "block " + index + " (bytes " + start + ".." + (start + length - 1) + ") fails its checksum";
        }
        loaded = index;
        loadedLength = length;
        return null;
    }

    /** Block {@code index}'s bytes, checked; a {@link io.raftline.io.storage.StorageException} if damaged. */
    byte[] block(final int index) throws IOException
    {
        if (loaded != index)
        {
            final String problem = check(index);
            if (problem != null)
            {
                throw SnapshotFile.damaged(file, problem);
            }
        }
        return block;
    }

    /** The length of the block last loaded. */
    int blockLength()
    {
        return loadedLength;
    }

    /** Reads raw file bytes at {@code position} (the footer and trailer are checked by the footer's own sum). */
    int readRaw(final long position, final byte[] into, final int offset, final int length) throws IOException
    {
        final ByteBuffer target = ByteBuffer.wrap(into, offset, length);
        while (target.hasRemaining())
        {
            if (channel.read(target, position + target.position() - offset) < 0)
            {
                break;
            }
        }
        return target.position() - offset;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
