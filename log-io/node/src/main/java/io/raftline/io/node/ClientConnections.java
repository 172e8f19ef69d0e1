package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.Offers;
import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The clients a node answers, by client id: a reply publication for each, asked of the driver when the client
 * connects and closed when it disconnects or has been silent for {@link #CLIENT_IDLE_NS} (clients repeat CONNECT
 * as a keep-alive). Publications are added asynchronously: making one takes the driver a millisecond or two, and a
 * burst of connects made one by one would hold up heartbeats on the node's only thread; {@link #completePending}
 * answers each client once its publication is there. Replies are offered once: a client asks again for what it does
 * not hear. Services that keep a client's id (a pending read, a session's acknowledgements) look it up here when they
 * answer, and drop the answer when it is gone.
 */
final class ClientConnections implements AutoCloseable
{
    static final long CLIENT_IDLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnections.class);

    private final Aeron aeron;
    private final int mtuBytes;
    private final int termLengthBytes;
    private final int socketBufferBytes;
    private final TransportCounters counters;
    private final Long2ObjectHashMap<ClientConnection> clients = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<Pending> pending = new Long2ObjectHashMap<>();

    /** A client whose reply publication the driver is making. */
    private record Pending(long clientId, String endpoint, Admitted admitted, long registrationId, long correlationId)
    {
    }

    /**
     * The credential a client proved: its name ("" without), rights, the key it was made under, and the checker of
     * its frames (null with authentication off, where every client may do everything).
     */
    record Admitted(String credential, int rights, int keyId, FrameAuthenticator checker)
    {
        static final Admitted OPEN = new Admitted("", ClientCredential.ALL, 0, null);

        boolean sameCredential(final ConnectFrame connect)
        {
            return credential.equals(connect.credential()) && rights == connect.rights() && keyId == connect.keyId();
        }

        boolean sameCredential(final Admitted other)
        {
            return credential.equals(other.credential) && rights == other.rights && keyId == other.keyId;
        }
    }

    /** Told of each client whose publication is ready: answer its CONNECT. */
    @FunctionalInterface
    interface ConnectedListener
    {
        void onConnected(ClientConnection client, long correlationId);
    }

    ClientConnections(
        final Aeron aeron,
        final int mtuBytes,
        final int termLengthBytes,
        final int socketBufferBytes,
        final TransportCounters counters)
    {
        this.aeron = aeron;
        this.mtuBytes = mtuBytes;
        this.termLengthBytes = termLengthBytes;
        this.socketBufferBytes = socketBufferBytes;
        this.counters = counters;
    }

    /**
     * The connection of {@code clientId} replying to {@code endpoint}, or null while its publication is being made
     * (a client that comes back from another endpoint gets a new one); {@link #completePending} then answers it.
     */
    ClientConnection connect(
        final long clientId, final String endpoint, final Admitted admitted, final long correlationId, final long nowNs)
    {
        final ClientConnection client = clients.get(clientId);
        if (client != null && client.endpoint.equals(endpoint) && client.admitted.sameCredential(admitted))
        {
            client.lastHeardNs = nowNs;
            return client;
        }
        if (client != null)
        {
            remove(client);
        }
        final Pending waiting = pending.get(clientId);
        if (waiting != null && (waiting.endpoint.equals(endpoint) || !waiting.admitted.sameCredential(admitted)))
        {
            return null; // a repeated CONNECT while the publication is being made, or another credential's
        }
        if (waiting != null)
        {
            pending.remove(clientId);
            aeron.asyncRemovePublication(waiting.registrationId);
        }
        try
        {
            final long registrationId = aeron.asyncAddExclusivePublication(AeronRuntime.publicationChannel(
                endpoint, mtuBytes, termLengthBytes, socketBufferBytes), AeronRuntime.STREAM_ID);
            pending.put(clientId, new Pending(clientId, endpoint, admitted, registrationId, correlationId));
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("cannot answer client at {}: {}", endpoint, ex.getMessage());
        }
        return null;
    }

    /** Connects the clients whose publications are ready and tells {@code listener}; returns how many. */
    int completePending(final long nowNs, final ConnectedListener listener)
    {
        if (pending.isEmpty())
        {
            return 0;
        }
        int completed = 0;
        final Long2ObjectHashMap<Pending>.ValueIterator iterator = pending.values().iterator();
        while (iterator.hasNext())
        {
            final Pending waiting = iterator.next();
            final Publication publication;
            try
            {
                publication = aeron.getExclusivePublication(waiting.registrationId);
            }
            catch (final RuntimeException ex)
            {
                iterator.remove();
                LOG.warn("cannot answer client at {}: {}", waiting.endpoint, ex.getMessage());
                continue;
            }
            if (publication != null)
            {
                iterator.remove();
                final ClientConnection client = new ClientConnection(waiting.clientId, waiting.endpoint,
                    waiting.admitted, publication);
                client.lastHeardNs = nowNs;
                clients.put(waiting.clientId, client);
                listener.onConnected(client, waiting.correlationId);
                completed++;
            }
        }
        return completed;
    }

    /** The connected client, its silence timer restarted; null for a client that must CONNECT (again). */
    ClientConnection heardFrom(final long clientId, final long nowNs)
    {
        final ClientConnection client = clients.get(clientId);
        if (client != null)
        {
            client.lastHeardNs = nowNs;
        }
        return client;
    }

    ClientConnection get(final long clientId)
    {
        return clients.get(clientId);
    }

    void disconnect(final long clientId)
    {
        final Pending waiting = pending.remove(clientId);
        if (waiting != null)
        {
            aeron.asyncRemovePublication(waiting.registrationId);
        }
        final ClientConnection client = clients.get(clientId);
        if (client != null)
        {
            remove(client);
        }
    }

    /** Offers a reply once; one that cannot be sent is counted and dropped (the client asks again). */
    void reply(final ClientConnection client, final DirectBuffer buffer, final int length)
    {
        final long result = Offers.offer(client.publication, buffer, 0, length);
        if (result < 0)
        {
            counters.onReplyNotSent(result);
        }
    }

    boolean isEmpty()
    {
        return clients.isEmpty();
    }

    /** Clients connected, their publications made. */
    int size()
    {
        return clients.size();
    }

    /** Visits every connection; allocation-free. */
    void forEach(final Consumer<ClientConnection> action)
    {
        if (clients.isEmpty())
        {
            return;
        }
        final Long2ObjectHashMap<ClientConnection>.ValueIterator iterator = clients.values().iterator();
        while (iterator.hasNext())
        {
            action.accept(iterator.next());
        }
    }

    /** Closes connections silent for longer than {@link #CLIENT_IDLE_NS}. */
    void closeIdle(final long nowNs)
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

    private void remove(final ClientConnection client)
    {
        clients.remove(client.clientId);
        client.close();
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(clients.values());
        clients.clear();
        pending.clear(); // the driver closes with the node: nothing to take back
    }
}
