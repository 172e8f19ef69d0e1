package io.raftline.io.storage;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A read-only view of a node's data directory for the ops tool: takes no lock and writes nothing, so it is safe on a
 * stopped node and while a node runs (Chronicle readers work across processes). What it shows is the log as of
 * {@link #open(Path)}: entries appended later are not seen. It never repairs anything: a torn tail that the node
 * would cut off on its next start is simply where the log ends here (and {@link #verify()} reports it).
 */
public final class LogInspector implements AutoCloseable
{
    /** One cycle file. */
    public record Segment(String file, int cycle, long firstIndex, long lastIndex, long entries, long fileBytes,
        String state)
    {
        /** In effect: holds entries of the log. */
        public static final String ACTIVE = "active";
        /** Every entry it holds was superseded by a later segment (a truncation). */
        public static final String SUPERSEDED = "superseded";
        /** No complete header: the next segment made ahead, or a crash while one was being created; ignored. */
        public static final String EMPTY = "empty";
    }

    /** The outcome of {@link #verify()}: clean when {@code problem} is null. */
    public record Verification(long entriesChecked, int segmentsChecked, String file, long index, String problem)
    {
        public boolean ok()
        {
            return problem == null;
        }
    }

    private final Path dir;
    private final Path queueDir;
    private final SingleChronicleQueue queue; // null when the directory holds no log yet
    private final MetadataStore metadata;
    private final SegmentTable segments = new SegmentTable();
    private final List<Segment> segmentList = new ArrayList<>();
    private final Source source = new Source();
    private long lastIndex;

    private LogInspector(final Path dir, final SingleChronicleQueue queue, final MetadataStore metadata)
    {
        this.dir = dir;
        this.queueDir = dir.resolve(QueueFiles.QUEUE_DIRECTORY);
        this.queue = queue;
        this.metadata = metadata;
    }

    /** Opens {@code dir} read-only; a {@link StorageException} when it is not a Raftline data directory. */
    public static LogInspector open(final Path dir)
    {
        final Path queueDir = dir.resolve(QueueFiles.QUEUE_DIRECTORY);
        if (!Files.isDirectory(dir))
        {
            throw new StorageException("no such directory: " + dir);
        }
        if (!Files.exists(dir.resolve(MetadataStore.FILE_NAME)) && !Files.isDirectory(queueDir))
        {
            throw new StorageException("not a Raftline data directory (no " + MetadataStore.FILE_NAME + ", no " +
                QueueFiles.QUEUE_DIRECTORY + "/): " + dir);
        }
        final MetadataStore metadata = MetadataStore.read(dir);
        final boolean hasTable = Files.exists(queueDir.resolve("metadata.cq4t"));
        if (!hasTable && hasSegmentFiles(queueDir))
        {
            throw new StorageException("the log in " + queueDir + " has segment files but no metadata.cq4t (a node " +
                "that opens the directory rebuilds it; read-only commands change nothing)");
        }
        final SingleChronicleQueue queue = hasTable ? QueueFiles.openReadOnly(queueDir) : null;
        final LogInspector inspector = new LogInspector(dir, queue, metadata);
        try
        {
            inspector.load();
            return inspector;
        }
        catch (final RuntimeException | InternalError ex)
        {
            inspector.close();
            throw ex instanceof StorageException storage ? storage :
                new StorageException("cannot read the log in " + queueDir + ": a segment file is damaged or cut short",
                    ex);
        }
    }

    private static boolean hasSegmentFiles(final Path queueDir)
    {
        if (!Files.isDirectory(queueDir))
        {
            return false;
        }
        try (java.util.stream.Stream<Path> files = Files.list(queueDir))
        {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".cq4"));
        }
        catch (final java.io.IOException ex)
        {
            throw new StorageException("cannot list " + queueDir + ": " + ex.getMessage(), ex);
        }
    }

    public Path directory()
    {
        return dir;
    }

    public long firstIndex()
    {
        return segments.count() == 0 ? 1 : segments.firstIndex(0);
    }

    public long lastIndex()
    {
        return lastIndex;
    }

    /** Every cycle file in order, with its state. */
    public List<Segment> segments()
    {
        return Collections.unmodifiableList(segmentList);
    }

    /** Term, vote, configuration and durable watermark as last stored. */
    public MetadataStore metadata()
    {
        return metadata;
    }

    /** The pid written in the directory's lock file (the last process that opened it for writing), or null. */
    public String lockHolder()
    {
        final Path file = dir.resolve(DirectoryLock.FILE_NAME);
        return Files.exists(file) ? DirectoryLock.readHolder(file) : null;
    }

    /** The term of the entry before {@link #firstIndex()} (0 for an empty log starting at 1). */
    public long termBeforeFirst()
    {
        return segments.count() == 0 ? 0 : segments.prevTerm(0);
    }

    /** A sequential reader over [firstIndex, lastIndex]; entries are checked as they are read. */
    public LogCursor newCursor()
    {
        if (queue == null)
        {
            return null;
        }
        return new LogCursor(source);
    }

    /**
     * Checks every entry of the log (superseded ones are not part of it): checksum, length, index continuity, known
     * type; terms never decrease, each segment's recorded previous term matches, no index is missing between
     * segments. Stops at the first problem.
     */
    public Verification verify()
    {
        if (queue == null)
        {
            return new Verification(0, 0, null, 0, null);
        }
        final QueueFiles.SegmentHeader header = new QueueFiles.SegmentHeader();
        long checked = 0;
        int segmentsChecked = 0;
        long previousTerm = termBeforeFirst();
        long expectedNext = firstIndex();
        try (ExcerptTailer tailer = queue.createTailer())
        {
            final EntryScan scan = new EntryScan(tailer);
            for (final int cycle : QueueFiles.cycles(queue))
            {
                final String file = queueDir.resolve(QueueFiles.fileName(cycle)).toString();
                try
                {
                    if (!QueueFiles.readSegmentHeader(tailer, cycle, header))
                    {
                        continue;
                    }
                }
                catch (final StorageException ex)
                {
                    return new Verification(checked, segmentsChecked, file, 0, ex.getMessage());
                }
                final int position = positionOf(cycle);
                if (position < 0)
                {
                    continue; // superseded by a truncation or a recovery cut: not part of the log
                }
                segmentsChecked++;
                final long effectiveLast = segments.lastIndex(position, Long.MAX_VALUE);
                if (header.firstIndex != expectedNext)
                {
                    return new Verification(checked, segmentsChecked, file, expectedNext,
                        "index " + expectedNext + " is missing: the segment starts at " + header.firstIndex);
                }
                if (header.prevTerm != previousTerm)
                {
                    return new Verification(checked, segmentsChecked, file, header.firstIndex - 1,
                        "segment header says index " + (header.firstIndex - 1) + " has term " + header.prevTerm +
                        " but the log holds term " + previousTerm);
                }
                long index = header.firstIndex;
                if (scan.moveTo(cycle, 1))
                {
                    while (index <= effectiveLast)
                    {
                        if (!scan.next(index))
                        {
                            if (scan.problem() != null)
                            {
                                return new Verification(checked, segmentsChecked, file, index, scan.problem());
                            }
                            break;
                        }
                        final long term = scan.entry().getLong(EntryLayout.TERM_OFFSET);
                        if (term < previousTerm)
                        {
                            return new Verification(checked, segmentsChecked, file, index,
                                "term " + term + " is below the previous entry's term " + previousTerm);
                        }
                        previousTerm = term;
                        expectedNext = index + 1;
                        checked++;
                        index++;
                    }
                }
            }
        }
        return new Verification(checked, segmentsChecked, null, 0, null);
    }

    @Override
    public void close()
    {
        if (queue != null)
        {
            queue.close();
        }
    }

    private int positionOf(final int cycle)
    {
        for (int i = 0; i < segments.count(); i++)
        {
            if (segments.cycle(i) == cycle)
            {
                return i;
            }
        }
        return -1;
    }

    private void load()
    {
        if (queue == null)
        {
            return;
        }
        final int[] cycles = QueueFiles.checkedCycles(queue);
        final QueueFiles.SegmentHeader header = new QueueFiles.SegmentHeader();
        final long[] firsts = new long[cycles.length];
        final long[] entries = new long[cycles.length];
        try (ExcerptTailer tailer = queue.createTailer())
        {
            final EntryScan scan = new EntryScan(tailer);
            for (int i = 0; i < cycles.length; i++)
            {
                firsts[i] = -1;
                QueueFiles.checkReadable(queue, cycles[i]);
                final boolean headed = readHeader(tailer, cycles[i], header);
                if (!headed && i + 1 < cycles.length)
                {
                    // only the newest file can lack its header (a crash while it was created)
                    throw new StorageException("segment file " + queueDir.resolve(QueueFiles.fileName(cycles[i])) +
                        " is damaged: it holds no segment header, and later segments follow it");
                }
                if (headed)
                {
                    firsts[i] = header.firstIndex;
                    entries[i] = Math.max(0, scan.lastIndexOf(cycles[i], header.firstIndex) -
                        header.firstIndex + 1);
                    segments.push(cycles[i], header.firstIndex, header.prevTerm,
                        header.reason == EntryLayout.REASON_SNAPSHOT);
                }
            }
            if (segments.count() > 0)
            {
                lastIndex = scanTail(scan);
            }
        }
        for (int i = 0; i < cycles.length; i++)
        {
            final int position = firsts[i] < 0 ? -1 : positionOf(cycles[i]);
            final String state = firsts[i] < 0 ? Segment.EMPTY : position < 0 ? Segment.SUPERSEDED : Segment.ACTIVE;
            final long last = position >= 0 ? segments.lastIndex(position, lastIndex) :
                firsts[i] < 0 ? -1 : firsts[i] + entries[i] - 1;
            segmentList.add(new Segment(QueueFiles.fileName(cycles[i]), cycles[i], firsts[i], last,
                Math.max(0, entries[i]), fileBytes(queueDir.resolve(QueueFiles.fileName(cycles[i]))), state));
        }
    }

    /** A segment's header; one that cannot be read is named. */
    private boolean readHeader(final ExcerptTailer tailer, final int cycle, final QueueFiles.SegmentHeader header)
    {
        try
        {
            return QueueFiles.readSegmentHeader(tailer, cycle, header);
        }
        catch (final StorageException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | InternalError ex)
        {
            throw new StorageException("segment file " + queueDir.resolve(QueueFiles.fileName(cycle)) + " is " +
                "damaged: its first document is not a segment header");
        }
    }

    /** The last whole entry of the last segment: where the log ends as a reader sees it. */
    private long scanTail(final EntryScan scan)
    {
        final int segment = segments.count() - 1;
        final int cycle = segments.cycle(segment);
        long index = segments.firstIndex(segment);
        if (scan.moveTo(cycle, 1))
        {
            while (scan.next(index))
            {
                index++;
            }
        }
        return index - 1;
    }

    private static long fileBytes(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    /** The view cursors read through. */
    private final class Source implements SegmentSource
    {
        @Override
        public SingleChronicleQueue queue()
        {
            return queue;
        }

        @Override
        public SegmentTable segments()
        {
            return segments;
        }

        @Override
        public long firstIndex()
        {
            return LogInspector.this.firstIndex();
        }

        @Override
        public long lastIndex()
        {
            return lastIndex;
        }

        @Override
        public void makeReadable(final long index)
        {
            // a reader sees what the writer has closed: nothing to do
        }

        @Override
        public String fileName(final int cycle)
        {
            return queueDir.resolve(QueueFiles.fileName(cycle)).toString();
        }
    }
}
