package io.raftline.core;

import io.raftline.core.message.MessageQueue;
import io.raftline.core.quorum.Configuration;

/**
 * What the runtime must do for the core, in this order (Raft §5.1, thesis §10.2.1):
 * <ol>
 * <li>make the {@link #logWrites()} in its log (truncate, append; nothing forced yet). It may make them earlier,
 * and must while the inputs that carried the entries are in hand: see {@link LogWrites};</li>
 * <li>send {@link #messages()}: the leader's replication traffic, which need not wait for its own disk; an
 * AppendEntries names a range of the log, which the transport reads from the runtime's log;</li>
 * <li>persist: force {@link #term()} and {@link #votedFor()} when {@link #hardStateChanged()}, and make the log
 * durable up to {@link #lastIndex()} (entries from {@link #persistFromIndex()} on are not yet);</li>
 * <li>when {@link #snapshotInstalled()}, restore the state machines from that snapshot, before applying more;</li>
 * <li>send {@link #messagesAfterPersist()}: votes and acknowledgements, which promise what was just persisted;</li>
 * <li>call {@link RaftNode#advance(long)} with the durable index.</li>
 * </ol>
 * Entries up to {@link #commitIndex()} are committed and may be applied and delivered to consumers. While
 * {@link #snapshotToFetch()} names a snapshot, the runtime fetches it and hands it to
 * {@link RaftNode#installSnapshot}.
 * The object is reused: it is valid until {@code advance}.
 */
public final class Ready
{
    final LogWrites logWrites = new LogWrites();
    final MessageQueue messages = new MessageQueue();
    final MessageQueue messagesAfterPersist = new MessageQueue();
    final ReadStates readStates = new ReadStates();
    boolean hardStateChanged;
    long term;
    int votedFor;
    long persistFromIndex;
    long lastIndex;
    long commitIndex;
    Role role;
    int leaderId;
    boolean configurationChanged;
    Configuration configuration;
    SnapshotFetch snapshotToFetch;
    long snapshotInstalled;

    public LogWrites logWrites()
    {
        return logWrites;
    }

    public MessageQueue messages()
    {
        return messages;
    }

    public MessageQueue messagesAfterPersist()
    {
        return messagesAfterPersist;
    }

    public ReadStates readStates()
    {
        return readStates;
    }

    public boolean hardStateChanged()
    {
        return hardStateChanged;
    }

    public long term()
    {
        return term;
    }

    /** The candidate voted for in {@link #term()}, or 0 for none. */
    public int votedFor()
    {
        return votedFor;
    }

    /** The first index that is not yet durable; greater than {@link #lastIndex()} when all are. */
    public long persistFromIndex()
    {
        return persistFromIndex;
    }

    public boolean mustPersistEntries()
    {
        return persistFromIndex <= lastIndex;
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    public long commitIndex()
    {
        return commitIndex;
    }

    public Role role()
    {
        return role;
    }

    /** Whether the configuration in force changed since the last Ready: the runtime connects to new members. */
    public boolean configurationChanged()
    {
        return configurationChanged;
    }

    /** The configuration in force: the newest in the log, committed or not. */
    public Configuration configuration()
    {
        return configuration;
    }

    /** The snapshot this follower needs and should be fetching now, or null. */
    public SnapshotFetch snapshotToFetch()
    {
        return snapshotToFetch;
    }

    /**
     * The index of the snapshot installed in place of the log since the last Ready (the log writes reset the log to
     * it), or 0: the state machines must be restored from it before anything after it is applied.
     */
    public long snapshotInstalled()
    {
        return snapshotInstalled;
    }

    /** The leader as this node knows it, or 0. */
    public int leaderId()
    {
        return leaderId;
    }
}
