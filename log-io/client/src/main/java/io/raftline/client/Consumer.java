package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.ConnectedFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.client.SessionNameFrame;
import io.raftline.protocol.client.TailCreditFrame;
import io.raftline.protocol.client.TailEntriesFrame;
import io.raftline.protocol.client.TailFrame;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;


/**
 * Tails the committed log from an index, through one node at a time: old entries come from the node's mapped
 * segments, then new ones as they commit. It starts with the node it is given; when that node says nothing at all
 * for {@link #FAILOVER_AFTER_NS} (gone, or paused: a live node answers keep-alives every two seconds), it fails over
 * to another member and asks it for the entries after the last it delivered (committed entries are the same on
 * every node, so nothing is skipped or repeated), unless it is {@link #pinned()}. Entries reach the {@link EntryHandler} in index order, with no gap, duplicate or reordering,
 * their bytes read in place from the received frame. Each frame says which indexes it covers: one that begins
 * beyond what was delivered (frames lost on the way) makes the consumer ask again from there, and so does a stream
 * that makes no progress while the node has entries for it, or says nothing at all (the node restarted or paused;
 * an idle stream sends a frame that says where it stands every second). Flow control is by credit: the node sends
 * at most {@code window} entries ahead of what the consumer has taken.
 *
 * <p>Single-threaded: poll from one thread.
 */
public final class Consumer implements AutoCloseable
{
    /** {@code fromIndex} meaning: the first entry the node still holds. */
    public static final long FIRST = TailFrame.FROM_FIRST;
    /** {@code fromIndex} meaning: only entries committed from now on. */
    public static final long NOW = TailFrame.FROM_NOW;

    /** Entries a node may send ahead of what the consumer has taken, unless told otherwise. */
    public static final int DEFAULT_WINDOW = 4096;

    /** Silence from the followed node after which the consumer moves to another. */
    public static final long FAILOVER_AFTER_NS = TimeUnit.SECONDS.toNanos(3);

    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(3);

    private final ClientTransport transport;
    private final boolean ownsTransport;
    private final ClientTransport.Listener frames;
    private final int consumerId;
    private int nodeId;
    private boolean all;
    private final long window;
    private final EntryHandler handler;
    private final Long2ObjectHashMap<String> names = new Long2ObjectHashMap<>();
    private final ConnectedFrame connected = new ConnectedFrame();
    private final SessionNameFrame sessionName = new SessionNameFrame();
    private final TailEntriesFrame entries = new TailEntriesFrame();
    private final ConsumedEntry entry = new ConsumedEntry();
    private final RejectFrame reject = new RejectFrame();
    private final TailPosition position;
    private String gone;
    private long lastDelivered;
    private long creditLeft;
    private long commitIndexSeen = -1;
    private boolean requested;
    private long lastProgressNs;
    private long nodeCommitAtConnect = -1;
    private long gaps;
    private long lastHeardNs = System.nanoTime();
    private long deliveredCount;
    private long failovers;
    private boolean pinned;
    private boolean nodeAnswers;        // as last reported to the handler
    private boolean closed;
    private RaftlineClientException refused;    // the node refused the stream to this client's credential

    private Consumer(
        final ClientTransport transport, final boolean ownsTransport, final int nodeId, final long fromIndex,
        final boolean all, final int window, final EntryHandler handler, final FrameFilter filter)
    {
        this.transport = transport;
        this.ownsTransport = ownsTransport;
        this.consumerId = transport.nextConsumer();
        this.nodeId = nodeId;
        this.all = all;
        this.window = window;
        this.handler = handler;
        this.position = new TailPosition(fromIndex);
        this.frames = (from, type, buffer, offset, length) ->
        {
            if (filter.accept(type))
            {
                onFrame(from, type, buffer, offset, length);
            }
        };
        transport.addListener(frames);
    }

    public static Consumer open(
        final ClusterConfig config, final String bind, final int nodeId, final long fromIndex, final boolean all,
        final int window, final EntryHandler handler)
    {
        return open(config, bind, nodeId, fromIndex, all, window, handler, type -> true);
    }

    static Consumer open(
        final ClusterConfig config, final String bind, final int nodeId, final long fromIndex, final boolean all,
        final int window, final EntryHandler handler, final FrameFilter filter)
    {
        checkNode(config, nodeId);
        return open(ClientTransport.withOwnDriver(config, bind), true, nodeId,
            fromIndex, all, window, handler, filter);
    }

