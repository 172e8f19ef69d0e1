package io.raftline.core.quorum;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Who votes and who only listens. A joint configuration (Raft §6, C<sub>old,new</sub>) has two voter sets and
 * needs a majority of each; a simple one has an empty outgoing set. Learners receive the log but never vote and
 * never count towards a commit. Immutable; built once per configuration change, never on a hot path.
 */
public final class Configuration
{
    /** Members a configuration may have: far more than a Raft group wants, small enough to bound what is read. */
    public static final int MAX_MEMBERS = 255;

    private static final int[] NONE = new int[0];

    private final int[] voters;          // invariant: sorted, distinct, non-empty
    private final int[] outgoingVoters;  // invariant: sorted, distinct; empty unless joint
    private final int[] learners;        // invariant: sorted, distinct, disjoint from both voter sets
    private final int[] members;         // union of all three, sorted

    private Configuration(final int[] voters, final int[] outgoingVoters, final int[] learners)
    {
        this.voters = sortedDistinct(voters, "voters");
        this.outgoingVoters = sortedDistinct(outgoingVoters, "outgoing voters");
        this.learners = sortedDistinct(learners, "learners");
        if (this.voters.length == 0)
        {
            throw new IllegalArgumentException("a configuration needs at least one voter");
        }
        for (final int learner : this.learners)
        {
            if (contains(this.voters, learner) || contains(this.outgoingVoters, learner))
            {
                throw new IllegalArgumentException("node " + learner + " cannot be both a voter and a learner");
            }
        }
        this.members = union(union(this.voters, this.outgoingVoters), this.learners);
        if (this.members.length > MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a configuration has at most " + MAX_MEMBERS + " members");
        }
    }

    public static Configuration of(final int... voters)
    {
        return new Configuration(voters, NONE, NONE);
    }

    public static Configuration withLearners(final int[] voters, final int[] learners)
    {
        return new Configuration(voters, NONE, learners);
    }

    /** C<sub>old,new</sub>: decisions need a majority of {@code incoming} and a majority of {@code outgoing}. */
    public static Configuration joint(final int[] incoming, final int[] outgoing, final int[] learners)
    {
        if (outgoing.length == 0)
        {
            throw new IllegalArgumentException("a joint configuration needs outgoing voters");
        }
        return new Configuration(incoming, outgoing, learners);
    }

    public boolean isJoint()
    {
        return outgoingVoters.length > 0;
    }

    /** The configuration that a joint one leaves behind once it is committed (Raft §6: C<sub>new</sub>). */
    public Configuration leaveJoint()
    {
        return new Configuration(voters, NONE, learners);
    }

    public boolean isVoter(final int id)
    {
        return contains(voters, id) || contains(outgoingVoters, id);
    }

    public boolean isLearner(final int id)
    {
        return contains(learners, id);
    }

    public boolean isMember(final int id)
    {
        return contains(members, id);
    }

    /** Voters, learners and outgoing voters, sorted. Callers must not modify the array. */
    public int[] members()
    {
        return members;
    }

    public int[] voters()
    {
        return voters.clone();
    }

    public int[] outgoingVoters()
    {
        return outgoingVoters.clone();
    }

    public int[] learners()
    {
        return learners.clone();
    }

    int voterCount()
    {
        return voters.length;
    }

    int outgoingVoterCount()
    {
        return outgoingVoters.length;
    }

    int voter(final int i)
    {
        return voters[i];
    }

    int outgoingVoter(final int i)
    {
        return outgoingVoters[i];
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Configuration that &&
            Arrays.equals(voters, that.voters) &&
            Arrays.equals(outgoingVoters, that.outgoingVoters) &&
            Arrays.equals(learners, that.learners);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * Arrays.hashCode(voters) + Arrays.hashCode(outgoingVoters)) + Arrays.hashCode(learners);
    }

    @Override
    public String toString()
    {
        return "voters=" + Arrays.toString(voters) +
            (isJoint() ? " outgoing=" + Arrays.toString(outgoingVoters) : "") +
            (learners.length > 0 ? " learners=" + Arrays.toString(learners) : "");
    }

    private static boolean contains(final int[] sorted, final int id)
    {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    private static int[] sortedDistinct(final int[] ids, final String what)
    {
        final int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++)
        {
            if (sorted[i] <= 0)
            {
                throw new IllegalArgumentException(what + ": node ids must be positive, got " + sorted[i]);
            }
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                throw new IllegalArgumentException(what + ": node " + sorted[i] + " appears twice");
            }
        }
        return sorted;
    }

    private static int[] union(final int[] a, final int[] b)
    {
        return IntStream.concat(Arrays.stream(a), Arrays.stream(b)).distinct().sorted().toArray();
    }
}
