package io.raftline.core.session;

import io.raftline.core.EntryType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The edges of {@link SessionTable} and {@link Session}: name lengths, table and ring capacities. */
class SessionBoundsTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    private void open(final SessionTable table, final long index, final String name)
    {
        final int length = SessionTable.encodeOpen(name, buffer, 0);
        table.apply(index, 1, EntryType.SESSION, 0, 0, buffer, 0, length);
    }

    @Test
    void namesOfOneToSixtyFourBytesRoundTrip()
    {
        for (final String name : new String[]{"p", "x".repeat(SessionTable.MAX_NAME_BYTES)})
        {
            final int length = SessionTable.encodeOpen(name, buffer, 0);
            assertEquals(2 + name.length(), length);
            assertEquals(name, SessionTable.openedName(buffer, 0, length));
        }
        assertThrows(IllegalArgumentException.class, () -> SessionTable.encodeOpen("", buffer, 0));
        assertThrows(IllegalArgumentException.class,
            () -> SessionTable.encodeOpen("x".repeat(SessionTable.MAX_NAME_BYTES + 1), buffer, 0));
    }

    @Test
    void malformedOpenPayloadsAreNotOpens()
    {
        buffer.putByte(0, SessionTable.OPEN);
        buffer.putByte(1, (byte)0);
        assertNull(SessionTable.openedName(buffer, 0, 3), "a zero-length name");
        buffer.putByte(1, (byte)(SessionTable.MAX_NAME_BYTES + 1));
        assertNull(SessionTable.openedName(buffer, 0, SessionTable.MAX_NAME_BYTES + 3), "a name too long");
        buffer.putByte(1, (byte)2);
        assertNull(SessionTable.openedName(buffer, 0, 5), "a length that disagrees with the payload");
    }

    @Test
    void aTableOfOneSessionEvictsTheOldOneForANewOne()
    {
        final SessionTable table = new SessionTable(1, 4);
        open(table, 1, "a");
        assertEquals(1, table.size());
        open(table, 2, "b");
        assertEquals(1, table.size());
        assertNull(table.session(1));
        assertNotNull(table.session(2));
        assertThrows(IllegalArgumentException.class, () -> new SessionTable(0, 4));
    }

    @Test
    void forEachVisitsEverySession()
    {
        final SessionTable table = new SessionTable(4, 4);
        open(table, 3, "a");
        open(table, 5, "b");
        open(table, 8, "c");
        assertEquals(3, table.size());
        final List<Long> ids = new ArrayList<>();
        table.forEach(session -> ids.add(session.id()));
        ids.sort(null);
        assertEquals(List.of(3L, 5L, 8L), ids);
    }

    @Test
    void theRingRemembersTheLastCapacitySequences()
    {
        final SessionTable table = new SessionTable(4, 4);
        open(table, 1, "a");
        for (int sequence = 1; sequence <= 6; sequence++)
        {
            table.apply(10 + sequence, 2, EntryType.NORMAL, 1, sequence, buffer, 0, 0);
        }
        final Session session = table.session(1);
        assertEquals(0, session.indexOf(0));
        assertEquals(0, session.indexOf(2), "five back: forgotten");
        assertEquals(13, session.indexOf(3), "four back: the ring's capacity");
        assertEquals(16, session.indexOf(6));
        assertEquals(0, session.indexOf(7), "not committed yet");
        assertEquals(2, session.termOf(6));
        assertEquals(0, session.termOf(2));

        final SessionTable fresh = new SessionTable(4, 4);
        open(fresh, 1, "b");
        fresh.apply(2, 3, EntryType.NORMAL, 1, 1, buffer, 0, 0);
        assertEquals(2, fresh.session(1).indexOf(1), "the first sequence");
    }
}