    /**
     * The one way consumers are made: on {@code transport} (a {@link RaftlineClient}'s, shared, or one of its own,
     * closed with it when {@code ownsTransport}).
     */
    static Consumer open(
        final ClientTransport transport, final boolean ownsTransport, final int nodeId, final long fromIndex,
        final boolean all, final int window, final EntryHandler handler, final FrameFilter filter)
    {
        try
        {
            checkNode(transport.config(), nodeId);
        }
        catch (final RuntimeException ex)
        {
            if (ownsTransport)
            {
                transport.close();
            }
            throw ex;
        }
        return new Consumer(transport, ownsTransport, nodeId, fromIndex, all, Math.max(1, window), handler, filter);
    }

    private static void checkNode(final ClusterConfig config, final int nodeId)
    {
        if (config.member(nodeId) == null)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not one of the endpoints " +
                java.util.Arrays.toString(config.memberIds()));
        }
    }

    /** The node's commit index when it first answered, or -1 before that. */
    public long commitIndexAtConnect()
    {
        return nodeCommitAtConnect;
    }

    /** The highest commit index the node reported. */
    public long commitIndexSeen()
    {
        return commitIndexSeen;
    }

    public long lastDelivered()
    {
        return lastDelivered;
    }

    /** How many times frames were found missing and asked for again. */
    public long gaps()
    {
        return gaps;
    }

    /** Delivers Raft's own entries too (no-ops, configuration changes, session openings and closings). */
    public Consumer withRaftEntries()
    {
        if (!all)
        {
            all = true;
            requested = false; // asked again, with them
        }
        return this;
    }

    /** Reads from the node it was opened with and no other, as a check of that node's own log must. */
    public Consumer pinned()
    {
        pinned = true;
        return this;
    }

    /**
     * Reads from {@code index} next ({@link #FIRST}, an index, or {@link #NOW}), forward or back: the following
     * polls ask the node for a new stream from there.
     */
    public void seek(final long index)
    {
        if (index < 1 && index != FIRST && index != NOW)
        {
            throw new IllegalArgumentException("index " + index + ": FIRST, NOW or 1 and above");
        }
        position.seek(index);
        requested = false;
    }

    /** Whether the node it reads from answers (it has answered the client's CONNECT, and not gone silent since). */
    public boolean isConnected()
    {
        return transport.isConnected(nodeId);
    }

    /**
     * Polls until at least one entry is delivered or {@code timeout} passes; returns how many were delivered. The
     * blocking counterpart of {@link #poll()} for a thread that has nothing else to do.
     */
    public int poll(final java.time.Duration timeout)
    {
        final long before = deliveredCount;
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (deliveredCount == before && System.nanoTime() < deadlineNs)
        {
            transport.idle(poll());
        }
        return (int)(deliveredCount - before);
    }

    /** The node the consumer reads from now. */
    public int node()
    {
        return nodeId;
    }

    /** How many times the consumer moved to another node. */
    public long failovers()
    {
        return failovers;
    }

    /**
     * Does the I/O: asks for the stream, grants credit, delivers entries to the handler.
     *
     * @throws RaftlineClientException when the node no longer holds the entries asked for (a snapshot holds the
     *                                 state before its log's start)
     */
    public int poll()
    {
        if (closed)
        {
            throw new RaftlineClientException.ClosedException("consumer closed");
        }
        if (gone != null)
        {
            throw new RaftlineClientException.CompactedException(gone);
        }
        if (refused != null)
        {
            throw refused;
        }
        final long nowNs = System.nanoTime();
        int work = transport.poll(nowNs, 16);
        final boolean answers = transport.isConnected(nodeId) && nowNs - lastHeardNs <= FAILOVER_AFTER_NS;
        if (answers != nodeAnswers)
        {
            nodeAnswers = answers;
            handler.onConnectionChanged(answers, nodeId);
        }
        if (!pinned && nowNs - lastHeardNs > FAILOVER_AFTER_NS)
        {
            failOver(nowNs);
            work++;
        }
        if (!transport.isConnected(nodeId))
        {
            requested = false;
            return work;
        }
        final boolean stalled = requested && nowNs - lastProgressNs > STALL_NS;
        if (!requested || stalled)
        {
            // first request, a gap, or a stream that went quiet: a new stream from just after what was delivered
            final long from = position.restart(transport.nextStream());
            creditLeft = window;
            requested = transport.send(nodeId, TailFrame.encode(transport.frame(), 0, transport.clusterHash(),
                transport.clientId(), from, window, all ? TailFrame.ALL : 0, position.stream(), consumerId));
            if (stalled)
            {
                transport.reconnect(nodeId); // it may have restarted and forgotten this client
            }
            lastProgressNs = nowNs;
            work++;
        }
        else if (creditLeft <= window / 2)
        {
            final long grant = window - creditLeft;
            if (transport.send(nodeId, TailCreditFrame.encode(
                transport.frame(), 0, transport.clusterHash(), transport.clientId(), grant, consumerId)))
            {
                creditLeft += grant;
            }
        }
        return work;
    }

    /** To the next member after the silent one that answers, else simply the next: it starts over from there. */
    private void failOver(final long nowNs)
    {
        final int[] ids = transport.nodeIds();
        int next = nodeId;
        for (int step = 1; step <= ids.length; step++)
        {
            final int candidate = ids[(indexOf(ids, nodeId) + step) % ids.length];
            if (candidate != nodeId && (transport.isConnected(candidate) || next == nodeId))
            {
                next = candidate;
                if (transport.isConnected(candidate))
                {
                    break;
                }
            }
        }
        if (next != nodeId)
        {
            endStream(); // the node left behind may only have paused: it stops streaming to us
            nodeId = next;
            failovers++;
            requested = false;
            nodeCommitAtConnect = -1;
        }
        lastHeardNs = nowNs; // the new node gets as long to answer
    }

    private static int indexOf(final int[] ids, final int id)
    {
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }
        return 0;
    }

    private void onFrame(final int from, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (from != nodeId)
        {
            return;
        }
        lastHeardNs = System.nanoTime();
        switch (type)
        {
            case ClientMessageType.CONNECTED ->
            {
                if (connected.wrap(buffer, offset, length))
                {
                    if (nodeCommitAtConnect < 0)
                    {
                        nodeCommitAtConnect = connected.commitIndex();
                    }
                    commitIndexSeen = Math.max(commitIndexSeen, connected.commitIndex());
                }
            }
            case ClientMessageType.SESSION_NAME ->
            {
                if (sessionName.wrap(buffer, offset, length))
                {
                    names.put(sessionName.sessionId(), sessionName.name());
                }
            }
            case ClientMessageType.REJECT ->
            {
                if (!reject.wrap(buffer, offset, length) || reject.id() != position.stream())
                {
                    return; // not about this consumer's stream
                }
                if (reject.reason() == RejectReason.UNAUTHORISED &&
                    (reject.expectedSequence() & io.raftline.protocol.security.ClientCredential.CONSUME) != 0)
                {
                    refused = RaftlineClientException.UnauthorisedException.lacking(transport, reject.expectedSequence());
                }
                else if (reject.reason() == RejectReason.COMPACTED)
                {
                    gone = "node " + nodeId + " no longer holds entry " + reject.sequence() + ": its log starts at " +
                        reject.expectedSequence() + " and a snapshot holds the state before (tail from there)";
                }
            }
            case ClientMessageType.TAIL_ENTRIES ->
            {
                if (entries.wrap(buffer, offset, length))
                {
                    onEntries();
                }
            }
            default ->
            {
                // acknowledgements and read results are for producers
            }
        }
    }

    private void onEntries()
    {
        final long scannedTo = entries.scannedTo();
        final TailPosition.Verdict verdict = position.judge(entries.stream(), entries.fromIndex(), scannedTo);
        if (entries.stream() == position.stream())
        {
            commitIndexSeen = Math.max(commitIndexSeen, entries.commitIndex());
        }
        switch (verdict)
        {
            case GAP ->
            {
                gaps++;
                requested = false; // asked again from the gap on the next poll
                return;
            }
            case OLD ->
            {
                if (entries.stream() == position.stream() && entries.commitIndex() < position.next())
                {
                    lastProgressNs = System.nanoTime(); // the node is there, and has nothing more for us
                }
                return;
            }
            case NEW -> lastProgressNs = System.nanoTime();
        }
        while (entries.nextEntry())
        {
            creditLeft--;
            final long index = entries.entryIndex();
            if (index >= position.next() && index < scannedTo)
            {
                final long sessionId = entries.entrySessionId();
                handler.onEntry(entry.set(index, entries.entryTerm(), entries.entryType(),
                    sessionId == 0 ? null : names.get(sessionId), entries.entrySequence(),
                    entries.buffer(), entries.entryPayloadOffset(), entries.entryPayloadLength()));
                lastDelivered = index;
                deliveredCount++;
                position.scanned(index + 1);
            }
        }
        position.scanned(scannedTo);
    }

    /** Every committed entry up to this index was delivered or, being Raft's own and not asked for, skipped. */
    public long lastScanned()
    {
        return Math.max(0, position.next() - 1);
    }

    public boolean isClosed()
    {
        return closed;
    }

    /** Ends its stream on the node and stops listening; the client's connection stays for its other users. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        transport.removeListener(frames);
        if (ownsTransport)
        {
            transport.close();
            return;
        }
        endStream();
    }

    /** Tells the node read from to stop streaming to this consumer. */
    private void endStream()
    {
        transport.send(nodeId, TailFrame.encode(transport.frame(), 0, transport.clusterHash(), transport.clientId(),
            0, 0, TailFrame.END, 0, consumerId));
    }
}
