package io.raftline.core.session;

/**
 * One producer session: its name, the last sequence committed and, on a leader, the last one appended. The
 * indexes of its most recent committed sequences are kept in a ring so that a retry of an entry that is already
 * committed can be answered with the entry's index.
 */
public final class Session
{
    private final long id;
    private final String name;
    private final long[] ringIndex;
    private final long[] ringTerm;
    private final int ringMask;
    private long lastCommittedSequence;
    private long lastAppendedSequence;
    private long lastActiveIndex;

    Session(final long id, final String name, final int ringCapacity)
    {
        if (Integer.bitCount(ringCapacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + ringCapacity);
        }
        this.id = id;
        this.name = name;
        this.ringIndex = new long[ringCapacity];
        this.ringTerm = new long[ringCapacity];
        this.ringMask = ringCapacity - 1;
        this.lastActiveIndex = id;
    }

    /** The index of the entry that opened the session. */
    public long id()
    {
        return id;
    }

    public String name()
    {
        return name;
    }

    public long lastCommittedSequence()
    {
        return lastCommittedSequence;
    }

    /** On a leader: the last sequence in its log, committed or not. */
    public long lastAppendedSequence()
    {
        return lastAppendedSequence;
    }

    /** The index of the session's latest committed entry. */
    public long lastActiveIndex()
    {
        return lastActiveIndex;
    }

    /** The index of committed sequence {@code sequence}, or 0 when it is not (or no longer) known. */
    public long indexOf(final long sequence)
    {
        if (sequence < 1 || sequence > lastCommittedSequence || lastCommittedSequence - sequence > ringMask)
        {
            return 0;
        }
        return ringIndex[(int)(sequence & ringMask)];
    }

    /** The term of committed sequence {@code sequence}, when {@link #indexOf} knows it. */
    public long termOf(final long sequence)
    {
        return indexOf(sequence) == 0 ? 0 : ringTerm[(int)(sequence & ringMask)];
    }

    void onCommitted(final long index, final long term, final long sequence)
    {
        lastCommittedSequence = sequence;
        lastAppendedSequence = Math.max(lastAppendedSequence, sequence);
        lastActiveIndex = index;
        ringIndex[(int)(sequence & ringMask)] = index;
        ringTerm[(int)(sequence & ringMask)] = term;
    }

    void onAppended(final long sequence)
    {
        lastAppendedSequence = sequence;
    }

    void resetAppended()
    {
        lastAppendedSequence = lastCommittedSequence;
    }
}
