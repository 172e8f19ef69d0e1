package io.raftline.io.transport;

import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What a leader's publishers share of the AppendEntries batches they send, by (term, first index, entry count): the
 * entries as encoded, and their body digest ({@link FrameAuthenticator#bodyDigest}). The entries of a batch are the
 * same bytes for every follower it goes to (a leader never rewrites its log within its term), so they are read from
 * the log, checked and encoded once, and hashed once; the next follower's frame copies them. A few slots,
 * overwritten in turn; one thread.
 */
public final class SharedBatches
{
    private static final int SLOTS = 4;

    private final long[] terms = new long[SLOTS];
    private final long[] firstIndexes = new long[SLOTS];
    private final int[] counts = new int[SLOTS];
    private final int[] entryLengths = new int[SLOTS];  // -1: entries not kept
    private final boolean[] digested = new boolean[SLOTS];
    private final ExpandableDirectByteBuffer[] entries = new ExpandableDirectByteBuffer[SLOTS];
    private final byte[][] digests = new byte[SLOTS][FrameAuthenticator.DIGEST_LENGTH];
    private int next;

    public SharedBatches()
    {
        for (int i = 0; i < SLOTS; i++)
        {
            entries[i] = new ExpandableDirectByteBuffer(64 * 1024);
        }
    }

    /** Copies the batch's encoded entries, {@code length} bytes, to {@code buffer} and returns true, if they are held. */
    boolean copyEntries(final long term, final long firstIndex, final int count, final MutableDirectBuffer buffer,
        final int offset, final int length)
    {
        final int slot = find(term, firstIndex, count);
        if (slot < 0 || entryLengths[slot] != length)
        {
            return false;
        }
        buffer.putBytes(offset, entries[slot], 0, length);
        return true;
    }

    /** Keeps the batch's encoded entries for the next follower it goes to. */
    void keepEntries(final long term, final long firstIndex, final int count, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final int slot = slot(term, firstIndex, count);
        entries[slot].putBytes(0, buffer, offset, length);
        entryLengths[slot] = length;
    }

    /** Copies the digest of the batch to {@code out} and returns true, if it is held. */
    boolean findDigest(final long term, final long firstIndex, final int count, final byte[] out)
    {
        final int slot = find(term, firstIndex, count);
        if (slot < 0 || !digested[slot])
        {
            return false;
        }
        System.arraycopy(digests[slot], 0, out, 0, FrameAuthenticator.DIGEST_LENGTH);
        return true;
    }

    void putDigest(final long term, final long firstIndex, final int count, final byte[] digest)
    {
        final int slot = slot(term, firstIndex, count);
        System.arraycopy(digest, 0, digests[slot], 0, FrameAuthenticator.DIGEST_LENGTH);
        digested[slot] = true;
    }

    private int find(final long term, final long firstIndex, final int count)
    {
        for (int i = 0; i < SLOTS; i++)
        {
            if (counts[i] == count && firstIndexes[i] == firstIndex && terms[i] == term && count > 0)
            {
                return i;
            }
        }
        return -1;
    }

    /** The batch's slot, taking the oldest one for a batch not held. */
    private int slot(final long term, final long firstIndex, final int count)
    {
        final int held = find(term, firstIndex, count);
        if (held >= 0)
        {
            return held;
        }
        final int slot = next;
        next = (next + 1) % SLOTS;
        terms[slot] = term;
        firstIndexes[slot] = firstIndex;
        counts[slot] = count;
        entryLengths[slot] = -1;
        digested[slot] = false;
        return slot;
    }
}
