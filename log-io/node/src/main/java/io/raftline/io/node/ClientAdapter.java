package io.raftline.io.node;

import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.ClientFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.FrameAuthenticator;
import io.raftline.core.RaftNode;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.protocol.client.AdminRequestFrame;
import io.raftline.protocol.client.AppendFrame;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.CloseSessionFrame;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.client.ConnectedFrame;
import io.raftline.protocol.client.DisconnectFrame;
import io.raftline.protocol.client.OpenSessionFrame;
import io.raftline.protocol.client.ReadIndexFrame;
import io.raftline.protocol.client.TailCreditFrame;
import io.raftline.protocol.client.TailFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.Consumer;

/**
 * The node's side of the client protocol: decodes each client frame with its flyweight and hands it to the service
 * that answers it (connections, producers, consumers, reads). A frame from a client that has not connected (or
 * whose connection was closed) is ignored: clients repeat CONNECT until answered.
 */
final class ClientAdapter
{
    private final RaftNode node;
    private final ClientGate gate;              // null: authentication off
    private final TransportCounters counters;
    private final ChronicleLog log;
    private final ClientConnections clients;
    private final ProducerService producers;
    private final ConsumerService consumers;
    private final ReadService reads;
    private final AdminService admin;
    private final long clusterHash;
    private final int nodeId;
    private final ConnectFrame connect = new ConnectFrame();
    private final OpenSessionFrame openSession = new OpenSessionFrame();
    private final AppendFrame append = new AppendFrame();
    private final CloseSessionFrame closeSession = new CloseSessionFrame();
    private final ReadIndexFrame readIndex = new ReadIndexFrame();
    private final TailFrame tail = new TailFrame();
    private final TailCreditFrame tailCredit = new TailCreditFrame();
    private final DisconnectFrame disconnect = new DisconnectFrame();
    private final AdminRequestFrame adminRequest = new AdminRequestFrame();
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[ConnectedFrame.maxLength()]);
    private final Consumer<ClientConnection> announce = client -> announce(client, 0);

    ClientAdapter(
        final RaftNode node,
        final ChronicleLog log,
        final ClientConnections clients,
        final ProducerService producers,
        final ConsumerService consumers,
        final ReadService reads,
        final AdminService admin,
        final long clusterHash,
        final int nodeId,
        final ClientGate gate,
        final TransportCounters counters)
    {
        this.gate = gate;
        this.counters = counters;
        this.admin = admin;
        this.node = node;
        this.log = log;
        this.clients = clients;
        this.producers = producers;
        this.consumers = consumers;
        this.reads = reads;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
    }

    /**
     * Handles one frame whose header is valid ({@code signed}: with its trailer after {@code length}); returns false
     * when its body is malformed. With authentication on, a frame is read only once its client is known to have
     * sent it ({@link ClientGate}), and a request the client's credential has no right to is refused, by name.
     */
    boolean onFrame(
        final int type, final DirectBuffer buffer, final int offset, final int length, final boolean signed,
        final long nowNs)
    {
        if (gate != null && !signed)
        {
            gate.refuseUnsigned();
            return true;
        }
        final int signedLength = length + FrameAuthenticator.TRAILER_LENGTH;
        if (type == ClientMessageType.CONNECT)
        {
            if (!connect.wrap(buffer, offset, length))
            {
                return false;
            }
            final ClientConnections.Admitted admitted = gate == null ? ClientConnections.Admitted.OPEN :
                gate.admitConnect(connect, buffer, offset, signedLength, clients.get(connect.clientId()));
            if (admitted != null)
            {
                onConnect(admitted, nowNs);
            }
            return true;
        }
        if (gate != null && ClientMessageType.isRequest(type))
        {
            if (length < ClientFrame.BODY + 8)
            {
                return false;
            }
            // every request starts with its client's id: a client not connected must connect first
            final ClientConnection client = clients.get(buffer.getLong(offset + ClientFrame.BODY, ClientFrame.ORDER));
            if (client == null || !gate.admit(client, buffer, offset, signedLength))
            {
                return true;
            }
        }
        switch (type)
        {
            case ClientMessageType.OPEN_SESSION ->
            {
                if (!openSession.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(openSession.clientId(), nowNs);
                if (permitted(client, ClientCredential.PRODUCE, openSession.correlationId()))
                {
                    producers.onOpenSession(client, openSession);
                }
            }
            case ClientMessageType.APPEND ->
            {
                if (!append.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(append.clientId(), nowNs);
                if (permitted(client, ClientCredential.PRODUCE, append.sessionId()))
                {
                    producers.onAppend(client, append, nowNs);
                }
            }
            case ClientMessageType.CLOSE_SESSION ->
            {
                if (!closeSession.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(closeSession.clientId(), nowNs);
                if (permitted(client, ClientCredential.PRODUCE, closeSession.sessionId()))
                {
                    producers.onCloseSession(client, closeSession.sessionId());
                }
            }
            case ClientMessageType.READ_INDEX ->
            {
                if (!readIndex.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(readIndex.clientId(), nowNs);
                if (permitted(client, ClientCredential.PRODUCE | ClientCredential.CONSUME, readIndex.correlationId()))
                {
                    reads.onReadIndex(client, readIndex.correlationId(), nowNs);
                }
            }
            case ClientMessageType.TAIL ->
            {
                if (!tail.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(tail.clientId(), nowNs);
                if (permitted(client, ClientCredential.CONSUME, tail.stream()))
                {
                    consumers.onTail(client, tail);
                }
            }
            case ClientMessageType.TAIL_CREDIT ->
            {
                if (!tailCredit.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(tailCredit.clientId(), nowNs);
                if (client != null && client.may(ClientCredential.CONSUME))
                {
                    consumers.onCredit(client, tailCredit.consumer(), tailCredit.credit());
                }
            }
            case ClientMessageType.ADMIN_REQUEST ->
            {
                if (!adminRequest.wrap(buffer, offset, length))
                {
                    return false;
                }
                final ClientConnection client = clients.heardFrom(adminRequest.clientId(), nowNs);
                if (permitted(client, ClientCredential.ADMIN, adminRequest.correlationId()))
                {
                    admin.onRequest(client, adminRequest, nowNs);
                }
            }
            case ClientMessageType.DISCONNECT ->
            {
                if (!disconnect.wrap(buffer, offset, length))
                {
                    return false;
                }
                clients.disconnect(disconnect.clientId());
            }
            default ->
            {
                // replies travel to clients only; a node ignores them
            }
        }
        return true;
    }

    /**
     * Whether a connected client may make a request needing one of {@code rights}; if not, it is told so: a REJECT
     * naming the request ({@code id}) and, as its expected sequence, the rights it lacks.
     */
    private boolean permitted(final ClientConnection client, final int rights, final long id)
    {
        if (client == null)
        {
            return false;
        }
        if (client.may(rights))
        {
            return true;
        }
        counters.onUnauthorised();
        clients.reply(client, reply, RejectFrame.encode(reply, 0, clusterHash, nodeId, id, 0, rights,
            RejectReason.UNAUTHORISED, node.leaderId()));
        return false;
    }

    /** Tells every client where the leader is now, so that none waits for a timeout to find it. */
    void announceToAll()
    {
        clients.forEach(announce);
    }

    private void onConnect(final ClientConnections.Admitted admitted, final long nowNs)
    {
        final ClientConnection client =
            clients.connect(connect.clientId(), connect.endpoint(), admitted, connect.correlationId(), nowNs);
        if (client != null)
        {
            producers.onKeepAlive(client, connect.sessionId());
            announce(client, connect.correlationId());
        }
    }

    /** Answers a client's CONNECT: who leads, the term, the commit index and the members. */
    void announce(final ClientConnection client, final long correlationId)
    {
        clients.reply(client, reply, ConnectedFrame.encode(reply, 0, clusterHash, nodeId, correlationId,
            node.leaderId(), node.term(), node.commitIndex(), log.lastIndex(), node.role().ordinal(),
            node.configuration()));
    }
}
