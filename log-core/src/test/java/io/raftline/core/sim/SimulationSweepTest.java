package io.raftline.core.sim;

import org.junit.jupiter.api.Test;

/**
 * The full sweep: 5,000 seeds of 5,000 steps, alternating 3 and 5 nodes, on every core. For a longer one:
 * {@code mvn -pl log-core test -Dtest=SimulationSweepTest -Dsim.sweep.seeds=100000 -Dsim.sweep.steps=5000}.
 */
class SimulationSweepTest
{
    @Test
    void fiveThousandSeedsKeepEveryInvariant()
    {
        SeedSweep.fromProperties(Long.getLong("sim.sweep.seeds", 5_000), Integer.getInteger("sim.sweep.steps", 5_000))
            .run();
    }
}
