package io.raftline.benchmarks;

import io.raftline.core.EntryType;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.protocol.config.Durability;
import io.raftline.io.storage.LogCursor;
import io.raftline.io.storage.SegmentClock;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.Jvm;
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
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * {@link ChronicleLog} appends and sequential reads next to raw Chronicle Queue appends and reads of the same
 * payloads (page-cache durability, one thread), like for like:
 * <ul>
 *     <li>append: each invocation writes {@link #APPENDS} entries into a fresh directory (created and deleted
 *     outside the timing), both sides rolling to a new cycle file when a cycle's documents would pass
 *     {@link ChronicleLog#SEGMENT_BYTES_DEFAULT}, with the log's roll cycle, epoch and block size;</li>
 *     <li>read: both sides are filled once per trial with {@link #READ_ENTRIES} entries, rolled the same way, and read
 *     round and round by one tailer (one {@link LogCursor} on the log side).</li>
 * </ul>
 * {@code logAppend} syncs every {@code entriesPerSync} entries: the entries between two syncs share a Chronicle
 * document, so at 1 it pays Chronicle's cost per document for every entry (as a log of one entry per document
 * did) and the ratio log/raw is the price of the Raft entry header, the CRC32C and the index bookkeeping; at 32 it
 * shows what batching saves (a follower syncs once per AppendEntries, a leader once per duty cycle).
 * {@code chronicleReadChecked} is a raw read that also computes the CRC32C of each document: the floor for any
 * reader that validates what it serves. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar LogBenchmark -f 1 -wi 3 -i 5 -prof gc}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LogBenchmark extends RaftlineFork
{
    /** Entries per append invocation: 80 MB of log at 100 B (one roll), 560 MB at 1 KiB (eight rolls). */
    static final int APPENDS = 1 << 19;
    /** Entries each read benchmark reads round and round. */
    static final int READ_ENTRIES = 200_000;
    /** Both sides roll to a new cycle file when the documents of the current one would pass this. */
    static final long SEGMENT_BYTES = ChronicleLog.SEGMENT_BYTES_DEFAULT;

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

    /** A fresh log per invocation. */
    @State(Scope.Thread)
    public static class LogAppend
    {
        @Param({"1", "32"})
        public int entriesPerSync;

        Path dir;
        ChronicleLog log;

        @Setup(Level.Invocation)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("log-append-benchmark");
            log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SEGMENT_BYTES);
        }

        @TearDown(Level.Invocation)
        public void tearDown() throws IOException
        {
            log.close();
            delete(dir);
        }
    }

    /** A fresh raw queue per invocation, rolling like the log. */
    @State(Scope.Thread)
    public static class QueueAppend
    {
        Path dir;
        RawQueue queue;

        @Setup(Level.Invocation)
        public void setUp() throws IOException
        {
            dir = Files.createTempDirectory("queue-append-benchmark");
            queue = new RawQueue(dir);
        }

        @TearDown(Level.Invocation)
        public void tearDown() throws IOException
        {
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
            log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SEGMENT_BYTES);
            for (int i = 0; i < READ_ENTRIES; i++)
            {
                log.append(1, EntryType.NORMAL, 1, i, payload.buffer, 0, payload.payloadBytes);
            }
            log.sync();
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

    /** A raw queue filled with the same payloads, rolled like the log, read round and round by one tailer. */
    @State(Scope.Thread)
    public static class QueueRead
    {
        Path dir;
        RawQueue queue;
        ExcerptTailer tailer;

        @Setup(Level.Trial)
        public void setUp(final Payload payload) throws IOException
        {
            dir = Files.createTempDirectory("queue-read-benchmark");
            queue = new RawQueue(dir);
            for (int i = 0; i < READ_ENTRIES; i++)
            {
                queue.append(payload.buffer, payload.payloadBytes);
            }
            tailer = queue.queue.createTailer();
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
    @OperationsPerInvocation(APPENDS)
    public long logAppend(final LogAppend state, final Payload payload)
    {
        final ChronicleLog log = state.log;
        final UnsafeBuffer buffer = payload.buffer;
        final int length = payload.payloadBytes;
        final int entriesPerSync = state.entriesPerSync;
        for (int i = 0; i < APPENDS; i++)
        {
            log.append(1, EntryType.NORMAL, 1, i, buffer, 0, length);
            if ((i + 1) % entriesPerSync == 0)
            {
                log.sync();
            }
        }
        return log.lastIndex();
    }

    @Benchmark
    @OperationsPerInvocation(APPENDS)
    public long chronicleAppend(final QueueAppend state, final Payload payload)
    {
        final RawQueue queue = state.queue;
        final UnsafeBuffer buffer = payload.buffer;
        final int length = payload.payloadBytes;
        long position = 0;
        for (int i = 0; i < APPENDS; i++)
        {
            position += queue.append(buffer, length);
        }
        return position;
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

    /** A raw read that also computes the CRC32C of the whole document: the floor for a validating reader. */
    @Benchmark
    public long chronicleReadChecked(final QueueRead state)
    {
        try (DocumentContext context = state.tailer.readingDocument())
        {
            if (!context.isPresent())
            {
                state.tailer.toStart();
                return 0;
            }
            final Bytes<?> bytes = context.wire().bytes();
            final long position = bytes.readPosition();
            final int length = (int)bytes.readRemaining();
            final long address = bytes.addressForRead(position, length);
            return crc32c(address, length) + bytes.readLong(bytes.readLimit() - 8);
        }
    }

    /**
     * A raw Chronicle queue configured as the log's ({@code FAST_DAILY}, epoch 0, 16 MiB blocks) that starts a new
     * cycle file when the next document would take the current one past {@link #SEGMENT_BYTES}, as the log does.
     */
    static final class RawQueue implements AutoCloseable
    {
        private final SegmentClock clock = new SegmentClock(RollCycles.FAST_DAILY.lengthInMillis());
        final SingleChronicleQueue queue;
        private final ExcerptAppender appender;
        private long cycleBytes;

        RawQueue(final Path dir)
        {
            clock.cycle(1); // the first file, as the log's
            queue = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(RollCycles.FAST_DAILY)
                .epoch(0)
                .blockSize(16L << 20)
                .timeProvider(clock)
                .build();
            appender = queue.createAppender();
        }

        long append(final UnsafeBuffer buffer, final int length)
        {
            if (cycleBytes + length > SEGMENT_BYTES)
            {
                clock.cycle(clock.cycle() + 1);
                cycleBytes = 0;
            }
            cycleBytes += length;
            try (DocumentContext context = appender.writingDocument())
            {
                final Bytes<?> bytes = context.wire().bytes();
                bytes.unsafeWrite(buffer.addressOffset(), length);
                return bytes.writePosition();
            }
        }

        @Override
        public void close()
        {
            appender.close();
            queue.close();
        }
    }

    private static final MethodHandle UPDATE_DIRECT_BYTE_BUFFER = updateDirectByteBuffer();

    /** The JDK's intrinsic CRC32C over memory, as the log's own Checksums calls it (allocation-free). */
    static int crc32c(final long address, final int length)
    {
        try
        {
            return ~(int)UPDATE_DIRECT_BYTE_BUFFER.invokeExact(-1, address, 0, length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static MethodHandle updateDirectByteBuffer()
    {
        try
        {
            return MethodHandles.lookup().unreflect(Jvm.getMethod(CRC32C.class, "updateDirectByteBuffer",
                int.class, long.class, int.class, int.class));
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
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
