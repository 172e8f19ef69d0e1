package io.raftline.io.client;

import io.raftline.io.node.ClusterConfig;
import io.raftline.io.transport.client.ClientCodec;
import io.raftline.io.transport.client.ClientMessageType;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.concurrent.TimeUnit;

import static io.raftline.io.transport.client.ClientCodec.BODY;
import static io.raftline.io.transport.client.ClientCodec.intAt;
import static io.raftline.io.transport.client.ClientCodec.longAt;

/**
 * Tails the committed log of one node from an index: old entries come from the node's mapped segments, then new
 * ones as they commit. Entries reach the {@link EntryHandler} in index order, with no gap, duplicate or reordering,
 * their bytes read in place from the received frame. When the node goes quiet (restart, pause) the consumer asks
 * again from the entry after the last one it delivered. Flow control is by credit: the node sends at most
 * {@code window} entries ahead of what the consumer has taken.
 *
 * <p>Single-threaded: poll from one thread.
 */
public final class Consumer implements AutoCloseable
{
    /** {@code fromIndex} meaning: the first entry the node still holds. */
    public static final long FIRST = 0;
    /** {@code fromIndex} meaning: only entries committed from now on. */
    public static final long NOW = Long.MAX_VALUE;

    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(3);

    private final ClientTransport transport;
    private final int nodeId;
    private final boolean all;
    private final long window;
    private final EntryHandler handler;
    private final Long2ObjectHashMap<String> names = new Long2ObjectHashMap<>();
    private long requestedFrom;
    private long lastDelivered;
    private long lastScanned;
    private long creditLeft;
    private long commitIndexSeen = -1;
    private boolean requested;
    private long lastHeardNs;
    private long nodeCommitAtConnect = -1;

    private Consumer(
        final ClusterConfig config, final String bind, final int nodeId, final long fromIndex, final boolean all,
        final int window, final EntryHandler handler)
    {
        if (config.member(nodeId) == null)
        {
            throw new IllegalArgumentException("node " + nodeId + " is not in the cluster file");
        }
        this.nodeId = nodeId;
        this.all = all;
        this.window = window;
        this.handler = handler;
        this.requestedFrom = fromIndex;
        this.transport = new ClientTransport(config, bind, this::onFrame);
    }

    public static Consumer open(
        final ClusterConfig config, final String bind, final int nodeId, final long fromIndex, final boolean all,
        final int window, final EntryHandler handler)
    {
        return new Consumer(config, bind, nodeId, fromIndex, all, Math.max(1, window), handler);
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

    public int poll()
    {
        final long nowNs = System.nanoTime();
        int work = transport.poll(nowNs, 16);
        if (!transport.isConnected(nodeId))
        {
            requested = false;
            return work;
        }
        if (!requested || nowNs - lastHeardNs > STALL_NS)
        {
            // first request, or the node went quiet: ask again from just after what was delivered
            final long from = lastScanned() > 0 ? lastScanned() + 1 : requestedFrom;
            creditLeft = window;
            transport.send(nodeId, ClientCodec.tail(transport.frame(), 0, transport.clusterHash(),
                transport.clientId(), from, window, all ? ClientCodec.TAIL_ALL : 0));
            if (requested)
            {
                transport.reconnect(nodeId);
            }
            requested = true;
            lastHeardNs = nowNs;
            work++;
        }
        else if (creditLeft <= window / 2)
        {
            final long grant = window - creditLeft;
            if (transport.send(nodeId, ClientCodec.tailCredit(
                transport.frame(), 0, transport.clusterHash(), transport.clientId(), grant)))
            {
                creditLeft += grant;
            }
        }
        return work;
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
                if (nodeCommitAtConnect < 0)
                {
                    nodeCommitAtConnect = longAt(buffer, offset + BODY + 24);
                }
                commitIndexSeen = Math.max(commitIndexSeen, longAt(buffer, offset + BODY + 24));
            }
            case ClientMessageType.SESSION_NAME ->
            {
                final String name = ClientCodec.stringAt(buffer, offset, length, BODY + 8, ClientCodec.MAX_NAME_BYTES);
                if (name != null)
                {
                    names.put(longAt(buffer, offset + BODY), name);
                }
            }
            case ClientMessageType.TAIL_ENTRIES -> onEntries(buffer, offset, length);
            default ->
            {
                // acknowledgements and read results are for producers
            }
        }
    }

    private void onEntries(final DirectBuffer buffer, final int offset, final int length)
    {
        commitIndexSeen = Math.max(commitIndexSeen, longAt(buffer, offset + BODY));
        final long scannedTo = longAt(buffer, offset + BODY + 8);
        final int count = intAt(buffer, offset + BODY + 16);
        int position = offset + ClientCodec.TAIL_HEADER;
        final int end = offset + length;
        for (int i = 0; i < count; i++)
        {
            if (position + ClientCodec.TAIL_ENTRY_HEADER > end)
            {
                return;
            }
            final long index = longAt(buffer, position);
            final int payloadLength = intAt(buffer, position + 36);
            final int payloadOffset = position + ClientCodec.TAIL_ENTRY_HEADER;
            if (payloadLength < 0 || payloadOffset + payloadLength > end)
            {
                return;
            }
            creditLeft--;
            if (index > lastDelivered)
            {
                final long sessionId = longAt(buffer, position + 16);
                handler.onEntry(index, longAt(buffer, position + 8), intAt(buffer, position + 32),
                    sessionId == 0 ? null : names.get(sessionId), longAt(buffer, position + 24),
                    buffer, payloadOffset, payloadLength);
                lastDelivered = index;
            }
            position = payloadOffset + ClientCodec.padded(payloadLength);
        }
        lastScanned = Math.max(lastScanned, scannedTo - 1);
    }

    /** Every committed entry up to this index was delivered or, being Raft's own and not asked for, skipped. */
    public long lastScanned()
    {
        return Math.max(lastScanned, lastDelivered);
    }

    @Override
    public void close()
    {
        transport.close();
    }
}
