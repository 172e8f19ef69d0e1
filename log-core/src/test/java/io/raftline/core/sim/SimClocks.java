package io.raftline.core.sim;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Real time, for the seeds that serve reads from a lease (thesis §6.4.1): each machine's monotonic clock runs at
 * its own rate, within 15% of real time, and a node ticks as its clock says; now and then a node stalls (a GC pause,
 * SIGSTOP) for one to four election timeouts: its clock goes on, it does not tick, and when it runs again it ticks
 * once, as the node agent does. A lease is safe only while clocks agree within the margin it leaves (half an
 * election timeout, less a tick each side for rounding): 15% keeps inside it.
 */
final class SimClocks
{
    private final boolean real;
    private final double[] rates;
    private final long[] stalledUntil;
    private final long[] ticked;       // each machine's clock at its node's last tick
    private final double stallRate;
    private final int electionTimeoutTicks;
    private final SplittableRandom random;
    private long time;

    private SimClocks(
        final boolean real, final int machines, final double stallRate, final int electionTimeoutTicks,
        final SplittableRandom random)
    {
        this.real = real;
        this.rates = new double[machines + 1];
        this.stalledUntil = new long[machines + 1];
        this.ticked = new long[machines + 1];
        this.stallRate = stallRate;
        this.electionTimeoutTicks = electionTimeoutTicks;
        this.random = random;
        for (int id = 1; id <= machines; id++)
        {
            rates[id] = 0.85 + random.nextDouble() * 0.3;
        }
    }

    /** Real time in some seeds (they read from leases), the nodes' own ticks in the others. */
    static SimClocks draw(final SplittableRandom random, final int machines, final int electionTimeoutTicks)
    {
        return new SimClocks(random.nextDouble() < 0.4, machines, random.nextDouble() * 0.05, electionTimeoutTicks,
            random);
    }

    boolean isReal()
    {
        return real;
    }

    /** Machine {@code id}'s clock, in ticks. */
    long clock(final int id)
    {
        return (long)Math.floor(time * rates[id]);
    }

    /**
     * One unit of real time passes; returns what stalled, if anything did: usually {@code leader}, whose stall is the
     * one a lease must survive, else any machine.
     */
    String advance(final IntPredicate running, final int leader)
    {
        time++;
        if (random.nextDouble() < stallRate)
        {
            final int id = leader != 0 && random.nextDouble() < 0.7 ? leader : 1 + random.nextInt(rates.length - 1);
            if (running.test(id))
            {
                stalledUntil[id] = time + (long)electionTimeoutTicks * (1 + random.nextInt(4));
                return "stall " + id + " until " + stalledUntil[id];
            }
        }
        return null;
    }

    /** Whether node {@code id} stalls now: it takes no input. */
    boolean isStalled(final int id)
    {
        return time < stalledUntil[id];
    }

    /** How many times node {@code id} ticks now: none while it stalls, once after, else as its clock moved. */
    int ticksDue(final int id)
    {
        if (time < stalledUntil[id])
        {
            return 0;
        }
        final long clock = clock(id);
        final long due = clock - ticked[id];
        ticked[id] = clock;
        return due > 2 ? 1 : (int)due;
    }

    void endStall(final int id)
    {
        stalledUntil[id] = 0;
    }

    /** A node (re)started on machine {@code id}: it ticks from its clock on. */
    void started(final int id)
    {
        ticked[id] = clock(id);
        stalledUntil[id] = 0;
    }
}
