package io.raftline.core.quorum;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Who votes and who only listens, and what is known of each member. A joint configuration (Raft §6,
 * C<sub>old,new</sub>) has two voter sets and needs a majority of each; a simple one has an empty outgoing set.
 * Learners receive the log but never vote and never count towards a commit.
 *
 * <p>Each member carries its endpoint (how peers and clients reach it; the core only carries it) and the identity
 * of the data directory it votes with. A voter counts (its vote, its acknowledgements) only from a directory of
 * that identity, so a server that restarts on an empty or another disk, having forgotten its vote and its log,
 * cannot decide anything until it is added again. Identity 0 is not yet bound: any directory counts, as in a
 * cluster's first configuration, until the leader binds what its voters report.
 *
 * <p>Immutable; built once per configuration change, never on a hot path.
 */
public final class Configuration
{
    /** Members a configuration may have: far more than a Raft group wants, small enough to bound what is read. */
    public static final int MAX_MEMBERS = 255;
    /** {@link #identity} of a member whose directory is not yet bound. */
    public static final long UNBOUND = 0;
    private static final int[] NO_IDS = new int[0];
    /** The configuration of a server that belongs to no cluster yet: it waits to be added. */
    public static final Configuration NONE = new Configuration();

    private final int[] voters;          // invariant: sorted, distinct; non-empty but in NONE
    private final int[] outgoingVoters;  // invariant: sorted, distinct; empty unless joint
    private final int[] learners;        // invariant: sorted, distinct, disjoint from both voter sets
    private final int[] members;         // union of all three, sorted
    private final long[] identities;     // by position in members
    private final String[] endpoints;    // by position in members; null when not known

    private Configuration()
    {
        voters = NO_IDS;
        outgoingVoters = NO_IDS;
        learners = NO_IDS;
        members = NO_IDS;
        identities = new long[0];
        endpoints = new String[0];
    }

