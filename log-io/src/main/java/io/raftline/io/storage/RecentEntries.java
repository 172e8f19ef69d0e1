package io.raftline.io.storage;

/**
 * Type and payload length of the most recent entries, by index modulo a power of two, so the core's frequent
 * {@code type(i)} and {@code payloadLength(i)} calls near the tail never touch the file. A slot is trusted only
 * when its tag equals the index asked for.
 */
final class RecentEntries
{
    private final int mask;
    private final long[] tags;
    private final int[] payloadLengths;
    private final byte[] types;

    RecentEntries(final int capacity)
    {
        if (Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        mask = capacity - 1;
        tags = new long[capacity];
        java.util.Arrays.fill(tags, -1);
        payloadLengths = new int[capacity];
        types = new byte[capacity];
    }

    void put(final long index, final int type, final int payloadLength)
    {
        final int slot = (int)index & mask;
        tags[slot] = index;
        types[slot] = (byte)type;
        payloadLengths[slot] = payloadLength;
    }

    boolean contains(final long index)
    {
        return tags[(int)index & mask] == index;
    }

    int type(final long index)
    {
        return types[(int)index & mask];
    }

    int payloadLength(final long index)
    {
        return payloadLengths[(int)index & mask];
    }
}
