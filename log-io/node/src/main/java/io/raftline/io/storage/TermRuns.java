package io.raftline.io.storage;

import java.util.Arrays;

/**
 * Terms of a range of the log as runs (first index of each run, its term), so that {@code term(i)} is a binary
 * search in memory. Terms never decrease along a Raft log, so runs are few: one per leader change.
 * Invariant: starts strictly increase, terms strictly increase, starts[0] >= knownFrom.
 */
final class TermRuns
{
    private long[] starts = new long[64];
    private long[] terms = new long[64];
    private int count;
    private long knownFrom = 1; // the first index whose term this table knows (when the log reaches it)

    long knownFrom()
    {
        return knownFrom;
    }

    void reset(final long knownFrom)
    {
        this.knownFrom = knownFrom;
        count = 0;
    }

    void append(final long index, final long term)
    {
        if (count > 0)
        {
            final long lastTerm = terms[count - 1];
            if (term == lastTerm)
            {
                return;
            }
            if (term < lastTerm)
            {
                throw new IllegalArgumentException("term " + term + " at index " + index +
                    " is below the previous entry's term " + lastTerm);
            }
        }
        if (count == starts.length)
        {
            starts = Arrays.copyOf(starts, count * 2);
            terms = Arrays.copyOf(terms, count * 2);
        }
        starts[count] = index;
        terms[count] = term;
        count++;
    }

    /** The term of the last run (0 when none). */
    long lastTerm()
    {
        return count == 0 ? 0 : terms[count - 1];
    }

    /** Forgets indexes at and above {@code index}. */
    void truncateFrom(final long index)
    {
        while (count > 0 && starts[count - 1] >= index)
        {
            count--;
        }
        if (index < knownFrom)
        {
            knownFrom = index;
        }
    }

    /** Forgets indexes below {@code index} (compaction); they are then looked up elsewhere. */
    void forgetBefore(final long index)
    {
        if (index <= knownFrom)
        {
            return;
        }
        int keepFrom = 0;
        while (keepFrom + 1 < count && starts[keepFrom + 1] <= index)
        {
            keepFrom++;
        }
        if (keepFrom > 0)
        {
            System.arraycopy(starts, keepFrom, starts, 0, count - keepFrom);
            System.arraycopy(terms, keepFrom, terms, 0, count - keepFrom);
            count -= keepFrom;
        }
        if (count > 0 && starts[0] < index)
        {
            starts[0] = index;
        }
        knownFrom = index;
    }

    /** The term at {@code index}, for knownFrom <= index <= the last index appended. */
    long termOf(final long index)
    {
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (starts[mid] <= index)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        assert found >= 0 : "index " + index + " below the known term runs";
        return terms[found];
    }
}
