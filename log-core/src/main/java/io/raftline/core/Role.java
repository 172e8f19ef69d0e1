package io.raftline.core;

/** A node's part in its Raft group. */
public enum Role
{
    FOLLOWER,
    /** Asking whether it could win an election, without raising its term (Raft thesis §9.6). */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER,
    /** Receives the log but does not vote or campaign: a follower that is not a voter (Raft thesis §4.2.1). */
    LEARNER
}
