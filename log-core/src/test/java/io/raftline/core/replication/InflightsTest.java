package io.raftline.core.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InflightsTest
{
    @Test
    void limitsMustBePositive()
    {
        assertThrows(IllegalArgumentException.class, () -> new Inflights(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Inflights(1, 0));
        final Inflights smallest = new Inflights(1, 1);
        assertFalse(smallest.isFull());
    }

    @Test
    void theWindowIsBoundedInMessages()
    {
        final Inflights inflights = new Inflights(3, 1_000);
        inflights.add(1, 10);
        inflights.add(2, 10);
        assertFalse(inflights.isFull());
        inflights.add(3, 10);
        assertTrue(inflights.isFull());
        assertEquals(3, inflights.count());
        assertEquals(30, inflights.bytes());
        assertThrows(IllegalStateException.class, () -> inflights.add(4, 10));
    }

    @Test
    void theWindowIsBoundedInBytesAllowingOneMessageOver()
    {
        final Inflights inflights = new Inflights(10, 100);
        inflights.add(1, 99);
        assertFalse(inflights.isFull());
        inflights.add(2, 1);
        assertTrue(inflights.isFull(), "exactly at the limit");
        inflights.freeTo(1);
        assertFalse(inflights.isFull());
        inflights.add(3, 500);
        assertTrue(inflights.isFull());
        assertEquals(501, inflights.bytes());
    }

    @Test
    void freeingReleasesEveryMessageUpToTheIndexAcrossTheRingsEnd()
    {
        final Inflights inflights = new Inflights(3, 1_000);
        inflights.add(2, 1);
        inflights.add(4, 2);
        inflights.add(6, 4);
        inflights.freeTo(4);
        assertEquals(1, inflights.count());
        assertEquals(4, inflights.bytes());
        inflights.add(8, 8);
        inflights.add(10, 16);     // wraps to the start of the ring
        assertTrue(inflights.isFull());
        inflights.freeTo(7);
        assertEquals(2, inflights.count());
        assertEquals(24, inflights.bytes());
        inflights.freeTo(9);
        assertEquals(1, inflights.count());
        assertEquals(16, inflights.bytes());
        inflights.freeTo(100);
        assertEquals(0, inflights.count());
        assertEquals(0, inflights.bytes());
        inflights.freeTo(200);
        assertEquals(0, inflights.count());
    }

    @Test
    void freeFirstForgetsOnlyTheOldest()
    {
        final Inflights inflights = new Inflights(4, 1_000);
        inflights.freeFirst();
        assertEquals(0, inflights.count());
        inflights.add(3, 5);
        inflights.add(5, 7);
        inflights.freeFirst();
        assertEquals(1, inflights.count());
        assertEquals(7, inflights.bytes());
    }

    @Test
    void resetEmptiesTheWindow()
    {
        final Inflights inflights = new Inflights(2, 1_000);
        inflights.add(1, 5);
        inflights.add(2, 5);
        inflights.reset();
        assertEquals(0, inflights.count());
        assertEquals(0, inflights.bytes());
        assertFalse(inflights.isFull());
        inflights.add(7, 1);
        inflights.freeTo(6);
        assertEquals(1, inflights.count(), "the ring starts afresh");
    }
}
