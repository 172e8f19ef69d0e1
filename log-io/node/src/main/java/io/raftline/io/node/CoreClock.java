package io.raftline.io.node;

import io.raftline.core.RaftNode;
import org.agrona.concurrent.NanoClock;

/**
 * The core's clock: the monotonic clock in whole ticks since the node started. The core measures its read lease on
 * it, so it is set before every duty cycle's input and read again just before an input that may serve a read: a
 * read that waited out a stall is judged by the time it is served, not by the ticks that ran before the stall.
 */
final class CoreClock
{
    private final NanoClock clock;
    private final long tickNs;
    private final long startNs;

    CoreClock(final NanoClock clock, final long tickNs)
    {
        this.clock = clock;
        this.tickNs = tickNs;
        this.startNs = clock.nanoTime();
    }

    long ticks(final long nowNs)
    {
        return Math.max(0, nowNs - startNs) / tickNs;
    }

    /** Sets the core's clock to now, read afresh. */
    void advance(final RaftNode node)
    {
        node.advanceClock(ticks(clock.nanoTime()));
    }
}
