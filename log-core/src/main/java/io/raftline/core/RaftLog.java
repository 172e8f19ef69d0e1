package io.raftline.core;

import org.agrona.DirectBuffer;

/**
 * The runtime's log, through which it makes the core's {@link LogWrites}. Appends go straight into the runtime's
 * storage (for Raftline, the mapped segment), so entry bytes are never copied onto the heap; nothing written
 * counts as durable until the runtime says so through {@link RaftNode#advance(long)}. The core never asks to
 * truncate at or below its commit index.
 */
public interface RaftLog extends LogView
{
    /** Appends one entry at {@code lastIndex() + 1}. */
    void append(long term, int type, long sessionId, long sequence, DirectBuffer buffer, int offset, int length);

    /** Discards the entries at and after {@code index}, so that {@code lastIndex() == index - 1}. */
    void truncateFrom(long index);

    /**
     * Discards every entry: the log continues after an installed snapshot's entry {@code index} of {@code term}, so
     * that {@code firstIndex() == index + 1}, {@code lastIndex() == index} and {@code term(index) == term}. Durable
     * when it returns: the snapshot holds everything up to {@code index}.
     */
    void reset(long index, long term);
}
