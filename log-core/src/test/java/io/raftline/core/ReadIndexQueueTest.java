package io.raftline.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ReadIndex}, the leader's queue of pending reads, and {@link ReadStates}, the answers. */
class ReadIndexQueueTest
{
    @Test
    void eachAssignedReadStartsANewRound()
    {
        final ReadIndex reads = new ReadIndex(4);
        assertTrue(reads.isEmpty());
        assertEquals(1, reads.add(10, 1, 5));
        assertEquals(2, reads.add(11, 2, 6));
        assertEquals(2, reads.latestRound());
        assertEquals(2, reads.size());
        assertFalse(reads.isEmpty());
        assertEquals(10, reads.headRequestId());
        assertEquals(1, reads.headRequester());
        assertEquals(5, reads.headIndex());
        assertFalse(reads.isHeadConfirmed(0));
        assertTrue(reads.isHeadConfirmed(1));
        reads.removeHead();
        assertFalse(reads.isHeadConfirmed(1));
        assertTrue(reads.isHeadConfirmed(2));
        assertEquals(11, reads.headRequestId());
        assertEquals(2, reads.headRequester());
        assertEquals(6, reads.headIndex());
    }

    @Test
    void readsWaitingForTheFirstCommitShareOneRound()
    {
        final ReadIndex reads = new ReadIndex(4);
        assertEquals(ReadIndex.UNASSIGNED, reads.assignWaiting(3), "nothing waits");
        assertEquals(0, reads.latestRound());
        assertEquals(ReadIndex.UNASSIGNED, reads.add(1, 1, ReadIndex.UNASSIGNED));
        assertEquals(ReadIndex.UNASSIGNED, reads.add(2, 1, ReadIndex.UNASSIGNED));
        assertFalse(reads.isHeadConfirmed(Long.MAX_VALUE), "an unassigned read is never confirmed");
        assertEquals(1, reads.assignWaiting(7));
        assertEquals(1, reads.latestRound());
        assertTrue(reads.isHeadConfirmed(1));
        assertEquals(7, reads.headIndex());
        reads.removeHead();
        assertEquals(7, reads.headIndex());
        assertTrue(reads.isHeadConfirmed(1));
        assertEquals(ReadIndex.UNASSIGNED, reads.assignWaiting(9), "already assigned");
    }

    @Test
    void theQueueIsABoundedRing()
    {
        final ReadIndex reads = new ReadIndex(2);
        reads.add(1, 1, 1);
        reads.add(2, 1, 1);
        assertTrue(reads.isFull());
        assertThrows(IllegalStateException.class, () -> reads.add(3, 1, 1));
        reads.removeHead();
        assertFalse(reads.isFull());
        reads.add(3, 1, ReadIndex.UNASSIGNED);     // wraps
        assertEquals(2, reads.headRequestId());
        reads.removeHead();
        assertEquals(3, reads.headRequestId());
        assertEquals(3, reads.assignWaiting(4));
        assertEquals(4, reads.headIndex());
        reads.clear();
        assertTrue(reads.isEmpty());
        assertEquals(0, reads.size());
        reads.add(5, 1, 1);
        assertEquals(5, reads.headRequestId());
    }

    @Test
    void readStatesGrowAndCheckTheirBounds()
    {
        final ReadStates states = new ReadStates();
        assertEquals(0, states.size());
        assertThrows(IndexOutOfBoundsException.class, () -> states.requestId(0));
        for (int i = 0; i < 40; i++)
        {
            states.add(100 + i, i == 3 ? ReadStates.FAILED : i);
        }
        assertEquals(40, states.size());
        assertEquals(100, states.requestId(0));
        assertEquals(139, states.requestId(39));
        assertEquals(39, states.index(39));
        assertEquals(ReadStates.FAILED, states.index(3));
        assertThrows(IndexOutOfBoundsException.class, () -> states.index(40));
        states.clear();
        assertEquals(0, states.size());
        assertThrows(IndexOutOfBoundsException.class, () -> states.index(0));
    }

    @Test
    void entryTypes()
    {
        assertFalse(EntryType.isValid(0));
        assertTrue(EntryType.isValid(EntryType.NORMAL));
        assertTrue(EntryType.isValid(EntryType.SESSION));
        assertFalse(EntryType.isValid(5));
        assertEquals("normal", EntryType.name(EntryType.NORMAL));
        assertEquals("noop", EntryType.name(EntryType.NOOP));
        assertEquals("config", EntryType.name(EntryType.CONFIG));
        assertEquals("session", EntryType.name(EntryType.SESSION));
        assertEquals("unknown(9)", EntryType.name(9));
    }
}
