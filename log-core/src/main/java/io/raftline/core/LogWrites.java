package io.raftline.core;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Changes to the log that the core has decided and the runtime has not yet made: at most one truncation, or a reset
 * to an installed snapshot, then entries to append after it, in that order. An entry's payload is not copied: it stays where it arrived (a
 * proposal's buffer, a received AppendEntries frame), so the runtime must {@link #writeTo write} the changes while
 * those bytes are valid, that is before the input that carried them is released. Writing makes nothing durable:
 * that is {@link Ready}'s persist step.
 *
 * <p>Grows to the busiest moment and is reused after that: steady state allocates nothing.
 */
public final class LogWrites
{
    /** {@link #truncateFrom()} when nothing is to be truncated. */
    public static final long NO_TRUNCATION = 0;

    /** {@link #resetIndex()} when the log is not to be reset. */
    public static final long NO_RESET = 0;

    private long truncateFrom = NO_TRUNCATION;
    private long resetIndex = NO_RESET;
    private long resetTerm;
    private long firstIndex;            // index of the entry at position 0; meaningful when count > 0
    private int count;
    private long[] terms = new long[64];
    private int[] types = new int[64];
    private long[] sessionIds = new long[64];
    private long[] sequences = new long[64];
    private DirectBuffer[] buffers = new DirectBuffer[64];
    private int[] offsets = new int[64];
    private int[] lengths = new int[64];

    /** The index from which the log must be cut before the entries are appended, or {@link #NO_TRUNCATION}. */
    public long truncateFrom()
    {
        return truncateFrom;
    }

    /**
     * The index of an installed snapshot after which the whole log is to start again (see {@link RaftLog#reset}),
     * or {@link #NO_RESET}.
     */
    public long resetIndex()
    {
        return resetIndex;
    }

    /** The term at {@link #resetIndex()}. */
    public long resetTerm()
    {
        return resetTerm;
    }

    /** Entries to append. */
    public int count()
    {
        return count;
    }

    public boolean isEmpty()
    {
        return count == 0 && truncateFrom == NO_TRUNCATION && resetIndex == NO_RESET;
    }

    /** The index of the first entry to append; meaningful when {@link #count()} is positive. */
    public long firstIndex()
    {
        return firstIndex;
    }

    public long term(final int position)
    {
        return terms[check(position)];
    }

    public int type(final int position)
    {
        return types[check(position)];
    }

    public long sessionId(final int position)
    {
        return sessionIds[check(position)];
    }

    public long sequence(final int position)
    {
        return sequences[check(position)];
    }

    public DirectBuffer buffer(final int position)
    {
        return buffers[check(position)];
    }

    public int payloadOffset(final int position)
    {
        return offsets[check(position)];
    }

    public int payloadLength(final int position)
    {
        return lengths[check(position)];
    }

    /** Makes the changes in {@code log}, in order, and forgets them. */
    public void writeTo(final RaftLog log)
    {
        if (resetIndex != NO_RESET)
        {
            log.reset(resetIndex, resetTerm);
        }
        else if (truncateFrom != NO_TRUNCATION)
        {
            log.truncateFrom(truncateFrom);
        }
        for (int i = 0; i < count; i++)
        {
            log.append(terms[i], types[i], sessionIds[i], sequences[i], buffers[i], offsets[i], lengths[i]);
        }
        clear();
    }

    void clear()
    {
        truncateFrom = NO_TRUNCATION;
        resetIndex = NO_RESET;
        count = 0;
    }

    /** Discards everything, written or queued: the log starts again after (index, term), an installed snapshot. */
    void reset(final long index, final long term)
    {
        truncateFrom = NO_TRUNCATION;
        count = 0;
        resetIndex = index;
        resetTerm = term;
    }

    /** Queues an entry at {@code index}, which must follow the queued ones (or start them). */
    void add(
        final long index,
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (count == 0)
        {
            firstIndex = index;
        }
        assert index == firstIndex + count : "entry " + index + " does not follow " + (firstIndex + count - 1);
        if (count == terms.length)
        {
            grow();
        }
        terms[count] = term;
        types[count] = type;
        sessionIds[count] = sessionId;
        sequences[count] = sequence;
        buffers[count] = buffer;
        offsets[count] = offset;
        lengths[count] = length;
        count++;
    }

    /**
     * Discards everything from {@code index} on: queued entries there are simply dropped; below them (entries the
     * runtime has already written) the log itself must be cut.
     */
    void truncate(final long index)
    {
        if (count > 0 && index >= firstIndex)
        {
            count = (int)Math.min(count, index - firstIndex);
            return;
        }
        count = 0;
        if (resetIndex == NO_RESET)
        {
            truncateFrom = truncateFrom == NO_TRUNCATION ? index : Math.min(truncateFrom, index);
        }
        // after a reset nothing is left to cut below the queued entries: the core never truncates the snapshot
    }

    private int check(final int position)
    {
        if (position < 0 || position >= count)
        {
            throw new IndexOutOfBoundsException("position " + position + " of " + count);
        }
        return position;
    }

    private void grow()
    {
        final int length = terms.length * 2;
        terms = Arrays.copyOf(terms, length);
        types = Arrays.copyOf(types, length);
        sessionIds = Arrays.copyOf(sessionIds, length);
        sequences = Arrays.copyOf(sequences, length);
        buffers = Arrays.copyOf(buffers, length);
        offsets = Arrays.copyOf(offsets, length);
        lengths = Arrays.copyOf(lengths, length);
    }
}
