package io.raftline.io.storage;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.bytes.Bytes;
import org.agrona.concurrent.UnsafeBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.NavigableSet;

/**
 * How the log sits on Chronicle Queue: the queue lives in {@code DIR/log}, one Chronicle cycle per segment. Cycles
 * are numbered by the {@link SegmentClock}, not by the date: FAST_DAILY gives 2^32 documents per cycle and names the
 * files by the day the cycle number stands for (cycle 1 is {@code 19700102F.cq4}), good for millions of segments.
 */
final class QueueFiles
{
    static final String QUEUE_DIRECTORY = "log";
    static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;
    static final long BLOCK_SIZE = 16L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(QueueFiles.class);
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    /** How a Chronicle store header begins after its length word: binary wire's field name "header". */
    private static final byte[] STORE_HEADER_START = { (byte)0xB9, 0x06, 'h', 'e', 'a', 'd', 'e', 'r' };
    private static final DateTimeFormatter FILE_DATE =
        DateTimeFormatter.ofPattern(ROLL_CYCLE.format()).withZone(ZoneOffset.UTC);

    private QueueFiles()
    {
    }

    static SingleChronicleQueue openForWriting(final Path queueDir, final SegmentClock clock)
    {
        return SingleChronicleQueueBuilder.binary(queueDir)
            .rollCycle(ROLL_CYCLE)
            .epoch(0)
            .blockSize(BLOCK_SIZE)
            .timeProvider(clock)
            .build();
    }

    /** A reader on a queue that a node may be writing; takes no lock and writes nothing of ours. */
    static SingleChronicleQueue openReadOnly(final Path queueDir)
    {
        return SingleChronicleQueueBuilder.binary(queueDir)
            .rollCycle(ROLL_CYCLE)
            .epoch(0)
            .blockSize(BLOCK_SIZE)
            .readOnly(true)
            .build();
    }

    static String fileName(final int cycle)
    {
        return FILE_DATE.format(Instant.ofEpochMilli(cycle * (long)ROLL_CYCLE.lengthInMillis())) +
            SingleChronicleQueue.SUFFIX;
    }

    static long chronicleIndex(final int cycle, final long sequence)
    {
        return ROLL_CYCLE.toIndex(cycle, sequence);
    }

