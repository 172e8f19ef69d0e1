package io.raftline.io.node;

import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.session.Session;
import io.raftline.core.session.SessionTable;
import io.raftline.core.state.ReplicatedState;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.LogCursor;
import io.raftline.protocol.Offers;
import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.SessionNameFrame;
import io.raftline.protocol.client.TailEntriesFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.TailFrame;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Consumers' tails of the applied log: entries go out in index order from each consumer's position, as many as
 * its credit allows, read in place from the mapped segments. A session's name goes out before its first entry in a
 * stream. A frame that meets back-pressure is not lost: its credit and position are taken back and it is built
 * again on the next duty cycle. A stream with nothing to send says where it stands once a second, so that its
 * consumer can tell a quiet log from a lost stream (a frame lost on the way, a restarted node).
 */
final class ConsumerService implements AutoCloseable
{
    private static final int FRAMES_PER_TAIL_LIMIT = 16;
    static final int MAX_TAILS_PER_CLIENT = 64;
    private static final long IDLE_FRAME_NS = TimeUnit.SECONDS.toNanos(1);

    private final RaftNode node;
    private final ReplicatedState state;
    private final ChronicleLog log;
    private final ClientConnections clients;
    private final TransportCounters counters;
    private final long clusterHash;
    private final int nodeId;
    private final UnsafeBuffer frame;
    private final UnsafeBuffer nameFrame = new UnsafeBuffer(new byte[SessionNameFrame.MAX_LENGTH]);
    private final LogCursor nameCursor;
    private final Consumer<ClientConnection> streamTails = this::streamTails;
    private int work;
    private long nowNs;

    ConsumerService(
        final RaftNode node,
        final ReplicatedState state,
        final ChronicleLog log,
        final ClientConnections clients,
        final TransportCounters counters,
        final long clusterHash,
        final int nodeId,
        final int frameBytes)
    {
        this.node = node;
        this.state = state;
        this.log = log;
        this.clients = clients;
        this.counters = counters;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
        this.frame = new UnsafeBuffer(new byte[frameBytes]);
        this.nameCursor = log.newCursor();
    }

    /** A consumer asks for a stream (again, after a silence): it replaces any stream it had; END only ends it. */
    void onTail(final ClientConnection client, final TailFrame tail)
    {
        CloseHelper.quietClose(client.tails.remove(tail.consumer()));
        if (tail.isEnd())
        {
            return;
        }
        if (client.tails.size() >= MAX_TAILS_PER_CLIENT)
        {
            counters.onDropped(); // each stream holds a log cursor: a client gets so many
            return;
        }
        final long from = tail.fromIndex();
        final long fromIndex = from == TailFrame.FROM_FIRST ? log.firstIndex() :
            from == TailFrame.FROM_NOW ? node.commitIndex() + 1 : from;
        client.tails.put(tail.consumer(), new TailStream(log.newCursor(), tail.consumer(), tail.stream(), fromIndex,
            Math.max(0, tail.credit()), tail.all(), nowNs));
    }

    void onCredit(final ClientConnection client, final int consumer, final long credit)
    {
        final TailStream tail = client.tails.get(consumer);
        if (tail != null)
        {
            tail.credit += Math.max(0, credit);
        }
    }

