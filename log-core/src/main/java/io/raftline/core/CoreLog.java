package io.raftline.core;

import org.agrona.DirectBuffer;

/**
 * The log as the core sees it: what the runtime's storage holds, with the {@link LogWrites} the runtime has not yet
 * made laid over it (etcd's stable and unstable parts). The core changes the log only here, by queueing writes; it
 * never writes to storage itself.
 */
final class CoreLog implements LogView
{
    private final LogView storage;
    private final LogWrites writes;

    CoreLog(final LogView storage, final LogWrites writes)
    {
        this.storage = storage;
        this.writes = writes;
    }

    @Override
    public long firstIndex()
    {
        final long reset = writes.resetIndex();
        return reset != LogWrites.NO_RESET ? reset + 1 : Math.min(storage.firstIndex(), lastIndex() + 1);
    }

    @Override
    public long lastIndex()
    {
        return writtenLastIndex() + writes.count();
    }

    @Override
    public long term(final long index)
    {
        final long written = writtenLastIndex();
        if (index > written)
        {
            return writes.term((int)(index - written - 1));
        }
        return writes.resetIndex() != LogWrites.NO_RESET ? writes.resetTerm() : storage.term(index);
    }

    @Override
    public int type(final long index)
    {
        final long written = writtenLastIndex();
        return index > written ? writes.type((int)(index - written - 1)) : storage.type(index);
    }

    @Override
    public int payloadLength(final long index)
    {
        final long written = writtenLastIndex();
        return index > written ? writes.payloadLength((int)(index - written - 1)) : storage.payloadLength(index);
    }

    void append(
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        writes.add(lastIndex() + 1, term, type, sessionId, sequence, buffer, offset, length);
    }

    void truncateFrom(final long index)
    {
        writes.truncate(index);
    }

    void reset(final long index, final long term)
    {
        writes.reset(index, term);
    }

    /** The last index of what stays of storage once the queued truncation or reset is made. */
    private long writtenLastIndex()
    {
        if (writes.resetIndex() != LogWrites.NO_RESET)
        {
            return writes.resetIndex();
        }
        final long truncateFrom = writes.truncateFrom();
        return truncateFrom == LogWrites.NO_TRUNCATION ? storage.lastIndex() : truncateFrom - 1;
    }
}
