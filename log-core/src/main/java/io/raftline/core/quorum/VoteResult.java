package io.raftline.core.quorum;

/** The outcome of counting votes (or any yes/no poll) against a configuration. */
public enum VoteResult
{
    /** Not decided yet: the missing answers could still go either way. */
    PENDING,
    /** A majority said no in at least one voter set, so the poll cannot succeed. */
    LOST,
    /** A majority said yes in every voter set. */
    WON
}
