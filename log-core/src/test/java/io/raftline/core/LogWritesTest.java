package io.raftline.core;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The core's log: storage with the writes it decided laid over it, and how those writes reach storage. */
class LogWritesTest
{
    private final MemoryRaftLog storage = MemoryRaftLog.ofTerms(1, 1, 2);
    private final LogWrites writes = new LogWrites();
    private final CoreLog log = new CoreLog(storage, writes);

    private void append(final long term, final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        log.append(term, EntryType.NORMAL, 0, 0, new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Test
    void queuedEntriesAreSeenByTheCoreBeforeTheyAreWritten()
    {
        append(3, "a");
        append(3, "bc");
        assertEquals(5, log.lastIndex());
        assertEquals(3, storage.lastIndex(), "nothing is written by the core");
        assertEquals(3, log.term(5));
        assertEquals(2, log.term(3));
        assertEquals(2, log.payloadLength(5));
        assertEquals(EntryType.NORMAL, log.type(4));
        assertEquals(4, writes.firstIndex());
        assertEquals(2, writes.count());
        assertEquals(EntryType.NORMAL, log.type(3), "the last written entry, read from storage");
        assertEquals(1, log.firstIndex());
        assertFalse(writes.isEmpty());
    }

    @Test
    void anEmptyLogWithQueuedEntriesStartsAtOne()
    {
        final CoreLog empty = new CoreLog(new MemoryRaftLog(), writes);
        assertEquals(1, empty.firstIndex());
        assertEquals(0, empty.lastIndex());
        assertTrue(writes.isEmpty());
        empty.append(1, EntryType.NOOP, 0, 0, new UnsafeBuffer(new byte[0]), 0, 0);
        assertEquals(1, empty.firstIndex());
        assertEquals(1, empty.lastIndex());
        empty.truncateFrom(1);
        assertTrue(writes.isEmpty(), "the queued entry is simply dropped");
        assertEquals(1, empty.firstIndex());
    }

    @Test
    void aTruncationAmongQueuedEntriesOnlyDropsThem()
    {
        append(3, "a");
        append(3, "b");
        log.truncateFrom(5);
        assertEquals(LogWrites.NO_TRUNCATION, writes.truncateFrom(), "storage holds nothing to cut");
        assertEquals(1, writes.count());
        assertEquals(4, log.lastIndex());
    }

    @Test
    void aTruncationBelowTheQueuedEntriesCutsStorageAndDropsThemAll()
    {
        append(3, "a");
        log.truncateFrom(3);
        assertEquals(3, writes.truncateFrom());
        assertEquals(0, writes.count());
        assertFalse(writes.isEmpty(), "a truncation alone is a write");
        assertEquals(2, log.lastIndex());
        append(4, "x");
        log.truncateFrom(2);
        assertEquals(2, writes.truncateFrom(), "the lower cut wins");
        assertEquals(1, log.lastIndex());
        append(5, "y");
        assertEquals(2, writes.firstIndex());
        assertEquals(5, log.term(2));
        assertEquals(1, log.term(1));
    }

    @Test
    void writingCutsThenAppendsInOrderAndForgetsTheWrites()
    {
        append(3, "a");
        log.truncateFrom(3);
        append(4, "b");
        append(4, "c");
        writes.writeTo(storage);
        assertTrue(writes.isEmpty());
        assertArrayEquals(new long[]{1, 1, 4, 4}, RaftFixture.termsOf(storage));
        assertEquals("c", storage.entry(4).payloadText());
        assertEquals(4, log.lastIndex(), "the core's view is unchanged by writing");
    }

    @Test
    void positionsOutsideTheQueueAreRefused()
    {
        append(3, "a");
        assertThrows(IndexOutOfBoundsException.class, () -> writes.term(1));
        assertThrows(IndexOutOfBoundsException.class, () -> writes.payloadLength(-1));
    }

    @Test
    void theQueueGrowsToTheBusiestMomentAndKeepsEveryField()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 200; i++)
        {
            log.append(3, EntryType.SESSION, 7, i, payload, i % 8, 0);
        }
        assertEquals(200, writes.count());
        assertEquals(199, writes.sequence(199));
        assertEquals(7, writes.sessionId(150));
        assertEquals(EntryType.SESSION, writes.type(100));
        assertEquals(3, writes.payloadOffset(67));
        assertEquals(payload, writes.buffer(0));
        assertEquals(203, log.lastIndex());
    }

    @Test
    void aResetToAnInstalledSnapshotReplacesTheWholeLogThenEntriesFollowIt()
    {
        append(3, "dropped");
        log.truncateFrom(3);
        log.reset(10, 4);
        assertEquals(11, log.firstIndex());
        assertEquals(10, log.lastIndex());
        assertEquals(4, log.term(10), "the snapshot's entry is known by its term");
        assertEquals(10, writes.resetIndex());
        assertEquals(LogWrites.NO_TRUNCATION, writes.truncateFrom(), "a reset is no truncation");
        assertEquals(0, writes.count(), "queued entries went with it");
        append(4, "after");
        append(5, "more");
        log.truncateFrom(12);
        assertEquals(11, log.lastIndex(), "a truncation after a reset only drops queued entries");
        assertEquals(10, writes.resetIndex());
        assertFalse(writes.isEmpty());

        writes.writeTo(storage);
        assertTrue(writes.isEmpty());
        assertEquals(11, storage.firstIndex());
        assertEquals(11, storage.lastIndex());
        assertEquals(4, storage.term(10));
        assertEquals("after", storage.entry(11).payloadText());
        assertEquals(11, log.firstIndex(), "the core's view is storage's again");
    }
}
