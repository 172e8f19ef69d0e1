package io.raftline.core.state;

import io.raftline.core.EntryType;
import io.raftline.core.Role;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.session.SessionTable;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppendAdmissionTest
{
    private final ReplicatedState state = new ReplicatedState(8, 8, Configuration.of(1, 2, 3), 0);
    private final AppendAdmission admission = new AppendAdmission(state);

    private void applySessionOpen(final long index)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        final int length = SessionTable.encodeOpen("p", payload, 0);
        state.apply(index, 1, EntryType.SESSION, 0, 0, payload, 0, length);
    }

    @Test
    void aNewLeaderAdmitsNothingUntilItHasAppliedItsLogUpToItsNoOp()
    {
        assertFalse(admission.isReady(), "a follower admits nothing");
        applySessionOpen(1);
        state.apply(2, 1, EntryType.NORMAL, 1, 1, null, 0, 0);
        admission.onRoleChange(Role.LEADER, 4);
        assertFalse(admission.isReady());
        state.apply(3, 1, EntryType.NORMAL, 1, 2, null, 0, 0);
        assertFalse(admission.isReady());
        state.apply(4, 2, EntryType.NOOP, 0, 0, null, 0, 0);
        assertTrue(admission.isReady());
        assertEquals(SessionTable.DUPLICATE, admission.check(1, 2), "committed by the earlier leadership");
        assertEquals(SessionTable.ACCEPT, admission.check(1, 3));
        admission.onRoleChange(Role.FOLLOWER, 4);
        assertFalse(admission.isReady());
    }

    @Test
    void aProposedEntryIsADuplicateUntilTheNextLeadershipForgetsWhatWasNotCommitted()
    {
        applySessionOpen(1);
        admission.onRoleChange(Role.LEADER, 1);
        assertTrue(admission.isReady());
        assertEquals(SessionTable.ACCEPT, admission.check(1, 1));
        admission.onProposed(1, 1);
        assertEquals(SessionTable.DUPLICATE, admission.check(1, 1));
        assertEquals(SessionTable.ACCEPT, admission.check(1, 2));
        assertEquals(SessionTable.OUT_OF_ORDER, admission.check(1, 3));
        assertEquals(SessionTable.UNKNOWN_SESSION, admission.check(5, 1));
        admission.onRoleChange(Role.LEADER, 1);
        assertEquals(SessionTable.ACCEPT, admission.check(1, 1), "proposed, never committed: lost with that term");
    }

    @Test
    void aSessionWhoseCloseIsProposedAdmitsNothingMore()
    {
        applySessionOpen(1);
        admission.onRoleChange(Role.LEADER, 1);
        admission.onCloseProposed(1);
        // an append that arrives before the close applies would follow it in the log, for a closed session: its
        // producer would hear nothing until it gave up
        assertEquals(SessionTable.UNKNOWN_SESSION, admission.check(1, 1));
        admission.onRoleChange(Role.FOLLOWER, 1);
        admission.onRoleChange(Role.LEADER, 1);
        assertEquals(SessionTable.ACCEPT, admission.check(1, 1), "the close was lost with that leadership");
    }
}
