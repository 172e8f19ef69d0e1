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
 * Every node applies committed entries in log order, so all tables agree. The table holds at most
 * {@code maxSessions}; opening one more evicts the session least recently active in the log.
 *
 * <pre>
 * SESSION entry payload (little-endian):
 *   open:  | op = 1 (u8) | name length (u8) | name (UTF-8, 1..MAX_NAME_BYTES) |
 *   close: | op = 2 (u8) | session id (i64) |
 * </pre>
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

    private final Long2ObjectHashMap<Session> sessions = new Long2ObjectHashMap<>();
    private final int maxSessions;
    private final int ringCapacity;

    public SessionTable(final int maxSessions, final int ringCapacity)
    {
        if (maxSessions < 1)
        {
            throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        }
        this.maxSessions = maxSessions;
        this.ringCapacity = ringCapacity;
    }

    /** Writes an open entry's payload; returns its length. */
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
        if (nameLength < 1 || nameLength > MAX_NAME_BYTES || nameLength != length - 2)
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
                open(index, name);
            }
            else
            {
                sessions.remove(closedSession(payload, offset, length));
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

    private void open(final long index, final String name)
    {
        if (sessions.size() >= maxSessions)
        {
            evictLeastRecentlyActive();
        }
        sessions.put(index, new Session(index, name, ringCapacity));
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
        sessions.remove(victim);
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

    /** Replaces every session with those {@link #writeTo} wrote. */
    public void readFrom(final DataInput in) throws IOException
    {
        final int count = in.readInt();
        if (count < 0 || count > maxSessions)
        {
            throw new IOException("a snapshot holds " + count + " sessions; this table holds at most " + maxSessions);
        }
        final Long2ObjectHashMap<Session> read = new Long2ObjectHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final Session session = Session.readFrom(in, ringCapacity);
            if (read.put(session.id(), session) != null)
            {
                throw new IOException("session " + session.id() + " appears twice in a snapshot");
            }
        }
        sessions.clear();
        sessions.putAll(read); // only once all of it was read: a bad snapshot leaves the table as it was
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
