package io.raftline.benchmarks;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.Quorum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The leader's commit-index calculation ({@link Quorum#committedIndex}, the median of the match indexes) over 3, 5
 * and 7 voters, one follower's matchIndex moving on by 0 to 3 entries before each call, so that the order of the
 * voters keeps changing as acknowledgements arrive. Must allocate nothing: run with {@code -prof gc}.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar QuorumBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class QuorumBenchmark extends RaftlineFork
{
    /** matchIndex by node id, as the leader's Progress table would answer it. */
    static final class MatchIndexes implements Quorum.IndexSource
    {
        final long[] byNodeId;

        MatchIndexes(final int voters)
        {
            byNodeId = new long[voters + 1];
        }

        @Override
        public long indexOf(final int nodeId)
        {
            return byNodeId[nodeId];
        }
    }

    @Param({"3", "5", "7"})
    public int voters;

    private final Quorum quorum = new Quorum();
    private Configuration configuration;
    private MatchIndexes matchIndexes;
    private long step;

    @Setup
    public void setUp()
    {
        final int[] ids = new int[voters];
        for (int i = 0; i < voters; i++)
        {
            ids[i] = i + 1;
        }
        configuration = Configuration.of(ids);
        matchIndexes = new MatchIndexes(voters);
        for (int id = 1; id <= voters; id++)
        {
            matchIndexes.byNodeId[id] = 1_000_000 - 17L * id; // distinct, unsorted by id
        }
    }

    @Benchmark
    public long committedIndex()
    {
        // a cheap scramble of the step picks the follower and how far it moves (0 to 3 entries)
        final long mixed = (++step * 0x9E3779B97F4A7C15L) >>> 32;
        final int nodeId = 1 + (int)(mixed % voters);
        matchIndexes.byNodeId[nodeId] += mixed & 3;
        return quorum.committedIndex(configuration, matchIndexes);
    }
}