    /** Streams what each consumer may take now; returns the frames sent. */
    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        work = 0;
        clients.forEach(streamTails);
        return work;
    }

    private void streamTails(final ClientConnection client)
    {
        if (client.tails.isEmpty())
        {
            return;
        }
        final Int2ObjectHashMap<TailStream>.ValueIterator iterator = client.tails.values().iterator();
        while (iterator.hasNext())
        {
            final TailStream tail = iterator.next();
            if (!streamTail(client, tail))
            {
                iterator.remove();
                CloseHelper.quietClose(tail);
            }
        }
    }

    /** Sends what the stream may take now; false when it ended (its entries were compacted away). */
    private boolean streamTail(final ClientConnection client, final TailStream tail)
    {
        final long appliedIndex = state.appliedIndex();
        final int maxFrame = Math.min(frame.capacity(), client.publication.maxPayloadLength());
        int frames = 0;
        while (tail.credit > 0 && tail.nextIndex <= appliedIndex && frames < FRAMES_PER_TAIL_LIMIT)
        {
            if (tail.nextIndex < log.firstIndex())
            {
                // compacted away: said so (to the stream), never skipped in silence
                clients.reply(client, frame, RejectFrame.encode(frame, 0, clusterHash, nodeId, tail.stream,
                    tail.nextIndex, log.firstIndex(), RejectReason.COMPACTED, 0));
                return false;
            }
            if (!tail.positioned || tail.cursor.index() + 1 != tail.nextIndex)
            {
                if (!tail.cursor.seek(tail.nextIndex))
                {
                    break;
                }
                tail.positioned = true;
            }
            if (!sendFrame(client, tail, appliedIndex, maxFrame))
            {
                break;
            }
            frames++;
        }
        if (frames > 0)
        {
            tail.lastSentNs = nowNs;
        }
        else if (nowNs - tail.lastSentNs >= IDLE_FRAME_NS && sendWhereItStands(client, tail))
        {
            frames++;
        }
        work += frames;
        return true;
    }

    /**
     * A frame with no entries: where the stream stands, and the index up to which the node could stream now
     * (committed and applied): a consumer caught up to it is not stalled, even while applying lags the commit.
     */
    private boolean sendWhereItStands(final ClientConnection client, final TailStream tail)
    {
        final int length = TailEntriesFrame.encodeHeader(frame, 0, clusterHash, nodeId,
            Math.min(node.commitIndex(), state.appliedIndex()), tail.stream, tail.nextIndex);
        if (Offers.offer(client.publication, frame, 0, length) < 0)
        {
            return false;
        }
        tail.lastSentNs = nowNs;
        return true;
    }

    /** Builds and sends one frame of entries from the tail's position; false when nothing more goes now. */
    private boolean sendFrame(
        final ClientConnection client, final TailStream tail, final long appliedIndex, final int maxFrame)
    {
        int length = TailEntriesFrame.encodeHeader(
            frame, 0, clusterHash, nodeId, node.commitIndex(), tail.stream, tail.nextIndex);
        int count = 0;
        long next = tail.nextIndex;
        while (next <= appliedIndex && tail.credit > 0)
        {
            final int entryLength = TailEntriesFrame.entryLength(log.payloadLength(next));
            if (count > 0 && length + entryLength > maxFrame)
            {
                break;
            }
            if (!tail.cursor.next())
            {
                break;
            }
            next = tail.cursor.index() + 1;
            final int type = tail.cursor.type();
            if (!tail.all && type != EntryType.NORMAL)
            {
                continue;
            }
            final long sessionId = tail.cursor.sessionId();
            if (sessionId != 0 && !tail.namedSessions.contains(sessionId))
            {
                if (count > 0)
                {
                    // names go first: send what is ready, then the name, then go on
                    next = tail.cursor.index();
                    tail.positioned = false;
                    break;
                }
                if (!sendName(client, sessionId))
                {
                    tail.positioned = false;
                    return false;
                }
                tail.namedSessions.add(sessionId);
            }
            length = TailEntriesFrame.encodeEntry(frame, length, tail.cursor.index(), tail.cursor.term(), sessionId,
                tail.cursor.sequence(), type, tail.cursor.buffer(), tail.cursor.payloadOffset(),
                tail.cursor.payloadLength());
            count++;
            tail.credit--;
        }
        if (count == 0 && next == tail.nextIndex)
        {
            return false;
        }
        TailEntriesFrame.finish(frame, 0, length, count, next);
        if (Offers.offer(client.publication, frame, 0, length) < 0)
        {
            counters.onBackPressure();
            // not sent: take back the credit and the position, and build it again next cycle
            tail.credit += count;
            tail.positioned = false;
            return false;
        }
        tail.nextIndex = next;
        return true;
    }

    private boolean sendName(final ClientConnection client, final long sessionId)
    {
        final int length = SessionNameFrame.encode(nameFrame, 0, clusterHash, nodeId, sessionId, sessionName(sessionId));
        return Offers.offer(client.publication, nameFrame, 0, length) >= 0;
    }

    /**
     * A session's name: from the table while it is open, else from the entry that opened it (a session's id is
     * that entry's index), so that consumers see names of sessions long closed.
     */
    private String sessionName(final long sessionId)
    {
        final Session session = state.sessions().session(sessionId);
        if (session != null)
        {
            return session.name();
        }
        if (nameCursor.seek(sessionId) && nameCursor.next() && nameCursor.type() == EntryType.SESSION)
        {
            final String name = SessionTable.openedName(
                nameCursor.buffer(), nameCursor.payloadOffset(), nameCursor.payloadLength());
            if (name != null)
            {
                return name;
            }
        }
        return Long.toString(sessionId); // its opening entry was compacted away
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(nameCursor);
    }
}
