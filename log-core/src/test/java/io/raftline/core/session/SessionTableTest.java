package io.raftline.core.session;

import io.raftline.core.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SessionTableTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);

    private void open(final SessionTable table, final long index, final String name)
    {
        final int length = SessionTable.encodeOpen(name, buffer, 0);
        table.apply(index, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
    }

    private void commit(final SessionTable table, final long index, final long sessionId, final long sequence)
    {
        table.apply(index, 2, EntryType.NORMAL, sessionId, sequence, buffer, 0, 0);
    }

    @Test
    void aSessionIsNamedByTheIndexOfTheEntryThatOpenedIt()
    {
        final SessionTable table = new SessionTable(8, 16);
        open(table, 7, "p1");
        assertEquals("p1", table.session(7).name());
        assertEquals(0, table.session(7).lastCommittedSequence());
        assertEquals(SessionTable.ACCEPT, table.check(7, 1));
        assertEquals(SessionTable.UNKNOWN_SESSION, table.check(8, 1));
    }

    @Test
    void onlyTheNextSequenceIsAcceptedAndRetriesAreDuplicates()
    {
        final SessionTable table = new SessionTable(8, 16);
        open(table, 1, "p");
        commit(table, 2, 1, 1);
        commit(table, 3, 1, 2);
        assertEquals(SessionTable.DUPLICATE, table.check(1, 1));
        assertEquals(SessionTable.DUPLICATE, table.check(1, 2));
        assertEquals(SessionTable.ACCEPT, table.check(1, 3));
        assertEquals(SessionTable.OUT_OF_ORDER, table.check(1, 4));
        assertEquals(3, table.session(1).indexOf(2));
        assertEquals(2, table.session(1).termOf(2));
        assertEquals(0, table.session(1).indexOf(3), "not committed yet");
    }

    @Test
    void aLeaderCountsWhatItAppendedUntilItLosesLeadership()
    {
        final SessionTable table = new SessionTable(8, 16);
        open(table, 1, "p");
        table.onAppended(1, 1);
        table.onAppended(1, 2);
        assertEquals(SessionTable.DUPLICATE, table.check(1, 2), "appended, not yet committed: still a retry");
        assertEquals(SessionTable.ACCEPT, table.check(1, 3));
        table.resetAppended();
        assertEquals(SessionTable.ACCEPT, table.check(1, 1), "a new leadership starts from what is committed");
    }

    @Test
    void aCommittedEntryOutOfSequenceIsNotApplied()
    {
        final SessionTable table = new SessionTable(8, 16);
        open(table, 1, "p");
        commit(table, 2, 1, 2);
        assertEquals(0, table.session(1).lastCommittedSequence());
        commit(table, 3, 99, 1);
        assertNull(table.session(99));
    }

    @Test
    void theRingForgetsSequencesOlderThanItsCapacity()
    {
        final SessionTable table = new SessionTable(8, 4);
        open(table, 1, "p");
        for (int seq = 1; seq <= 10; seq++)
        {
            commit(table, 1 + seq, 1, seq);
        }
        assertEquals(11, table.session(1).indexOf(10));
        assertEquals(8, table.session(1).indexOf(7));
        assertEquals(0, table.session(1).indexOf(6), "older than the ring");
        assertEquals(0, table.session(1).indexOf(0));
    }

    @Test
    void closingRemovesTheSession()
    {
        final SessionTable table = new SessionTable(8, 16);
        open(table, 1, "p");
        final int length = SessionTable.encodeClose(1, buffer, 0);
        table.apply(2, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
        assertNull(table.session(1));
        assertEquals(0, table.size());
    }

    @Test
    void openingBeyondTheLimitEvictsTheLeastRecentlyActive()
    {
        final SessionTable table = new SessionTable(2, 16);
        open(table, 1, "a");
        open(table, 2, "b");
        commit(table, 3, 1, 1);
        open(table, 4, "c");
        assertNotNull(table.session(1));
        assertNull(table.session(2), "b was idle the longest");
        assertNotNull(table.session(4));
    }

    @Test
    void payloadsAreValidated()
    {
        assertThrows(IllegalArgumentException.class, () -> SessionTable.encodeOpen("", buffer, 0));
        assertThrows(IllegalArgumentException.class, () -> SessionTable.encodeOpen("x".repeat(65), buffer, 0));
        buffer.putByte(0, (byte)9);
        assertNull(SessionTable.openedName(buffer, 0, 4));
        assertEquals(0, SessionTable.closedSession(buffer, 0, SessionTable.CLOSE_LENGTH));
        final int length = SessionTable.encodeOpen("abc", buffer, 0);
        assertNull(SessionTable.openedName(buffer, 0, length + 1), "length must match the name");
        assertEquals("abc", SessionTable.openedName(buffer, 0, length));
    }
}
