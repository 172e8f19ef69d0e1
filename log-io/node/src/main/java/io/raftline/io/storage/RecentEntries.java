package io.raftline.io.storage;

/**
 * The header fields of the most recent entries (type, payload length, producer session and sequence), by index
 * modulo a power of two, so the core's frequent {@code type(i)} and {@code payloadLength(i)} calls and the session
 * table's apply of each committed entry never touch the file near the tail. A slot is trusted only when its tag
 * equals the index asked for.
 */
final class RecentEntries
{
    private final int mask;
    private final long[] tags;
    private final int[] payloadLengths;
    private final byte[] types;
    private final long[] sessionIds;
    private final long[] sequences;

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
        sessionIds = new long[capacity];
        sequences = new long[capacity];
    }

    void put(final long index, final int type, final int payloadLength, final long sessionId, final long sequence)
    {
        final int slot = (int)index & mask;
        tags[slot] = index;
        types[slot] = (byte)type;
        payloadLengths[slot] = payloadLength;
        sessionIds[slot] = sessionId;
        sequences[slot] = sequence;
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

    long sessionId(final long index)
    {
        return sessionIds[(int)index & mask];
    }

    long sequence(final long index)
    {
        return sequences[(int)index & mask];
    }
}
