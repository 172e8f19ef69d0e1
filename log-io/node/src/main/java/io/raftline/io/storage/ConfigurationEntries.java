package io.raftline.io.storage;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration entries of a log, newest last, kept beside it in {@code raft.meta} so that a node restarting
 * knows which configuration is in force without reading its whole log: every one of them above the commit index
 * may be truncated, and the one before then comes back into force. Only the newest {@link #KEPT} are kept: a
 * leader starts one change at a time, so far fewer are ever uncommitted.
 *
 * <pre>
 * | count u16 | (index i64 | term i64 | payload length i32 | payload) * count |   little-endian
 * </pre>
 */
public final class ConfigurationEntries
{
    static final int KEPT = 16;

    /** One configuration entry: its index, term and payload (the encoded configuration). */
    public record Entry(long index, long term, byte[] payload)
    {
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * The configuration entries a data directory recorded, read without opening its log (nothing is written); empty
     * for a new directory.
     */
    public static List<Entry> recordedIn(final java.nio.file.Path dir)
    {
        return decode(MetadataStore.read(dir).configuration()).entries();
    }

    /** Reads what {@link #encode} wrote; an empty array is an empty list. */
    static ConfigurationEntries decode(final byte[] bytes)
    {
        final ConfigurationEntries decoded = new ConfigurationEntries();
        if (bytes.length == 0)
        {
            return decoded;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int count = buffer.getShort(0, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        int position = 2;
        for (int i = 0; i < count; i++)
        {
            if (position + 20 > bytes.length)
            {
                throw new StorageException("the configuration entries kept in raft.meta are cut short");
            }
            final long index = buffer.getLong(position, ByteOrder.LITTLE_ENDIAN);
            final long term = buffer.getLong(position + 8, ByteOrder.LITTLE_ENDIAN);
            final int length = buffer.getInt(position + 16, ByteOrder.LITTLE_ENDIAN);
            if (length < 0 || position + 20 + length > bytes.length)
            {
                throw new StorageException("the configuration entries kept in raft.meta are cut short");
            }
            final byte[] payload = new byte[length];
            buffer.getBytes(position + 20, payload);
            decoded.entries.add(new Entry(index, term, payload));
            position += 20 + length;
        }
        return decoded;
    }

    byte[] encode()
    {
        int length = 2;
        for (final Entry entry : entries)
        {
            length += 20 + entry.payload().length;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putShort(0, (short)entries.size(), ByteOrder.LITTLE_ENDIAN);
        int position = 2;
        for (final Entry entry : entries)
        {
            buffer.putLong(position, entry.index(), ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(position + 8, entry.term(), ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(position + 16, entry.payload().length, ByteOrder.LITTLE_ENDIAN);
            buffer.putBytes(position + 20, entry.payload());
            position += 20 + entry.payload().length;
        }
        return buffer.byteArray();
    }

    /** Records an entry appended after every one kept; the oldest goes when more than {@link #KEPT} are. */
    void add(final long index, final long term, final byte[] payload)
    {
        entries.add(new Entry(index, term, payload));
        if (entries.size() > KEPT)
        {
            entries.remove(0);
        }
    }

    /** Forgets entries at and after {@code index}; returns whether any was. */
    boolean truncateFrom(final long index)
    {
        return entries.removeIf(entry -> entry.index() >= index);
    }

    /** Forgets entries the log does not hold as recorded (a crash after they were recorded, before written). */
    boolean retainHeld(final long lastIndex, final java.util.function.LongUnaryOperator termAt, final long firstIndex)
    {
        return entries.removeIf(entry -> entry.index() >= firstIndex &&
            (entry.index() > lastIndex || termAt.applyAsLong(entry.index()) != entry.term()));
    }

    /** The entries kept, oldest first. */
    public List<Entry> entries()
    {
        return List.copyOf(entries);
    }
}
