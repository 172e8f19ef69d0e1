package io.raftline.benchmarks;

import io.raftline.protocol.FrameHeader;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What authenticating a frame between nodes costs: signing it where it was encoded (in direct memory, as in an Aeron
 * term buffer) and checking it on arrival, for a heartbeat-sized frame, a batch that fills a 1,408-byte MTU and one
 * that fills loopback's 64 KiB. Must allocate nothing: run with {@code -prof gc} and read gc.alloc.rate.norm.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar AuthenticationBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class AuthenticationBenchmark extends RaftlineFork
{
    @Param({ "120", "1344", "65000" })
    public int frameBytes;

    private final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024 + 64, 64));
    private FrameAuthenticator signer;
    private FrameAuthenticator checker;
    private long clock = TimeUnit.DAYS.toNanos(20_000);

    @Setup
    public void setup() throws java.io.IOException
    {
        final Path dir = Files.createTempDirectory("raftline-jmh-keys");
        final Path key = dir.resolve("cluster.key");
        ClusterKeys.create(key);
        final ClusterKeys keys = ClusterKeys.load(key);
        Files.delete(key);
        Files.delete(dir);
        signer = new FrameAuthenticator(keys, () -> clock);
        checker = new FrameAuthenticator(keys, () -> clock);
        FrameHeader.write(frame, 0, FrameHeader.RAFT_TYPE_MIN, FrameHeader.clusterHash("bench"), 1, frameBytes);
        for (int i = FrameHeader.LENGTH; i < frameBytes; i++)
        {
            frame.putByte(i, (byte)i);
        }
    }

    @Benchmark
    public int sign()
    {
        clock++;
        return signer.sign(frame, 0, frameBytes);
    }

    /** Sign, then check, as the two ends of a link do: checking alone would refuse the repeated stamp. */
    @Benchmark
    public int signAndVerify()
    {
        clock++;
        return checker.verify(frame, 0, signer.sign(frame, 0, frameBytes));
    }
}
