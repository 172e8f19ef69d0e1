package io.raftline.core.replication;

/**
 * What the leader knows of one follower's log (Raft §5.3): {@code matchIndex}, the highest index known to be
 * replicated there, and {@code nextIndex}, the next to send. A follower is probed with one message at a time until
 * the leader finds where their logs agree, then fed in a pipeline bounded by its in-flight window.
 */
public final class Progress
{
    /** {@link #leaseStart()} of a follower not heard from in this leadership. */
    public static final long NEVER = Long.MIN_VALUE / 4;

    /** How the leader currently sends to this follower. */
    public enum State
    {
        /** Where the logs agree is unknown: one AppendEntries at a time, then wait for the answer or a heartbeat. */
        PROBE,
        /** The logs agree up to matchIndex: stream entries optimistically, up to the in-flight window. */
        REPLICATE,
        /**
         * The follower needs entries the leader no longer holds: a snapshot is on its way, and nothing else is sent
         * until the follower reports it installed (its match index reaches the snapshot's) or the transfer fails.
         */
        SNAPSHOT
    }

    private final int nodeId;
    private final Inflights inflights;
    private State state = State.PROBE;
    private long matchIndex;
    private long nextIndex;          // invariant: matchIndex < nextIndex
    private boolean probeSent;       // PROBE only: a message is out, wait before sending another
    private boolean recentActive;    // heard from within the current check-quorum period
    private long leaseStart = NEVER; // when the leader sent the latest message this follower answered
    private long readAckedRound;     // the latest ReadIndex round this follower confirmed
    private long commitSent;         // the highest commit index sent in an AppendEntries
    private boolean resendRequested; // send an AppendEntries next time even if it carries nothing new
    private long pendingSnapshot;    // SNAPSHOT only: the index of the snapshot being sent
    private long snapshotSentTick;   // SNAPSHOT only: when the follower was last told to install it
    private long snapshotHeld;       // the follower's newest snapshot, as it last said
    private long identity;           // the data-directory identity the follower last reported
    private long repairedAt;         // while the follower repairs a log it cut: the index that ends it, else 0

    public Progress(final int nodeId, final long nextIndex, final int maxInflightAppends, final long maxInflightBytes)
    {
        this.nodeId = nodeId;
        this.nextIndex = nextIndex;
        this.inflights = new Inflights(maxInflightAppends, maxInflightBytes);
    }

    public int nodeId()
    {
        return nodeId;
    }

    public State state()
    {
        return state;
    }

    public long matchIndex()
    {
        return matchIndex;
    }

    public long nextIndex()
    {
        return nextIndex;
    }

    public long commitSent()
    {
        return commitSent;
    }

    public Inflights inflights()
    {
        return inflights;
    }

    /** Starts again from scratch, as a new leader does (Raft §5.3: nextIndex = leader's last index + 1). */
    public void reset(final long nextIndex)
    {
        this.matchIndex = 0;
        this.nextIndex = nextIndex;
        this.recentActive = false;
        this.leaseStart = NEVER;
        this.readAckedRound = 0;
        this.commitSent = 0;
        this.repairedAt = 0;
        becomeProbe();
    }

    /** The identity of the data directory the follower last spoke from; 0 until it has spoken. */
    public long identity()
    {
        return identity;
    }

    public void identity(final long identity)
    {
        this.identity = identity;
    }

    /** The index of the snapshot being sent, in {@link State#SNAPSHOT}; else 0. */
    public long pendingSnapshot()
    {
        return pendingSnapshot;
    }

