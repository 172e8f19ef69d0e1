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

    private void open(final SessionTable table, final long index, final String name, final int window)
    {
        final int length = SessionTable.encodeOpen(name, window, buffer, 0);
        table.apply(index, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
    }

    @Test
    void aSessionBelongsToTheCredentialThatOpenedItAcrossASnapshot() throws Exception
    {
        final SessionTable table = new SessionTable(8, 64);
        final int length = SessionTable.encodeOpen("orders", 16, "alice", buffer, 0);
        assertEquals("orders", SessionTable.openedName(buffer, 0, length));
        assertEquals(16, SessionTable.openedWindow(buffer, 0, length));
        assertEquals("alice", SessionTable.openedOwner(buffer, 0, length));
        assertNull(SessionTable.openedName(buffer, 0, length - 1), "an owner cut short");
        table.apply(3, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
        open(table, 4, "legacy", 16);
        assertEquals("alice", table.session(3).owner());
        assertEquals(true, table.session(3).isOwnedBy("alice"));
        assertEquals(false, table.session(3).isOwnedBy("mallory"));
        assertEquals(false, table.session(4).isOwnedBy("anyone"), "opened without a credential: no credential's");
        assertEquals(true, table.session(4).isOwnedBy(""), "but a client without one, authentication off, uses it");

        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        table.writeTo(new java.io.DataOutputStream(bytes));
        final SessionTable restored = new SessionTable(8, 64);
        restored.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), 3);
        assertEquals("alice", restored.session(3).owner());
        assertEquals(16, restored.session(3).ringCapacity());
    }

    @Test
    void aSessionRemembersAsManySequencesAsItsProducersWindowRoundedUp()
    {
        final SessionTable table = new SessionTable(8, 64);
        open(table, 1, "a", 40);
        open(table, 2, "b", 3);
        open(table, 3, "c", 1000);
        open(table, 4, "old");
        assertEquals(64, table.session(1).ringCapacity());
        assertEquals(8, table.session(2).ringCapacity(), "never below 8");
        assertEquals(64, table.session(3).ringCapacity(), "never above the table's largest");
        assertEquals(64, table.session(4).ringCapacity(), "an open entry that gives no window");
        assertEquals(200, table.usedSlots());
        for (int seq = 1; seq <= 20; seq++)
        {
            commit(table, 4 + seq, 2, seq);
        }
        assertEquals(24, table.session(2).indexOf(20));
        assertEquals(17, table.session(2).indexOf(13), "the window's worth of retries is answered");
        assertEquals(0, table.session(2).indexOf(12));
        final int length = SessionTable.encodeClose(3, buffer, 0);
        table.apply(30, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
        assertEquals(136, table.usedSlots(), "a closed session's ring is given back");
    }

    @Test
    void openingBeyondTheMemoryBoundEvictsTheLeastRecentlyActive()
    {
        final SessionTable table = new SessionTable(8, 64, 128);
        open(table, 1, "a", 64);
        open(table, 2, "b", 64);
        commit(table, 3, 1, 1);
        open(table, 4, "c", 32);
        assertNotNull(table.session(1));
        assertNull(table.session(2), "b was idle the longest");
        assertNotNull(table.session(4));
        assertEquals(96, table.usedSlots());
        open(table, 5, "d", 64);
        assertNull(table.session(1), "a was active at index 3, c opened at 4");
        assertNotNull(table.session(4));
        assertEquals(96, table.usedSlots());
    }

    @Test
    void ringSizesTravelInSnapshotsAndAnOlderSnapshotGivesEverySessionTheLargest() throws Exception
    {
        final SessionTable table = new SessionTable(8, 64);
        open(table, 1, "a", 16);
        commit(table, 2, 1, 1);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        table.writeTo(new java.io.DataOutputStream(bytes));
        final SessionTable restored = new SessionTable(8, 64);
        restored.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), 3);
        assertEquals(16, restored.session(1).ringCapacity());
        assertEquals(2, restored.session(1).indexOf(1));
        assertEquals(16, restored.usedSlots());

        final java.io.ByteArrayOutputStream v1 = new java.io.ByteArrayOutputStream();
        final java.io.DataOutputStream out = new java.io.DataOutputStream(v1);
        out.writeInt(1);      // sessions
        out.writeLong(1);     // id
        out.writeUTF("a");
        out.writeLong(1);     // last committed sequence
        out.writeLong(2);     // last active index
        out.writeInt(1);      // ring entries known
        out.writeLong(2);
        out.writeLong(1);
        final SessionTable fromV1 = new SessionTable(8, 64);
        fromV1.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(v1.toByteArray())), 1);
        assertEquals(64, fromV1.session(1).ringCapacity());
        assertEquals(2, fromV1.session(1).indexOf(1));
    }

    @Test
    void aSmallerMemoryBoundOnRestoreKeepsTheMostRecentlyActive() throws Exception
    {
        final SessionTable table = new SessionTable(8, 64);
        open(table, 1, "a", 64);
        open(table, 2, "b", 64);
        commit(table, 3, 1, 1);
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        table.writeTo(new java.io.DataOutputStream(bytes));
        final SessionTable smaller = new SessionTable(8, 64, 64);
        smaller.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())), 3);
        assertNotNull(smaller.session(1), "active at index 3");
        assertNull(smaller.session(2));
        assertEquals(64, smaller.usedSlots());
    }
}
