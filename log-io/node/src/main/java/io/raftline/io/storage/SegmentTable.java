package io.raftline.io.storage;

import java.util.Arrays;

/**
 * Which Chronicle cycle holds which Raft indexes. Each cycle file is one segment; a segment's header records its
 * first index, and a later segment supersedes every index at or above its first held by earlier ones (that is how
 * truncation works without editing a file). Kept as a stack of the segments still in effect.
 * <p>
 * Invariants: firstIndexes and cycles strictly increase along the table; segment k holds
 * [firstIndexes[k], firstIndexes[k + 1] - 1], the last one up to the log's last index.
 */
final class SegmentTable
{
    private long[] firstIndexes = new long[16];
    private long[] prevTerms = new long[16];
    private int[] cycles = new int[16];
    private int count;
    private int version; // changes whenever a lookup's answer may change: lets cursors revalidate cheaply

    int count()
    {
        return count;
    }

    int version()
    {
        return version;
    }

    long firstIndex(final int segment)
    {
        return firstIndexes[segment];
    }

    long prevTerm(final int segment)
    {
        return prevTerms[segment];
    }

    int cycle(final int segment)
    {
        return cycles[segment];
    }

    /** The last index segment {@code segment} holds, given the log's last index. */
    long lastIndex(final int segment, final long logLastIndex)
    {
        return segment + 1 < count ? firstIndexes[segment + 1] - 1 : logLastIndex;
    }

    /**
     * Adds a newer segment; it supersedes (drops) segments starting at or above its first index, or every segment
     * when {@code restartsLog} (the log starts again after a snapshot).
     */
    void push(final int cycle, final long firstIndex, final long prevTerm, final boolean restartsLog)
    {
        if (count > 0 && cycle <= cycles[count - 1])
        {
            throw new IllegalStateException("segment cycle " + cycle + " not after " + cycles[count - 1]);
        }
        while (count > 0 && (restartsLog || firstIndexes[count - 1] >= firstIndex))
        {
            count--;
        }
        if (count == firstIndexes.length)
        {
            firstIndexes = Arrays.copyOf(firstIndexes, count * 2);
            prevTerms = Arrays.copyOf(prevTerms, count * 2);
            cycles = Arrays.copyOf(cycles, count * 2);
        }
        firstIndexes[count] = firstIndex;
        prevTerms[count] = prevTerm;
        cycles[count] = cycle;
        count++;
        version++;
    }

    /** Drops the first {@code segments} segments (compaction). */
    void dropFirst(final int segments)
    {
        if (segments <= 0)
        {
            return;
        }
        System.arraycopy(firstIndexes, segments, firstIndexes, 0, count - segments);
        System.arraycopy(prevTerms, segments, prevTerms, 0, count - segments);
        System.arraycopy(cycles, segments, cycles, 0, count - segments);
        count -= segments;
        version++;
    }

    /** The segment holding {@code index}: the last one whose first index is at or below it; -1 if none. */
    int find(final long index)
    {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (firstIndexes[mid] <= index)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }
}