    private Configuration(
        final int[] voters, final int[] outgoingVoters, final int[] learners, final Configuration infoFrom)
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
        this.identities = new long[members.length];
        this.endpoints = new String[members.length];
        if (infoFrom != null)
        {
            for (int i = 0; i < members.length; i++)
            {
                identities[i] = infoFrom.identity(members[i]);
                endpoints[i] = infoFrom.endpoint(members[i]);
            }
        }
    }

    private Configuration(final Configuration base, final long[] identities, final String[] endpoints)
    {
        this.voters = base.voters;
        this.outgoingVoters = base.outgoingVoters;
        this.learners = base.learners;
        this.members = base.members;
        this.identities = identities;
        this.endpoints = endpoints;
    }

    public static Configuration of(final int... voters)
    {
        return new Configuration(voters, NO_IDS, NO_IDS, null);
    }

    public static Configuration withLearners(final int[] voters, final int[] learners)
    {
        return new Configuration(voters, NO_IDS, learners, null);
    }

    /** C<sub>old,new</sub>: decisions need a majority of {@code incoming} and a majority of {@code outgoing}. */
    public static Configuration joint(final int[] incoming, final int[] outgoing, final int[] learners)
    {
        if (outgoing.length == 0)
        {
            throw new IllegalArgumentException("a joint configuration needs outgoing voters");
        }
        return new Configuration(incoming, outgoing, learners, null);
    }

    public boolean isEmpty()
    {
        return members.length == 0;
    }

    public boolean isJoint()
    {
        return outgoingVoters.length > 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Changes: each returns a new configuration, or throws IllegalArgumentException saying why it cannot be made

    /** The configuration that a joint one leaves behind once it is committed (Raft §6: C<sub>new</sub>). */
    public Configuration leaveJoint()
    {
        return new Configuration(voters, NO_IDS, learners, this);
    }

    /**
     * The configuration a joint one returns to when its change is given up (C<sub>old</sub>): the outgoing voters,
     * and the incoming voters that were learners before as learners again, bound to no disk as learners are (a
     * promotion binds the disk a learner caught up on; the one bound here may be the disk it lost).
     */
    public Configuration abandonJoint()
    {
        if (!isJoint())
        {
            throw new IllegalArgumentException("no joint change to abandon");
        }
        final int[] formerLearners = IntStream.of(voters).filter(id -> !contains(outgoingVoters, id)).toArray();
        Configuration abandoned = new Configuration(outgoingVoters, NO_IDS, union(learners, formerLearners), this);
        for (final int learner : formerLearners)
        {
            abandoned = abandoned.withMember(learner, UNBOUND, abandoned.endpoint(learner));
        }
        return abandoned;
    }

    /**
     * C<sub>old,new</sub> towards {@code incomingVoters} (Raft §6): this configuration's voters become the outgoing
     * set; learners that become voters stop being learners, and voters that leave are not kept as learners.
     */
    public Configuration enterJoint(final int[] incomingVoters)
    {
        if (isJoint())
        {
            throw new IllegalArgumentException("a joint change is already in progress");
        }
        for (final int id : incomingVoters)
        {
            if (!isMember(id))
            {
                throw new IllegalArgumentException("node " + id + " is not a member: add it as a learner first");
            }
        }
        final int[] stayingLearners = IntStream.of(learners).filter(id -> !contains(sorted(incomingVoters), id))
            .toArray();
        return new Configuration(incomingVoters, voters, stayingLearners, this);
    }

    /** Adds a learner: it receives the log and counts for nothing. */
    public Configuration addLearner(final int id, final String endpoint)
    {
        if (isMember(id))
        {
            throw new IllegalArgumentException("node " + id + " is already a member");
        }
        final int[] withLearner = Arrays.copyOf(learners, learners.length + 1);
        withLearner[learners.length] = id;
        return new Configuration(voters, outgoingVoters, withLearner, this).withMember(id, UNBOUND, endpoint);
    }

    /** Removes a learner. */
    public Configuration removeLearner(final int id)
    {
        if (!isLearner(id))
        {
            throw new IllegalArgumentException("node " + id + " is not a learner");
        }
        return new Configuration(voters, outgoingVoters, IntStream.of(learners).filter(l -> l != id).toArray(), this);
    }

    /** The same configuration with what is known of member {@code id} replaced. */
    public Configuration withMember(final int id, final long identity, final String endpoint)
    {
        final int position = Arrays.binarySearch(members, id);
        if (position < 0)
        {
            throw new IllegalArgumentException("node " + id + " is not a member");
        }
        final long[] newIdentities = identities.clone();
        final String[] newEndpoints = endpoints.clone();
        newIdentities[position] = identity;
        newEndpoints[position] = endpoint;
        return new Configuration(this, newIdentities, newEndpoints);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Queries

    public boolean isVoter(final int id)
    {
        return contains(voters, id) || contains(outgoingVoters, id);
    }

    /** A voter of C<sub>new</sub> (the incoming set while joint): one that stays once the change completes. */
    public boolean isIncomingVoter(final int id)
    {
        return contains(voters, id);
    }

    /** A voter of C<sub>old</sub> while joint. */
    public boolean isOutgoingVoter(final int id)
    {
        return contains(outgoingVoters, id);
    }

    public boolean isLearner(final int id)
    {
        return contains(learners, id);
    }

    public boolean isMember(final int id)
    {
        return contains(members, id);
    }

    /** The identity of member {@code id}'s data directory, or {@link #UNBOUND} (also for a non-member). */
    public long identity(final int id)
    {
        final int position = Arrays.binarySearch(members, id);
        return position < 0 ? UNBOUND : identities[position];
    }

    /** Where member {@code id} listens, or null when it is not known (or {@code id} is not a member). */
    public String endpoint(final int id)
    {
        final int position = Arrays.binarySearch(members, id);
        return position < 0 ? null : endpoints[position];
    }

    /** Whether a voter speaking from a directory of {@code identity} may vote and count: bound to it, or unbound. */
    public boolean identityMatches(final int id, final long identity)
    {
        final long recorded = identity(id);
        return recorded == UNBOUND || recorded == identity;
    }

    /** Whether some voter's identity is not yet bound. */
    public boolean hasUnboundVoter()
    {
        for (int i = 0; i < members.length; i++)
        {
            if (identities[i] == UNBOUND && isVoter(members[i]))
            {
                return true;
            }
        }
        return false;
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
            Arrays.equals(learners, that.learners) &&
            Arrays.equals(identities, that.identities) &&
            Arrays.equals(endpoints, that.endpoints);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(Arrays.hashCode(voters), Arrays.hashCode(outgoingVoters), Arrays.hashCode(learners),
            Arrays.hashCode(identities), Arrays.hashCode(endpoints));
    }

    @Override
    public String toString()
    {
        if (isEmpty())
        {
            return "no members";
        }
        return "voters=" + Arrays.toString(voters) +
            (isJoint() ? " outgoing=" + Arrays.toString(outgoingVoters) : "") +
            (learners.length > 0 ? " learners=" + Arrays.toString(learners) : "") + identitiesText();
    }

    /** The bound identities, for diagnostics: " disks={1:6f1c.., 3:09ab..}", or nothing while none is bound. */
    private String identitiesText()
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < members.length; i++)
        {
            if (identities[i] != UNBOUND)
            {
                text.append(text.length() == 0 ? " disks={" : ", ").append(members[i]).append(':')
                    .append(String.format("%016x", identities[i]), 0, 4).append("..");
            }
        }
        return text.length() == 0 ? "" : text.append('}').toString();
    }

    private static boolean contains(final int[] sorted, final int id)
    {
        return Arrays.binarySearch(sorted, id) >= 0;
    }

    private static int[] sorted(final int[] ids)
    {
        final int[] copy = ids.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static int[] sortedDistinct(final int[] ids, final String what)
    {
        final int[] sorted = sorted(ids);
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
