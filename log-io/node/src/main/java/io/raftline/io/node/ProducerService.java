package io.raftline.io.node;

import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.Role;
import io.raftline.core.session.Session;
import io.raftline.core.session.SessionTable;
import io.raftline.core.state.AppendAdmission;
import io.raftline.io.storage.DiskSpace;
import io.raftline.protocol.client.AckFrame;
import io.raftline.protocol.client.AppendFrame;
import io.raftline.protocol.client.OpenSessionFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.client.SessionOpenedFrame;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

/**
 * Producers' side of the leader: opening and closing sessions, admitting each appended entry through
 * {@link AppendAdmission} and proposing it, and acknowledging entries as they are applied. Every node applies
 * the same sessions; only the leader answers producers. A session that appends nothing for {@code sessionTimeoutNs}
 * is closed through the log by the leader, whose clock decides.
 */
final class ProducerService
{
    private final RaftNode node;
    private final SessionTable sessions;
    private final AppendAdmission admission;
    private final ClientConnections clients;
    private final long clusterHash;
    private final int nodeId;
    private final int maxEntryBytes;
    private final long sessionTimeoutNs;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[RejectFrame.LENGTH + SessionOpenedFrame.LENGTH]);
    private final UnsafeBuffer sessionPayload = new UnsafeBuffer(new byte[2 * SessionTable.MAX_NAME_BYTES + 16]);
    private final Long2LongHashMap sessionClient = new Long2LongHashMap(0);     // session -> its producer's client
    private final Long2LongHashMap sessionLastHeardNs = new Long2LongHashMap(0);
    private final Long2ObjectHashMap<long[]> pendingOpens = new Long2ObjectHashMap<>(); // index -> {client, corr.}
    private final NanoClock clock;
    private final DiskSpace disk;
    private final Consumer<ClientConnection> sendAcksIfAny = this::sendAcksIfAny;

    ProducerService(
        final RaftNode node,
        final AppendAdmission admission,
        final SessionTable sessions,
        final ClientConnections clients,
        final long clusterHash,
        final int nodeId,
        final int maxEntryBytes,
        final long sessionTimeoutNs,
        final NanoClock clock,
        final DiskSpace disk)
    {
        this.clock = clock;
        this.disk = disk;
        this.node = node;
        this.admission = admission;
        this.sessions = sessions;
        this.clients = clients;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
        this.maxEntryBytes = maxEntryBytes;
        this.sessionTimeoutNs = sessionTimeoutNs;
    }

    void onOpenSession(final ClientConnection client, final OpenSessionFrame open)
    {
        if (!admission.isReady())
        {
            reject(client, open.correlationId(), 0, 0, notLeading());
            return;
        }
        if (disk.isLow(clock.nanoTime()))
        {
            reject(client, open.correlationId(), 0, 0, RejectReason.DISK_FULL);
            return;
        }
        if (open.window() > sessions.maxWindow())
        {
            reject(client, open.correlationId(), sessions.maxWindow(), 0, RejectReason.WINDOW_TOO_LARGE);
            return;
        }
        if (open.resumeSessionId() != 0)
        {
            resume(client, open);
            return;
        }
        final int payloadLength = SessionTable.encodeOpen(open.name(), open.window(), client.admitted.credential(),
            sessionPayload, 0);
        final long index = node.propose(EntryType.SESSION, sessionPayload, 0, payloadLength, 0, 0);
        if (index < 0)
        {
            reject(client, open.correlationId(), 0, 0, refusal(index));
            return;
        }
        pendingOpens.put(index, new long[]{ client.clientId, open.correlationId() });
    }

    /**
     * A producer carries on a session it held before (it restarted): it is told the sequence after the session's
     * last committed one, once nothing of the session is appended and uncommitted, so that what it sends next is
     * new and what it had sent is known committed or not. A session of another name, or one that expired, is refused.
     */
    private void resume(final ClientConnection client, final OpenSessionFrame open)
    {
        final long sessionId = open.resumeSessionId();
        final Session session = sessions.session(sessionId);
        if (session == null || !session.name().equals(open.name()) ||
            !session.isOwnedBy(client.admitted.credential()))
        {
            reject(client, open.correlationId(), 0, 0, RejectReason.UNKNOWN_SESSION);
            return;
        }
        if (open.window() > session.ringCapacity())
        {
            reject(client, open.correlationId(), session.ringCapacity(), 0, RejectReason.WINDOW_TOO_LARGE);
            return;
        }
        if (session.lastAppendedSequence() != session.lastCommittedSequence())
        {
            reject(client, open.correlationId(), 0, 0, RejectReason.NOT_READY); // asked again once they commit
            return;
        }
        sessionClient.put(sessionId, client.clientId);
        sessionLastHeardNs.put(sessionId, clock.nanoTime());
        clients.reply(client, frame, SessionOpenedFrame.encode(frame, 0, clusterHash, nodeId, open.correlationId(),
            sessionId, session.lastCommittedSequence() + 1));
    }

    /**
     * A client's keep-alive names the session it produces to: this leader learns whose it is even if the producer,
     * quiet, has sent it nothing else, so the session is not taken for idle while its producer is there.
     */
    void onKeepAlive(final ClientConnection client, final long sessionId)
    {
        final Session session = sessionId != 0 && admission.isReady() ? sessions.session(sessionId) : null;
        if (session != null && session.isOwnedBy(client.admitted.credential()))
        {
            sessionClient.put(sessionId, client.clientId); // only its owner's client gets its acknowledgements
        }
    }

    void onCloseSession(final ClientConnection client, final long sessionId)
    {
        final Session session = admission.isReady() ? sessions.session(sessionId) : null;
        if (session != null && session.isOwnedBy(client.admitted.credential()))
        {
            proposeClose(sessionId);
        }
    }

    /** Admits the frame's entries in order; the first refused one ends the frame (the producer resends). */
    void onAppend(final ClientConnection client, final AppendFrame append, final long nowNs)
    {
        final long sessionId = append.sessionId();
        if (!admission.isReady())
        {
            append.nextEntry();
            reject(client, sessionId, append.entrySequence(), 0, notLeading());
            return;
        }
        final Session owned = sessions.session(sessionId);
        if (owned != null && !owned.isOwnedBy(client.admitted.credential()))
        {
            append.nextEntry();
            reject(client, sessionId, append.entrySequence(), 0, RejectReason.NOT_OWNER);
            return;
        }
        sessionClient.put(sessionId, client.clientId);
        sessionLastHeardNs.put(sessionId, nowNs);
        if (disk.isLow(nowNs))
        {
            append.nextEntry();
            reject(client, sessionId, append.entrySequence(), 0, RejectReason.DISK_FULL);
            return;
        }
        while (append.nextEntry())
        {
            final long sequence = append.entrySequence();
            if (append.entryPayloadLength() > maxEntryBytes)
            {
                reject(client, sessionId, sequence, 0, RejectReason.TOO_LARGE);
                return;
            }
            final int verdict = admission.check(sessionId, sequence);
            if (verdict == SessionTable.ACCEPT)
            {
                final long index = node.propose(append.buffer(), append.entryPayloadOffset(),
                    append.entryPayloadLength(), sessionId, sequence);
                if (index < 0)
                {
                    reject(client, sessionId, sequence, 0, refusal(index));
                    return;
                }
                admission.onProposed(sessionId, sequence);
            }
            else if (verdict == SessionTable.DUPLICATE)
            {
                final Session session = sessions.session(sessionId);
                final long index = session.indexOf(sequence);
                if (index > 0)
                {
                    addAck(client, sessionId, sequence, index, session.termOf(sequence));
                }
                // else: appended but not yet committed; its acknowledgement follows when it commits
            }
            else
            {
                final Session session = sessions.session(sessionId);
                reject(client, sessionId, sequence, session != null ? session.lastAppendedSequence() + 1 : 0,
                    verdict == SessionTable.OUT_OF_ORDER ? RejectReason.OUT_OF_ORDER : RejectReason.UNKNOWN_SESSION);
                return;
            }
        }
    }

    void onRoleChange(final Role role, final long lastIndex)
    {
        admission.onRoleChange(role, lastIndex);
        if (role != Role.LEADER)
        {
            pendingOpens.clear();
            sessionClient.clear();
            sessionLastHeardNs.clear();
        }
    }

    /** An entry was applied to the replicated state: the leader acknowledges it to its producer. */
    void onApplied(final long index, final long term, final int type, final long sessionId, final long sequence)
    {
        if (!node.isLeader())
        {
            return;
        }
        if (type == EntryType.NORMAL && sessionId != 0)
        {
            final long clientId = sessionClient.get(sessionId);
            final ClientConnection client = clientId != 0 ? clients.get(clientId) : null;
            if (client != null)
            {
                addAck(client, sessionId, sequence, index, term);
            }
        }
        else if (type == EntryType.SESSION)
        {
            final long[] open = pendingOpens.remove(index);
            final ClientConnection client = open != null ? clients.get(open[0]) : null;
            if (client != null && sessions.session(index) != null)
            {
                sessionClient.put(index, client.clientId);
                sessionLastHeardNs.put(index, clock.nanoTime());
                clients.reply(client, frame, SessionOpenedFrame.encode(frame, 0, clusterHash, nodeId, open[1], index, 1));
            }
        }
    }

    /** Sends the acknowledgements gathered in this duty cycle. */
    void flushAcks()
    {
        clients.forEach(sendAcksIfAny);
    }

    /**
     * Closes, through the log, sessions whose producer is gone: silent for longer than the timeout, its connection
     * too. A producer that is connected but has nothing to append keeps its session (its client's keep-alives say
     * it is there). The core reads a proposal's payload in place until the log is written, so {@code writeLog}
     * runs after each close, before the next one reuses the payload buffer.
     */
    void expireIdleSessions(final long nowNs, final Runnable writeLog)
    {
        if (!admission.isReady())
        {
            return;
        }
        sessions.forEach(session ->
        {
            final long lastHeardNs = sessionLastHeardNs.get(session.id());
            if (lastHeardNs == 0)
            {
                sessionLastHeardNs.put(session.id(), nowNs); // known from the log: its clock starts now
            }
            else if (nowNs - lastHeardNs > sessionTimeoutNs)
            {
                final ClientConnection owner = clients.get(sessionClient.get(session.id()));
                if (owner != null && nowNs - owner.lastHeardNs <= sessionTimeoutNs)
                {
                    sessionLastHeardNs.put(session.id(), owner.lastHeardNs);
                }
                else
                {
                    sessionLastHeardNs.remove(session.id());
                    proposeClose(session.id());
                    writeLog.run();
                }
            }
        });
    }

    private void proposeClose(final long sessionId)
    {
        final int payloadLength = SessionTable.encodeClose(sessionId, sessionPayload, 0);
        if (node.propose(EntryType.SESSION, sessionPayload, 0, payloadLength, 0, 0) > 0)
        {
            admission.onCloseProposed(sessionId);
        }
    }

    private void sendAcksIfAny(final ClientConnection client)
    {
        if (client.hasAcks())
        {
            sendAcks(client);
        }
    }

    private void addAck(
        final ClientConnection client, final long sessionId, final long sequence, final long index, final long term)
    {
        if (client.ackFrameClosedTo(sessionId))
        {
            sendAcks(client);
        }
        if (client.ackCount == 0)
        {
            client.ackSessionId = sessionId;
            client.ackLength = AckFrame.encodeHeader(client.ackFrame, 0, clusterHash, nodeId, sessionId);
        }
        client.ackLength = AckFrame.encodeEntry(client.ackFrame, client.ackLength, sequence, index, term);
        client.ackCount++;
    }

    private void sendAcks(final ClientConnection client)
    {
        AckFrame.finish(client.ackFrame, 0, client.ackLength, client.ackCount);
        // lost on back-pressure: the producer resends what a later acknowledgement shows missing (or on its retry
        // timeout), and the duplicate is acknowledged from the session table
        clients.reply(client, client.ackFrame, client.ackLength);
        client.ackCount = 0;
    }

    private void reject(
        final ClientConnection client, final long id, final long sequence, final long expected,
        final RejectReason reason)
    {
        clients.reply(client, frame, RejectFrame.encode(frame, 0, clusterHash, nodeId, id, sequence, expected, reason,
            node.leaderId()));
    }

    private RejectReason notLeading()
    {
        return node.isLeader() ? RejectReason.NOT_READY : RejectReason.NOT_LEADER;
    }

    private static RejectReason refusal(final long proposeResult)
    {
        return proposeResult == RaftNode.TRANSFERRING ? RejectReason.TRANSFERRING : RejectReason.NOT_LEADER;
    }
}
