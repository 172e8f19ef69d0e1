package io.raftline.benchmarks;

import io.raftline.core.EntryBatch;
import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.io.transport.codec.RaftMessageDecoder;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The peer wire codec: encode then decode (with full validation) of a heartbeat, an append response and an
 * AppendEntries of 16 entries of 100 B copied from a direct "log" buffer, as {@code PeerPublisher} and
 * {@code InboundAdapter} do. Must allocate nothing: run with {@code -prof gc} and read gc.alloc.rate.norm.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar CodecBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class CodecBenchmark extends RaftlineFork
{
    private static final int ENTRIES = 16;
    private static final int PAYLOAD_BYTES = 100;
    private static final long CLUSTER = FrameHeader.clusterHash("bench");

    private final RaftMessageEncoder encoder = new RaftMessageEncoder(1);
    private final RaftMessageDecoder decoder = new RaftMessageDecoder();
    private final RaftMessage heartbeat = new RaftMessage();
    private final RaftMessage appendResponse = new RaftMessage();
    private final RaftMessage append = new RaftMessage();
    private final RaftMessage received = new RaftMessage();
    /** Stands for an Aeron term buffer: direct and 64-byte aligned. */
    private final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024, 64));
    /** A received AppendEntries, encoded once, for the decode-only benchmark. */
    private final UnsafeBuffer receivedAppend = new UnsafeBuffer(BufferUtil.allocateDirectAligned(64 * 1024, 64));
    /** Stands for the mapped log the entries are copied from. */
    private final UnsafeBuffer log = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ENTRIES * PAYLOAD_BYTES, 64));
    private int appendLength;

    @Setup
    public void setup()
    {
        fill(heartbeat, MessageType.HEARTBEAT);
        heartbeat.commitIndex = 1_000_000;
        heartbeat.context = 42;

        fill(appendResponse, MessageType.APPEND_RESPONSE);
        appendResponse.index = 1_000_016;

        fill(append, MessageType.APPEND);
        append.index = 1_000_000;
        append.logTerm = 7;
        append.commitIndex = 999_990;
        append.entryCount = ENTRIES;
        for (int i = 0; i < log.capacity(); i++)
        {
            log.putByte(i, (byte)i);
        }
        appendLength = RaftMessageEncoder.appendFrameLength(ENTRIES, (long)ENTRIES * PAYLOAD_BYTES);
        if (encodeAppend() != appendLength)
        {
            throw new IllegalStateException("append frame length");
        }
        receivedAppend.putBytes(0, frame, 0, appendLength);
        if (heartbeat() != DecodeResult.OK || appendResponse() != DecodeResult.OK || append16x100() < 0 ||
            appendDecode() < 0 || received.entries.count() != ENTRIES)
        {
            throw new IllegalStateException("codec does not round-trip");
        }
    }

    @Benchmark
    public int heartbeat()
    {
        final int length = encoder.encode(heartbeat, CLUSTER, frame, 0);
        return decoder.decode(frame, 0, length, CLUSTER, received);
    }

    @Benchmark
    public int appendResponse()
    {
        final int length = encoder.encode(appendResponse, CLUSTER, frame, 0);
        return decoder.decode(frame, 0, length, CLUSTER, received);
    }

    /** Encode 16 × 100 B entries from the log, decode, and read every entry in order as the core does. */
    @Benchmark
    public long append16x100()
    {
        final int length = encodeAppend();
        if (decoder.decode(frame, 0, length, CLUSTER, received) != DecodeResult.OK)
        {
            return -1;
        }
        return readEntries(received.entries);
    }

    @Benchmark
    public int appendEncode()
    {
        return encodeAppend();
    }

    @Benchmark
    public long appendDecode()
    {
        if (decoder.decode(receivedAppend, 0, appendLength, CLUSTER, received) != DecodeResult.OK)
        {
            return -1;
        }
        return readEntries(received.entries);
    }

    private int encodeAppend()
    {
        int position = encoder.encodeAppendHeader(append, CLUSTER, frame, 0);
        for (int i = 0; i < ENTRIES; i++)
        {
            position = encoder.encodeEntry(frame, position, 7, EntryType.NORMAL, 5, 100 + i,
                log, i * PAYLOAD_BYTES, PAYLOAD_BYTES);
        }
        encoder.finishAppend(frame, 0, position, ENTRIES);
        return position;
    }

    private static long readEntries(final EntryBatch entries)
    {
        long sum = 0;
        for (int p = 0, count = entries.count(); p < count; p++)
        {
            sum += entries.term(p) + entries.type(p) + entries.sequence(p) + entries.payloadOffset(p) +
                entries.payloadLength(p);
        }
        return sum;
    }

    private static void fill(final RaftMessage message, final MessageType type)
    {
        message.type = type;
        message.from = 1;
        message.to = 2;
        message.term = 7;
    }
}
