package io.raftline.core.session;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One producer session: its name, the last sequence committed and, on a leader, the last one appended. The
 * indexes of its most recent committed sequences are kept in a ring so that a retry of an entry that is already
 * committed can be answered with the entry's index.
 */
public final class Session
{
    private final long id;
    private final String name;
    private final String owner;
    private final long[] ringIndex;
    private final long[] ringTerm;
    private final int ringMask;
    private long lastCommittedSequence;
    private long lastAppendedSequence;
    private long lastActiveIndex;

    Session(final long id, final String name, final String owner, final int ringCapacity)
    {
        if (Integer.bitCount(ringCapacity) != 1)
        {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + ringCapacity);
        }
        this.id = id;
        this.name = name;
        this.owner = owner;
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

    /** The credential whose client opened it ("" for none in particular): only its clients may use it. */
    public String owner()
    {
        return owner;
    }

    /**
     * Whether a client proving credential {@code credential} ("" for none, authentication off) may append to, close
     * or resume this session. A session opened without a credential is no credential's: once clients prove one, it
     * can no longer be used, rather than be anyone's.
     */
    public boolean isOwnedBy(final String credential)
    {
        return owner.equals(credential);
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

    /** How many recent committed sequences it remembers. */
    public int ringCapacity()
    {
        return ringMask + 1;
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

    /**
     * Writes what the log made of the session: name, ring size, committed sequence, activity and the ring's known
     * part.
     */
    void writeTo(final DataOutput out) throws IOException
    {
        out.writeLong(id);
        out.writeUTF(name);
        out.writeUTF(owner);
        out.writeInt(ringMask + 1);
        out.writeLong(lastCommittedSequence);
        out.writeLong(lastActiveIndex);
        final int known = (int)Math.min(lastCommittedSequence, ringMask + 1L);
        out.writeInt(known);
        for (long sequence = lastCommittedSequence - known + 1; sequence <= lastCommittedSequence; sequence++)
        {
            out.writeLong(ringIndex[(int)(sequence & ringMask)]);
            out.writeLong(ringTerm[(int)(sequence & ringMask)]);
        }
    }

    /**
     * Reads a session {@link #writeTo} wrote in snapshot format {@code version} (1: no ring size, every ring
     * {@code maxRing}; 2: no owner); throws {@link IOException} on anything that cannot be one.
     */
    static Session readFrom(final DataInput in, final int version, final int maxRing) throws IOException
    {
        final long id = in.readLong();
        final String name = in.readUTF();
        final String owner = version >= 3 ? in.readUTF() : "";
        final int ring = version == 1 ? maxRing : in.readInt();
        if (Integer.bitCount(ring) != 1 || ring > maxRing)
        {
            throw new IOException("session " + id + " in a snapshot remembers " + ring + " sequences; at most " +
                maxRing + ", a power of two");
        }
        final Session session = new Session(id, name, owner, ring);
        session.lastCommittedSequence = in.readLong();
        session.lastAppendedSequence = session.lastCommittedSequence;
        session.lastActiveIndex = in.readLong();
        final int known = in.readInt();
        if (id <= 0 || session.lastCommittedSequence < 0 || known < 0 || known > session.lastCommittedSequence)
        {
            throw new IOException("bad session " + id + " in a snapshot");
        }
        final long first = session.lastCommittedSequence - known + 1;
        for (long sequence = first; sequence <= session.lastCommittedSequence; sequence++)
        {
            final long index = in.readLong();
            final long term = in.readLong();
            if (session.lastCommittedSequence - sequence <= session.ringMask)
            {
                session.ringIndex[(int)(sequence & session.ringMask)] = index;
                session.ringTerm[(int)(sequence & session.ringMask)] = term;
            }
        }
        return session;
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
