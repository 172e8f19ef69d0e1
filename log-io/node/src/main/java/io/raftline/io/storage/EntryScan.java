package io.raftline.io.storage;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads one segment's entries in order through a Chronicle tailer, document by document (a document holds one or
 * more entries, see {@link EntryLayout}). The entry loaded is read in place in the mapped file: it stays valid
 * until the scan moves on, as Chronicle keeps the mapping while its tailer is at that place.
 */
final class EntryScan
{
    private final ExcerptTailer tailer;
    private final UnsafeBuffer document = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer entry = new UnsafeBuffer(0, 0);
    private int cycle;
    private int offset;          // where the next entry starts in the document; its length when it is used up
    private long documentSequence;
    private String problem;

    EntryScan(final ExcerptTailer tailer)
    {
        this.tailer = tailer;
    }

    /** Places the scan before the document at Chronicle sequence {@code sequence} of {@code cycle}; false if none. */
    boolean moveTo(final int cycle, final long sequence)
    {
        this.cycle = cycle;
        document.wrap(0, 0);
        offset = 0;
        problem = null;
        return tailer.moveToIndex(QueueFiles.chronicleIndex(cycle, sequence));
    }

    /**
     * Loads the next entry, checked whole and found to be {@code expectedIndex}.
     *
     * @return false at the end of the segment's documents ({@link #problem()} null) or at bytes that are not that
     * entry ({@link #problem()} says why; the scan stays there).
     */
    boolean next(final long expectedIndex)
    {
        if (!measureNext())
        {
            return false;
        }
        problem = EntryLayout.checkEntry(entry, expectedIndex);
        if (problem != null)
        {
            return false;
        }
        offset += entry.capacity();
        return true;
    }

    /** Moves past the next entry without checking its checksum (what a seek passes over it does not return). */
    boolean skip()
    {
        if (!measureNext())
        {
            return false;
        }
        offset += entry.capacity();
        return true;
    }

    /**
     * The index of the last entry segment {@code cycle} holds, read from its last document, every entry of which is
     * checked: {@code firstIndex - 1} when it holds none, -1 when that document is damaged (how far the segment
     * reaches is then unknown here; a read of it finds the damage).
     */
    long lastIndexOf(final int cycle, final long firstIndex)
    {
        final long documents = tailer.excerptsInCycle(cycle); // the segment header and the entries' documents
        if (documents <= 1)
        {
            return firstIndex - 1;
        }
        if (!moveTo(cycle, documents - 1) || !readDocument())
        {
            return -1;
        }
        long expected = nextEntryIndex();
        long last = -1;
        while (!atDocumentEnd())
        {
            if (expected < 0 || !next(expected))
            {
                return -1;
            }
            last = expected++;
        }
        return last;
    }

    /** Loads the next document, dropping what is left of this one; false at the end of the segment. */
    boolean nextDocument()
    {
        offset = document.capacity();
        problem = null;
        return readDocument();
    }

    /** The Chronicle sequence (in its cycle) of the document the scan is in. */
    long documentSequence()
    {
        return documentSequence;
    }

    /** The next entry is the first of its document. */
    boolean atDocumentStart()
    {
        return offset == 0 && document.capacity() > 0;
    }

    /** The current document is used up: the next entry is in the next document. */
    boolean atDocumentEnd()
    {
        return offset >= document.capacity();
    }

    /** The bytes of the current document from the next entry on. */
    int remainingInDocument()
    {
        return document.capacity() - offset;
    }

    /** The length the next entry's header gives, if it fits its document; else -1 (see EntryLayout.entryLength). */
    int nextEntryLength()
    {
        return EntryLayout.entryLength(document, offset);
    }

    /** The index the next entry's header names, unchecked; -1 when its bytes are not an entry's. */
    long nextEntryIndex()
    {
        return nextEntryLength() < 0 ? -1 : document.getLong(offset + EntryLayout.INDEX_OFFSET);
    }

    /** The entry loaded by the last {@link #next} or {@link #skip}: exactly its bytes. */
    UnsafeBuffer entry()
    {
        return entry;
    }

    /** Why the last {@link #next} stopped, or null at the end of the segment. */
    String problem()
    {
        return problem;
    }

    private boolean measureNext()
    {
        problem = null;
        if (offset >= document.capacity() && !readDocument())
        {
            return false;
        }
        final int length = EntryLayout.entryLength(document, offset);
        if (length < 0)
        {
            problem = EntryLayout.describeUnmeasurable(document, offset);
            return false;
        }
        entry.wrap(document.addressOffset() + offset, length);
        return true;
    }

    private boolean readDocument()
    {
        try (DocumentContext context = tailer.readingDocument())
        {
            if (!context.isPresent())
            {
                return false;
            }
            if (QueueFiles.ROLL_CYCLE.toCycle(context.index()) != cycle)
            {
                context.rollbackOnClose(); // the next segment's: left for whoever reads it
                return false;
            }
            QueueFiles.wrap(context, document);
            documentSequence = QueueFiles.ROLL_CYCLE.toSequenceNumber(context.index());
            offset = 0;
            return true;
        }
    }
}