    /** Whether the leader may send this follower another AppendEntries now. */
    public boolean isPaused()
    {
        return switch (state)
        {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Records that an AppendEntries carrying entries up to {@code lastIndex} and a commit index was sent. */
    public void onSent(final long lastIndex, final long bytes, final int entryCount, final long commitIndex)
    {
        commitSent = Math.max(commitSent, commitIndex);
        if (state == State.REPLICATE)
        {
            if (entryCount > 0)
            {
                nextIndex = lastIndex + 1;
                inflights.add(lastIndex, bytes);
            }
        }
        else
        {
            probeSent = true;
        }
    }

    /**
     * The follower has every entry up to {@code index}. Returns whether that was news. A follower that reaches the
     * snapshot being sent has installed it: it is probed from there.
     */
    public boolean maybeUpdate(final long index)
    {
        probeSent = false;
        if (index <= matchIndex)
        {
            return false;
        }
        matchIndex = index;
        nextIndex = Math.max(nextIndex, index + 1);
        inflights.freeTo(index);
        if (index >= repairedAt)
        {
            repairedAt = 0;
        }
        if (state == State.SNAPSHOT && matchIndex >= pendingSnapshot)
        {
            becomeProbe();
        }
        return true;
    }

    /**
     * The follower refused an AppendEntries after {@code rejectedIndex}; {@code hintIndex} is where the leader,
     * having used the follower's hint, should try next. Returns whether the rejection was current (not a stale
     * answer to a message the leader has since moved past), in which case nextIndex moved back.
     */
    public boolean maybeDecrease(final long rejectedIndex, final long hintIndex)
    {
        if (state == State.REPLICATE)
        {
            // a rejection at or below matchIndex is stale: those entries are known to match
            if (rejectedIndex <= matchIndex)
            {
                return false;
            }
            becomeProbe();
        }
        else if (rejectedIndex != nextIndex - 1)
        {
            return false; // in PROBE only the answer to the latest probe counts
        }
        nextIndex = Math.max(matchIndex + 1, Math.min(rejectedIndex, hintIndex));
        probeSent = false;
        return true;
    }

    /**
     * The follower's log went back below what it acknowledged (it cut a damaged entry and awaits repair): probe
     * from {@code hintIndex}, where its log now ends, with matchIndex lowered to match. It is repairing (it can
     * neither vote nor campaign) until it holds the leader's log as of now, {@code leaderLastIndex}.
     */
    public void regress(final long hintIndex, final long leaderLastIndex)
    {
        repairedAt = Math.max(repairedAt, leaderLastIndex);
        state = State.PROBE;
        probeSent = false;
        pendingSnapshot = 0;
        matchIndex = Math.min(matchIndex, hintIndex - 1);
        nextIndex = Math.max(hintIndex, matchIndex + 1);
        commitSent = 0;
        inflights.reset();
    }

    /** Probes one AppendEntries at a time; after a snapshot, from just past it (the follower holds it now). */
    public void becomeProbe()
    {
        final long afterSnapshot = state == State.SNAPSHOT ? pendingSnapshot + 1 : 0;
        state = State.PROBE;
        probeSent = false;
        pendingSnapshot = 0;
        nextIndex = Math.max(Math.max(nextIndex, matchIndex + 1), afterSnapshot);
        inflights.reset();
    }

    /** When the follower was last told to install {@link #pendingSnapshot()}. */
    public long snapshotSentTick()
    {
        return snapshotSentTick;
    }

    /** The follower's newest snapshot index, as it last said (0: none). */
    public long snapshotHeld()
    {
        return snapshotHeld;
    }

    public void snapshotHeld(final long index)
    {
        snapshotHeld = index;
    }

    /**
     * Sends the follower the snapshot at {@code snapshotIndex} (told so at {@code tick}); AppendEntries wait until
     * it is installed.
     */
    public void becomeSnapshot(final long snapshotIndex, final long tick)
    {
        snapshotSentTick = tick;
        state = State.SNAPSHOT;
        probeSent = false;
        pendingSnapshot = snapshotIndex;
        inflights.reset();
    }

    /** The snapshot did not reach the follower: probe again, from where its log was known to match. */
    public void onSnapshotFailed()
    {
        if (state == State.SNAPSHOT)
        {
            pendingSnapshot = 0;
            state = State.PROBE;
            probeSent = false;
            nextIndex = matchIndex + 1;
        }
    }

    public void becomeReplicate()
    {
        state = State.REPLICATE;
        probeSent = false;
        nextIndex = matchIndex + 1;
        inflights.reset();
    }

    /**
     * A heartbeat answer from a follower that may be missing entries. A lost probe need not be waited for any longer,
     * and a full window frees one slot: the next AppendEntries then either fills a gap left by a lost message (the
     * follower rejects it and the leader probes) or simply goes through.
     */
    public void onHeartbeatResponse()
    {
        probeSent = false;
        if (state == State.REPLICATE && inflights.isFull())
        {
            inflights.freeFirst();
        }
    }

    public void requestResend()
    {
        resendRequested = true;
    }

    /** Whether a resend was requested, and forgets the request. */
    public boolean takeResendRequest()
    {
        final boolean requested = resendRequested;
        resendRequested = false;
        return requested;
    }

    /**
     * The follower answered after it heard from the leader a message sent at {@code sentAt} (leader's clock): it
     * has promised to elect no one else for an election timeout from then (thesis §6.4.1).
     */
    public void answered(final long sentAt)
    {
        leaseStart = Math.max(leaseStart, sentAt);
    }

    /** Whether the follower said it cut its log and has not yet acknowledged the leader's log as of then. */
    public boolean isRepairing()
    {
        return repairedAt != 0;
    }

    /** When the leader sent the latest message this follower answered, or {@link #NEVER}. */
    public long leaseStart()
    {
        return leaseStart;
    }

    public boolean isRecentActive()
    {
        return recentActive;
    }

    public void setRecentActive(final boolean recentActive)
    {
        this.recentActive = recentActive;
    }

    public long readAckedRound()
    {
        return readAckedRound;
    }

    public void onReadAck(final long round)
    {
        readAckedRound = Math.max(readAckedRound, round);
    }

    @Override
    public String toString()
    {
        return "node " + nodeId + " " + state + " match=" + matchIndex + " next=" + nextIndex +
            " inflight=" + inflights.count() + (probeSent ? " paused" : "") +
            (state == State.SNAPSHOT ? " snapshot=" + pendingSnapshot : "");
    }
}
