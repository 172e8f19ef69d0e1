package io.raftline.core.replication;

/**
 * The AppendEntries sent to one follower and not yet acknowledged: a ring of (last index, bytes) bounded in count
 * and in bytes, so that a slow follower cannot make the leader queue without limit.
 */
public final class Inflights
{
    private final long[] lastIndexes;
    private final long[] byteCounts;
    private final long maxBytes;
    private int start;
    private int count;
    private long bytes;

    public Inflights(final int maxCount, final long maxBytes)
    {
        if (maxCount < 1 || maxBytes < 1)
        {
            throw new IllegalArgumentException("in-flight limits must be positive: " + maxCount + ", " + maxBytes);
        }
        this.lastIndexes = new long[maxCount];
        this.byteCounts = new long[maxCount];
        this.maxBytes = maxBytes;
    }

    /** Whether no further message may be sent. One message over the byte limit is allowed, so progress is sure. */
    public boolean isFull()
    {
        return count == lastIndexes.length || bytes >= maxBytes;
    }

    public void add(final long lastIndex, final long messageBytes)
    {
        if (isFull())
        {
            throw new IllegalStateException("in-flight window is full");
        }
        final int slot = (start + count) % lastIndexes.length;
        lastIndexes[slot] = lastIndex;
        byteCounts[slot] = messageBytes;
        count++;
        bytes += messageBytes;
    }

    /** Frees every message whose last index is at or below {@code index}: the follower has them. */
    public void freeTo(final long index)
    {
        while (count > 0 && lastIndexes[start] <= index)
        {
            bytes -= byteCounts[start];
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    /** Forgets the oldest message: it was probably lost, and one more may go out to find out. */
    public void freeFirst()
    {
        if (count > 0)
        {
            freeTo(lastIndexes[start]);
        }
    }

    public void reset()
    {
        start = 0;
        count = 0;
        bytes = 0;
    }

    public int count()
    {
        return count;
    }

    public long bytes()
    {
        return bytes;
    }
}
