package io.raftline.io.storage;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A sequential, zero-copy reader of the log for one thread. {@link #seek(long)} places it, each {@link #next()}
 * loads one entry and moves on; the payload is read in place in the mapped segment and stays valid until the next
 * call. It moves its Chronicle tailer only on a jump (a seek, a segment boundary, a truncation or compaction since
 * the last read): sequential reads never pay for Chronicle's random {@code moveToIndex}. Every entry read is
 * checked (length, checksum, index): a corrupt one throws {@link DamagedEntryException} naming the file and index.
 */
public final class LogCursor implements AutoCloseable
{
    private final SegmentSource source;
    private final SegmentTable segments;
    private final ExcerptTailer tailer;
    private final UnsafeBuffer document = new UnsafeBuffer(0, 0);
    private Thread ownerThread;

    private long nextIndex = -1;         // -1 until a successful seek
    private int segment = -1;            // the segment nextIndex is in, valid while segmentsVersion matches
    private int segmentsVersion = -1;
    private long segmentLastIndex;       // the last index of that segment (superseded ones end early)
    private long segmentChronicleBase;   // Chronicle index of Raft index i in that segment is this + i
    private boolean tailerPositioned;    // the tailer's next document is nextIndex's

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
        this.ownerThread = Thread.currentThread();
    }

    /** Places the cursor so that the next {@link #next()} loads {@code index}; false when it is not held. */
    public boolean seek(final long index)
    {
        if (index < source.firstIndex() || index > source.lastIndex())
        {
            return false;
        }
        if (index != nextIndex)
        {
            // a jump: move the tailer on the next read; a seek to where the cursor already is costs nothing, so
            // a reader that always seeks (a follower's AppendEntries) reads sequentially
            nextIndex = index;
            segmentsVersion = -1;
            tailerPositioned = false;
        }
        return true;
    }

    /** Loads the entry at the current position and moves on; false past the last index (or before a seek). */
    public boolean next()
    {
        claimTailer();
        if (nextIndex < source.firstIndex() || nextIndex > source.lastIndex())
        {
            return false;
        }
        if (segmentsVersion != segments.version() || nextIndex > segmentLastIndex)
        {
            locate();
        }
        if (!tailerPositioned)
        {
            positionTailer();
        }
        final long nextIndex = this.nextIndex;
        final UnsafeBuffer document = this.document;
        try (DocumentContext context = tailer.readingDocument())
        {
            if (!context.isPresent() || context.index() != segmentChronicleBase + nextIndex)
            {
                throw missing(context);
            }
            QueueFiles.wrap(context, document);
            final String problem = EntryLayout.checkEntry(document, nextIndex);
            if (problem != null)
            {
                throw corrupt(problem);
            }
        }
        index = nextIndex;
        term = document.getLong(EntryLayout.TERM_OFFSET);
        type = document.getInt(EntryLayout.TYPE_OFFSET);
        sessionId = document.getLong(EntryLayout.SESSION_ID_OFFSET);
        sequence = document.getLong(EntryLayout.SEQUENCE_OFFSET);
        payloadLength = document.getInt(EntryLayout.PAYLOAD_LENGTH_OFFSET);
        this.nextIndex = nextIndex + 1;
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
        return document;
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
        segmentLastIndex = segments.lastIndex(segment, Long.MAX_VALUE);
        // chronicleIndex(cycle, 1 + i - first) is cycle << 32 | seq with seq < 2^32, so it is base + i
        segmentChronicleBase = QueueFiles.chronicleIndex(segments.cycle(segment), 0) + 1 -
            segments.firstIndex(segment);
        segmentsVersion = segments.version();
        tailerPositioned = false;
    }

    private void positionTailer()
    {
        final long chronicleIndex = QueueFiles.chronicleIndex(segments.cycle(segment),
            1 + nextIndex - segments.firstIndex(segment));
        if (!tailer.moveToIndex(chronicleIndex))
        {
            throw corrupt("entry missing (Chronicle cannot move to index " + Long.toHexString(chronicleIndex) + ")");
        }
        tailerPositioned = true;
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

    private DamagedEntryException missing(final DocumentContext context)
    {
        return corrupt("entry missing" + (context.isPresent() ?
            " (found Chronicle index " + Long.toHexString(context.index()) + ")" : ""));
    }

    private DamagedEntryException corrupt(final String problem)
    {
        tailerPositioned = false;
        return new DamagedEntryException("corrupt log: segment file " + source.fileName(segments.cycle(segment)) +
            ", index " + nextIndex + ": " + problem, nextIndex);
    }
}
