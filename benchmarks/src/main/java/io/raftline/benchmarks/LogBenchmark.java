package io.raftline.benchmarks;

import io.raftline.core.EntryType;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.Durability;
import io.raftline.io.storage.LogCursor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link ChronicleLog} appends and sequential reads next to raw Chronicle Queue appends and reads of the same
 * payloads (page-cache durability, one thread). The difference is the price of the Raft entry header, the CRC32C
 * and the index bookkeeping. Run: {@code java -jar benchmarks/target/benchmarks.jar LogBenchmark -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// the flags of raftline.jvm.flags in the parent pom: every JVM running Raftline needs them
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "-Ddisable.single.threaded.check=true",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class LogBenchmark
{
    private static final int READ_ENTRIES = 200_000;

    /** A payload of the size under test in a direct buffer, as a received AppendEntries would hold it. */
    @State(Scope.Thread)
    public static class Payload
    {
        @Param({"100", "1024"})
        public int payloadBytes;

        UnsafeBuffer buffer;

        @Setup(Level.Trial)
        public void setUp()
        {
            buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
            for (int i = 0; i < payloadBytes; i++)
            {
                buffer.putByte(i, (byte)('a' + i % 26));
            }
        }
    }

    /** A fresh log to append to; old segments are compacted away between iterations to bound disk use. */
    @State(Scope.Thread)
    public static class LogAppend
    {
        Path dir;
        ChronicleLog log;

        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("log-benchmark");
            log = ChronicleLog.open(dir, Durability.PAGE_CACHE);
        }

        @TearDown(Level.Iteration)
        public void compact()
        {
            log.sync();
            log.compactBefore(log.lastIndex());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            log.close();
            delete(dir);
        }
    }

    /** A raw Chronicle queue to append to (one file; the disk has room for a short run). */
    @State(Scope.Thread)
    public static class QueueAppend
    {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptAppender appender;

        @Setup(Level.Trial)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("queue-benchmark");
            queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
            appender = queue.createAppender();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            appender.close();
            queue.close();
            delete(dir);
        }
    }

    /** A log filled with READ_ENTRIES entries, read round and round by one cursor. */
    @State(Scope.Thread)
    public static class LogRead
    {
        Path dir;
        ChronicleLog log;
        LogCursor cursor;

        @Setup(Level.Trial)
        public void setUp(final Payload payload) throws IOException
        {
            dir = Files.createTempDirectory("log-read-benchmark");
            log = ChronicleLog.open(dir, Durability.PAGE_CACHE);
            for (int i = 0; i < READ_ENTRIES; i++)
            {
                log.append(1, EntryType.NORMAL, 1, i, payload.buffer, 0, payload.payloadBytes);
            }
            cursor = log.newCursor();
            cursor.seek(1);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            cursor.close();
            log.close();
            delete(dir);
        }
    }

    /** A raw queue filled with the same payloads, read round and round by one tailer. */
    @State(Scope.Thread)
    public static class QueueRead
    {
        Path dir;
        SingleChronicleQueue queue;
        ExcerptTailer tailer;

        @Setup(Level.Trial)
        public void setUp(final Payload payload) throws IOException
        {
            dir = Files.createTempDirectory("queue-read-benchmark");
            queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(RollCycles.FAST_DAILY).build();
            try (ExcerptAppender appender = queue.createAppender())
            {
                for (int i = 0; i < READ_ENTRIES; i++)
                {
                    try (DocumentContext context = appender.writingDocument())
                    {
                        context.wire().bytes().unsafeWrite(payload.buffer.addressOffset(), payload.payloadBytes);
                    }
                }
            }
            tailer = queue.createTailer();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            tailer.close();
            queue.close();
            delete(dir);
        }
    }

    @Benchmark
    public long logAppend(final LogAppend state, final Payload payload)
    {
        final ChronicleLog log = state.log;
        log.append(1, EntryType.NORMAL, 1, log.lastIndex(), payload.buffer, 0, payload.payloadBytes);
        return log.lastIndex();
    }

    @Benchmark
    public long chronicleAppend(final QueueAppend state, final Payload payload)
    {
        try (DocumentContext context = state.appender.writingDocument())
        {
            final Bytes<?> bytes = context.wire().bytes();
            bytes.unsafeWrite(payload.buffer.addressOffset(), payload.payloadBytes);
            return bytes.writePosition();
        }
    }

    @Benchmark
    public long logRead(final LogRead state)
    {
        final LogCursor cursor = state.cursor;
        if (!cursor.next())
        {
            cursor.seek(1);
            cursor.next();
        }
        return cursor.term() + cursor.buffer().getLong(cursor.payloadOffset() + cursor.payloadLength() - 8);
    }

    @Benchmark
    public long chronicleRead(final QueueRead state)
    {
        try (DocumentContext context = state.tailer.readingDocument())
        {
            if (!context.isPresent())
            {
                state.tailer.toStart();
                return 0;
            }
            final Bytes<?> bytes = context.wire().bytes();
            return bytes.readLong(bytes.readLimit() - 8);
        }
    }

    static void delete(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
