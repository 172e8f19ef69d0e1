package io.raftline.io.statemachine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The example state machine that ships with Raftline: a replicated map of string keys to byte values. An entry is
 * a command ({@link #encodePut}, {@link #encodeDelete}); anything else is counted and left alone, so producers
 * that append other payloads to the same log do no harm. A snapshot is the map in key order, so every node writes
 * the same bytes for the same state.
 *
 * <pre>
 * | op u8: 1 put, 2 delete | key length u16 | key (UTF-8) | value (the rest; put only) |   little-endian
 * </pre>
 */
public final class KeyValueStateMachine implements StateMachine
{
    static final byte PUT = 1;
    static final byte DELETE = 2;
    private static final int HEADER = 3;

    private final TreeMap<String, byte[]> map = new TreeMap<>();
    private long ignored;

    /** Encodes a put of {@code value} under {@code key} at {@code offset}; returns its length. */
    public static int encodePut(final MutableDirectBuffer buffer, final int offset, final String key, final byte[] value)
    {
        final int keyLength = putKey(buffer, offset, PUT, key);
        buffer.putBytes(offset + HEADER + keyLength, value);
        return HEADER + keyLength + value.length;
    }

    /** Encodes the deletion of {@code key} at {@code offset}; returns its length. */
    public static int encodeDelete(final MutableDirectBuffer buffer, final int offset, final String key)
    {
        return HEADER + putKey(buffer, offset, DELETE, key);
    }

    private static int putKey(final MutableDirectBuffer buffer, final int offset, final byte op, final String key)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF)
        {
            throw new IllegalArgumentException("key longer than 65535 bytes");
        }
        buffer.putByte(offset, op);
        buffer.putShort(offset + 1, (short)bytes.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(offset + HEADER, bytes);
        return bytes.length;
    }

    @Override
    public void apply(final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER)
        {
            ignored++;
            return;
        }
        final byte op = buffer.getByte(offset);
        final int keyLength = buffer.getShort(offset + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if ((op != PUT && op != DELETE) || HEADER + keyLength > length || (op == DELETE && HEADER + keyLength != length))
        {
            ignored++;
            return;
        }
        final String key = buffer.getStringWithoutLengthUtf8(offset + HEADER, keyLength);
        if (op == PUT)
        {
            final byte[] value = new byte[length - HEADER - keyLength];
            buffer.getBytes(offset + HEADER + keyLength, value);
            map.put(key, value);
        }
        else
        {
            map.remove(key);
        }
    }

    /** A copy of the map as of now: entries applied after go on changing the map, not the copy. */
    @Override
    public Snapshot snapshot()
    {
        final TreeMap<String, byte[]> copy = new TreeMap<>(map); // values are never changed in place
        final long ignoredNow = ignored;
        return out -> write(copy, ignoredNow, out);
    }

    private static void write(final TreeMap<String, byte[]> entries, final long ignored, final OutputStream out)
        throws IOException
    {
        final DataOutputStream data = new DataOutputStream(out);
        data.writeLong(ignored);
        data.writeInt(entries.size());
        for (final Map.Entry<String, byte[]> entry : entries.entrySet())
        {
            data.writeUTF(entry.getKey());
            data.writeInt(entry.getValue().length);
            data.write(entry.getValue());
        }
        data.flush();
    }

    @Override
    public void restore(final InputStream in) throws IOException
    {
        final DataInputStream data = new DataInputStream(in);
        final long restoredIgnored = data.readLong();
        final int size = data.readInt();
        if (size < 0)
        {
            throw new IOException("a key-value snapshot with " + size + " entries");
        }
        final TreeMap<String, byte[]> restored = new TreeMap<>();
        for (int i = 0; i < size; i++)
        {
            final String key = data.readUTF();
            final int length = data.readInt();
            if (length < 0)
            {
                throw new IOException("a key-value snapshot with a value of " + length + " bytes");
            }
            final byte[] value = new byte[length];
            data.readFully(value);
            restored.put(key, value);
        }
        map.clear();
        map.putAll(restored);
        ignored = restoredIgnored;
    }

    /** The value under {@code key}, or null. A copy. */
    public byte[] get(final String key)
    {
        final byte[] value = map.get(key);
        return value == null ? null : Arrays.copyOf(value, value.length);
    }

    public int size()
    {
        return map.size();
    }

    /** Entries that were not commands: applied (they are committed) and left alone. */
    public long ignored()
    {
        return ignored;
    }
}
