package io.raftline.io.transport;

import io.aeron.Publication;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransportCountersTest
{
    private final CountersManager manager = new CountersManager(
        new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024]));
    private final AtomicCounter backPressure = manager.newCounter("back-pressure");
    private final AtomicCounter notConnected = manager.newCounter("not connected");
    private final AtomicCounter dropped = manager.newCounter("dropped");
    private final TransportCounters counters = new TransportCounters(manager.newCounter("a"),
        manager.newCounter("b"), manager.newCounter("c"), manager.newCounter("d"), manager.newCounter("e"),
        manager.newCounter("f"), backPressure, notConnected, dropped, manager.newCounter("g"),
        manager.newCounter("h"), manager.newCounter("i"));

    @Test
    void aReplyThatWasNotSentCountsItsReasonAndIsCountedAsDropped()
    {
        counters.onReplyNotSent(Publication.BACK_PRESSURED);
        counters.onReplyNotSent(Publication.ADMIN_ACTION);
        counters.onReplyNotSent(Publication.NOT_CONNECTED);
        counters.onReplyNotSent(Publication.CLOSED);

        assertEquals(2, backPressure.get());
        assertEquals(1, notConnected.get());
        assertEquals(4, dropped.get());
        assertEquals(2, counters.backPressure());
    }
}
