package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import io.raftline.core.EntryType;
import io.raftline.core.RaftLog;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's Raft log on Chronicle Queue, in {@code DIR/log}, with its lock ({@code DIR/raftline.lock}) and Raft's
 * metadata ({@code DIR/raft.meta}).
 * <p>
 * Segments: each Chronicle cycle file is one logical segment, chosen by a {@link SegmentClock} rather than the
 * date. A segment's first document is a header recording its first Raft index; its entries follow densely, several
 * to a document: the entries appended between two reads or {@link #sync()}s share one Chronicle document (up to
 * {@link EntryLayout#DOCUMENT_BYTES_MAX}), so Chronicle's cost per document (its header, index and lock, most of an
 * append of a small entry) is paid once per batch. Entries of an open document are in the mapped file but marked
 * incomplete, so no reader sees them and a crash drops them (none was synced), until the document closes: on
 * {@link #sync()}, a read of one of them, a roll, a truncation and close. A new segment starts when the
 * current one passes {@code segmentBytesMax}, on truncation, and when recovery cuts a torn tail. A later segment
 * supersedes every index at or above its first held by earlier ones; the {@link SegmentTable} of segments in effect
 * is rebuilt on open from the header of each cycle (no full scan).
 * <p>
 * Truncation is crash-atomic: it is the single Chronicle document that heads the new segment, which is either
 * complete (after) or invisible (before); the open document it closes first holds only entries never synced, which
 * a crash in between may leave or drop. Nothing is ever rewritten in place.
 * <p>
 * Recovery: the last segment is scanned and checked entry by entry. The first bad entry above the durable
 * watermark kept in {@code raft.meta} is a torn tail: it and what follows are cut off (a new segment supersedes
 * them) with a WARN. A bad entry at or below the watermark is damage: with {@link OnDamage#CUT} (a node with peers)
 * the log is cut there for a leader to send the rest again, after recording in {@code raft.meta} the repair floor,
 * how far the log reached before (see {@link #cutAtDamage}); with {@link OnDamage#REFUSE}, and for a log ending
 * below the watermark or a hole between segments, it is corruption: a {@link StorageException} naming the file and
 * index. Entries read later are checked as they are read ({@link LogCursor}): a damaged one throws
 * {@link DamagedEntryException}.
 * <p>
 * The watermark is a lower bound of what was durable, written only where it costs nothing extra: with every
 * {@link MetadataStore#store} (forced anyway), when a segment rolls (forced only with fsync durability: with
 * page-cache durability a power loss may lose the rest of the log as well) and on close; it is lowered (forced)
 * before a truncation below it.
 * <p>
 * Single-threaded: one thread appends, truncates and reads through the {@link RaftLog} methods at a time.
 */
public final class ChronicleLog implements RaftLog, AutoCloseable
{
    /** A new segment starts when the current one would pass this many bytes. */
    public static final long SEGMENT_BYTES_DEFAULT = 64L << 20;
    /** Largest payload of one entry. */
    public static final int PAYLOAD_LENGTH_MAX = EntryLayout.PAYLOAD_LENGTH_MAX;

    /** What opening does with a damaged entry at or below the durable watermark. */
    public enum OnDamage
    {
        /** Refuse to open, naming the file and index: nobody could send the entry again. */
        REFUSE,
        /** Cut the log at it, recording the repair floor: a leader sends the rest again. */
        CUT
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChronicleLog.class);
    private static final int RECENT_ENTRIES = 1 << 16;

    private final Path dir;
    private final Path queueDir;
    private final Durability durability;
    private final OnDamage onDamage;
    private final long segmentBytesMax;
    private final DirectoryLock lock;
    private final MetadataStore metadata;
    private final SegmentClock clock;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final SegmentFiles segmentFiles;
    private final SegmentTable segments = new SegmentTable();
    private final TermRuns terms = new TermRuns();
    private final RecentEntries recent = new RecentEntries(RECENT_ENTRIES);
    // an entry's header is put together here and written in one copy: Chronicle checks bounds on every write call
    private final UnsafeBuffer header = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
        EntryLayout.HEADER_LENGTH, 64));
    private final Source source = new Source();
    private final LogCursor lookupCursor;
    private DocumentContext openDocument;  // entries from openDocumentFirstIndex to lastIndex go in it; null if none
    private Bytes<?> openBytes;
    private long openDocumentFirstIndex;
    private int openDocumentBytes;
    private ConfigurationEntries configurationEntries = new ConfigurationEntries();
    private Thread appenderThread;

    private long lastIndex;           // invariant: segments.count() == 0 implies lastIndex == 0
    private long durableIndex;        // invariant: durableIndex <= lastIndex
    private int highestCycle;         // the highest cycle number on disk, used or not
    private boolean segmentOpen;      // the clock's cycle is the last segment and takes appends
    private long segmentBytes;
    private boolean unforced;         // FSYNC: appended since the last force
    private FileChannel segmentChannel;
    private Path segmentFile;
    private ForceObserver forces = ForceObserver.NONE;
    private boolean closed;
    private String forceFailure;      // set for good by a failed force: see forceSegment
    private IOException nextForceFailure;

    private ChronicleLog(
        final Path dir,
        final Durability durability,
        final long segmentBytesMax,
        final OnDamage onDamage,
        final DirectoryLock lock,
        final MetadataStore metadata,
        final SegmentClock clock,
        final SingleChronicleQueue queue)
    {
        this.dir = dir;
        this.queueDir = dir.resolve(QueueFiles.QUEUE_DIRECTORY);
        this.durability = durability;
        this.segmentBytesMax = segmentBytesMax;
        this.onDamage = onDamage;
        this.lock = lock;
        this.metadata = metadata;
        this.clock = clock;
        this.queue = queue;
        this.appender = queue.createAppender();
        this.segmentFiles = new SegmentFiles(queue, dir.getFileName().toString());
        this.appenderThread = Thread.currentThread();
        this.lookupCursor = new LogCursor(source);
    }

    /**
     * Opens (creating if absent) a node's data directory for writing: takes the directory lock (refusing a second
     * opener with a {@link StorageException} naming the holder pid), recovers the tail.
     */
    public static ChronicleLog open(final Path dir, final Durability durability)
    {
        return open(dir, durability, SEGMENT_BYTES_DEFAULT);
    }

    /** As {@link #open(Path, Durability)}, with the size at which a segment rolls. */
    public static ChronicleLog open(final Path dir, final Durability durability, final long segmentBytesMax)
    {
        return open(dir, durability, segmentBytesMax, OnDamage.REFUSE);
    }

    /** As {@link #open(Path, Durability, long)}, saying what to do with a damaged entry (see {@link OnDamage}). */
    public static ChronicleLog open(
        final Path dir, final Durability durability, final long segmentBytesMax, final OnDamage onDamage)
    {
        if (segmentBytesMax < EntryLayout.HEADER_LENGTH + EntryLayout.SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("segmentBytesMax too small: " + segmentBytesMax);
        }
        try
        {
            Files.createDirectories(dir.resolve(QueueFiles.QUEUE_DIRECTORY));
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot create data directory " + dir + ": " + ex.getMessage(), ex);
        }
        final DirectoryLock lock = DirectoryLock.acquire(dir);
        MetadataStore metadata = null;
        SingleChronicleQueue queue = null;
        ChronicleLog log = null;
        try
        {
            metadata = MetadataStore.open(dir);
            QueueFiles.removeUnfinishedFiles(dir.resolve(QueueFiles.QUEUE_DIRECTORY));
            final SegmentClock clock = new SegmentClock(QueueFiles.ROLL_CYCLE.lengthInMillis());
            queue = QueueFiles.openForWriting(dir.resolve(QueueFiles.QUEUE_DIRECTORY), clock);
            log = new ChronicleLog(dir, durability, segmentBytesMax, onDamage, lock, metadata, clock, queue);
            log.recover();
            log.dropWhatAFailedForceMayHaveLost();
            return log;
        }
        catch (final RuntimeException ex)
        {
            if (log != null)
            {
                log.closeResources();
            }
            else
            {
                if (queue != null)
                {
                    queue.close();
                }
                if (metadata != null)
                {
                    metadata.close();
                }
                lock.close();
            }
            if (ex instanceof StorageException)
            {
                throw ex;
            }
            throw new StorageException("cannot open the log in " + dir + ": " + ex, ex);
        }
    }

    public Path directory()
    {
        return dir;
    }

    public Durability durability()
    {
        return durability;
    }

    @Override
    public long firstIndex()
    {
        return segments.count() == 0 ? 1 : segments.firstIndex(0);
    }

    @Override
    public long lastIndex()
    {
        return lastIndex;
    }

    /** The last index made durable by {@link #sync()} (or found on disk at open). */
    public long durableIndex()
    {
        return durableIndex;
    }

    @Override
    public long term(final long index)
    {
        if (index >= terms.knownFrom() && index <= lastIndex)
        {
            return terms.termOf(index);
        }
        if (index == 0)
        {
            return 0;
        }
        final int segment = segments.find(index + 1);
        if (segment >= 0 && segments.firstIndex(segment) == index + 1)
        {
            return segments.prevTerm(segment); // the entry before a segment, recorded in its header
        }
        lookup(index);
        return lookupCursor.term();
    }

    @Override
    public long lastTerm()
    {
        return term(lastIndex);
    }

    @Override
    public int type(final long index)
    {
        if (isRecent(index))
        {
            return recent.type(index);
        }
        lookup(index);
        return lookupCursor.type();
    }

    /**
     * Whether the header of entry {@code index} is held in memory: then {@link #type}, {@link #payloadLength},
     * {@link #recentSessionId} and {@link #recentSequence} answer without reading the file.
     */
    public boolean isRecent(final long index)
    {
        return recent.contains(index) && index <= lastIndex && index >= terms.knownFrom();
    }

    /** The producer session of entry {@code index}; only while {@link #isRecent} says so. */
    public long recentSessionId(final long index)
    {
        return recent.sessionId(index);
    }

    /** The producer sequence of entry {@code index}; only while {@link #isRecent} says so. */
    public long recentSequence(final long index)
    {
        return recent.sequence(index);
    }

    @Override
    public int payloadLength(final long index)
    {
        if (isRecent(index))
        {
            return recent.payloadLength(index);
        }
        lookup(index);
        return lookupCursor.payloadLength();
    }

    @Override
    public void append(
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        checkWritable();
        if (length < 0 || length > PAYLOAD_LENGTH_MAX)
        {
            throw new IllegalArgumentException("payload length " + length + " outside [0, " +
                PAYLOAD_LENGTH_MAX + "]");
        }
        final long index = lastIndex + 1;
        final int documentLength = EntryLayout.HEADER_LENGTH + length;
        if (type == EntryType.CONFIG)
        {
            // recorded before the entry is written: a crash in between leaves a record the log does not hold,
            // which the next open drops, never an entry the record misses
            final byte[] payload = new byte[length];
            buffer.getBytes(offset, payload);
            configurationEntries.add(index, term, payload);
            metadata.storeConfiguration(configurationEntries.encode());
        }
        if (!segmentOpen || (segmentBytes + documentLength > segmentBytesMax && index > lastSegmentFirstIndex()))
        {
            startSegment(index, term(lastIndex), EntryLayout.REASON_NEW);
        }
        if (openDocument != null && openDocumentBytes + documentLength > EntryLayout.DOCUMENT_BYTES_MAX)
        {
            closeDocument();
        }
        if (openDocument == null)
        {
            openDocument(index);
        }
        final Bytes<?> bytes = openBytes;
        final long start = bytes.writePosition();
        final UnsafeBuffer header = this.header;
        header.putInt(EntryLayout.CRC_OFFSET, 0);
        header.putInt(EntryLayout.PAYLOAD_LENGTH_OFFSET, length);
        header.putLong(EntryLayout.INDEX_OFFSET, index);
        header.putLong(EntryLayout.TERM_OFFSET, term);
        header.putLong(EntryLayout.SESSION_ID_OFFSET, sessionId);
        header.putLong(EntryLayout.SEQUENCE_OFFSET, sequence);
        header.putInt(EntryLayout.TYPE_OFFSET, type);
        header.putInt(EntryLayout.MAGIC_OFFSET, EntryLayout.ENTRY_MAGIC);
        bytes.unsafeWrite(header.addressOffset(), EntryLayout.HEADER_LENGTH);
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            bytes.write(array, (int)(buffer.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
        }
        else
        {
            bytes.unsafeWrite(buffer.addressOffset() + offset, length);
        }
        final long address = bytes.addressForRead(start, documentLength);
        bytes.writeInt(start + EntryLayout.CRC_OFFSET, EntryLayout.checksum(address, documentLength));
        openDocumentBytes += documentLength;
        terms.append(index, term);
        recent.put(index, type, length, sessionId, sequence);
        segmentBytes += documentLength;
        unforced = true;
        lastIndex = index;
    }

    @Override
    public void truncateFrom(final long index)
    {
        checkWritable();
        closeDocument();
        if (index > lastIndex)
        {
            return;
        }
        if (index < firstIndex())
        {
            throw new IllegalArgumentException("cannot truncate from " + index + ": the log starts at " +
                firstIndex());
        }
        if (metadata.durableWatermark() >= index)
        {
            // lowered before the new segment exists, or recovery would take the new tail for corruption
            metadata.storeDurableWatermark(index - 1);
        }
        durableIndex = Math.min(durableIndex, index - 1);
        metadata.durableIndexHint(durableIndex);
        final long prevTerm = term(index - 1);
        startSegment(index, prevTerm, EntryLayout.REASON_TRUNCATION);
        terms.truncateFrom(index);
        lastIndex = index - 1;
        if (configurationEntries.truncateFrom(index))
        {
            metadata.storeConfiguration(configurationEntries.encode()); // after the cut: see append
        }
    }

    /**
     * The log starts again after an installed snapshot at {@code index} of {@code term}: one segment header that
     * supersedes every earlier segment (so the switch is crash-atomic), durable when this returns; the superseded
     * segment files are deleted after.
     */
    @Override
    public void reset(final long index, final long term)
    {
        checkWritable();
        closeDocument();
        if (metadata.durableWatermark() > index)
        {
            metadata.storeDurableWatermark(index); // lowered first: the old log may reach past the snapshot
        }
        startSegment(index + 1, term, EntryLayout.REASON_SNAPSHOT);
        if (durability != Durability.FSYNC)
        {
            forceSegment(); // the header must outlive a power loss as the snapshot file does: it replaces the log
            MetadataStore.forceDirectory(queueDir);
        }
        terms.reset(index + 1);
        lastIndex = index;
        durableIndex = index;
        unforced = false;
        metadata.durableIndexHint(index);
        metadata.storeDurableWatermark(index);
        configurationEntries = new ConfigurationEntries(); // the snapshot holds the configuration in force
        metadata.storeConfiguration(configurationEntries.encode());
        deleteSegmentsBefore(segments.cycle(0));
    }

    /**
     * Makes everything appended so far durable according to the mode (one force per call in FSYNC, nothing to do in
     * PAGE_CACHE) and returns the durable index (lastIndex).
     */
    public long sync()
    {
        checkWritable();
        closeDocument();
        if (durability == Durability.FSYNC && unforced)
        {
            forceSegment();
        }
        unforced = false;
        durableIndex = lastIndex;
        metadata.durableIndexHint(lastIndex);
        return lastIndex;
    }

    /** Prefix compaction: drops whole segments whose entries are all below index; firstIndex() may stay below index. */
    public void compactBefore(final long index)
    {
        checkOpen();
        int drop = 0;
        while (drop + 1 < segments.count() && segments.firstIndex(drop + 1) <= index)
        {
            drop++;
        }
        if (drop == 0)
        {
            return;
        }
        final int keepCycle = segments.cycle(drop);
        segments.dropFirst(drop);
        terms.forgetBefore(firstIndex());
        deleteSegmentsBefore(keepCycle);
    }

    /** Deletes the segment files of cycles below {@code keepCycle}: none is in effect any more. */
    /**
     * Takes the segment files below {@code keepCycle} out of the log: renamed out of the queue's sight here, unlinked
     * by {@link SegmentFiles} (unlinking a file whose pages are cached takes milliseconds).
     */
    private void deleteSegmentsBefore(final int keepCycle)
    {
        final List<Path> renamed = new ArrayList<>();
        for (final int cycle : QueueFiles.cycles(queue))
        {
            if (cycle < keepCycle)
            {
                final Path file = queueDir.resolve(QueueFiles.fileName(cycle));
                final Path deleting = file.resolveSibling(file.getFileName() + SegmentFiles.DELETING_SUFFIX);
                try
                {
                    Files.move(file, deleting, StandardCopyOption.ATOMIC_MOVE);
                    renamed.add(deleting);
                }
                catch (final NoSuchFileException ignore)
                {
                    // already gone
                }
                catch (final IOException ex)
                {
                    throw new StorageException("cannot delete segment " + file + ": " + ex.getMessage(), ex);
                }
            }
        }
        queue.refreshDirectoryListing();
        if (!renamed.isEmpty())
        {
            segmentFiles.deleteLater(renamed);
        }
    }

    /**
     * The configuration entries this log holds (the newest {@link ConfigurationEntries#KEPT}), oldest first: what
     * a restarting node needs to know the configuration in force.
     */
    public List<ConfigurationEntries.Entry> configurationEntries()
    {
        return configurationEntries.entries();
    }

    /** A sequential, zero-copy reader for this thread. */
    public LogCursor newCursor()
    {
        checkOpen();
        return new LogCursor(source);
    }

    public MetadataStore metadata()
    {
        return metadata;
    }

    /** Makes what was appended durable per the mode, records the watermark and releases the directory. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (forceFailure != null)
            {
                return; // nothing since the last good force may be called durable: the watermark stays
            }
            sync();
            if (durableIndex > metadata.durableWatermark())
            {
                metadata.storeDurableWatermark(durableIndex);
            }
        }
        finally
        {
            closeResources();
        }
    }

    private void closeResources()
    {
        closed = true;
        if (openDocument != null)
        {
            openDocument.rollbackOnClose(); // reached only on failure: nothing in it was called durable
            closeDocument();
        }
        closeSegmentChannel();
        try
        {
            segmentFiles.close();
            if (segmentFiles.madeAhead() > highestCycle)
            {
                removeFileMadeAhead(segmentFiles.madeAhead());
            }
            lookupCursor.close();
            appender.singleThreadedCheckReset();
            appender.close();
            queue.close();
        }
        finally
        {
            metadata.close();
            lock.close();
        }
    }

    private void recover()
    {
        final int[] cycles = QueueFiles.checkedCycles(queue);
        highestCycle = cycles.length == 0 ? 0 : cycles[cycles.length - 1];
        final QueueFiles.SegmentHeader header = new QueueFiles.SegmentHeader();
        final ExcerptTailer tailer = queue.createTailer();
        try
        {
            for (int i = 0; i < cycles.length; i++)
            {
                final int cycle = cycles[i];
                QueueFiles.checkReadable(queue, cycle); // a file it cannot read stops the node, named, never deleted
                if (QueueFiles.readSegmentHeader(tailer, cycle, header))
                {
                    segments.push(cycle, header.firstIndex, header.prevTerm,
                        header.reason == EntryLayout.REASON_SNAPSHOT);
                }
                else if (i + 1 < cycles.length)
                {
                    throw new StorageException("segment file " + queueDir.resolve(QueueFiles.fileName(cycle)) +
                        " is damaged: it holds no segment header, and later segments follow it");
                }
                else
                {
                    // made ahead and never used, or a crash between Chronicle making the file and the header going
                    // in: it holds nothing, and left in place it would sit between segments once the next one is made
                    removeEmptyLastSegment(cycle);
                }
            }
            final EntryScan scan = new EntryScan(tailer);
            checkNoHoles(scan);
            if (segments.count() > 0 && segments.cycle(0) > cycles[0])
            {
                deleteSegmentsBefore(segments.cycle(0)); // superseded by a snapshot's restart, or compacted
            }
            final long watermark = metadata.durableWatermark();
            if (segments.count() == 0)
            {
                if (watermark > 0)
                {
                    throw new StorageException("the log in " + queueDir + " is empty but index " + watermark +
                        " was recorded durable in " + metadata.file());
                }
                lastIndex = 0;
                loadConfigurationEntries();
                clock.cycle(highestCycle);
                return;
            }
            final long badIndex = scanLastSegment(scan, watermark);
            if (lastIndex < metadata.durableWatermark()) // lowered if a damaged entry below it is cut
            {
                throw new StorageException("the log in " + queueDir + " ends at index " + lastIndex +
                    " (segment file " + QueueFiles.fileName(segments.cycle(segments.count() - 1)) +
                    ") but index " + watermark + " was recorded durable in " + metadata.file());
            }
            durableIndex = lastIndex;
            metadata.durableIndexHint(lastIndex);
            loadConfigurationEntries();
            final int lastCycle = segments.cycle(segments.count() - 1);
            clock.cycle(highestCycle);
            if (durability == Durability.FSYNC)
            {
                // what the dead process left in the page cache is durable from now on: forced before it counts,
                // also when a cut tail or an empty file removed above means the next write goes elsewhere
                openSegmentChannel(lastCycle);
                forceSegment();
                closeSegmentChannel();
            }
            if (badIndex > 0)
            {
                startSegment(badIndex, term(badIndex - 1), EntryLayout.REASON_RECOVERY);
            }
            // appends go to a new segment: a writer killed while rolling may have marked the last one finished
            // (Chronicle's end-of-file marker) before the next existed, and nothing more may be written there
        }
        finally
        {
            tailer.close();
        }
    }

    /**
     * A force failed before the last close or crash: the pages it wrote back may be lost on disk yet still read back
     * from the page cache, clean, and a force now would not report it. Nothing above the last good force was ever
     * called durable (acknowledged), so it is dropped; the leader sends it again.
     */
    private void dropWhatAFailedForceMayHaveLost()
    {
        if (!metadata.forceFailed())
        {
            return;
        }
        final long lastDurable = metadata.durableWatermark();
        if (lastIndex > lastDurable)
        {
            LOG.warn("a force of the log in {} failed before it stopped: entries {} to {} were never known to be on " +
                "disk and are dropped", queueDir, lastDurable + 1, lastIndex);
            truncateFrom(lastDurable + 1);
        }
        metadata.clearForceFailed();
    }

    private void removeEmptyLastSegment(final int cycle)
    {
        final Path file = queueDir.resolve(QueueFiles.fileName(cycle));
        LOG.info("segment file {} holds no header (made ahead and not used, or a crash while creating it): removed",
            file);
        try
        {
            Files.delete(file);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot remove the empty segment file " + file + ": " + ex.getMessage(), ex);
        }
        queue.refreshDirectoryListing();
    }

    /** Tidies the directory for readers and the next open, which would remove the file anyway. */
    private void removeFileMadeAhead(final int cycle)
    {
        try
        {
            Files.deleteIfExists(queueDir.resolve(QueueFiles.fileName(cycle)));
            queue.refreshDirectoryListing();
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.info("could not remove the unused segment file {} (the next open removes it): {}",
                QueueFiles.fileName(cycle), ex.toString());
        }
    }

    private void loadConfigurationEntries()
    {
        configurationEntries = ConfigurationEntries.decode(metadata.configuration());
        if (configurationEntries.retainHeld(lastIndex, this::term, firstIndex()))
        {
            metadata.storeConfiguration(configurationEntries.encode());
        }
    }

    /** Each segment must reach the next one's first index, or entries in between were lost. */
    private void checkNoHoles(final EntryScan scan)
    {
        for (int segment = 0; segment + 1 < segments.count(); segment++)
        {
            final int cycle = segments.cycle(segment);
            final long last = scan.lastIndexOf(cycle, segments.firstIndex(segment));
            // -1: its last document is damaged, which a read of it finds and repairs
            if (last >= 0 && last + 1 < segments.firstIndex(segment + 1))
            {
                throw new StorageException("corrupt log: segment file " + QueueFiles.fileName(cycle) + " in " +
                    queueDir + " ends at index " + last + " but the next segment starts at index " +
                    segments.firstIndex(segment + 1) + ": entries in between are missing");
            }
        }
    }

    /**
     * Reads and checks every entry of the last segment, filling the term runs and the recent entries.
     *
     * @return the index of the first bad entry if it is a torn tail to cut off, else 0.
     */
    private long scanLastSegment(final EntryScan scan, final long watermark)
    {
        final int segment = segments.count() - 1;
        final int cycle = segments.cycle(segment);
        final long first = segments.firstIndex(segment);
        terms.reset(first);
        long index = first;
        long bytes = EntryLayout.SEGMENT_HEADER_LENGTH;
        long previousTerm = segments.prevTerm(segment);
        String problem = null;
        boolean pastProblem = false; // a sound entry with a bad term: the scan has passed it
        if (scan.moveTo(cycle, 1))
        {
            while (scan.next(index))
            {
                final UnsafeBuffer entry = scan.entry();
                final long term = entry.getLong(EntryLayout.TERM_OFFSET);
                if (term < previousTerm)
                {
                    problem = "term " + term + " below the previous " + previousTerm;
                    pastProblem = true;
                    break;
                }
                previousTerm = term;
                terms.append(index, term);
                recent.put(index, entry.getInt(EntryLayout.TYPE_OFFSET),
                    entry.getInt(EntryLayout.PAYLOAD_LENGTH_OFFSET), entry.getLong(EntryLayout.SESSION_ID_OFFSET),
                    entry.getLong(EntryLayout.SEQUENCE_OFFSET));
                bytes += entry.capacity();
                index++;
            }
            if (problem == null)
            {
                problem = scan.problem();
            }
        }
        lastIndex = index - 1;
        segmentBytes = bytes;
        if (problem == null)
        {
            return 0;
        }
        final String where = "segment file " + QueueFiles.fileName(cycle) + " in " + queueDir + ", index " + index;
        if (index <= watermark)
        {
            if (onDamage == OnDamage.REFUSE)
            {
                throw new StorageException("corrupt log: " + where + ": " + problem + " (at or below the durable " +
                    "watermark " + watermark + ", and no peer to send it again)");
            }
            raiseRepairFloorPast(scan, index, pastProblem, watermark);
            metadata.storeDurableWatermark(index - 1); // lowered before the cut, as a truncation does
            LOG.error("damaged entry in {}: {}; the log is cut there and a leader sends it and what follows again " +
                "(repair floor {})", where, problem, metadata.repairFloorIndex());
            return index;
        }
        LOG.warn("torn tail in {}: {}; cutting it off, the log now ends at index {}", where, problem, index - 1);
        return index;
    }

    /**
     * Records how far the log reached past the damaged entry at {@code damaged}, where {@code scan} stopped (or just
     * after it, {@code scanPastIt}): the last sound entry after it, with its term, when nothing unreadable follows
     * that; else an upper bound (every entry takes at least a header's bytes) with the current term (no entry has a
     * higher one).
     */
    private void raiseRepairFloorPast(
        final EntryScan scan, final long damaged, final boolean scanPastIt, final long watermark)
    {
        long last = damaged;       // the log reached at least this far
        long lastTerm = 0;         // the term there, when known
        long uncounted = 0;        // bytes after last that may hold entries nobody can count
        try
        {
            if (!scanPastIt)
            {
                final int damagedLength = scan.nextEntryLength();
                if (damagedLength < 0)
                {
                    uncounted = scan.remainingInDocument();
                    scan.nextDocument();
                }
                else
                {
                    // its length is unchecked: unless a sound entry follows, the bytes it claims may hold entries
                    uncounted = damagedLength - EntryLayout.HEADER_LENGTH;
                    scan.skip();
                }
            }
            long expected = damaged + 1;
            do
            {
                if (scan.atDocumentStart())
                {
                    expected = scan.nextEntryIndex(); // after unreadable bytes: the document says where it starts
                }
                while (expected > 0 && !scan.atDocumentEnd() && scan.next(expected))
                {
                    last = expected++;
                    lastTerm = scan.entry().getLong(EntryLayout.TERM_OFFSET);
                    uncounted = 0;
                }
                uncounted += scan.remainingInDocument();
            }
            while (scan.nextDocument());
        }
        catch (final RuntimeException unreadable)
        {
            // Chronicle cannot walk past the damage: how far the log reached is unknown, so any entry of the
            // current term may have been acknowledged
            metadata.raiseRepairFloor(Long.MAX_VALUE, Math.max(1, metadata.currentTerm()));
            return;
        }
        final long reached = last + uncounted / EntryLayout.HEADER_LENGTH;
        final long floorIndex = Math.max(reached, watermark);
        final long floorTerm = floorIndex == last && lastTerm > 0 ? lastTerm : Math.max(1, metadata.currentTerm());
        metadata.raiseRepairFloor(floorIndex, floorTerm);
    }

    /**
     * A damaged entry was found at {@code index} while the node ran (see {@link DamagedEntryException}): records
     * the repair floor, the last entry (index and term) the node may have helped commit, then cuts the log at the
     * entry. Until a leader has sent back what it cut, the node votes only for a log as up to date as the floor
     * (RaftOptions.repairFloor).
     */
    public void cutAtDamage(final long index, final long floorIndex, final long floorTerm)
    {
        checkWritable();
        metadata.raiseRepairFloor(floorIndex, floorTerm);
        truncateFrom(index);
    }

    private void startSegment(final long firstIndex, final long prevTerm, final int reason)
    {
        closeDocument();
        if (segmentOpen && durability == Durability.FSYNC && unforced)
        {
            forceSegment();
        }
        final int cycle = Math.max(clock.cycle(), highestCycle) + 1;
        segmentFiles.await(); // the file of this cycle, made ahead at the last roll
        clock.cycle(cycle);
        claimAppender();
        try (DocumentContext context = appender.writingDocument())
        {
            final Bytes<?> bytes = context.wire().bytes();
            final long start = bytes.writePosition();
            bytes.writeInt(0);
            bytes.writeInt(EntryLayout.SEGMENT_MAGIC);
            bytes.writeLong(firstIndex);
            bytes.writeLong(prevTerm);
            bytes.writeInt(EntryLayout.FORMAT_VERSION);
            bytes.writeInt(reason);
            final long address = bytes.addressForRead(start, EntryLayout.SEGMENT_HEADER_LENGTH);
            bytes.writeInt(start, EntryLayout.checksum(address, EntryLayout.SEGMENT_HEADER_LENGTH));
        }
        if (appender.lastIndexAppended() != QueueFiles.chronicleIndex(cycle, 0))
        {
            throw new StorageException("segment header in " + QueueFiles.fileName(cycle) + " landed at Chronicle " +
                "index " + Long.toHexString(appender.lastIndexAppended()) + ", not at the start of the cycle");
        }
        highestCycle = cycle;
        final boolean rolled = segmentOpen;
        segments.push(cycle, firstIndex, prevTerm, reason == EntryLayout.REASON_SNAPSHOT);
        segmentOpen = true;
        segmentBytes = EntryLayout.SEGMENT_HEADER_LENGTH;
        openSegmentChannel(cycle);
        if (durability == Durability.FSYNC)
        {
            forceSegment();
            MetadataStore.forceDirectory(queueDir);
        }
        if (rolled && reason == EntryLayout.REASON_NEW && durableIndex > metadata.durableWatermark())
        {
            if (durability == Durability.FSYNC)
            {
                metadata.storeDurableWatermark(durableIndex);
            }
            else
            {
                metadata.raiseDurableWatermarkUnforced(durableIndex); // nothing else of the log is forced either
            }
        }
        segmentFiles.makeAhead(cycle + 1);
    }

    private void openDocument(final long firstIndex)
    {
        claimAppender();
        openDocument = appender.writingDocument();
        openBytes = openDocument.wire().bytes();
        openDocumentFirstIndex = firstIndex;
        openDocumentBytes = 0;
    }

    /** Puts the open document's entries in the file (Chronicle's document header marks it complete). */
    private void closeDocument()
    {
        final DocumentContext document = openDocument;
        if (document != null)
        {
            openDocument = null;
            openBytes = null;
            document.close();
        }
    }

    private long lastSegmentFirstIndex()
    {
        return segments.firstIndex(segments.count() - 1);
    }

    private void lookup(final long index)
    {
        if (!lookupCursor.seek(index) || !lookupCursor.next())
        {
            throw new IllegalArgumentException("index " + index + " outside the log [" + firstIndex() + ", " +
                lastIndex + "]");
        }
    }

    private void openSegmentChannel(final int cycle)
    {
        closeSegmentChannel();
        final Path file = queueDir.resolve(QueueFiles.fileName(cycle));
        try
        {
            segmentChannel = FileChannel.open(file, StandardOpenOption.READ);
            segmentFile = file;
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot open segment file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private void forceSegment()
    {
        try
        {
            final IOException injected = nextForceFailure;
            nextForceFailure = null;
            if (injected != null)
            {
                throw injected;
            }
            // fsync on the file also writes back the dirty pages of its mapping (Linux)
            segmentChannel.force(false);
            unforced = false;
            forces.forced(segmentFile);
        }
        catch (final IOException ex)
        {
            // Linux reports a write-back error to one fsync and may clear it: a later force that "succeeds" says
            // nothing of the pages lost, so this log never calls anything durable again (restart recovers)
            forceFailure = "cannot force segment file in " + queueDir + ": " + ex.getMessage();
            try
            {
                metadata.markForceFailed(durableIndex); // so that the next open drops what may be lost
            }
            catch (final StorageException metadataFailed)
            {
                ex.addSuppressed(metadataFailed);
            }
            throw new StorageException(forceFailure, ex);
        }
    }

    /** Tests: {@code observer} hears of every force of a segment or of the metadata from now on. */
    void observeForces(final ForceObserver observer)
    {
        this.forces = observer;
        metadata.observeForces(observer);
    }

    /** Tests: the next force fails with {@code failure}, as a disk's write-back error reaches fsync. */
    void failNextForce(final IOException failure)
    {
        nextForceFailure = failure;
    }

    private void closeSegmentChannel()
    {
        if (segmentChannel != null)
        {
            try
            {
                segmentChannel.close();
            }
            catch (final IOException ignore)
            {
                // read-only handle used for force only
            }
            segmentChannel = null;
        }
    }

    /** Chronicle appenders check they stay on one thread; the log may be opened on one thread and used on another. */
    private void claimAppender()
    {
        final Thread current = Thread.currentThread();
        if (current != appenderThread)
        {
            appender.singleThreadedCheckReset();
            appenderThread = current;
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("log closed: " + dir);
        }
    }

    private void checkWritable()
    {
        checkOpen();
        if (forceFailure != null)
        {
            throw new StorageException(forceFailure + " (earlier): the log takes no more writes; restart the node");
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
            return ChronicleLog.this.firstIndex();
        }

        @Override
        public long lastIndex()
        {
            return lastIndex;
        }

        @Override
        public void makeReadable(final long index)
        {
            if (openDocument != null && index >= openDocumentFirstIndex)
            {
                closeDocument();
            }
        }

        @Override
        public String fileName(final int cycle)
        {
            return queueDir.resolve(QueueFiles.fileName(cycle)).toString();
        }
    }
}
