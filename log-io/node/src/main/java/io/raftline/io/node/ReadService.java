package io.raftline.io.node;

import io.raftline.core.RaftNode;
import io.raftline.core.ReadStates;
import io.raftline.protocol.client.ReadIndexResultFrame;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Clients' linearizable reads (ReadIndex, Raft thesis §6.4). Each request gets an id and goes to the core, which
 * confirms its leadership with a heartbeat round or, on a follower, asks the leader; the answer is the read point
 * or {@link ReadIndexResultFrame#FAILED}. A request the core never answers (forwarded to a leader that was deposed,
 * or lost on the way) is answered FAILED once {@code timeoutNs} has passed, so nothing waits forever.
 *
 * <p>Requests wait in a ring indexed by request id: ids grow by one and every request lives at most
 * {@code timeoutNs}, so the oldest is always at the head. Allocation-free; bounded by its capacity.
 */
final class ReadService
{
    private final RaftNode node;
    private final ClientConnections clients;
    private final long clusterHash;
    private final int nodeId;
    private final long timeoutNs;
    private final CoreClock coreClock;
    private final long[] requestIds;   // 0: free
    private final long[] clientIds;
    private final long[] correlationIds;
    private final long[] deadlinesNs;
    private final int mask;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[ReadIndexResultFrame.LENGTH]);
    private long nextRequestId = 1;
    private long oldestRequestId = 1;  // invariant: every id below it is answered or expired

    ReadService(
        final RaftNode node,
        final ClientConnections clients,
        final long clusterHash,
        final int nodeId,
        final int capacity,
        final long timeoutNs,
        final CoreClock coreClock)
    {
        this.coreClock = coreClock;
        this.node = node;
        this.clients = clients;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
        this.timeoutNs = timeoutNs;
        final int slots = BitUtil.findNextPositivePowerOfTwo(capacity);
        this.requestIds = new long[slots];
        this.clientIds = new long[slots];
        this.correlationIds = new long[slots];
        this.deadlinesNs = new long[slots];
        this.mask = slots - 1;
    }

    void onReadIndex(final ClientConnection client, final long correlationId, final long nowNs)
    {
        final long requestId = nextRequestId;
        final int slot = (int)(requestId & mask);
        if (requestIds[slot] != 0)
        {
            answer(client, correlationId, ReadIndexResultFrame.FAILED); // as many waiting as the ring holds
            return;
        }
        nextRequestId++;
        requestIds[slot] = requestId;
        clientIds[slot] = client.clientId;
        correlationIds[slot] = correlationId;
        deadlinesNs[slot] = nowNs + timeoutNs;
        coreClock.advance(node); // a lease is judged when the read is served
        node.readIndex(requestId);
    }

    /** The core's answers. */
    void onReadStates(final ReadStates readStates)
    {
        for (int i = 0, size = readStates.size(); i < size; i++)
        {
            final long requestId = readStates.requestId(i);
            final int slot = (int)(requestId & mask);
            if (requestIds[slot] == requestId)
            {
                finish(slot, readStates.index(i) == ReadStates.FAILED ? ReadIndexResultFrame.FAILED :
                    readStates.index(i));
            }
        }
    }

    /** Answers FAILED to every request older than its timeout. */
    void expire(final long nowNs)
    {
        while (oldestRequestId < nextRequestId)
        {
            final int slot = (int)(oldestRequestId & mask);
            if (requestIds[slot] == oldestRequestId)
            {
                if (nowNs - deadlinesNs[slot] < 0)
                {
                    return;
                }
                finish(slot, ReadIndexResultFrame.FAILED);
            }
            oldestRequestId++;
        }
    }

    /** Requests waiting for an answer. */
    int pendingCount()
    {
        int count = 0;
        for (final long requestId : requestIds)
        {
            count += requestId != 0 ? 1 : 0;
        }
        return count;
    }

    private void finish(final int slot, final long index)
    {
        requestIds[slot] = 0;
        final ClientConnection client = clients.get(clientIds[slot]);
        if (client != null)
        {
            answer(client, correlationIds[slot], index);
        }
    }

    private void answer(final ClientConnection client, final long correlationId, final long index)
    {
        clients.reply(client, frame, ReadIndexResultFrame.encode(frame, 0, clusterHash, nodeId, correlationId, index));
    }
}
