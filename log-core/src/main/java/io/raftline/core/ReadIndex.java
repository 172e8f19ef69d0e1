package io.raftline.core;

/**
 * The leader's pending linearizable reads (Raft thesis §6.4). A read is answered with the commit index as of its
 * arrival once a majority has confirmed, by answering a heartbeat of a later round, that this node was still the
 * leader after it arrived. Reads that arrive before the leader has committed an entry of its term wait for that
 * first, since only then is its commit index known to be as high as any earlier leader's. A bounded FIFO: rounds
 * and indexes only grow along it.
 */
final class ReadIndex
{
    static final long UNASSIGNED = 0;

    private final long[] requestIds;
    private final int[] requesters;
    private final long[] rounds;
    private final long[] indexes;
    private int head;
    private int size;
    private long latestRound;

    ReadIndex(final int capacity)
    {
        requestIds = new long[capacity];
        requesters = new int[capacity];
        rounds = new long[capacity];
        indexes = new long[capacity];
    }

    boolean isFull()
    {
        return size == requestIds.length;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    long latestRound()
    {
        return latestRound;
    }

    /**
     * Queues a read from {@code requester}. With {@code commitIndex} of {@link #UNASSIGNED} the read waits for
     * {@link #assignWaiting(long)}; otherwise it starts a new heartbeat round, which is returned.
     */
    long add(final long requestId, final int requester, final long commitIndex)
    {
        if (isFull())
        {
            throw new IllegalStateException("read queue is full");
        }
        final int slot = (head + size) % requestIds.length;
        requestIds[slot] = requestId;
        requesters[slot] = requester;
        indexes[slot] = commitIndex;
        rounds[slot] = commitIndex == UNASSIGNED ? UNASSIGNED : ++latestRound;
        size++;
        return rounds[slot];
    }

    /** The leader's first commit in its term: every waiting read gets that index and one new round. */
    long assignWaiting(final long commitIndex)
    {
        boolean assigned = false;
        for (int i = 0; i < size; i++)
        {
            final int slot = (head + i) % requestIds.length;
            if (rounds[slot] == UNASSIGNED)
            {
                if (!assigned)
                {
                    latestRound++;
                    assigned = true;
                }
                rounds[slot] = latestRound;
                indexes[slot] = commitIndex;
            }
        }
        return assigned ? latestRound : UNASSIGNED;
    }

    /** Whether the oldest read's round is confirmed by {@code confirmedRound}. */
    boolean isHeadConfirmed(final long confirmedRound)
    {
        return size > 0 && rounds[head] != UNASSIGNED && rounds[head] <= confirmedRound;
    }

    long headRequestId()
    {
        return requestIds[head];
    }

    int headRequester()
    {
        return requesters[head];
    }

    long headIndex()
    {
        return indexes[head];
    }

    void removeHead()
    {
        head = (head + 1) % requestIds.length;
        size--;
    }

    void clear()
    {
        head = 0;
        size = 0;
    }
}
