package io.raftline.io.storage;

import net.openhft.chronicle.core.time.TimeProvider;

import java.util.concurrent.TimeUnit;

/**
 * The time Chronicle Queue sees: it decides which cycle file an append goes to, so setting it is how the log starts
 * a new logical segment (one segment per cycle) instead of rolling with the wall clock.
 */
public final class SegmentClock implements TimeProvider
{
    private final long cycleLengthMs;
    private volatile int cycle;

    public SegmentClock(final long cycleLengthMs)
    {
        this.cycleLengthMs = cycleLengthMs;
    }

    public int cycle()
    {
        return cycle;
    }

    public void cycle(final int cycle)
    {
        this.cycle = cycle;
    }

    @Override
    public long currentTimeMillis()
    {
        return cycle * cycleLengthMs;
    }

    @Override
    public long currentTimeMicros()
    {
        return TimeUnit.MILLISECONDS.toMicros(currentTimeMillis());
    }

    @Override
    public long currentTimeNanos()
    {
        return TimeUnit.MILLISECONDS.toNanos(currentTimeMillis());
    }
}
