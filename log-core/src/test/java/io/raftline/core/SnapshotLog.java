package io.raftline.core;

/**
 * A log compacted up to {@code snapshotIndex} that holds no entry after it, as the core sees the log of a node
 * restarted from a snapshot: only the snapshot's last entry is still known, by its term. Read-only.
 */
record SnapshotLog(long snapshotIndex, long snapshotTerm) implements LogView
{
    @Override
    public long firstIndex()
    {
        return snapshotIndex + 1;
    }

    @Override
    public long lastIndex()
    {
        return snapshotIndex;
    }

    @Override
    public long term(final long index)
    {
        if (index != snapshotIndex)
        {
            throw new IndexOutOfBoundsException("index " + index + ": only the snapshot's last entry is known");
        }
        return snapshotTerm;
    }

    @Override
    public int type(final long index)
    {
        throw new IndexOutOfBoundsException("index " + index + ": the log holds no entry");
    }

    @Override
    public int payloadLength(final long index)
    {
        throw new IndexOutOfBoundsException("index " + index + ": the log holds no entry");
    }
}
