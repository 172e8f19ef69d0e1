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
 * watermark, in {@code raft.meta}: two fixed slots, each checksummed and numbered; a write goes to the one that
 * does not hold the newest forced record, so that a crash in the middle of it leaves the old value or the new one.
 * Every write is forced before it returns (Raft §5.1: a vote and a term must survive a crash before any message
 * depends on them), except a raise of the watermark at a segment roll with page-cache durability
 * ({@link #raiseDurableWatermarkUnforced}): a power loss, which may write such a record back whole, torn or not at
 * all, still finds the newest forced record or a newer one.
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
 *   | identity of this data directory       |   random, made with the directory, never 0
 *   +---------------------------------------+
 *   | flags: 1 = made as a first member,     |
 *   |        2 = a force of the log failed   |
 *   +---------------------------------------+  56
 *   | repair floor: index                   |   the last entry the log held before a damaged one was cut
 *   +---------------------------------------+
 *   | repair floor: term                    |   (0, 0: none); see RaftOptions.repairFloor
 *   +---------------------------------------+  72
 *   | configuration bytes ...               |
 *   +---------------------------------------+
 * </pre>
 * Files of earlier layouts are read too: the first (configuration at 48, no identity), whose directory gets an
 * identity and, having been made before there were any, counts as a first member; the second (configuration at
 * 56, no repair floor).
 */
public final class MetadataStore
{
    static final String FILE_NAME = "raft.meta";
    static final int SLOT_LENGTH = 16 * 1024;
    /** The largest configuration that fits in a slot. */
    public static final int CONFIGURATION_LENGTH_MAX = SLOT_LENGTH - 72;
    private static final long FIRST_MEMBER = 1;
    private static final long FORCE_FAILED = 2;

    private static final int MAGIC_OFFSET = 4;
    private static final int GENERATION_OFFSET = 8;
    private static final int TERM_OFFSET = 16;
    private static final int VOTED_FOR_OFFSET = 24;
    private static final int CONFIG_LENGTH_OFFSET = 28;
    private static final int WATERMARK_OFFSET = 32;
    private static final int IDENTITY_OFFSET = 40;
    private static final int FLAGS_OFFSET = 48;
    private static final int FLOOR_INDEX_OFFSET = 56;
    private static final int FLOOR_TERM_OFFSET = 64;
    private static final int CONFIG_OFFSET = 72;
    private static final int SECOND_LAYOUT_CONFIG_OFFSET = 56;
    private static final int FIRST_LAYOUT_CONFIG_OFFSET = 48;
    private static final int MAGIC = 0x444D4C52; // "RLMD" read little-endian

    private final Path file;
    private final FileChannel channel; // null when read-only
    private ForceObserver forces = ForceObserver.NONE;
    private final ByteBuffer slotBuffer = BufferUtil.allocateDirectAligned(SLOT_LENGTH, 64)
        .order(ByteOrder.LITTLE_ENDIAN);
    private final UnsafeBuffer slot = new UnsafeBuffer(slotBuffer);

    private long generation;
    private long forcedGeneration; // of the newest record known to be on disk; its slot is never written over
    private long currentTerm;
    private int votedFor;
    private byte[] configuration = new byte[0];
    private long durableWatermark;
    private long durableIndexHint; // what the log last reported durable; rides along with the next store()
    private long identity;
    private long flags;
    private long repairFloorIndex;
    private long repairFloorTerm;

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
            channel.force(false); // a record left unforced by a crashed process is newest: on disk before it counts
            store.forcedGeneration = store.generation;
            if (store.identity == 0)
            {
                // a directory of the first layout: made before identities, by a first member
                store.identity = newIdentity();
                store.flags |= FIRST_MEMBER;
                store.write(store.currentTerm, store.votedFor, store.configuration, store.durableWatermark);
            }
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
            initial.identity = newIdentity();
            initial.write(0, 0, initial.configuration, 0);
            initial.write(0, 0, initial.configuration, 0);
        }
        Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
    }

    private static long newIdentity()
    {
        long identity = 0;
        while (identity == 0)
        {
            identity = new java.security.SecureRandom().nextLong();
        }
        return identity;
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

    /** The identity of this data directory, made with it: a voter counts only from the directory it was bound to. */
    public long identity()
    {
        return identity;
    }

    /** Whether this directory was made as one of its cluster's first members (see RaftOptions.firstMember). */
    public boolean isFirstMember()
    {
        return (flags & FIRST_MEMBER) != 0;
    }

    /**
     * A force of the log failed: whatever the page cache shows, nothing above {@code lastDurable} is known to be on
     * disk (Linux reports a write-back error once, and the pages it lost may still be read back), so the next open
     * drops it; forced.
     */
    void markForceFailed(final long lastDurable)
    {
        flags |= FORCE_FAILED;
        durableIndexHint = Math.min(durableIndexHint, lastDurable);
        write(currentTerm, votedFor, configuration, lastDurable);
    }

    boolean forceFailed()
    {
        return (flags & FORCE_FAILED) != 0;
    }

    /** What the failed force may have lost was dropped; forced. */
    void clearForceFailed()
    {
        flags &= ~FORCE_FAILED;
        write(currentTerm, votedFor, configuration, durableWatermark);
    }

    /**
     * The log is about to be cut at a damaged entry: it may have helped commit entries up to {@code index}, of
     * terms up to {@code term}, and the node must not act as though it never held them (see
     * RaftOptions.repairFloor). Raised in Raft's order of logs (§5.4.1: a later last term is more up to date,
     * whatever the length), never lowered; forced before the cut.
     */
    void raiseRepairFloor(final long index, final long term)
    {
        if (term < repairFloorTerm || (term == repairFloorTerm && index <= repairFloorIndex))
        {
            return;
        }
        repairFloorIndex = index;
        repairFloorTerm = term;
        write(currentTerm, votedFor, configuration, Math.max(durableWatermark, durableIndexHint));
    }

    /** The last index of the log before a damaged entry was cut from it; 0 if none ever was. */
    public long repairFloorIndex()
    {
        return repairFloorIndex;
    }

    /** The term of the entry at {@link #repairFloorIndex()}, or a term no lower. */
    public long repairFloorTerm()
    {
        return repairFloorTerm;
    }

    /** Records that this directory is one of a new cluster's first members; forced. */
    public void markFirstMember()
    {
        flags |= FIRST_MEMBER;
        write(currentTerm, votedFor, configuration, Math.max(durableWatermark, durableIndexHint));
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

    /**
     * Raises the watermark without forcing it: a process crash keeps it, a power loss may take it back to the last
     * forced one, which is still a lower bound of what was durable. At a segment roll with page-cache durability,
     * where a force of this file cost the appending thread 1.5-5 ms (a journal commit) at every roll.
     */
    void raiseDurableWatermarkUnforced(final long watermark)
    {
        if (watermark > durableWatermark)
        {
            write(currentTerm, votedFor, configuration, watermark, false);
        }
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
                // an unforced watermark raise may be pending: a lower watermark on disk is still a lower bound
            }
        }
    }

    /** Tests: {@code observer} hears of every force from now on. */
    void observeForces(final ForceObserver observer)
    {
        this.forces = observer;
    }

    private void write(final long term, final int votedFor, final byte[] configuration, final long watermark)
    {
        write(term, votedFor, configuration, watermark, true);
    }

    /**
     * Writes a record into the slot that does not hold the newest forced one (the generation's parity names the
     * slot), forcing it if asked. Unforced records all go to that same slot, so only a force moves the record that a
     * power loss falls back to.
     */
    private void write(
        final long term, final int votedFor, final byte[] configuration, final long watermark, final boolean force)
    {
        if (channel == null)
        {
            throw new IllegalStateException("metadata opened read-only");
        }
        final long freeSlot = (forcedGeneration & 1) ^ 1;
        final long nextGeneration = ((generation + 1) & 1) == freeSlot ? generation + 1 : generation + 2;
        slot.setMemory(0, CONFIG_OFFSET, (byte)0);
        slot.putInt(MAGIC_OFFSET, MAGIC, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(GENERATION_OFFSET, nextGeneration, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(TERM_OFFSET, term, ByteOrder.LITTLE_ENDIAN);
        slot.putInt(VOTED_FOR_OFFSET, votedFor, ByteOrder.LITTLE_ENDIAN);
        slot.putInt(CONFIG_LENGTH_OFFSET, configuration.length, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(WATERMARK_OFFSET, watermark, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(IDENTITY_OFFSET, identity, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(FLAGS_OFFSET, flags, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(FLOOR_INDEX_OFFSET, repairFloorIndex, ByteOrder.LITTLE_ENDIAN);
        slot.putLong(FLOOR_TERM_OFFSET, repairFloorTerm, ByteOrder.LITTLE_ENDIAN);
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
            if (force)
            {
                channel.force(false);
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot write metadata file " + file + ": " + ex.getMessage(), ex);
        }
        if (force)
        {
            forces.forced(file);
            forcedGeneration = nextGeneration;
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
            if (read < FIRST_LAYOUT_CONFIG_OFFSET || slot.getInt(MAGIC_OFFSET, ByteOrder.LITTLE_ENDIAN) != MAGIC)
            {
                continue;
            }
            final int configOffset = checksumAt(CONFIG_OFFSET, read) ? CONFIG_OFFSET :
                checksumAt(SECOND_LAYOUT_CONFIG_OFFSET, read) ? SECOND_LAYOUT_CONFIG_OFFSET :
                checksumAt(FIRST_LAYOUT_CONFIG_OFFSET, read) ? FIRST_LAYOUT_CONFIG_OFFSET : -1;
            final long slotGeneration = slot.getLong(GENERATION_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (configOffset < 0 || slotGeneration <= bestGeneration)
            {
                continue;
            }
            final int configLength = slot.getInt(CONFIG_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            bestGeneration = slotGeneration;
            currentTerm = slot.getLong(TERM_OFFSET, ByteOrder.LITTLE_ENDIAN);
            votedFor = slot.getInt(VOTED_FOR_OFFSET, ByteOrder.LITTLE_ENDIAN);
            durableWatermark = slot.getLong(WATERMARK_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final boolean hasIdentity = configOffset != FIRST_LAYOUT_CONFIG_OFFSET;
            identity = hasIdentity ? slot.getLong(IDENTITY_OFFSET, ByteOrder.LITTLE_ENDIAN) : 0;
            flags = hasIdentity ? slot.getLong(FLAGS_OFFSET, ByteOrder.LITTLE_ENDIAN) : 0;
            final boolean hasFloor = configOffset == CONFIG_OFFSET;
            repairFloorIndex = hasFloor ? slot.getLong(FLOOR_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN) : 0;
            repairFloorTerm = hasFloor ? slot.getLong(FLOOR_TERM_OFFSET, ByteOrder.LITTLE_ENDIAN) : 0;
            configuration = new byte[configLength];
            slot.getBytes(configOffset, configuration);
        }
        if (bestGeneration < 0)
        {
            throw new StorageException("metadata file " + file + " is corrupt: neither slot holds a valid record");
        }
        generation = bestGeneration;
    }

    /** Whether the slot just read is a valid record with its configuration bytes at {@code configOffset}. */
    private boolean checksumAt(final int configOffset, final int read)
    {
        final int configLength = slot.getInt(CONFIG_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (configLength < 0 || configLength > SLOT_LENGTH - configOffset || configOffset + configLength > read)
        {
            return false;
        }
        final int length = configOffset + configLength;
        return Checksums.crc32c(slot.addressOffset(), 4, length - 4) == slot.getInt(0, ByteOrder.LITTLE_ENDIAN);
    }
}
