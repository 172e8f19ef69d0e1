package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.ReadStates;
import io.raftline.core.Role;
import io.raftline.core.session.Session;
import io.raftline.core.session.SessionTable;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.LogCursor;
import io.raftline.io.transport.AeronRuntime;
import io.raftline.io.transport.Offers;
import io.raftline.io.transport.TransportCounters;
import io.raftline.io.transport.client.ClientCodec;
import io.raftline.io.transport.client.ClientMessageType;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static io.raftline.io.transport.client.ClientCodec.BODY;
import static io.raftline.io.transport.client.ClientCodec.intAt;
import static io.raftline.io.transport.client.ClientCodec.longAt;

/**
 * The node's side of the client protocol, on the agent thread: producers' sessions and appends (the leader
 * proposes them, checks each sequence against the {@link SessionTable} so that a retry is committed at most once,
 * and acknowledges them as they commit), ReadIndex requests, and consumers' tails of the committed log.
 *
 * <p>Every node applies committed entries to its session table in log order, so a new leader knows what each
 * session committed. Session expiry is decided by the leader's clock and applied through the log: a session that
 * appended nothing for {@code sessionTimeoutNs} is closed by a {@link EntryType#SESSION} close entry.
 */
final class ClientService implements AutoCloseable
{
    static final int NOT_READY = 7;
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);
    private static final int APPLY_LIMIT = 4096;
    private static final int TAIL_FRAMES_LIMIT = 16;
    private static final long CLIENT_IDLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long HOUSEKEEPING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final RaftNode node;
    private final ChronicleLog log;
    private final TransportCounters counters;
    private final Aeron aeron;
    private final long clusterHash;
    private final int nodeId;
    private final int mtuBytes;
    private final int termLengthBytes;
    private final int socketBufferBytes;
    private final int maxEntryBytes;
    private final long sessionTimeoutNs;
    private final SessionTable sessions;
    private final LogCursor applyCursor;
    private final UnsafeBuffer frame;
    private final UnsafeBuffer nameFrame = new UnsafeBuffer(new byte[ClientCodec.BODY + 16 + 2 * 64]);
    private final LogCursor nameCursor;
    private final UnsafeBuffer sessionPayload = new UnsafeBuffer(new byte[SessionTable.MAX_NAME_BYTES + 16]);
    private final Long2ObjectHashMap<ClientConnection> clients = new Long2ObjectHashMap<>();
    private final Long2LongHashMap sessionClient = new Long2LongHashMap(0);
    private final Long2LongHashMap sessionLastHeardNs = new Long2LongHashMap(0);
    private final Long2ObjectHashMap<long[]> pendingOpens = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<long[]> pendingReads = new Long2ObjectHashMap<>();
    private long nextReadId;
    private long appliedIndex;
    private long leaderReadyIndex = Long.MAX_VALUE;
    private long nextHousekeepingNs;
    private long nowNs;

    ClientService(
        final RaftNode node,
        final ChronicleLog log,
        final Aeron aeron,
        final long clusterHash,
        final ClusterConfig config,
        final int nodeId,
        final TransportCounters counters)
    {
        this.node = node;
        this.counters = counters;
        this.log = log;
        this.aeron = aeron;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
        this.mtuBytes = config.mtuBytes();
        this.termLengthBytes = config.termLengthBytes();
        this.socketBufferBytes = config.socketBufferBytes();
        this.maxEntryBytes = config.maxEntryBytes();
        this.sessionTimeoutNs = config.sessionTimeoutNs();
        this.sessions = new SessionTable(config.maxSessions(), 4096);
        this.applyCursor = log.newCursor();
        this.nameCursor = log.newCursor();
        this.frame = new UnsafeBuffer(new byte[Math.max(mtuBytes, maxEntryBytes + 4096)]);
        // entries below the first held were compacted; a snapshot would carry their sessions
        this.appliedIndex = log.firstIndex() - 1;
    }

    long appliedIndex()
    {
        return appliedIndex;
    }

    SessionTable sessions()
    {
        return sessions;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound

    void onFrame(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        final long clientId = longAt(buffer, offset + BODY);
        if (type == ClientMessageType.CONNECT)
        {
            onConnect(clientId, buffer, offset, length);
            return;
        }
        final ClientConnection client = clients.get(clientId);
        if (client == null)
        {
            return; // it will CONNECT again: clients repeat it until answered
        }
        client.lastHeardNs = nowNs;
        switch (type)
        {
            case ClientMessageType.OPEN_SESSION -> onOpenSession(client, buffer, offset, length);
            case ClientMessageType.APPEND -> onAppend(client, buffer, offset, length);
            case ClientMessageType.READ_INDEX -> onReadIndex(client, longAt(buffer, offset + BODY + 8));
            case ClientMessageType.TAIL -> onTail(client, buffer, offset);
            case ClientMessageType.TAIL_CREDIT ->
            {
                if (client.tail != null)
                {
                    client.tail.credit += Math.max(0, longAt(buffer, offset + BODY + 8));
                }
            }
            case ClientMessageType.CLOSE_SESSION -> onCloseSession(longAt(buffer, offset + BODY + 8));
            case ClientMessageType.DISCONNECT ->
            {
                clients.remove(clientId);
                client.close();
            }
            default ->
            {
                // replies travel to clients only; a node ignores them
            }
        }
    }

    private void onConnect(final long clientId, final DirectBuffer buffer, final int offset, final int length)
    {
        final String endpoint = ClientCodec.stringAt(buffer, offset, length, BODY + 16, ClientCodec.MAX_ENDPOINT_BYTES);
        if (endpoint == null || clientId == 0)
        {
            return;
        }
        ClientConnection client = clients.get(clientId);
        if (client != null && !client.endpoint.equals(endpoint))
        {
            clients.remove(clientId);
            client.close();
            client = null;
        }
        if (client == null)
        {
            final String channel =
                AeronRuntime.publicationChannel(endpoint, mtuBytes, termLengthBytes, socketBufferBytes);
            final Publication publication;
            try
            {
                publication = aeron.addExclusivePublication(channel, RaftlineNode.STREAM_ID);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("cannot answer client at {}: {}", endpoint, ex.getMessage());
                return;
            }
            client = new ClientConnection(clientId, endpoint, publication, publication.maxPayloadLength());
            clients.put(clientId, client);
        }
        client.lastHeardNs = nowNs;
        final int frameLength = ClientCodec.connected(frame, 0, clusterHash, nodeId, longAt(buffer, offset + BODY + 8),
            node.leaderId(), node.term(), node.commitIndex(), log.lastIndex(), node.role().ordinal());
        offer(client, frameLength);
    }

    private void onOpenSession(
        final ClientConnection client, final DirectBuffer buffer, final int offset, final int length)
    {
        final long correlationId = longAt(buffer, offset + BODY + 8);
        final String name = ClientCodec.stringAt(buffer, offset, length, BODY + 16, SessionTable.MAX_NAME_BYTES);
        if (name == null)
        {
            return;
        }
        if (!isReadyLeader())
        {
            reject(client, correlationId, 0, 0, node.role() == Role.LEADER ? NOT_READY : ClientCodec.NOT_LEADER);
            return;
        }
        final int payloadLength = SessionTable.encodeOpen(name, sessionPayload, 0);
        final long index = node.propose(EntryType.SESSION, sessionPayload, 0, payloadLength, 0, 0);
        if (index < 0)
        {
            reject(client, correlationId, 0, 0, refusal(index));
            return;
        }
        pendingOpens.put(index, new long[]{ client.clientId, correlationId });
    }

    private void onCloseSession(final long sessionId)
    {
        if (isReadyLeader() && sessions.session(sessionId) != null)
        {
            final int payloadLength = SessionTable.encodeClose(sessionId, sessionPayload, 0);
            node.propose(EntryType.SESSION, sessionPayload, 0, payloadLength, 0, 0);
        }
    }

    private void onAppend(final ClientConnection client, final DirectBuffer buffer, final int offset, final int length)
    {
        final long sessionId = longAt(buffer, offset + BODY + 8);
        final int count = intAt(buffer, offset + BODY + 16);
        int position = offset + ClientCodec.APPEND_HEADER;
        final int end = offset + length;
        if (count < 1 || position > end)
        {
            return;
        }
        if (!isReadyLeader())
        {
            reject(client, sessionId, longAt(buffer, position), 0,
                node.role() == Role.LEADER ? NOT_READY : ClientCodec.NOT_LEADER);
            return;
        }
        sessionClient.put(sessionId, client.clientId);
        sessionLastHeardNs.put(sessionId, nowNs);
        for (int i = 0; i < count; i++)
        {
            if (position + ClientCodec.APPEND_ENTRY_HEADER > end)
            {
                return;
            }
            final long sequence = longAt(buffer, position);
            final int payloadLength = intAt(buffer, position + 8);
            final int payloadOffset = position + ClientCodec.APPEND_ENTRY_HEADER;
            if (payloadLength < 0 || payloadOffset + payloadLength > end)
            {
                return;
            }
            if (payloadLength > maxEntryBytes)
            {
                reject(client, sessionId, sequence, 0, ClientCodec.TOO_LARGE);
                return;
            }
            final int verdict = sessions.check(sessionId, sequence);
            if (verdict == SessionTable.ACCEPT)
            {
                final long index = node.propose(buffer, payloadOffset, payloadLength, sessionId, sequence);
                if (index < 0)
                {
                    reject(client, sessionId, sequence, 0, refusal(index));
                    return;
                }
                sessions.onAppended(sessionId, sequence);
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
                    verdict == SessionTable.OUT_OF_ORDER ? ClientCodec.OUT_OF_ORDER : ClientCodec.UNKNOWN_SESSION);
                return;
            }
            position = payloadOffset + ClientCodec.padded(payloadLength);
        }
    }

    private void onReadIndex(final ClientConnection client, final long correlationId)
    {
        final long requestId = ++nextReadId;
        pendingReads.put(requestId, new long[]{ client.clientId, correlationId });
        node.readIndex(requestId);
    }

    private void onTail(final ClientConnection client, final DirectBuffer buffer, final int offset)
    {
        final long from = longAt(buffer, offset + BODY + 8);
        final long credit = longAt(buffer, offset + BODY + 16);
        final int flags = intAt(buffer, offset + BODY + 24);
        CloseHelper.quietClose(client.tail);
        final long fromIndex = from <= 0 ? log.firstIndex() : from == Long.MAX_VALUE ? node.commitIndex() + 1 : from;
        client.tail = new TailStream(log.newCursor(), fromIndex, Math.max(0, credit),
            (flags & ClientCodec.TAIL_ALL) != 0);
    }

    /** The answers to ReadIndex requests. */
    void onReadStates(final ReadStates readStates)
    {
        for (int i = 0, size = readStates.size(); i < size; i++)
        {
            final long[] request = pendingReads.remove(readStates.requestId(i));
            final ClientConnection client = request != null ? clients.get(request[0]) : null;
            if (client != null)
            {
                offer(client, ClientCodec.readIndexResult(
                    frame, 0, clusterHash, nodeId, request[1], readStates.index(i)));
            }
        }
    }

    void onRoleChange(final Role role)
    {
        if (role == Role.LEADER)
        {
            // what an earlier leadership appended beyond the commit index is still this leader's log
            sessions.resetAppended();
            leaderReadyIndex = log.lastIndex();
        }
        else
        {
            leaderReadyIndex = Long.MAX_VALUE;
            pendingOpens.clear();
            sessionClient.clear();
            sessionLastHeardNs.clear();
        }
        // reads pending on a leader that lost its role are answered FAILED by the core
    }

    /** A leader accepts appends once it has applied its whole log up to its own no-op: its table is complete. */
    private boolean isReadyLeader()
    {
        return node.role() == Role.LEADER && appliedIndex >= leaderReadyIndex;
    }

    private int refusal(final long proposeResult)
    {
        return proposeResult == RaftNode.TRANSFERRING ? ClientCodec.TRANSFERRING : ClientCodec.NOT_LEADER;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Duty cycle

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = apply();
        work += streamTails();
        flushAcks();
        if (nowNs >= nextHousekeepingNs)
        {
            nextHousekeepingNs = nowNs + HOUSEKEEPING_INTERVAL_NS;
            reapIdleClients();
            expireIdleSessions();
        }
        return work;
    }

    private int apply()
    {
        final long commitIndex = node.commitIndex();
        int applied = 0;
        while (appliedIndex < commitIndex && applied < APPLY_LIMIT)
        {
            final long index = appliedIndex + 1;
            if (log.isRecent(index) && log.type(index) != EntryType.SESSION)
            {
                // what the session table needs of an entry near the tail is in memory: no second read of the file
                applyEntry(index, log.term(index), log.type(index), log.recentSessionId(index),
                    log.recentSequence(index), null, 0, 0);
            }
            else
            {
                // seeking to where the cursor already is costs nothing, so a run of reads stays sequential
                if (!applyCursor.seek(index) || !applyCursor.next())
                {
                    throw new IllegalStateException("committed entry " + index + " cannot be read");
                }
                applyEntry(index, applyCursor.term(), applyCursor.type(), applyCursor.sessionId(),
                    applyCursor.sequence(), applyCursor.buffer(), applyCursor.payloadOffset(),
                    applyCursor.payloadLength());
            }
            appliedIndex = index;
            applied++;
        }
        return applied;
    }

    /** Applies a committed entry; its payload is needed (and given) only for {@link EntryType#SESSION} entries. */
    private void applyEntry(
        final long index,
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        sessions.apply(index, term, type, sessionId, sequence, payload, payloadOffset, payloadLength);
        if (node.role() != Role.LEADER)
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
                sessionLastHeardNs.put(index, nowNs);
                offer(client, ClientCodec.sessionOpened(frame, 0, clusterHash, nodeId, open[1], index));
            }
        }
    }

    private void addAck(
        final ClientConnection client, final long sessionId, final long sequence, final long index, final long term)
    {
        if (client.ackCount > 0 && (client.ackSessionId != sessionId ||
            client.ackCount == ClientConnection.ackCapacity(client.maxFrameBytes())))
        {
            sendAcks(client);
        }
        if (client.ackCount == 0)
        {
            client.ackSessionId = sessionId;
            client.ackLength = ClientCodec.ackHeader(client.ackFrame, 0, clusterHash, nodeId, sessionId);
        }
        client.ackLength = ClientCodec.ackEntry(client.ackFrame, client.ackLength, sequence, index, term);
        client.ackCount++;
    }

    private void flushAcks()
    {
        if (clients.isEmpty())
        {
            return;
        }
        final Long2ObjectHashMap<ClientConnection>.ValueIterator iterator = clients.values().iterator();
        while (iterator.hasNext())
        {
            final ClientConnection client = iterator.next();
            if (client.hasAcks())
            {
                sendAcks(client);
            }
        }
    }

    private void sendAcks(final ClientConnection client)
    {
        ClientCodec.finishAck(client.ackFrame, 0, client.ackLength, client.ackCount);
        // lost on back-pressure: the producer resends what a later acknowledgement shows missing (or on its retry
        // timeout), and the duplicate is acknowledged from the session table
        reply(client, client.ackFrame, client.ackLength);
        client.ackCount = 0;
    }

    private int streamTails()
    {
        if (clients.isEmpty())
        {
            return 0;
        }
        int work = 0;
        final Long2ObjectHashMap<ClientConnection>.ValueIterator iterator = clients.values().iterator();
        while (iterator.hasNext())
        {
            final ClientConnection client = iterator.next();
            if (client.tail != null)
            {
                work += streamTail(client, client.tail);
            }
        }
        return work;
    }

    private int streamTail(final ClientConnection client, final TailStream tail)
    {
        int frames = 0;
        final int maxFrame = client.publication.maxPayloadLength();
        while (tail.credit > 0 && tail.nextIndex <= appliedIndex && frames < TAIL_FRAMES_LIMIT)
        {
            if (tail.nextIndex < log.firstIndex())
            {
                tail.nextIndex = log.firstIndex(); // compacted away: the stream resumes at what is held
            }
            if (!tail.positioned || tail.cursor.index() + 1 != tail.nextIndex)
            {
                if (!tail.cursor.seek(tail.nextIndex))
                {
                    return frames;
                }
                tail.positioned = true;
            }
            int length = ClientCodec.tailEntriesHeader(frame, 0, clusterHash, nodeId, node.commitIndex());
            int count = 0;
            long next = tail.nextIndex;
            while (next <= appliedIndex && tail.credit > 0)
            {
                final int entryLength = ClientCodec.tailEntryLength(log.payloadLength(next));
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
                    final String name = sessionName(sessionId);
                    if (count > 0)
                    {
                        // names go first: send what is ready, then the name, then go on
                        next = tail.cursor.index();
                        tail.positioned = false;
                        break;
                    }
                    if (Offers.offer(client.publication, nameFrame, 0,
                        ClientCodec.sessionName(nameFrame, 0, clusterHash, nodeId, sessionId, name)) < 0)
                    {
                        tail.positioned = false;
                        return frames;
                    }
                    tail.namedSessions.add(sessionId);
                }
                length = ClientCodec.tailEntryHeader(frame, length, tail.cursor.index(), tail.cursor.term(), sessionId,
                    tail.cursor.sequence(), type, tail.cursor.payloadLength());
                frame.putBytes(length, tail.cursor.buffer(), tail.cursor.payloadOffset(), tail.cursor.payloadLength());
                length += ClientCodec.padded(tail.cursor.payloadLength());
                count++;
                tail.credit--;
            }
            if (count > 0 || next != tail.nextIndex)
            {
                ClientCodec.finishTailEntries(frame, 0, length, count, next);
                if (Offers.offer(client.publication, frame, 0, length) < 0)
                {
                    counters.onBackPressure();
                    // not sent: take back the credit and the position, and try again next cycle
                    tail.credit += count;
                    tail.positioned = false;
                    return frames;
                }
                frames++;
            }
            tail.nextIndex = next;
        }
        return frames;
    }

    /**
     * A session's name: from the table while it is open, else from the entry that opened it (a session's id is
     * that entry's index), so that consumers see names of sessions long closed.
     */
    private String sessionName(final long sessionId)
    {
        final Session session = sessions.session(sessionId);
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

    private void reapIdleClients()
    {
        final Long2ObjectHashMap<ClientConnection>.ValueIterator iterator = clients.values().iterator();
        while (iterator.hasNext())
        {
            final ClientConnection client = iterator.next();
            if (nowNs - client.lastHeardNs > CLIENT_IDLE_NS)
            {
                iterator.remove();
                client.close();
            }
        }
    }

    private void expireIdleSessions()
    {
        if (!isReadyLeader())
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
                sessionLastHeardNs.remove(session.id());
                final int payloadLength = SessionTable.encodeClose(session.id(), sessionPayload, 0);
                node.propose(EntryType.SESSION, sessionPayload, 0, payloadLength, 0, 0);
            }
        });
    }

    private void reject(
        final ClientConnection client, final long id, final long sequence, final long expected, final int reason)
    {
        offer(client, ClientCodec.reject(frame, 0, clusterHash, nodeId, id, sequence, expected, reason,
            node.leaderId()));
    }

    private void offer(final ClientConnection client, final int length)
    {
        // a reply lost to back-pressure or a client not yet connected is asked again: clients retry on timeout
        reply(client, frame, length);
    }

    private void reply(final ClientConnection client, final DirectBuffer buffer, final int length)
    {
        final long result = Offers.offer(client.publication, buffer, 0, length);
        if (result < 0)
        {
            counters.onReplyNotSent(result);
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(clients.values());
        clients.clear();
        CloseHelper.quietClose(applyCursor);
        CloseHelper.quietClose(nameCursor);
    }
}
