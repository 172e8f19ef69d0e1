package io.raftline.core;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.List;

/** An {@link EntryBatch} over entries held in memory: what the simulated network delivers. */
public final class ListEntryBatch implements EntryBatch
{
    private final List<MemoryRaftLog.Entry> entries;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
    private final int[] offsets;

    public ListEntryBatch(final List<MemoryRaftLog.Entry> entries)
    {
        this.entries = List.copyOf(entries);
        this.offsets = new int[entries.size()];
        int offset = 0;
        for (int i = 0; i < entries.size(); i++)
        {
            offsets[i] = offset;
            final byte[] payload = entries.get(i).payload();
            buffer.putBytes(offset, payload);
            offset += payload.length;
        }
    }

    public List<MemoryRaftLog.Entry> entries()
    {
        return entries;
    }

    @Override
    public int count()
    {
        return entries.size();
    }

    @Override
    public long term(final int position)
    {
        return entries.get(position).term();
    }

    @Override
    public int type(final int position)
    {
        return entries.get(position).type();
    }

    @Override
    public long sessionId(final int position)
    {
        return entries.get(position).sessionId();
    }

    @Override
    public long sequence(final int position)
    {
        return entries.get(position).sequence();
    }

    @Override
    public DirectBuffer buffer()
    {
        return buffer;
    }

    @Override
    public int payloadOffset(final int position)
    {
        return offsets[position];
    }

    @Override
    public int payloadLength(final int position)
    {
        return entries.get(position).payload().length;
    }
}
