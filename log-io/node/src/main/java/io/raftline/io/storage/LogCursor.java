package io.raftline.io.storage;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A sequential, zero-copy reader of the log for one thread. {@link #seek(long)} places it, each {@link #next()}
 * loads one entry and moves on; the payload is read in place in the mapped segment and stays valid until the next
 * call. It moves its Chronicle tailer only on a jump (a seek, a segment boundary, a truncation or compaction since
 * the last read): sequential reads never pay for Chronicle's random {@code moveToIndex}. A short jump forward passes
 * over the entries in between; a longer one finds the document holding the index by a binary search over the
 * segment's documents (each holds one or more entries), then passes over the entries before it. Every entry
 * returned is checked (length, checksum, index): a corrupt one throws {@link DamagedEntryException} naming the file
 * and index.
 */
public final class LogCursor implements AutoCloseable
{
    private static final long DAMAGED = -2;
    /** A jump forward up to this many entries passes over them rather than search (a search probes ~20 documents). */
    private static final long SKIP_MAX = 4096;

    private final SegmentSource source;
    private final SegmentTable segments;
    private final ExcerptTailer tailer;
    private final EntryScan scan;
    private final UnsafeBuffer probe = new UnsafeBuffer(0, 0);
    private Thread ownerThread;

    private long nextIndex = -1;         // -1 until a successful seek
    private int segment = -1;            // the segment nextIndex is in, valid while segmentsVersion matches
    private int segmentsVersion = -1;
    private long segmentLastIndex;       // the last index of that segment (superseded ones end early)
    private boolean positioned;          // the scan is in that segment, its next entry is scanIndex
    private long scanIndex;
    private long anchorSequence;         // a document of that segment known to start at anchorIndex
    private long anchorIndex;
    private long segmentFirstIndex;

    private long index;
    private long term;
    private int type;
    private long sessionId;
    private long sequence;
    private int payloadLength;

    LogCursor(final SegmentSource source)
    {
        this.source = source;
        this.segments = source.segments();
        this.tailer = source.queue().createTailer();
        this.scan = new EntryScan(tailer);
        this.ownerThread = Thread.currentThread();
    }

    /** Places the cursor so that the next {@link #next()} loads {@code index}; false when it is not held. */
    public boolean seek(final long index)
    {
        if (index < source.firstIndex() || index > source.lastIndex())
        {
            return false;
        }
        // where the scan goes is settled by the next read: a seek to where the cursor already is costs nothing (a
        // reader that always seeks, a follower's AppendEntries, reads sequentially), a short one forward passes over
        // the entries in between, and only a longer jump searches for the document
        nextIndex = index;
        return true;
    }

    /** Loads the entry at the current position and moves on; false past the last index (or before a seek). */
    public boolean next()
    {
        claimTailer();
        final long nextIndex = this.nextIndex;
        if (nextIndex < source.firstIndex() || nextIndex > source.lastIndex())
        {
            return false;
        }
        if (segmentsVersion != segments.version() || nextIndex > segmentLastIndex || nextIndex < segmentFirstIndex)
        {
            locate();
        }
        if (!positioned || nextIndex < scanIndex || nextIndex - scanIndex > SKIP_MAX)
        {
            position();
        }
        while (scanIndex < nextIndex)
        {
            skipOne(); // what is passed over is not returned: its length and magic are enough
        }
        final boolean newDocument = scan.atDocumentEnd();
        if (newDocument)
        {
            source.makeReadable(nextIndex);
        }
        if (!scan.next(nextIndex))
        {
            throw damaged(nextIndex, scan.problem() != null ? scan.problem() : "entry missing");
        }
        if (newDocument)
        {
            anchor(nextIndex);
        }
        final UnsafeBuffer entry = scan.entry();
        index = nextIndex;
        term = entry.getLong(EntryLayout.TERM_OFFSET);
        type = entry.getInt(EntryLayout.TYPE_OFFSET);
        sessionId = entry.getLong(EntryLayout.SESSION_ID_OFFSET);
        sequence = entry.getLong(EntryLayout.SEQUENCE_OFFSET);
        payloadLength = entry.getInt(EntryLayout.PAYLOAD_LENGTH_OFFSET);
        this.nextIndex = nextIndex + 1;
        scanIndex = nextIndex + 1;
        return true;
    }

    public long index()
    {
        return index;
    }

    public long term()
    {
        return term;
    }

    public int type()
    {
        return type;
    }

    public long sessionId()
    {
        return sessionId;
    }

    public long sequence()
    {
        return sequence;
    }

    /** The buffer holding the payload, in place in the mapped file; valid until the next call on this cursor. */
    public DirectBuffer buffer()
    {
        return scan.entry();
    }

    public int payloadOffset()
    {
        return EntryLayout.HEADER_LENGTH;
    }

    public int payloadLength()
    {
        return payloadLength;
    }

    @Override
    public void close()
    {
        claimTailer();
        tailer.close();
    }

    private void locate()
    {
        segment = segments.find(nextIndex);
        if (segment < 0)
        {
            throw new IllegalStateException("no segment holds index " + nextIndex);
        }
        segmentFirstIndex = segments.firstIndex(segment);
        segmentLastIndex = segments.lastIndex(segment, Long.MAX_VALUE);
        segmentsVersion = segments.version();
        positioned = false;
    }

    private void skipOne()
    {
        final boolean newDocument = scan.atDocumentEnd();
        if (newDocument)
        {
            source.makeReadable(scanIndex);
        }
        if (!scan.skip())
        {
            throw damaged(scanIndex, scan.problem() != null ? scan.problem() : "entry missing");
        }
        if (newDocument)
        {
            anchor(scanIndex);
        }
        scanIndex++;
    }

    /** Records that the scan's document starts at {@code firstIndex}: where {@link #damaged} walks from. */
    private void anchor(final long firstIndex)
    {
        anchorSequence = scan.documentSequence();
        anchorIndex = firstIndex;
    }

    /**
     * Damage met at {@code index}: entries passed over on the way were not checked, and a damaged length among them
     * can make a sound entry look wrong, so the walk from the last document known to start where the cursor thinks
     * is checked entry by entry, naming the first damaged entry.
     */
    private DamagedEntryException damaged(final long index, final String problem)
    {
        if (scan.moveTo(segments.cycle(segment), anchorSequence))
        {
            for (long checked = anchorIndex; checked < index; checked++)
            {
                if (!scan.next(checked))
                {
                    return corrupt(checked, scan.problem() != null ? scan.problem() : "entry missing");
                }
            }
        }
        return corrupt(index, problem);
    }

    /**
     * Places the scan at the start of nextIndex's document: the last whose first entry is at or below it, found by a
     * binary search over Chronicle sequences. Each document holds at least one entry, so it is at most sequence
     * {@code 1 + nextIndex - first}: probed first, it finds the entry at once in a log of one entry per document.
     * A damaged document met on the way ends the search at the last sound one below (the walk from there finds it).
     */
    private void position()
    {
        source.makeReadable(nextIndex);
        final int cycle = segments.cycle(segment);
        final long first = segments.firstIndex(segment);
        long low = 1;
        long high = 1 + nextIndex - first;
        long found = 0;
        long foundFirst = first;
        long probeAt = high;
        while (low <= high)
        {
            final long documentFirst = firstIndexOf(cycle, probeAt);
            if (documentFirst == DAMAGED)
            {
                break; // which way to go is unknown: walk from the last document known to start at or below
            }
            if (documentFirst < 0 || documentFirst > nextIndex)
            {
                high = probeAt - 1;
            }
            else
            {
                found = probeAt;
                foundFirst = documentFirst;
                if (documentFirst == nextIndex)
                {
                    break;
                }
                low = probeAt + 1;
            }
            probeAt = (low + high) >>> 1;
        }
        if (!scan.moveTo(cycle, Math.max(found, 1)))
        {
            throw corrupt(nextIndex, "entry missing (Chronicle cannot move to document " + Math.max(found, 1) +
                " of its segment)");
        }
        scanIndex = foundFirst;
        anchorSequence = Math.max(found, 1);
        anchorIndex = foundFirst;
        positioned = true;
    }

    /** The index of the first entry of document {@code sequence}: -1 if there is none, DAMAGED if unsound. */
    private long firstIndexOf(final int cycle, final long sequence)
    {
        if (!tailer.moveToIndex(QueueFiles.chronicleIndex(cycle, sequence)))
        {
            return -1;
        }
        try (DocumentContext context = tailer.readingDocument())
        {
            if (!context.isPresent() || QueueFiles.ROLL_CYCLE.toCycle(context.index()) != cycle)
            {
                return -1;
            }
            QueueFiles.wrap(context, probe);
            final int length = EntryLayout.entryLength(probe, 0);
            if (length < 0)
            {
                return DAMAGED;
            }
            final long index = probe.getLong(EntryLayout.INDEX_OFFSET);
            probe.wrap(probe.addressOffset(), length);
            return EntryLayout.checkEntry(probe, index) == null ? index : DAMAGED;
        }
    }

    /** Chronicle tailers check they stay on one thread; a cursor may be built on one thread and used on another. */
    private void claimTailer()
    {
        final Thread current = Thread.currentThread();
        if (current != ownerThread)
        {
            tailer.singleThreadedCheckReset();
            ownerThread = current;
        }
    }

    private DamagedEntryException corrupt(final long index, final String problem)
    {
        positioned = false;
        return new DamagedEntryException("corrupt log: segment file " + source.fileName(segments.cycle(segment)) +
            ", index " + index + ": " + problem, index);
    }
}
