package io.raftline.client;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryWindowTest
{
    private static UnsafeBuffer entry(final long sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        final byte[] name = ("e" + sequence + ".").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = name[i % name.length];
        }
        return new UnsafeBuffer(bytes);
    }

    private static void assertHolds(final EntryWindow window, final long sequence, final int length)
    {
        final UnsafeBuffer expected = entry(sequence, length);
        assertEquals(length, window.length(sequence));
        for (int i = 0; i < length; i++)
        {
            assertEquals(expected.getByte(i), window.buffer().getByte(window.offset(sequence) + i),
                "entry " + sequence + " byte " + i);
        }
    }

    @Test
    void theRingGrowsWithTheBytesInFlightAndKeepsEveryEntryIntact()
    {
        final EntryWindow window = new EntryWindow(16, 64, 1024);
        assertEquals(64, window.capacity(), "starts small");
        for (long sequence = 1; sequence <= 10; sequence++)
        {
            assertTrue(window.add(entry(sequence, 40), 0, 40), "entry " + sequence);
        }
        assertEquals(512, window.capacity(), "doubled as the bytes in flight needed: 64, 128, 256, 512");
        for (long sequence = 1; sequence <= 10; sequence++)
        {
            assertHolds(window, sequence, 40);
        }
        window.removeUpTo(6); // the ring wraps from here on
        for (long sequence = 11; sequence <= 16; sequence++)
        {
            assertTrue(window.add(entry(sequence, 40), 0, 40), "entry " + sequence);
        }
        for (long sequence = 7; sequence <= 16; sequence++)
        {
            assertHolds(window, sequence, 40);
        }
    }

    @Test
    void backPressureOnlyWhenTheLargestRingOrEverySlotIsFull()
    {
        final EntryWindow bytesBound = new EntryWindow(64, 64, 256);
        int added = 0;
        while (bytesBound.add(entry(added + 1, 60), 0, 60))
        {
            added++;
        }
        assertEquals(4, added, "256 bytes hold four 64-byte slots");
        assertEquals(256, bytesBound.capacity());

        final EntryWindow slotBound = new EntryWindow(3, 64, 1 << 20);
        assertTrue(slotBound.add(entry(1, 8), 0, 8));
        assertTrue(slotBound.add(entry(2, 8), 0, 8));
        assertTrue(slotBound.add(entry(3, 8), 0, 8));
        assertFalse(slotBound.add(entry(4, 8), 0, 8), "three entries at most");
        assertEquals(64, slotBound.capacity(), "no growth for a full window of entries");
    }

    @Test
    void removingUpToASequenceDropsExactlyTheEntriesAtOrBelowItThatAreHeld()
    {
        final EntryWindow window = new EntryWindow(16, 64, 1024);
        for (long sequence = 1; sequence <= 5; sequence++)
        {
            assertTrue(window.add(entry(sequence, 10), 0, 10));
        }
        window.removeUpTo(0);
        assertEquals(1, window.firstSequence(), "nothing at or below 0");
        window.removeUpTo(3);
        assertEquals(4, window.firstSequence());
        assertEquals(2, window.size());
        assertHolds(window, 4, 10);
        window.removeUpTo(2);
        assertEquals(4, window.firstSequence(), "an older acknowledgement changes nothing");
        window.removeUpTo(Long.MAX_VALUE);
        assertEquals(6, window.firstSequence(), "never past the next sequence");
        assertEquals(0, window.size());
        assertTrue(window.add(entry(6, 10), 0, 10));
        assertHolds(window, 6, 10);
    }
}
