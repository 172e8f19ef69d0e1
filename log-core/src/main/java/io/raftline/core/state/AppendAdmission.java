package io.raftline.core.state;

import io.raftline.core.Role;
import io.raftline.core.session.SessionTable;
import org.agrona.collections.LongHashSet;

/**
 * A leader's decision on each producer entry before proposing it, so that a retried entry is committed at most
 * once (Raft thesis §6.3). The verdict rests on the session table, which is complete only once the leader has
 * applied its whole log up to the no-op of its term: before that, entries of an earlier leadership may still hold
 * sequences the table does not show, so nothing is admitted. Nor is anything of a session whose close this leader
 * proposed: it would follow the close in the log and apply to no session. Leader-local, not replicated; no clock,
 * no I/O.
 */
public final class AppendAdmission
{
    private final SessionTable sessions;
    private final ReplicatedState state;
    private final LongHashSet closing = new LongHashSet(); // sessions this leadership proposed to close
    private long readyIndex = Long.MAX_VALUE; // appends are admitted once the state has applied this index

    public AppendAdmission(final ReplicatedState state)
    {
        this.state = state;
        this.sessions = state.sessions();
    }

    /** The node's role changed; {@code lastIndex} is its last log index then (a new leader's no-op). */
    public void onRoleChange(final Role role, final long lastIndex)
    {
        if (role == Role.LEADER)
        {
            // what an earlier leadership appended beyond the commit index is in this leader's log: it counts once
            // applied, and nothing is admitted before that
            sessions.resetAppended();
            readyIndex = lastIndex;
        }
        else
        {
            readyIndex = Long.MAX_VALUE;
        }
        closing.clear(); // a close of an earlier leadership is in the log, applied before anything is admitted
    }

    /** Whether this node leads and its session table is complete. */
    public boolean isReady()
    {
        return state.appliedIndex() >= readyIndex;
    }

    /**
     * May entry {@code sequence} of the session be proposed now? One of {@link SessionTable#ACCEPT},
     * {@link SessionTable#DUPLICATE} (a retry: already in the log), {@link SessionTable#OUT_OF_ORDER} (a gap),
     * {@link SessionTable#UNKNOWN_SESSION}.
     */
    public int check(final long sessionId, final long sequence)
    {
        return closing.contains(sessionId) ? SessionTable.UNKNOWN_SESSION : sessions.check(sessionId, sequence);
    }

    /** This leader proposed to close the session: nothing more of it is admitted. */
    public void onCloseProposed(final long sessionId)
    {
        final LongHashSet.LongIterator closed = closing.iterator();
        while (closed.hasNext())
        {
            if (sessions.session(closed.nextValue()) == null)
            {
                closed.remove(); // its close has applied: the table says so from now on
            }
        }
        closing.add(sessionId);
    }

    /** The entry was proposed: later retries of it are duplicates. */
    public void onProposed(final long sessionId, final long sequence)
    {
        sessions.onAppended(sessionId, sequence);
    }
}
