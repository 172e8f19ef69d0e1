package io.raftline.core;

/**
 * A snapshot this follower must fetch and install (Raft §7): the leader's entries it lacks are compacted. It is
 * at {@code index} of {@code term}; {@code source} holds the same snapshot and serves it, else {@code leader} does.
 */
public record SnapshotFetch(long index, long term, int source, int leader)
{
}
