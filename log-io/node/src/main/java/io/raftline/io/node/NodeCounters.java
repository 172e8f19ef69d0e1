package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.raftline.core.Role;
import io.raftline.io.transport.TransportCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

/** Allocates a node's {@link NodeCounter}s in its Aeron directory and updates the Raft ones. */
final class NodeCounters implements AutoCloseable
{
    private final List<Counter> all = new ArrayList<>();
    private final Counter role;
    private final Counter term;
    private final Counter leader;
    private final Counter commitIndex;
    private final Counter lastIndex;
    private final Counter durableIndex;
    private final Counter electionsStarted;
    private final Counter appliedIndex;
    private final Counter heartbeatNs;
    private final Counter firstIndex;
    private final Counter snapshotIndex;
    private final Counter foreignDisk;
    private final Counter snapshotFailures;
    private final Counter chunksServed;
    private final Counter chunksFetched;
    private final Counter clients;
    private final Counter diskFull;
    private final Counter repairingTo;
    private final Counter appendsRefusedDiskFull;
    private final Aeron aeron;
    private final int nodeId;
    private final TransportCounters transport;
    private final Counter authentication;

    NodeCounters(final Aeron aeron, final int nodeId)
    {
        this.aeron = aeron;
        this.nodeId = nodeId;
        role = add(aeron, NodeCounter.ROLE, nodeId, 0);
        term = add(aeron, NodeCounter.TERM, nodeId, 0);
        leader = add(aeron, NodeCounter.LEADER, nodeId, 0);
        commitIndex = add(aeron, NodeCounter.COMMIT_INDEX, nodeId, 0);
        lastIndex = add(aeron, NodeCounter.LAST_INDEX, nodeId, 0);
        durableIndex = add(aeron, NodeCounter.DURABLE_INDEX, nodeId, 0);
        electionsStarted = add(aeron, NodeCounter.ELECTIONS_STARTED, nodeId, 0);
        appliedIndex = add(aeron, NodeCounter.APPLIED_INDEX, nodeId, 0);
        heartbeatNs = add(aeron, NodeCounter.HEARTBEAT_NS, nodeId, 0);
        firstIndex = add(aeron, NodeCounter.FIRST_INDEX, nodeId, 0);
        snapshotIndex = add(aeron, NodeCounter.SNAPSHOT_INDEX, nodeId, 0);
        foreignDisk = add(aeron, NodeCounter.FOREIGN_DISK, nodeId, 0);
        snapshotFailures = add(aeron, NodeCounter.SNAPSHOT_FAILURES, nodeId, 0);
        chunksServed = add(aeron, NodeCounter.SNAPSHOT_CHUNKS_SERVED, nodeId, 0);
        chunksFetched = add(aeron, NodeCounter.SNAPSHOT_CHUNKS_FETCHED, nodeId, 0);
        clients = add(aeron, NodeCounter.CLIENTS, nodeId, 0);
        diskFull = add(aeron, NodeCounter.DISK_FULL, nodeId, 0);
        repairingTo = add(aeron, NodeCounter.REPAIRING_TO, nodeId, 0);
        appendsRefusedDiskFull = add(aeron, NodeCounter.APPENDS_REFUSED_DISK_FULL, nodeId, 0);
        transport = new TransportCounters(
            add(aeron, NodeCounter.APPENDS_SENT, nodeId, 0),
            add(aeron, NodeCounter.ENTRIES_SENT, nodeId, 0),
            add(aeron, NodeCounter.BYTES_SENT, nodeId, 0),
            add(aeron, NodeCounter.APPENDS_RECEIVED, nodeId, 0),
            add(aeron, NodeCounter.ENTRIES_RECEIVED, nodeId, 0),
            add(aeron, NodeCounter.BYTES_RECEIVED, nodeId, 0),
            add(aeron, NodeCounter.BACK_PRESSURE, nodeId, 0),
            add(aeron, NodeCounter.NOT_CONNECTED, nodeId, 0),
            add(aeron, NodeCounter.DROPPED, nodeId, 0),
            add(aeron, NodeCounter.MALFORMED, nodeId, 0),
            add(aeron, NodeCounter.UNAUTHENTICATED, nodeId, 0),
            add(aeron, NodeCounter.UNAUTHORISED, nodeId, 0));
        authentication = add(aeron, NodeCounter.AUTHENTICATION, nodeId, 0);
    }

    /** Says whether frames between nodes are authenticated, for status to report. */
    void authentication(final boolean on)
    {
        authentication.setRelease(on ? 1 : 0);
    }

    /** A new counter of the leader's match index of {@code peerId}; its owner closes it when the peer goes. */
    Counter newMatchIndexCounter(final int peerId)
    {
        return allocate(aeron, NodeCounter.MATCH_INDEX, nodeId, peerId);
    }

    private Counter add(final Aeron aeron, final NodeCounter type, final int nodeId, final int peerId)
    {
        final Counter counter = allocate(aeron, type, nodeId, peerId);
        all.add(counter);
        return counter;
    }

    private static Counter allocate(final Aeron aeron, final NodeCounter type, final int nodeId, final int peerId)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[NodeCounter.KEY_LENGTH]);
        key.putInt(0, nodeId);
        key.putInt(4, peerId);
        final String label = "raftline node " + nodeId + ": " + type.label() + (peerId != 0 ? " of " + peerId : "");
        final UnsafeBuffer labelBuffer = new UnsafeBuffer(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return aeron.addCounter(type.typeId(), key, 0, key.capacity(), labelBuffer, 0, labelBuffer.capacity());
    }

    TransportCounters transport()
    {
        return transport;
    }

    void onRole(final Role newRole, final Role previous)
    {
        role.setRelease(newRole.ordinal());
        if (newRole == Role.CANDIDATE && previous != Role.CANDIDATE)
        {
            electionsStarted.incrementRelease();
        }
    }

    void update(
        final long term, final int leaderId, final long commitIndex, final long lastIndex, final long durableIndex)
    {
        this.term.setRelease(term);
        this.leader.setRelease(leaderId);
        this.commitIndex.setRelease(commitIndex);
        this.lastIndex.setRelease(lastIndex);
        this.durableIndex.setRelease(durableIndex);
    }

    void appliedIndex(final long index)
    {
        appliedIndex.setRelease(index);
    }

    /** Where the log starts, and the snapshot that covers what came before (0: none). */
    void logStart(final long firstIndex, final long snapshotIndex)
    {
        this.firstIndex.setRelease(firstIndex);
        this.snapshotIndex.setRelease(snapshotIndex);
    }

    /** Whether the configuration records this voter on another data directory (see RaftNode#isVoterOnAnotherDisk). */
    void foreignDisk(final boolean foreign)
    {
        foreignDisk.setRelease(foreign ? 1 : 0);
    }

    void snapshotFailures(final long failures)
    {
        snapshotFailures.setRelease(failures);
    }

    /** Snapshot chunks this node served to others, and fetched from them. */
    void snapshotChunks(final long served, final long fetched)
    {
        chunksServed.setRelease(served);
        chunksFetched.setRelease(fetched);
    }

    void clients(final int connected)
    {
        clients.setRelease(connected);
    }

    void diskFull(final boolean full)
    {
        diskFull.setRelease(full ? 1 : 0);
    }

    void repairingTo(final long index)
    {
        repairingTo.setRelease(index);
    }

    void onAppendRefusedDiskFull()
    {
        appendsRefusedDiskFull.incrementRelease();
    }

    void heartbeat(final long nowNs)
    {
        heartbeatNs.setRelease(nowNs);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(all);
    }
}
