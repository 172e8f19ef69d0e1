package io.raftline.core;

/**
 * The log as the consensus core reads it. Raft indexes start at 1. Entries below {@link #firstIndex()} were
 * compacted away; the entry just before it is still known by its term (index 0 has term 0: the empty log).
 * Terms never decrease along the log, which lets the core search it by term in O(log n).
 */
public interface LogView
{
    /** The first index held; {@code lastIndex() + 1} when the log holds nothing. */
    long firstIndex();

    /** The last index held, or the index before {@link #firstIndex()} when the log holds nothing (0 if empty). */
    long lastIndex();

    /**
     * The term of the entry at {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}.
     * The caller guarantees the range.
     */
    long term(long index);

    /** One of {@link EntryType}'s constants, for {@code firstIndex() <= index <= lastIndex()}. */
    int type(long index);

    /** The entry's payload length in bytes, for {@code firstIndex() <= index <= lastIndex()}. */
    int payloadLength(long index);

    /** The term of the last entry, or of the entry before {@link #firstIndex()} when the log holds nothing. */
    default long lastTerm()
    {
        return term(lastIndex());
    }
}
