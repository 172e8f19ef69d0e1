package io.raftline.core.sim;

import org.junit.jupiter.api.Test;

/**
 * A short simulation run: a few dozen seeds of 3 and 5 nodes. {@code -Dsim.seed=N} replays one seed (with its node
 * count from the seed's parity), {@code -Dsim.seeds} and {@code -Dsim.steps} change the size. The full sweep is
 * {@link SimulationSweepTest}.
 */
class SimulationTest
{
    @Test
    void shortSweepKeepsEveryInvariant()
    {
        SeedSweep.fromProperties(Long.getLong("sim.seeds", 60), Integer.getInteger("sim.steps", 2_000)).run();
    }
}
