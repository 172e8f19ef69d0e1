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

    /** Seeds beyond the full sweep that once failed, with the steps they failed in. */
    @Test
    void seedsThatOnceFailedKeepEveryInvariant()
    {
        // 48786: plain Raft, a voter whose configuration was older than the leader's and whose term was higher
        // ignored the leader's heartbeats, and its vote requests never reached the leader: no progress after healing
        new Simulator(48786, SeedSweep.nodeCount(48786)).run(5_000);
        new Simulator(3506, SeedSweep.nodeCount(3506)).run(50_000); // the same, in a longer run
        // 94536: a leader removed itself while of the voters left one had lost its disk and one was repairing its
        // log: two of four could vote, and nobody could be elected (now the change is refused: no working majority)
        new Simulator(94536, SeedSweep.nodeCount(94536)).run(5_000);
        // 150859: back on an empty disk, a follower took an older leader's entries; the new leader, which last heard
        // from its old disk, sent a heartbeat whose commit index covered them, and it applied them
        new Simulator(150859, SeedSweep.nodeCount(150859)).run(5_000);
        // 3264: the simulator judged a down machine's repair by its last index alone (2,700 >= its floor 2,677) where
        // the node compares terms first (its last entry's term 66 < the floor's 67), and let the leader lose its disk
        // while that machine could neither campaign nor vote for the only other voter
        new Simulator(3264, SeedSweep.nodeCount(3264)).run(50_000);
        new Simulator(15179, SeedSweep.nodeCount(15179)).run(50_000); // a long catch-up (see deliverEverything)
        new Simulator(353026, SeedSweep.nodeCount(353026)).run(5_000); // a proposal cut while leading (checkLiveness)
        // 868499: a learner promoted as its disk was replaced left voters [2, 3] -> [1, 2] joint, unable to commit or
        // to elect anyone once the leader stepped down (now the leader gives up a joint change of its own term)
        new Simulator(868499, SeedSweep.nodeCount(868499)).run(5_000);
        // 843691: the first version of that gave up a joint change an earlier leader had committed and followed with
        // C_new elsewhere: two leaders of disjoint majorities
        new Simulator(843691, SeedSweep.nodeCount(843691)).run(5_000);
    }
}
