package io.raftline.benchmarks;

import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Propose to committed, one entry at a time: a 3-node cluster in this JVM (each node its own agent thread and
 * embedded Aeron driver, on loopback ports, logs in temporary folders on the local disk, page-cache durability)
 * and a {@link Producer} with a window of one on the benchmark thread. Each operation offers a 100-byte entry and
 * polls until the leader acknowledges it as committed: two UDP hops to the leader and back plus a replication
 * round trip. {@code -prof gc} counts what every thread of the JVM allocates (the nodes' too) per entry.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ClusterRoundTripBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class ClusterRoundTripBenchmark extends RaftlineFork implements ProducerListener
{
    private static final int PAYLOAD_BYTES = 100;
    private static final long OPEN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    private final UnsafeBuffer payload = new UnsafeBuffer(BufferUtil.allocateDirectAligned(128, 64));
    // as the bench client and the nodes: no spinning on a 2-core machine where the nodes need the cores
    private final IdleStrategy idle = new BackoffIdleStrategy(0, 8, 1_000, 100_000);
    private InJvmCluster cluster;
    private Producer producer;
    private long committedSequence;
    private long committedIndex;
    private String failure;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        cluster = new InJvmCluster("round-trip");
        try
        {
            producer = Producer.open(cluster.config(), null, "jmh", 1, this, OPEN_TIMEOUT_NS);
        }
        catch (final RuntimeException ex)
        {
            tearDown();
            throw ex;
        }
        for (int i = 0; i < PAYLOAD_BYTES; i++)
        {
            payload.putByte(i, (byte)('a' + i % 26));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietClose(producer);
        CloseHelper.quietClose(cluster);
    }

    @Benchmark
    public long proposeToCommitted()
    {
        long sequence;
        while ((sequence = producer.offer(payload, 0, PAYLOAD_BYTES)) == Producer.BACK_PRESSURED)
        {
            idle.idle(producer.poll());
        }
        idle.reset();
        while (committedSequence != sequence)
        {
            if (failure != null)
            {
                throw new IllegalStateException("entry " + sequence + " failed: " + failure);
            }
            idle.idle(producer.poll());
        }
        return committedIndex;
    }

    @Override
    public void onCommitted(final long sequence, final long index, final long term)
    {
        committedSequence = sequence;
        committedIndex = index;
    }

    @Override
    public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
    {
        failure = reason.message();
    }
}
