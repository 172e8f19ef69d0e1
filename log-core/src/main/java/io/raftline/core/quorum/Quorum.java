package io.raftline.core.quorum;

/**
 * Majority arithmetic over a {@link Configuration}: the highest index a quorum has reached, and the outcome of a
 * poll. Pure maths; an instance only owns a scratch array so that the hot path allocates nothing.
 */
public final class Quorum
{
    /** Per-member value looked up by node id (for example a follower's matchIndex). */
    @FunctionalInterface
    public interface IndexSource
    {
        long indexOf(int nodeId);
    }

    /** Per-member answer to a poll: {@link #YES}, {@link #NO} or {@link #UNKNOWN}. */
    @FunctionalInterface
    public interface PollSource
    {
        int answerOf(int nodeId);
    }

    public static final int UNKNOWN = 0;
    public static final int YES = 1;
    public static final int NO = 2;

    private long[] scratch = new long[8];

    /**
     * The largest index that a majority of every voter set has reached: the majority-th highest value, which is
     * the median for an odd number of voters (Raft §5.3). For a joint configuration, the lower of the two.
     */
    public long committedIndex(final Configuration configuration, final IndexSource source)
    {
        final long incoming = majorityIndex(configuration, false, source);
        if (!configuration.isJoint())
        {
            return incoming;
        }
        return Math.min(incoming, majorityIndex(configuration, true, source));
    }

    /** Counts a poll (votes, pre-votes, liveness): it is won only with a majority of every voter set. */
    public static VoteResult poll(final Configuration configuration, final PollSource source)
    {
        final VoteResult incoming = poll(configuration, false, source);
        if (!configuration.isJoint())
        {
            return incoming;
        }
        final VoteResult outgoing = poll(configuration, true, source);
        if (incoming == VoteResult.LOST || outgoing == VoteResult.LOST)
        {
            return VoteResult.LOST;
        }
        return incoming == VoteResult.WON && outgoing == VoteResult.WON ? VoteResult.WON : VoteResult.PENDING;
    }

    private long majorityIndex(final Configuration configuration, final boolean outgoing, final IndexSource source)
    {
        final int count = outgoing ? configuration.outgoingVoterCount() : configuration.voterCount();
        if (scratch.length < count)
        {
            scratch = new long[count];
        }
        final long[] values = scratch;
        for (int i = 0; i < count; i++)
        {
            final long value = source.indexOf(outgoing ? configuration.outgoingVoter(i) : configuration.voter(i));
            // insertion sort, descending: voter sets are small (3, 5, 7) and this allocates nothing
            int j = i;
            while (j > 0 && values[j - 1] < value)
            {
                values[j] = values[j - 1];
                j--;
            }
            values[j] = value;
        }
        return values[count / 2];
    }

    private static VoteResult poll(final Configuration configuration, final boolean outgoing, final PollSource source)
    {
        final int count = outgoing ? configuration.outgoingVoterCount() : configuration.voterCount();
        int yes = 0;
        int no = 0;
        for (int i = 0; i < count; i++)
        {
            final int answer = source.answerOf(outgoing ? configuration.outgoingVoter(i) : configuration.voter(i));
            if (answer == YES)
            {
                yes++;
            }
            else if (answer == NO)
            {
                no++;
            }
        }
        final int majority = count / 2 + 1;
        if (yes >= majority)
        {
            return VoteResult.WON;
        }
        return count - no >= majority ? VoteResult.PENDING : VoteResult.LOST;
    }
}
