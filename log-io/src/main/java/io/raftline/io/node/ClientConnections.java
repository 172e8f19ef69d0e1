package io.raftline.io.node;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.raftline.io.transport.AeronRuntime;
import io.raftline.io.transport.Offers;
import io.raftline.io.transport.TransportCounters;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The clients a node answers, by client id: a reply publication for each, made when the client connects and
 * closed when it disconnects or has been silent for {@link #CLIENT_IDLE_NS} (clients repeat CONNECT as a
 * keep-alive). Replies are offered once: a client asks again for what it does not hear. Services that keep a
 * client's id (a pending read, a session's acknowledgements) look it up here when they answer, and drop the answer
 * when it is gone.
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
     * The connection of {@code clientId} replying to {@code endpoint}: the known one, or a new one (a client that
     * comes back from another endpoint gets a new publication). Null when no publication can be made there.
     */
    ClientConnection connect(final long clientId, final String endpoint, final long nowNs)
    {
        ClientConnection client = clients.get(clientId);
        if (client != null && !client.endpoint.equals(endpoint))
        {
            remove(client);
            client = null;
        }
        if (client == null)
        {
            final Publication publication;
            try
            {
                publication = aeron.addExclusivePublication(AeronRuntime.publicationChannel(
                    endpoint, mtuBytes, termLengthBytes, socketBufferBytes), AeronRuntime.STREAM_ID);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("cannot answer client at {}: {}", endpoint, ex.getMessage());
                return null;
            }
            client = new ClientConnection(clientId, endpoint, publication);
            clients.put(clientId, client);
        }
        client.lastHeardNs = nowNs;
        return client;
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
    }
}