    /**
     * Whether a cycle file's first Chronicle header (its store header, written when the file is created) is
     * unfinished: the writer died while creating the file. Chronicle waits on such a header forever, and the file
     * holds nothing of the log, so readers skip it and the writer removes it on open. Such a file holds the start of
     * a store header or nothing: a file of other bytes (damage, a stray file) is not unfinished, and no one deletes
     * it.
     */
    static boolean isUnfinished(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer start = ByteBuffer.allocate((int)Math.min(channel.size(), STORE_HEADER_START.length + 4))
                .order(ByteOrder.LITTLE_ENDIAN);
            while (start.hasRemaining() && channel.read(start, start.position()) >= 0)
            {
                // a short read of a file being created leaves zeros: unfinished
            }
            final int word = start.capacity() < 4 ? 0 : start.getInt(0);
            if (word != 0 && (word & NOT_COMPLETE) == 0)
            {
                return false;
            }
            // the store header Chronicle was writing, as far as it got (a kill may stop it after any byte), then
            // zeros: not other bytes that happen to look unfinished
            int i = Math.min(4, start.capacity());
            while (i < start.capacity() && start.get(i) == STORE_HEADER_START[i - 4])
            {
                i++;
            }
            while (i < start.capacity() && start.get(i) == 0)
            {
                i++;
            }
            return i == start.capacity();
        }
        catch (final NoSuchFileException ex)
        {
            return true;
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot read segment file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private static int firstWord(final Path file) throws IOException
    {
        return wordAt(file, 0);
    }

    /** The little-endian int at {@code position} of the file; bytes past its end read as zeros. */
    private static int wordAt(final Path file, final long position) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (word.hasRemaining() && channel.read(word, position + word.position()) >= 0)
            {
                // a shorter file reads as zeros
            }
            return word.getInt(0);
        }
    }

    /**
     * Deletes cycle files left unfinished by a crash, and compacted ones a stop left renamed but not yet deleted;
     * only with the directory lock held (no writer running).
     */
    static void removeUnfinishedFiles(final Path queueDir)
    {
        try (Stream<Path> files = Files.list(queueDir))
        {
            for (final Path file : files.toList())
            {
                if (file.toString().endsWith(SegmentFiles.DELETING_SUFFIX))
                {
                    LOG.info("segment file {} was compacted away before a stop: deleted now", file);
                    Files.delete(file);
                }
                else if (file.toString().endsWith(SingleChronicleQueue.SUFFIX) && isUnfinished(file))
                {
                    LOG.warn("segment file {} was left unfinished by a crash while it was created: removed", file);
                    Files.delete(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot list " + queueDir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Checks that a reader may map segment file {@code cycle}: its Chronicle header reads, and the file is not
     * shorter than the data Chronicle says it wrote (a read past a cut-short mapped file faults). Names the file.
     */
    static void checkReadable(final SingleChronicleQueue queue, final int cycle)
    {
        final Path file = queue.file().toPath().resolve(fileName(cycle));
        SingleChronicleQueueStore store = null;
        try
        {
            final long size = Files.size(file);
            if (firstWord(file) == 0 || (firstWord(file) & NOT_COMPLETE) != 0)
            {
                // Chronicle would wait on such a header before giving up: it is damaged, say so at once
                throw new StorageException("segment file " + file + " is damaged: its header is not complete");
            }
            store = queue.storeForCycle(cycle, 0, false, null);
            if (store == null)
            {
                throw new StorageException("segment file " + file + " cannot be read as a segment");
            }
            // Chronicle's write position is where its last document starts: that document's header gives its end
            final long lastStart = store.writePosition();
            final int lastHeader = lastStart + 4 <= size ? wordAt(file, lastStart) : 0;
            final long written = lastHeader == 0 || (lastHeader & NOT_COMPLETE) != 0 ? lastStart :
                lastStart + 4 + (lastHeader & LENGTH_MASK);
            if (written > size || lastStart + 4 > size)
            {
                throw new StorageException("segment file " + file + " is cut short: " + size + " bytes, but data " +
                    "was written up to byte " + written);
            }
        }
        catch (final StorageException ex)
        {
            throw ex;
        }
        catch (final IOException | RuntimeException | InternalError ex)
        {
            throw new StorageException("segment file " + file + " cannot be read: its header is damaged or the " +
                "file cut short");
        }
        finally
        {
            if (store != null)
            {
                queue.closeStore(store);
            }
        }
    }

    /**
     * {@link #cycles}, after checking that every finished {@code .cq4} file of the folder is one of them: any other is
     * a stray or damaged file, named (never read as part of the log, never deleted). A file that a live writer
     * finished making while the cycles were listed is found by listing them once more.
     */
    static int[] checkedCycles(final SingleChronicleQueue queue)
    {
        final Path queueDir = queue.file().toPath();
        final int[] cycles = cycles(queue);
        if (findStrayFile(queueDir, cycles) == null)
        {
            return cycles;
        }
        final int[] again = cycles(queue);
        final Path stray = findStrayFile(queueDir, again);
        if (stray != null)
        {
            throw new StorageException("segment file " + stray + " is not part of the log: a stray or damaged file");
        }
        return again;
    }

    private static Path findStrayFile(final Path queueDir, final int[] cycles)
    {
        final java.util.Set<String> listed = new java.util.HashSet<>();
        for (final int cycle : cycles)
        {
            listed.add(fileName(cycle));
        }
        try (Stream<Path> files = Files.list(queueDir))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(SingleChronicleQueue.SUFFIX)).toList())
            {
                if (!listed.contains(file.getFileName().toString()) && !isUnfinished(file))
                {
                    return file;
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot list " + queueDir + ": " + ex.getMessage(), ex);
        }
    }

    /** Cycles present on disk and finished, in order (empty array when the queue holds none). */
    static int[] cycles(final SingleChronicleQueue queue)
    {
        queue.refreshDirectoryListing();
        final int first = queue.firstCycle();
        final int last = queue.lastCycle();
        if (first > last)
        {
            return new int[0];
        }
        final NavigableSet<Long> cycles = queue.listCyclesBetween(first, last);
        final int[] result = new int[cycles.size()];
        int i = 0;
        final Path queueDir = queue.file().toPath();
        for (final Long cycle : cycles)
        {
            if (!isUnfinished(queueDir.resolve(fileName(cycle.intValue()))))
            {
                result[i++] = cycle.intValue();
            }
        }
        return java.util.Arrays.copyOf(result, i);
    }

    /** Wraps the document's bytes, in place in the mapped file, into {@code view}. */
    static void wrap(final DocumentContext document, final UnsafeBuffer view)
    {
        final Bytes<?> bytes = document.wire().bytes();
        final long position = bytes.readPosition();
        final int length = (int)bytes.readRemaining();
        view.wrap(bytes.addressForRead(position, length), length);
    }

    /**
     * Reads the header of segment {@code cycle} into {@code header}.
     *
     * @return false when the cycle holds no complete document (a crash while the segment was being created).
     */
    static boolean readSegmentHeader(final ExcerptTailer tailer, final int cycle, final SegmentHeader header)
    {
        if (!tailer.moveToIndex(chronicleIndex(cycle, 0)))
        {
            return false;
        }
        final UnsafeBuffer view = header.view;
        try (DocumentContext document = tailer.readingDocument())
        {
            if (!document.isPresent() || QueueFiles.ROLL_CYCLE.toCycle(document.index()) != cycle)
            {
                return false;
            }
            wrap(document, view);
            final String problem = EntryLayout.checkSegmentHeader(view);
            if (problem != null)
            {
                throw new StorageException("segment file " + fileName(cycle) + " is corrupt: " + problem);
            }
            header.firstIndex = view.getLong(EntryLayout.SEGMENT_FIRST_INDEX_OFFSET);
            header.prevTerm = view.getLong(EntryLayout.SEGMENT_PREV_TERM_OFFSET);
            header.reason = view.getInt(EntryLayout.SEGMENT_REASON_OFFSET);
            return true;
        }
    }

    /** A decoded segment header (reused). */
    static final class SegmentHeader
    {
        final UnsafeBuffer view = new UnsafeBuffer(0, 0);
        long firstIndex;
        long prevTerm;
        int reason;
    }
}
