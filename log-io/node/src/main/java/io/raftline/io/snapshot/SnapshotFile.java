package io.raftline.io.snapshot;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.io.storage.StorageException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A snapshot on disk: the state at a committed index, written as a stream (never held whole in memory) in blocks
 * of {@link #BLOCK_SIZE} bytes, then a footer that describes it, then a trailer. Little-endian.
 *
 * <pre>
 * body:    the replicated state (stateLength bytes), then the application's state machine (the rest)
 * footer:  | magic u32 | version u32 | index i64 | term i64 | bodyLength i64 | stateLength i64 |
 *          | blockSize u32 | blockCount u32 | configuration length u32 | configuration | CRC32C of each block |
 *          | bodyCrc u32: CRC32C over the block CRCs | footerCrc u32: CRC32C of the footer before it |
 * trailer: | footer length u32 | magic u32 |
 * </pre>
 *
 * A file is complete or absent: it is written under a temporary name, forced and renamed (see
 * {@link SnapshotWriter}). Every block is checked when it is read, so a damaged file is found and named, never
 * restored from. Two nodes that snapshot the same state at the same index write the same bytes: a laggard may
 * fetch the file, as it is, from any of them.
 */
public final class SnapshotFile
{
    public static final int BLOCK_SIZE = 64 * 1024;
    public static final String SUFFIX = ".snap";

    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int MAGIC = 0x4E534C52; // "RLSN" read little-endian
    static final int VERSION = 1;
    static final int TRAILER_LENGTH = 8;
    private static final int FIXED_FOOTER_LENGTH = 48;
    private static final int FOOTER_LENGTH_MAX = 64 << 20;

    /** What the footer says: where the snapshot stands and how to check its body. */
    public record Footer(
        long index, long term, long bodyLength, long stateLength, Configuration configuration, int[] blockCrcs,
        int bodyCrc)
    {
        /** Bytes of the file: body, footer and trailer. */
        public long fileLength()
        {
            return bodyLength + footerLength() + TRAILER_LENGTH;
        }

        /** Length of the application state machine's part of the body. */
        public long applicationLength()
        {
            return bodyLength - stateLength;
        }

        int footerLength()
        {
            return FIXED_FOOTER_LENGTH + 4 + ConfigurationCodec.encodedLength(configuration) + 4 * blockCrcs.length + 8;
        }
    }

    private SnapshotFile()
    {
    }

    /** The name of the snapshot at {@code index} of {@code term}. */
    public static String fileName(final long index, final long term)
    {
        return "snapshot-" + index + "-" + term + SUFFIX;
    }

    /** The number of blocks a body of {@code bodyLength} bytes takes. */
    static int blockCount(final long bodyLength)
    {
        return (int)((bodyLength + BLOCK_SIZE - 1) / BLOCK_SIZE);
    }

    /** Encodes a footer and the trailer after it. */
    static byte[] encodeFooter(final Footer footer)
    {
        final int footerLength = footer.footerLength();
        final byte[] bytes = new byte[footerLength + TRAILER_LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putInt(0, MAGIC, ORDER);
        buffer.putInt(4, VERSION, ORDER);
        buffer.putLong(8, footer.index(), ORDER);
        buffer.putLong(16, footer.term(), ORDER);
        buffer.putLong(24, footer.bodyLength(), ORDER);
        buffer.putLong(32, footer.stateLength(), ORDER);
        buffer.putInt(40, BLOCK_SIZE, ORDER);
        buffer.putInt(44, footer.blockCrcs().length, ORDER);
        final int configurationLength = ConfigurationCodec.encodedLength(footer.configuration());
        buffer.putInt(FIXED_FOOTER_LENGTH, configurationLength, ORDER);
        ConfigurationCodec.encode(footer.configuration(), buffer, FIXED_FOOTER_LENGTH + 4);
        int position = FIXED_FOOTER_LENGTH + 4 + configurationLength;
        for (final int crc : footer.blockCrcs())
        {
            buffer.putInt(position, crc, ORDER);
            position += 4;
        }
        buffer.putInt(position, footer.bodyCrc(), ORDER);
        position += 4;
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, position);
        buffer.putInt(position, (int)crc.getValue(), ORDER);
        buffer.putInt(footerLength, footerLength, ORDER);
        buffer.putInt(footerLength + 4, MAGIC, ORDER);
        return bytes;
    }

    /** Reads and checks the footer of {@code file}; a {@link StorageException} names what is wrong. */
    public static Footer readFooter(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return readFooter(file, channel);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read snapshot " + file + ": " + ex.getMessage(), ex);
        }
    }

    static Footer readFooter(final Path file, final FileChannel channel) throws IOException
    {
        final long size = channel.size();
        if (size < TRAILER_LENGTH + FIXED_FOOTER_LENGTH)
        {
            throw damaged(file, "it is " + size + " bytes long, too short for a snapshot");
        }
        final ByteBuffer trailer = readFully(channel, size - TRAILER_LENGTH, TRAILER_LENGTH);
        final int footerLength = trailer.getInt(0);
        if (trailer.getInt(4) != MAGIC || footerLength < FIXED_FOOTER_LENGTH + 8 || footerLength > FOOTER_LENGTH_MAX ||
            footerLength > size - TRAILER_LENGTH)
        {
            throw damaged(file, "it does not end with a snapshot trailer");
        }
        final long footerStart = size - TRAILER_LENGTH - footerLength;
        final byte[] bytes = new byte[footerLength];
        readFully(channel, footerStart, footerLength).get(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, footerLength - 4);
        if ((int)crc.getValue() != buffer.getInt(footerLength - 4, ORDER))
        {
            throw damaged(file, "its footer fails its checksum");
        }
        if (buffer.getInt(0, ORDER) != MAGIC || buffer.getInt(4, ORDER) != VERSION)
        {
            throw damaged(file, "its footer is not of a snapshot of this version");
        }
        final long index = buffer.getLong(8, ORDER);
        final long term = buffer.getLong(16, ORDER);
        final long bodyLength = buffer.getLong(24, ORDER);
        final long stateLength = buffer.getLong(32, ORDER);
        final int blockSize = buffer.getInt(40, ORDER);
        final int blockCount = buffer.getInt(44, ORDER);
        final int configurationLength = buffer.getInt(FIXED_FOOTER_LENGTH, ORDER);
        if (index < 0 || term < 0 || bodyLength != footerStart || stateLength < 0 || stateLength > bodyLength ||
            blockSize != BLOCK_SIZE || blockCount != blockCount(bodyLength) || configurationLength < 0 ||
            FIXED_FOOTER_LENGTH + 4L + configurationLength + 4L * blockCount + 8 != footerLength)
        {
            throw damaged(file, "its footer does not describe the file");
        }
        final Configuration configuration;
        try
        {
            configuration = ConfigurationCodec.decode(buffer, FIXED_FOOTER_LENGTH + 4, configurationLength);
        }
        catch (final IllegalArgumentException ex)
        {
            throw damaged(file, "its configuration cannot be read: " + ex.getMessage());
        }
        final int[] blockCrcs = new int[blockCount];
        int position = FIXED_FOOTER_LENGTH + 4 + configurationLength;
        for (int i = 0; i < blockCount; i++)
        {
            blockCrcs[i] = buffer.getInt(position, ORDER);
            position += 4;
        }
        final int bodyCrc = buffer.getInt(position, ORDER);
        if (bodyCrc != bodyCrc(blockCrcs))
        {
            throw damaged(file, "its block checksums do not match their sum");
        }
        return new Footer(index, term, bodyLength, stateLength, configuration, blockCrcs, bodyCrc);
    }

    /**
     * Reads every block of the body and checks it; returns null when all are good, else which is not (a damaged
     * file is one a node must not restore from, nor serve).
     */
    public static String verifyBody(final Path file, final Footer footer)
    {
        try (BlockReader reader = new BlockReader(file, footer))
        {
            for (int block = 0; block < footer.blockCrcs().length; block++)
            {
                final String problem = reader.check(block);
                if (problem != null)
                {
                    return problem;
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot be read: " + ex.getMessage();
        }
    }

    /** CRC32C over the block checksums: identifies a body's content. */
    static int bodyCrc(final int[] blockCrcs)
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer bytes = ByteBuffer.allocate(4 * blockCrcs.length).order(ORDER);
        for (final int blockCrc : blockCrcs)
        {
            bytes.putInt(blockCrc);
        }
        crc.update(bytes.array(), 0, bytes.position());
        return (int)crc.getValue();
    }

    static StorageException damaged(final Path file, final String why)
    {
        return new StorageException("snapshot " + file + " is damaged: " + why);
    }

    static ByteBuffer readFully(final FileChannel channel, final long position, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(ORDER);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, position + buffer.position()) < 0)
            {
                throw new IOException("end of file at " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }
}
