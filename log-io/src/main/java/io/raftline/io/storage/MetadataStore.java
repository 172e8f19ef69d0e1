package io.raftline.io.storage;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Raft's persistent state besides the log (currentTerm, votedFor, the latest configuration) and the log's durable
 * watermark, in {@code raft.meta}: two fixed slots written alternately, each checksummed and numbered, so that a
 * crash in the middle of a write leaves the old value or the new one. Every write is forced before it returns
 * (Raft §5.1: a vote and a term must survive a crash before any message depends on them).
 *
 * <pre>
 * Slot (at offset 0 or SLOT_LENGTH), little-endian:
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | crc32c            | magic "RLMD"      |   crc32c covers bytes [4, 48 + configuration length)
 *   +-------------------+-------------------+
 *   | generation (the higher valid slot wins)|
 *   +---------------------------------------+
 *   | currentTerm                           |
 *   +-------------------+-------------------+
 *   | votedFor          | config length     |
 *   +-------------------+-------------------+
 *   | durable watermark (Raft index)        |   a lower bound of what the log made durable
 *   +---------------------------------------+
 *   | reserved                              |
 *   +---------------------------------------+  48
 *   | configuration bytes ...               |
 *   +---------------------------------------+
 * </pre>
 */
public final class MetadataStore
{
    static final String FILE_NAME = "raft.meta";
    static final int SLOT_LENGTH = 16 * 1024;
    /** The largest configuration that fits in a slot. */
    public static final int CONFIGURATION_LENGTH_MAX = SLOT_LENGTH - 48;

    private static final int MAGIC_OFFSET = 4;
    private static final int GENERATION_OFFSET = 8;
    private static final int TERM_OFFSET = 16;
    private static final int VOTED_FOR_OFFSET = 24;
    private static final int CONFIG_LENGTH_OFFSET = 28;
    private static final int WATERMARK_OFFSET = 32;
    private static final int CONFIG_OFFSET = 48;
    private static final int MAGIC = 0x444D4C52; // "RLMD" read little-endian

    private final Path file;
    private final FileChannel channel; // null when read-only
    private final ByteBuffer slotBuffer = BufferUtil.allocateDirectAligned(SLOT_LENGTH, 64)
        .order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer slot = new UnsafeBuffer(slotBuffer);

    private long generation;
    private long currentTerm;
    private int votedFor;
    private byte[] configuration = new byte[0];
    private long durableWatermark;
    private long durableIndexHint; // what the log last reported durable; rides along with the next store()

    private MetadataStore(final Path file, final FileChannel channel)
    {
        this.file = file;
        this.channel = channel;
    }

