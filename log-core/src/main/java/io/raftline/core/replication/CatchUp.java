package io.raftline.core.replication;

/**
 * Whether a learner has caught up enough to be promoted to voter without stalling commits (Raft thesis §4.2.1):
 * replication to it goes in rounds, each aiming at the leader's last index when the round began. A round that
 * ends within an election timeout shows the learner close enough; otherwise another round starts from where the
 * leader's log is then, so rounds shrink while the learner gains. A learner that needs more than
 * {@link #MAX_ROUNDS} rounds, or makes no progress for {@link #STALL_TIMEOUTS} election timeouts, fails.
 */
public final class CatchUp
{
    public static final int MAX_ROUNDS = 10;
    public static final int STALL_TIMEOUTS = 20;

    /** {@link #check} outcomes. */
    public enum Status
    {
        CATCHING_UP,
        CAUGHT_UP,
        FAILED
    }

    private final int learner;
    private final int electionTimeoutTicks;
    private final long deadlineTick;
    private int round = 1;
    private long roundTarget;
    private long roundStartTick;
    private long lastProgressTick;
    private long lastMatchIndex = -1;
    private String failure;

    public CatchUp(final int learner, final long leaderLastIndex, final long tick, final int electionTimeoutTicks)
    {
        this(learner, leaderLastIndex, tick, electionTimeoutTicks, Long.MAX_VALUE);
    }

    /** As above, failing at {@code deadlineTick} if the learner has not caught up by then. */
    public CatchUp(
        final int learner, final long leaderLastIndex, final long tick, final int electionTimeoutTicks,
        final long deadlineTick)
    {
        this.learner = learner;
        this.electionTimeoutTicks = electionTimeoutTicks;
        this.deadlineTick = deadlineTick;
        this.roundTarget = leaderLastIndex;
        this.roundStartTick = tick;
        this.lastProgressTick = tick;
    }

    public int learner()
    {
        return learner;
    }

    public int round()
    {
        return round;
    }

    /** Why the learner could not catch up, once {@link #check} said {@link Status#FAILED}. */
    public String failure()
    {
        return failure;
    }

    /** Where the learner stands at the leader's tick {@code tick}. */
    public Status check(final long matchIndex, final long leaderLastIndex, final long tick)
    {
        if (failure != null)
        {
            return Status.FAILED;
        }
        if (lastMatchIndex < 0)
        {
            lastMatchIndex = matchIndex; // where it stood when the promotion began: not progress
        }
        else if (matchIndex > lastMatchIndex)
        {
            lastMatchIndex = matchIndex;
            lastProgressTick = tick;
        }
        if (matchIndex >= roundTarget)
        {
            if (tick - roundStartTick <= electionTimeoutTicks)
            {
                return Status.CAUGHT_UP;
            }
            if (round == MAX_ROUNDS)
            {
                failure = "node " + learner + " did not catch up in " + MAX_ROUNDS + " rounds: the log grows " +
                    "faster than it receives it";
                return Status.FAILED;
            }
            round++;
            roundTarget = leaderLastIndex;
            roundStartTick = tick;
        }
        else if (tick > deadlineTick)
        {
            failure = "node " + learner + " did not catch up in time (it was " + (roundTarget - matchIndex) +
                " entries behind in round " + round + ")";
            return Status.FAILED;
        }
        else if (tick - lastProgressTick > (long)STALL_TIMEOUTS * electionTimeoutTicks)
        {
            failure = "node " + learner + " received nothing for " + STALL_TIMEOUTS + " election timeouts (down or " +
                "unreachable?)";
            return Status.FAILED;
        }
        return Status.CATCHING_UP;
    }
}
