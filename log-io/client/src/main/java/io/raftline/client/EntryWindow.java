package io.raftline.client;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The entries a producer has offered and not yet seen acknowledged, by sequence: a ring of at most
 * {@code maxEntries} slots over one direct byte ring, so that a resend reads them back without allocating. An
 * entry never wraps: when it does not fit at the end of the ring, it starts again at 0. The byte ring starts small
 * and doubles, up to a limit, only when the bytes in flight need it: its size follows what the producer really
 * has in flight, not its window times the largest entry.
 */
final class EntryWindow
{
    private final int maxCapacityBytes;
    private UnsafeBuffer bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final int maxEntries;
    private long firstSequence = 1;   // the oldest entry held
    private long nextSequence = 1;    // the next to be added
    private int head;                 // byte offset of the oldest entry
    private int tail;                 // byte offset where the next entry goes

    EntryWindow(final int maxEntries, final int initialCapacityBytes, final int maxCapacityBytes)
    {
        this.maxEntries = maxEntries;
        this.maxCapacityBytes = BitUtil.align(maxCapacityBytes, 8);
        this.bytes = new UnsafeBuffer(ByteBuffer.allocateDirect(
            BitUtil.align(Math.min(initialCapacityBytes, maxCapacityBytes), 8)));
        this.offsets = new int[maxEntries];
        this.lengths = new int[maxEntries];
    }

    int size()
    {
        return (int)(nextSequence - firstSequence);
    }

    long firstSequence()
    {
        return firstSequence;
    }

    long nextSequence()
    {
        return nextSequence;
    }

    /** The bytes the ring holds now. */
    int capacity()
    {
        return bytes.capacity();
    }

    /** Adds the next entry; false when the window is full (entries, or bytes at the largest ring). */
    boolean add(final DirectBuffer buffer, final int offset, final int length)
    {
        if (size() == maxEntries)
        {
            return false;
        }
        if (!place(buffer, offset, length))
        {
            return grow(BitUtil.align(Math.max(length, 1), 8)) && place(buffer, offset, length);
        }
        return true;
    }

    private boolean place(final DirectBuffer buffer, final int offset, final int length)
    {
        final int aligned = BitUtil.align(Math.max(length, 1), 8);
        int at = tail;
        if (size() == 0)
        {
            at = 0;
            head = 0;
        }
        else if (tail >= head)
        {
            if (at + aligned > bytes.capacity())
            {
                at = 0;
                if (aligned >= head)
                {
                    return false;
                }
            }
        }
        else if (at + aligned >= head)
        {
            return false;
        }
        if (aligned > bytes.capacity())
        {
            return false;
        }
        bytes.putBytes(at, buffer, offset, length);
        final int slot = slot(nextSequence);
        offsets[slot] = at;
        lengths[slot] = length;
        tail = at + aligned;
        nextSequence++;
        return true;
    }

    /** The next entry added takes {@code sequence} (a resumed session goes on from where it was); only when empty. */
    void startAt(final long sequence)
    {
        if (size() != 0)
        {
            throw new IllegalStateException("entries in flight");
        }
        firstSequence = sequence;
        nextSequence = sequence;
    }

    /** A ring twice as large (or as large as needed), with the entries in flight copied to its start, in order. */
    private boolean grow(final int aligned)
    {
        if (bytes.capacity() >= maxCapacityBytes)
        {
            return false;
        }
        long used = 0;
        for (long sequence = firstSequence; sequence < nextSequence; sequence++)
        {
            used += BitUtil.align(Math.max(length(sequence), 1), 8);
        }
        final int capacity = (int)Math.min(maxCapacityBytes,
            BitUtil.align(Math.max(2L * bytes.capacity(), used + aligned), 8));
        if (used + aligned > capacity)
        {
            return false;
        }
        final UnsafeBuffer grown = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        int at = 0;
        for (long sequence = firstSequence; sequence < nextSequence; sequence++)
        {
            final int slot = slot(sequence);
            grown.putBytes(at, bytes, offsets[slot], lengths[slot]);
            offsets[slot] = at;
            at += BitUtil.align(Math.max(lengths[slot], 1), 8);
        }
        bytes = grown;
        head = 0;
        tail = at;
        return true;
    }

    /** Drops entries up to and including {@code sequence}. */
    void removeUpTo(final long sequence)
    {
        if (sequence >= firstSequence)
        {
            firstSequence = Math.min(sequence, nextSequence - 1) + 1;
        }
        head = size() == 0 ? tail : offsets[slot(firstSequence)];
    }

    DirectBuffer buffer()
    {
        return bytes;
    }

    int offset(final long sequence)
    {
        return offsets[slot(sequence)];
    }

    int length(final long sequence)
    {
        return lengths[slot(sequence)];
    }

    private int slot(final long sequence)
    {
        return (int)(sequence % maxEntries);
    }
}
