package io.raftline.core.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the simulator over seeds 1..N (or from {@code -Dsim.first}) on every core; each seed is independent and
 * deterministic. Odd seeds run 3 nodes and even seeds 5. With {@code -Dsim.seed=N} only that seed runs, which
 * replays a failure exactly.
 */
final class SeedSweep
{
    private final long firstSeed;
    private final long seedCount;
    private final int steps;

    private SeedSweep(final long firstSeed, final long seedCount, final int steps)
    {
        this.firstSeed = firstSeed;
        this.seedCount = seedCount;
        this.steps = steps;
    }

    static SeedSweep fromProperties(final long defaultSeeds, final int defaultSteps)
    {
        final Long replay = Long.getLong("sim.seed");
        return replay != null ? new SeedSweep(replay, 1, defaultSteps) :
            new SeedSweep(Long.getLong("sim.first", 1), defaultSeeds, defaultSteps);
    }

    static int nodeCount(final long seed)
    {
        return seed % 2 == 1 ? 3 : 5;
    }

    void run()
    {
        final long startNs = System.nanoTime();
        final int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), (int)seedCount));
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        final AtomicLong elections = new AtomicLong();
        final AtomicLong commits = new AtomicLong();
        final AtomicLong applied = new AtomicLong();
        final AtomicLong configurations = new AtomicLong();
        final AtomicLong wipes = new AtomicLong();
        final AtomicLong damages = new AtomicLong();
        final AtomicLong crashes = new AtomicLong();
        final AtomicLong messages = new AtomicLong();
        final AtomicLong snapshots = new AtomicLong();
        final AtomicLong installs = new AtomicLong();
        final AtomicLong stalls = new AtomicLong();
        final AtomicLong clockedReads = new AtomicLong();
        final AtomicLong worstLiveness = new AtomicLong();
        try
        {
            final List<Future<?>> runs = new ArrayList<>();
            for (long seed = firstSeed; seed < firstSeed + seedCount; seed++)
            {
                final long s = seed;
                runs.add(executor.submit(() ->
                {
                    final Simulator.Stats stats = new Simulator(s, nodeCount(s)).run(steps);
                    elections.addAndGet(stats.elections());
                    commits.addAndGet(stats.commits());
                    applied.addAndGet(stats.applied());
                    configurations.addAndGet(stats.configurations());
                    wipes.addAndGet(stats.wipes());
                    damages.addAndGet(stats.damages());
                    crashes.addAndGet(stats.crashes());
                    messages.addAndGet(stats.messages());
                    snapshots.addAndGet(stats.snapshots());
                    installs.addAndGet(stats.installs());
                    stalls.addAndGet(stats.stalls());
                    clockedReads.addAndGet(stats.clockedReads());
                    worstLiveness.accumulateAndGet(stats.livenessTicks(), Math::max);
                }));
            }
            for (final Future<?> run : runs)
            {
                run.get();
            }
        }
        catch (final java.util.concurrent.ExecutionException failure)
        {
            throw failure.getCause() instanceof AssertionError assertion ? assertion :
                new AssertionError(failure.getCause());
        }
        catch (final InterruptedException interrupted)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
        finally
        {
            executor.shutdownNow();
        }
        System.out.printf("simulation: %d seeds x %d steps (seeds %d..%d) in %.1f s: %d elections, %d entries " +
            "committed, %d applied across nodes, %d configurations committed, %d crashes (%d of them disks " +
            "lost, %d on damaged entries that peers repaired), %d snapshots taken, %d installed on laggards, %d messages, %d stalls, %d reads answered in " +
            "seeds with lease reads and clocks; worst recovery after healing %d ticks%n",
            seedCount, steps, firstSeed, firstSeed + seedCount - 1, (System.nanoTime() - startNs) / 1e9,
            elections.get(), commits.get(), applied.get(), configurations.get(), crashes.get(), wipes.get(),
            damages.get(), snapshots.get(), installs.get(), messages.get(), stalls.get(), clockedReads.get(),
            worstLiveness.get());
    }
}
