package io.raftline.io.transport.codec;

import io.raftline.core.EntryBatch;
import org.agrona.DirectBuffer;

import static io.raftline.protocol.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * The entries of a received AppendEntries, read in place from the frame; valid until the next decode. Reused for
 * every frame, never grown: allocation-free.
 *
 * <p>{@link RaftMessageDecoder} validates every entry once and records where the first {@code indexedEntriesMax}
 * start, so access to those is O(1) in any order. Entries past the table are found by walking forward from a
 * cursor (the last one looked up, or the last indexed): O(1) per step when read in order, as the core does, and
 * still correct, if slower, in any other order. The walk needs no checks: the decoder proved the frame sound.
 */
public final class AppendEntriesFlyweight implements EntryBatch
{
    private final int[] offsets;
    private DirectBuffer buffer;
    private int count;
    private int indexed; // invariant: indexed == min(count, offsets.length)
    private int cursorPosition; // invariant: indexed - 1 <= cursorPosition < count, when count > indexed
    private int cursorOffset;

    AppendEntriesFlyweight(final int indexedEntriesMax)
    {
        if (indexedEntriesMax < 1)
        {
            throw new IllegalArgumentException("indexedEntriesMax must be positive: " + indexedEntriesMax);
        }
        offsets = new int[indexedEntriesMax];
    }

    void reset(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        count = 0;
        indexed = 0;
    }

    /** Records the next entry, which the decoder has validated. */
    void add(final int entryOffset)
    {
        if (count < offsets.length)
        {
            offsets[count] = entryOffset;
            indexed = count + 1;
            cursorPosition = count;
            cursorOffset = entryOffset;
        }
        count++;
    }

    /** How many entries get an O(1) random access slot. */
    public int indexedEntriesMax()
    {
        return offsets.length;
    }

    @Override
    public int count()
    {
        return count;
    }

    @Override
    public long term(final int position)
    {
        return buffer.getLong(entryOffset(position) + ENTRY_TERM_OFFSET, ORDER);
    }

    @Override
    public int type(final int position)
    {
        return buffer.getInt(entryOffset(position) + ENTRY_TYPE_OFFSET, ORDER);
    }

    @Override
    public long sessionId(final int position)
    {
        return buffer.getLong(entryOffset(position) + ENTRY_SESSION_OFFSET, ORDER);
    }

    @Override
    public long sequence(final int position)
    {
        return buffer.getLong(entryOffset(position) + ENTRY_SEQUENCE_OFFSET, ORDER);
    }

    @Override
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int payloadOffset(final int position)
    {
        return entryOffset(position) + ENTRY_HEADER_LENGTH;
    }

    @Override
    public int payloadLength(final int position)
    {
        return buffer.getInt(entryOffset(position) + ENTRY_LENGTH_OFFSET, ORDER);
    }

    /** Where the entry at {@code position} starts in {@link #buffer()}. */
    public int entryOffset(final int position)
    {
        if (position < 0 || position >= count)
        {
            throw new IndexOutOfBoundsException("entry " + position + " of " + count);
        }
        if (position < indexed)
        {
            return offsets[position];
        }
        if (position < cursorPosition)
        {
            cursorPosition = indexed - 1;
            cursorOffset = offsets[cursorPosition];
        }
        int walked = cursorPosition;
        int entryOffset = cursorOffset;
        while (walked < position)
        {
            entryOffset += ENTRY_HEADER_LENGTH + buffer.getInt(entryOffset + ENTRY_LENGTH_OFFSET, ORDER);
            walked++;
        }
        cursorPosition = walked;
        cursorOffset = entryOffset;
        return entryOffset;
    }
}
