package io.raftline.benchmarks;

import io.raftline.client.AsyncProducer;
import io.raftline.client.Producer;
import io.raftline.client.ProducerListener;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client's three ways to append, side by side against a 3-node cluster in this JVM ({@link InJvmCluster}):
 * {@code offer}/{@code poll} on the benchmark thread, futures from an {@link AsyncProducer} driven by the client's
 * own thread, and the blocking {@code append} (one entry at a time, so its rate is one over the round trip). Each
 * invocation appends {@link #BATCH} entries of 100 bytes and waits until all are committed; the score is entries
 * per second. {@code -prof gc} shows what each way allocates per entry (every thread of the JVM counts, the nodes'
 * too, so the offer path's figure is the floor the others add to).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ClientApiBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@State(Scope.Thread)
public class ClientApiBenchmark extends RaftlineFork
{
    static final int BATCH = 1_000;
    private static final int PAYLOAD_BYTES = 100;

    @Param({"offer", "future", "blocking"})
    public String api;

    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
    private final byte[] payloadBytes = new byte[PAYLOAD_BYTES];
    // as the bench client and the nodes: no spinning on a 2-core machine where the nodes need the cores
    private final IdleStrategy idle = new BackoffIdleStrategy(0, 8, 1_000, 100_000);
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Producer.Committed>[] futures = new CompletableFuture[BATCH];
    private InJvmCluster cluster;
    private RaftlineClient client;
    private Producer producer;
    private AsyncProducer asyncProducer;
    private long acknowledged;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        cluster = new InJvmCluster("client-api");
        final RaftlineClient.Context context = new RaftlineClient.Context().clusterId(cluster.config().clusterId())
            .credentials(cluster.config().clientCredentialsFile()); // the cluster is authenticated, as by default
        for (final ClusterConfig.Member member : cluster.config().members().values())
        {
            context.endpoint(member.id(), member.endpoint());
        }
        if (api.equals("future"))
        {
            context.clientThread();
        }
        client = RaftlineClient.connect(context);
        if (api.equals("future"))
        {
            asyncProducer = client.asyncProducer("jmh", 1_024);
        }
        else
        {
            producer = client.producer("jmh", 1_024, new ProducerListener()
            {
                @Override
                public void onCommitted(final long sequence, final long index, final long term)
                {
                    acknowledged = sequence;
                }

                @Override
                public void onFailed(final long sequence, final boolean maybeCommitted, final Failure failure)
                {
                    throw new IllegalStateException("entry " + sequence + " failed: " + failure);
                }
            });
        }
        for (int i = 0; i < PAYLOAD_BYTES; i++)
        {
            payload.putByte(i, (byte)('a' + i % 26));
            payloadBytes[i] = (byte)('a' + i % 26);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        CloseHelper.quietClose(client);
        CloseHelper.quietClose(cluster);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long append()
    {
        return switch (api)
        {
            case "offer" -> offerAndPoll();
            case "future" -> futures();
            default -> blocking();
        };
    }

    private long offerAndPoll()
    {
        long last = 0;
        for (int i = 0; i < BATCH; i++)
        {
            // offered back to back, sent in as few frames as fit by the next poll: as the client thread does
            while ((last = producer.offer(payload, 0, PAYLOAD_BYTES)) == Producer.BACK_PRESSURED)
            {
                idle.idle(producer.poll());
            }
        }
        while (acknowledged < last)
        {
            idle.idle(producer.poll());
        }
        return last;
    }

    private long futures()
    {
        for (int i = 0; i < BATCH; i++)
        {
            futures[i] = asyncProducer.append(payloadBytes);
        }
        return futures[BATCH - 1].join().index();
    }

    private long blocking()
    {
        long index = 0;
        for (int i = 0; i < BATCH; i++)
        {
            index = producer.append(payload, 0, PAYLOAD_BYTES).index();
        }
        return index;
    }
}
