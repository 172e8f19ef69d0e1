package io.raftline.core.replication;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.Quorum;
import io.raftline.core.quorum.VoteResult;

import java.util.Arrays;

/**
 * The leader's view of every member (its own included) and a candidate's tally of votes, over the current
 * {@link Configuration}. Lookups by node id scan a small array: clusters have a handful of members.
 */
public final class ProgressTracker
{
    private final Quorum quorum = new Quorum();
    private final int maxInflightAppends;
    private final long maxInflightBytes;
    // a voter speaking from a directory of another identity counts for nothing (see Configuration)
    private final Quorum.IndexSource matchIndexes = id -> isEligible(id) ? progress(id).matchIndex() : 0;
    private final Quorum.IndexSource readAcks = id -> isEligible(id) ? progress(id).readAckedRound() : 0;
    private final Quorum.IndexSource leaseStarts = id -> isEligible(id) ? progress(id).leaseStart() : Progress.NEVER;
    private final Quorum.PollSource votes = id -> voteOf(id);
    private final Quorum.PollSource activity =
        id -> isEligible(id) && progress(id).isRecentActive() ? Quorum.YES : Quorum.NO;
    private final int selfId;
    private Configuration configuration;
    private Progress[] progress;
    private int[] voteAnswers;

    public ProgressTracker(final Configuration configuration, final int maxInflightAppends, final long maxInflightBytes)
    {
        this(0, configuration, maxInflightAppends, maxInflightBytes);
    }

    /**
     * A tracker for node {@code selfId}, which keeps its own progress even in a configuration that does not name
     * it (a leader that the configuration removes leads on until the removal commits).
     */
    public ProgressTracker(
        final int selfId, final Configuration configuration, final int maxInflightAppends, final long maxInflightBytes)
    {
        this.selfId = selfId;
        this.maxInflightAppends = maxInflightAppends;
        this.maxInflightBytes = maxInflightBytes;
        configure(configuration, 1);
    }

    /** Switches to a new configuration, keeping what is known of members that stay. */
    public void configure(final Configuration configuration, final long nextIndex)
    {
        final int[] members = configuration.members();
        final boolean addSelf = selfId > 0 && !configuration.isMember(selfId);
        final Progress[] next = new Progress[members.length + (addSelf ? 1 : 0)];
        for (int i = 0; i < next.length; i++)
        {
            final int id = i < members.length ? members[i] : selfId;
            final Progress existing = this.progress == null ? null : find(id);
            next[i] = existing != null ? existing : new Progress(id, nextIndex, maxInflightAppends, maxInflightBytes);
        }
        this.configuration = configuration;
        this.progress = next;
        this.voteAnswers = new int[next.length];
    }

    public Configuration configuration()
    {
        return configuration;
    }

    public int size()
    {
        return progress.length;
    }

    public Progress at(final int i)
    {
        return progress[i];
    }

    /** The member's progress; throws when the node is not a member. */
    public Progress progress(final int nodeId)
    {
        final Progress found = find(nodeId);
        if (found == null)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not a member");
        }
        return found;
    }

    /** The member's progress, or null when the node is not a member. */
    public Progress find(final int nodeId)
    {
        for (final Progress p : progress)
        {
            if (p.nodeId() == nodeId)
            {
                return p;
            }
        }
        return null;
    }

    /** Whether voter {@code id} counts: the directory it last spoke from is the one the configuration records. */
    public boolean isEligible(final int id)
    {
        final Progress found = find(id);
        return found != null && configuration.identityMatches(id, found.identity());
    }

    /** Raft §5.3, §5.4: the highest index stored on a majority of every voter set. */
    public long committedIndex()
    {
        return quorum.committedIndex(configuration, matchIndexes);
    }

    /** The latest ReadIndex round a majority confirmed. */
    public long confirmedReadRound()
    {
        return quorum.committedIndex(configuration, readAcks);
    }

    /** The latest send time, on the leader's clock, of messages a majority of every voter set answered. */
    public long quorumLeaseStart()
    {
        return quorum.committedIndex(configuration, leaseStarts);
    }

    /** Whether a majority of every voter set was heard from in the current check-quorum period. */
    public boolean isQuorumActive()
    {
        return Quorum.poll(configuration, activity) == VoteResult.WON;
    }

    public void resetVotes()
    {
        Arrays.fill(voteAnswers, Quorum.UNKNOWN);
    }

    /** Records a vote (only the first answer of each voter counts) and returns the tally. */
    public VoteResult recordVote(final int nodeId, final boolean granted)
    {
        for (int i = 0; i < progress.length; i++)
        {
            if (progress[i].nodeId() == nodeId && voteAnswers[i] == Quorum.UNKNOWN)
            {
                voteAnswers[i] = granted ? Quorum.YES : Quorum.NO;
            }
        }
        return Quorum.poll(configuration, votes);
    }

    private int voteOf(final int nodeId)
    {
        for (int i = 0; i < progress.length; i++)
        {
            if (progress[i].nodeId() == nodeId)
            {
                return voteAnswers[i];
            }
        }
        return Quorum.UNKNOWN;
    }
}
