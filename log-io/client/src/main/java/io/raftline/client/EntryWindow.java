package io.raftline.client;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The entries a producer has offered and not yet seen acknowledged, by sequence: a ring of at most
 * {@code maxEntries} slots over one direct byte ring, so that a resend reads them back without allocating. An
 * entry never wraps: when it does not fit at the end of the ring, it starts again at 0.
 */
final class EntryWindow
{
    private final UnsafeBuffer bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final int maxEntries;
    private long firstSequence = 1;   // the oldest entry held
    private long nextSequence = 1;    // the next to be added
    private int head;                 // byte offset of the oldest entry
    private int tail;                 // byte offset where the next entry goes

    EntryWindow(final int maxEntries, final int capacityBytes)
    {
        this.maxEntries = maxEntries;
        this.bytes = new UnsafeBuffer(ByteBuffer.allocateDirect(BitUtil.align(capacityBytes, 8)));
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

    /** Adds the next entry; false when the window is full (entries or bytes). */
    boolean add(final DirectBuffer buffer, final int offset, final int length)
    {
        if (size() == maxEntries)
        {
            return false;
        }
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

    /** Drops entries up to and including {@code sequence}. */
    void removeUpTo(final long sequence)
    {
        while (firstSequence <= sequence && firstSequence < nextSequence)
        {
            firstSequence++;
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
