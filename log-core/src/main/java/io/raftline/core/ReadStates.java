package io.raftline.core;

import java.util.Arrays;

/**
 * Answers to linearizable read requests (Raft thesis §6.4): once the caller has applied the log up to
 * {@link #index(int)}, it may serve request {@link #requestId(int)}. An index of {@link #FAILED} means the
 * request could not be served here (no leader, leadership lost, too many pending): retry.
 */
public final class ReadStates
{
    public static final long FAILED = -1;

    private long[] requestIds = new long[16];
    private long[] indexes = new long[16];
    private int size;

    void add(final long requestId, final long index)
    {
        if (size == requestIds.length)
        {
            requestIds = Arrays.copyOf(requestIds, size * 2);
            indexes = Arrays.copyOf(indexes, size * 2);
        }
        requestIds[size] = requestId;
        indexes[size] = index;
        size++;
    }

    public int size()
    {
        return size;
    }

    public long requestId(final int i)
    {
        return requestIds[check(i)];
    }

    public long index(final int i)
    {
        return indexes[check(i)];
    }

    void clear()
    {
        size = 0;
    }

    private int check(final int i)
    {
        if (i >= size)
        {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return i;
    }
}