    /** Opens for writing, creating the file (term 0, no vote) if absent. */
    static MetadataStore open(final Path dir)
    {
        final Path file = dir.resolve(FILE_NAME);
        try
        {
            if (!Files.exists(file))
            {
                create(dir, file);
            }
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final MetadataStore store = new MetadataStore(file, channel);
            store.load(channel);
            return store;
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot open metadata file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** Writes both slots to a temporary file and renames it into place, so a crash never leaves a torn new file. */
    private static void create(final Path dir, final Path file) throws IOException
    {
        final Path temporary = dir.resolve(FILE_NAME + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MetadataStore initial = new MetadataStore(temporary, channel);
            initial.write(0, 0, initial.configuration, 0);
            initial.write(0, 0, initial.configuration, 0);
        }
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
    }

    /** Makes a file creation or rename in {@code dir} durable (Linux: fsync on the directory). */
    static void forceDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot force directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads the file without writing anything; empty state when it does not exist. */
    public static MetadataStore read(final Path dir)
    {
        final Path file = dir.resolve(FILE_NAME);
        final MetadataStore store = new MetadataStore(file, null);
        if (Files.exists(file))
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                store.load(channel);
            }
            catch (final IOException ex)
            {
                throw new StorageException("cannot read metadata file " + file + ": " + ex.getMessage(), ex);
            }
        }
        return store;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    public int votedFor()
    {
        return votedFor;
    }

    /** A copy of the latest configuration stored; empty when none was. */
    public byte[] configuration()
    {
        return configuration.clone();
    }

    /** The highest Raft index recorded as durable; corruption at or below it is never treated as a torn write. */
    public long durableWatermark()
    {
        return durableWatermark;
    }

    /** Stores term and vote (with the latest durable index the log reported) and forces them before returning. */
    public void store(final long term, final int votedFor)
    {
        write(term, votedFor, configuration, Math.max(durableWatermark, durableIndexHint));
    }

    /** Stores the latest cluster configuration (opaque bytes, may be empty) and forces it before returning. */
    public void storeConfiguration(final byte[] bytes)
    {
        if (bytes.length > CONFIGURATION_LENGTH_MAX)
        {
            throw new StorageException("configuration of " + bytes.length + " bytes exceeds the " +
                CONFIGURATION_LENGTH_MAX + " bytes a metadata slot holds");
        }
        write(currentTerm, votedFor, bytes.clone(), Math.max(durableWatermark, durableIndexHint));
    }

    void durableIndexHint(final long durableIndex)
    {
        durableIndexHint = durableIndex;
    }

    /** Sets the watermark, also lowering it (before a truncation below it); forced. */
    void storeDurableWatermark(final long watermark)
    {
        durableIndexHint = Math.min(durableIndexHint, watermark);
        write(currentTerm, votedFor, configuration, watermark);
    }

    /** The generation of the newest valid slot; it sits at offset {@code (generation & 1) * SLOT_LENGTH}. */
    long generation()
    {
        return generation;
    }

    Path file()
    {
        return file;
    }

    void close()
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing written is pending: every write was forced
            }
        }
    }

    private void write(final long term, final int votedFor, final byte[] configuration, final long watermark)
    {
        if (channel == null)
        {
            throw new IllegalStateException("metadata opened read-only");
        }
        final long nextGeneration = generation + 1;
        slot.setMemory(0, CONFIG_OFFSET, (byte)0);
        slot.putInt(MAGIC_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(GENERATION_OFFSET, nextGeneration, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(TERM_OFFSET, term, ByteOrder.LITTLE_ENDIAN);
        slot.putInt(VOTED_FOR_OFFSET, votedFor, ByteOrder.LITTLE_ENDIAN);
        slot.putInt(CONFIG_LENGTH_OFFSET, configuration.length, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(WATERMARK_OFFSET, watermark, ByteOrder.LITTLE_ENDIAN);
        slot.putBytes(CONFIG_OFFSET, configuration);
        final int length = CONFIG_OFFSET + configuration.length;
        slot.putInt(0, Checksums.crc32c(slot.addressOffset(), 4, length - 4), ByteOrder.LITTLE_ENDIAN);
        slotBuffer.clear().limit(length);
        final long position = (nextGeneration & 1) * SLOT_LENGTH;
        try
        {
            while (slotBuffer.hasRemaining())
            {
                channel.write(slotBuffer, position + slotBuffer.position());
            }
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot write metadata file " + file + ": " + ex.getMessage(), ex);
        }
        this.generation = nextGeneration;
        this.currentTerm = term;
        this.votedFor = votedFor;
        this.configuration = configuration;
        this.durableWatermark = watermark;
    }

    private void load(final FileChannel channel) throws IOException
    {
        long bestGeneration = -1;
        for (int i = 0; i < 2; i++)
        {
            slotBuffer.clear();
            int read = 0;
            while (slotBuffer.hasRemaining())
            {
                final int n = channel.read(slotBuffer, (long)i * SLOT_LENGTH + slotBuffer.position());
                if (n < 0)
                {
                    break;
                }
                read += n;
            }
            if (read < CONFIG_OFFSET || slot.getInt(MAGIC_OFFSET, ByteOrder.LITTLE_ENDIAN) != MAGIC)
            {
                continue;
            }
            final int configLength = slot.getInt(CONFIG_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (configLength < 0 || configLength > CONFIGURATION_LENGTH_MAX || CONFIG_OFFSET + configLength > read)
            {
                continue;
            }
            final int length = CONFIG_OFFSET + configLength;
            final int crc = Checksums.crc32c(slot.addressOffset(), 4, length - 4);
            final long slotGeneration = slot.getLong(GENERATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (crc != slot.getInt(0, ByteOrder.LITTLE_ENDIAN) || slotGeneration <= bestGeneration)
            {
                continue;
            }
            bestGeneration = slotGeneration;
            currentTerm = slot.getLong(TERM_OFFSET, ByteOrder.LITTLE_ENDIAN);
            votedFor = slot.getInt(VOTED_FOR_OFFSET, ByteOrder.LITTLE_ENDIAN);
            durableWatermark = slot.getLong(WATERMARK_OFFSET, ByteOrder.LITTLE_ENDIAN);
            configuration = new byte[configLength];
            slot.getBytes(CONFIG_OFFSET, configuration);
        }
        if (bestGeneration < 0)
        {
            throw new StorageException("metadata file " + file + " is corrupt: neither slot holds a valid record");
        }
        generation = bestGeneration;
    }
}
