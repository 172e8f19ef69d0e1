package io.raftline.io.transport.codec;

import io.raftline.core.EntryBatch;
import org.agrona.DirectBuffer;

import static io.raftline.io.transport.codec.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * The entries of a received AppendEntries, read in place from the frame. {@link RaftMessageDecoder} validates
 * every entry once and records where each starts; access by position is then O(1). Reused for every frame; the
 * offsets table grows only when a frame carries more entries than any before.
 */
public final class AppendEntriesFlyweight implements EntryBatch
{
    private DirectBuffer buffer;
    private int[] offsets = new int[1024];
    private int count;

    void reset(final DirectBuffer buffer)
    {
        this.buffer = buffer;
        this.count = 0;
    }

    void add(final int entryOffset)
    {
        if (count == offsets.length)
        {
            final int[] grown = new int[offsets.length * 2];
            System.arraycopy(offsets, 0, grown, 0, count);
            offsets = grown;
        }
        offsets[count++] = entryOffset;
    }

    @Override
    public int count()
    {
        return count;
    }

    @Override
    public long term(final int position)
    {
        return buffer.getLong(offsets[position] + ENTRY_TERM_OFFSET, ORDER);
    }

    @Override
    public int type(final int position)
    {
        return buffer.getInt(offsets[position] + ENTRY_TYPE_OFFSET, ORDER);
    }

    @Override
    public long sessionId(final int position)
    {
        return buffer.getLong(offsets[position] + ENTRY_SESSION_OFFSET, ORDER);
    }

    @Override
    public long sequence(final int position)
    {
        return buffer.getLong(offsets[position] + ENTRY_SEQUENCE_OFFSET, ORDER);
    }

    @Override
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int payloadOffset(final int position)
    {
        return offsets[position] + ENTRY_HEADER_LENGTH;
    }

    @Override
    public int payloadLength(final int position)
    {
        return buffer.getInt(offsets[position] + ENTRY_LENGTH_OFFSET, ORDER);
    }
}
