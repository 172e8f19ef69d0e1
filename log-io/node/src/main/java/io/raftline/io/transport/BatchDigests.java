package io.raftline.io.transport;

import io.raftline.protocol.security.FrameAuthenticator;

/**
 * The body digests ({@link FrameAuthenticator#bodyDigest}) of the last AppendEntries batches a leader signed, by
 * (its term, first index, entry count), shared by its publishers: the entries of a batch are the same bytes for
 * every follower it goes to (a leader never rewrites its log within its term), so they are hashed once. A few slots,
 * overwritten in turn; one thread.
 */
public final class BatchDigests
{
    private static final int SLOTS = 4;

    private final long[] terms = new long[SLOTS];
    private final long[] firstIndexes = new long[SLOTS];
    private final int[] counts = new int[SLOTS];
    private final byte[][] digests = new byte[SLOTS][FrameAuthenticator.DIGEST_LENGTH];
    private int next;

    /** Copies the digest of the batch to {@code out} and returns true, if it is held. */
    boolean find(final long term, final long firstIndex, final int count, final byte[] out)
    {
        for (int i = 0; i < SLOTS; i++)
        {
            if (counts[i] == count && firstIndexes[i] == firstIndex && terms[i] == term && count > 0)
            {
                System.arraycopy(digests[i], 0, out, 0, FrameAuthenticator.DIGEST_LENGTH);
                return true;
            }
        }
        return false;
    }

    void put(final long term, final long firstIndex, final int count, final byte[] digest)
    {
        terms[next] = term;
        firstIndexes[next] = firstIndex;
        counts[next] = count;
        System.arraycopy(digest, 0, digests[next], 0, FrameAuthenticator.DIGEST_LENGTH);
        next = (next + 1) % SLOTS;
    }
}
