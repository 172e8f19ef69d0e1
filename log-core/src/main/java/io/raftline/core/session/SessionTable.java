package io.raftline.core.session;

import io.raftline.core.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Producer sessions as the committed log defines them (Raft thesis §6.3), so that every node, and any new
 * leader, knows what each session last committed and a retried entry is committed at most once.
 *
 * <p>A {@link EntryType#SESSION} entry opens a session (its index becomes the session id) or closes one. A
 * {@link EntryType#NORMAL} entry of a session is accepted by the leader only with the next sequence: an earlier
 * one is a duplicate (a retry), a later one leaves a gap and is refused so that the producer resends in order.
 * Every node applies committed entries in log order, so all tables agree.
 *
 * <p>Memory is bounded twice: a session remembers the index of as many recent sequences as its producer's window
 * (rounded up to a power of two, at most {@code maxRing}), which is all a retry can ask about, and the table holds
 * at most {@code maxSessions} sessions and {@code maxSlots} remembered sequences in all. Opening a session beyond
 * either evicts the sessions least recently active in the log.
 *
 * <pre>
 * SESSION entry payload (little-endian):
 *   open:  | op = 1 (u8) | name length (u8) | name (UTF-8, 1..MAX_NAME_BYTES) |
 *          [window (i32) [| owner length (u8) | owner (UTF-8) |]] |
 *   close: | op = 2 (u8) | session id (i64) |
 * </pre>
 * An open entry without a window (written before windows were recorded) gets a ring of {@code maxRing}; one without
 * an owner (the credential that opened it, written before clients proved one) belongs to nobody in particular.
 */
public final class SessionTable
{
    public static final byte OPEN = 1;
    public static final byte CLOSE = 2;
    public static final int MAX_NAME_BYTES = 64;
    public static final int CLOSE_LENGTH = 9;

    /** {@link #check} answers. */
    public static final int ACCEPT = 0;
    public static final int DUPLICATE = 1;
    public static final int OUT_OF_ORDER = 2;
    public static final int UNKNOWN_SESSION = 3;

    private static final int MIN_RING = 8;

    private final Long2ObjectHashMap<Session> sessions = new Long2ObjectHashMap<>();
    private final int maxSessions;
    private final int maxRing;
    private final long maxSlots;
    private long usedSlots;

    /** A table whose only bound on remembered sequences is {@code maxSessions} rings of {@code maxRing}. */
    public SessionTable(final int maxSessions, final int maxRing)
    {
        this(maxSessions, maxRing, (long)maxSessions * maxRing);
    }

    public SessionTable(final int maxSessions, final int maxRing, final long maxSlots)
    {
        if (maxSessions < 1)
        {
            throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        }
        if (Integer.bitCount(maxRing) != 1 || maxSlots < maxRing)
        {
            throw new IllegalArgumentException("maxRing must be a power of two and maxSlots at least as large: " +
                maxRing + ", " + maxSlots);
        }
        this.maxSessions = maxSessions;
        this.maxRing = maxRing;
        this.maxSlots = maxSlots;
    }

    /** The largest producer window whose retries this table can answer. */
    public int maxWindow()
    {
        return maxRing;
    }

    /** The ring a session gets for a producer window ({@code 0}: not given). */
    int ringFor(final int window)
    {
        return window <= 0 || window >= maxRing ? maxRing : Math.max(MIN_RING, Integer.highestOneBit(window - 1) << 1);
    }

    /** Sequences remembered by all sessions together. */
    public long usedSlots()
    {
        return usedSlots;
    }

    /** Writes an open entry's payload without a window; returns its length. */
    public static int encodeOpen(final String name, final MutableDirectBuffer buffer, final int offset)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 1 || bytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("a producer name takes 1 to " + MAX_NAME_BYTES + " bytes: " + name);
        }
        buffer.putByte(offset, OPEN);
        buffer.putByte(offset + 1, (byte)bytes.length);
        buffer.putBytes(offset + 2, bytes);
        return 2 + bytes.length;
    }

    /** Writes an open entry's payload for a producer with this window; returns its length. */
    public static int encodeOpen(
        final String name, final int window, final MutableDirectBuffer buffer, final int offset)
    {
        final int length = encodeOpen(name, buffer, offset);
        buffer.putInt(offset + length, window, java.nio.ByteOrder.LITTLE_ENDIAN);
        return length + 4;
    }

    /** Writes an open entry's payload for a producer with this window, of credential {@code owner}. */
    public static int encodeOpen(
        final String name, final int window, final String owner, final MutableDirectBuffer buffer, final int offset)
    {
        final int length = encodeOpen(name, window, buffer, offset);
        final byte[] bytes = owner.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("an owner takes at most " + MAX_NAME_BYTES + " bytes: " + owner);
        }
        buffer.putByte(offset + length, (byte)bytes.length);
        buffer.putBytes(offset + length + 1, bytes);
        return length + 1 + bytes.length;
    }

    /** The window in a valid open entry's payload, or 0 when it gives none. */
    public static int openedWindow(final DirectBuffer buffer, final int offset, final int length)
    {
        final int nameLength = buffer.getByte(offset + 1) & 0xFF;
        return length >= 2 + nameLength + 4 ?
            buffer.getInt(offset + 2 + nameLength, java.nio.ByteOrder.LITTLE_ENDIAN) : 0;
    }

    /** The owner in a valid open entry's payload, or "" when it names none. */
    public static String openedOwner(final DirectBuffer buffer, final int offset, final int length)
    {
        final int at = 2 + (buffer.getByte(offset + 1) & 0xFF) + 4;
        if (length <= at)
        {
            return "";
        }
        final byte[] bytes = new byte[buffer.getByte(offset + at) & 0xFF];
        buffer.getBytes(offset + at + 1, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Writes a close entry's payload; returns its length. */
    public static int encodeClose(final long sessionId, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset, CLOSE);
        buffer.putLong(offset + 1, sessionId, java.nio.ByteOrder.LITTLE_ENDIAN);
        return CLOSE_LENGTH;
    }

    /** The name in an open entry's payload, or null when the payload is not a valid open entry. */
    public static String openedName(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 3 || buffer.getByte(offset) != OPEN)
        {
            return null;
        }
        final int nameLength = buffer.getByte(offset + 1) & 0xFF;
        if (nameLength < 1 || nameLength > MAX_NAME_BYTES || (nameLength != length - 2 && nameLength != length - 6 &&
            !(length > nameLength + 6 && length == nameLength + 7 + (buffer.getByte(offset + nameLength + 6) & 0xFF))))
        {
            return null;
        }
        final byte[] bytes = new byte[nameLength];
        buffer.getBytes(offset + 2, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The session a close entry's payload names, or 0 when the payload is not a valid close entry. */
    public static long closedSession(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != CLOSE_LENGTH || buffer.getByte(offset) != CLOSE)
        {
            return 0;
        }
        return buffer.getLong(offset + 1, java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** Applies one committed entry; every node calls this for every entry, in index order. */
    public void apply(
        final long index,
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (type == EntryType.SESSION)
        {
            final String name = openedName(payload, offset, length);
            if (name != null)
            {
                open(index, name, openedOwner(payload, offset, length), ringFor(openedWindow(payload, offset, length)));
            }
            else
            {
                remove(closedSession(payload, offset, length));
            }
        }
        else if (type == EntryType.NORMAL && sessionId != 0)
        {
            final Session session = sessions.get(sessionId);
            // the leader appended it only as the next sequence, so a committed entry always continues its session
            if (session != null && sequence == session.lastCommittedSequence() + 1)
            {
                session.onCommitted(index, term, sequence);
            }
        }
    }

    private void open(final long index, final String name, final String owner, final int ring)
    {
        while (sessions.size() >= maxSessions || usedSlots + ring > maxSlots)
        {
            evictLeastRecentlyActive();
        }
        sessions.put(index, new Session(index, name, owner, ring));
        usedSlots += ring;
    }

    private void remove(final long sessionId)
    {
        final Session removed = sessions.remove(sessionId);
        if (removed != null)
        {
            usedSlots -= removed.ringCapacity();
        }
    }

    private void evictLeastRecentlyActive()
    {
        long victim = 0;
        long oldest = Long.MAX_VALUE;
        final Long2ObjectHashMap<Session>.ValueIterator values = sessions.values().iterator();
        while (values.hasNext())
        {
            final Session session = values.next();
            if (session.lastActiveIndex() < oldest || (session.lastActiveIndex() == oldest && session.id() < victim))
            {
                oldest = session.lastActiveIndex();
                victim = session.id();
            }
        }
        remove(victim);
    }

    /** On a leader, before appending: may {@code sequence} of the session be appended now? */
    public int check(final long sessionId, final long sequence)
    {
        final Session session = sessions.get(sessionId);
        if (session == null)
        {
            return UNKNOWN_SESSION;
        }
        if (sequence <= session.lastAppendedSequence())
        {
            return DUPLICATE;
        }
        return sequence == session.lastAppendedSequence() + 1 ? ACCEPT : OUT_OF_ORDER;
    }

    /** On a leader: the entry is in its log (not yet committed). */
    public void onAppended(final long sessionId, final long sequence)
    {
        final Session session = sessions.get(sessionId);
        if (session != null)
        {
            session.onAppended(sequence);
        }
    }

    /**
     * On becoming leader: forget what an earlier leadership appended; the runtime then reports, through
     * {@link #onAppended}, the entries of its log beyond the commit index.
     */
    public void resetAppended()
    {
        sessions.values().forEach(Session::resetAppended);
    }

    /** Writes every session in id order, for a snapshot: equal tables write equal bytes. */
    public void writeTo(final DataOutput out) throws IOException
    {
        final long[] ids = new long[sessions.size()];
        int i = 0;
        for (final Long2ObjectHashMap<Session>.KeyIterator keys = sessions.keySet().iterator(); keys.hasNext(); )
        {
            ids[i++] = keys.nextLong();
        }
        java.util.Arrays.sort(ids);
        out.writeInt(ids.length);
        for (final long id : ids)
        {
            sessions.get(id).writeTo(out);
        }
    }

    /**
     * Replaces every session with those {@link #writeTo} wrote; a snapshot of {@code version} 1 kept no ring sizes
     * (every session had a ring of {@code maxRing}).
     */
    public void readFrom(final DataInput in, final int version) throws IOException
    {
        final int count = in.readInt();
        if (count < 0 || count > maxSessions)
        {
            throw new IOException("a snapshot holds " + count + " sessions; this table holds at most " + maxSessions);
        }
        final Long2ObjectHashMap<Session> read = new Long2ObjectHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final Session session = Session.readFrom(in, version, maxRing);
            if (read.put(session.id(), session) != null)
            {
                throw new IOException("session " + session.id() + " appears twice in a snapshot");
            }
        }
        sessions.clear();
        usedSlots = 0;
        // only once all of it was read: a bad snapshot leaves the table as it was; oldest first, so that a
        // smaller bound than the snapshot's writer had keeps the most recently active, as opening them did
        read.values().stream().sorted(java.util.Comparator.comparingLong(Session::lastActiveIndex)
            .thenComparingLong(Session::id)).forEach(session ->
            {
                while (usedSlots + session.ringCapacity() > maxSlots)
                {
                    evictLeastRecentlyActive();
                }
                sessions.put(session.id(), session);
                usedSlots += session.ringCapacity();
            });
    }

    public Session session(final long sessionId)
    {
        return sessions.get(sessionId);
    }

    public int size()
    {
        return sessions.size();
    }

    public void forEach(final Consumer<Session> action)
    {
        sessions.values().forEach(action);
    }
}
