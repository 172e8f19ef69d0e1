package io.raftline.core;

import org.agrona.DirectBuffer;

/**
 * The log the core writes to. Writes go straight into the runtime's storage (for Raftline, the mapped segment)
 * so that entry bytes are never copied onto the heap; nothing written counts as durable until the runtime says so
 * through {@link RaftNode#advance(long)}. The core never truncates at or below its commit index.
 */
public interface RaftLog extends LogView
{
    /** Appends one entry at {@code lastIndex() + 1}. */
    void append(long term, int type, long sessionId, long sequence, DirectBuffer buffer, int offset, int length);

    /** Appends the batch's entries from {@code fromPosition} to its end, the first at {@code lastIndex() + 1}. */
    void append(EntryBatch batch, int fromPosition);

    /** Discards the entries at and after {@code index}, so that {@code lastIndex() == index - 1}. */
    void truncateFrom(long index);
}
