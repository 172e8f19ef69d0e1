package io.raftline.io.node;

import io.aeron.Publication;
import io.raftline.protocol.client.AckFrame;
import org.agrona.CloseHelper;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client the node answers: its reply publication, the credential it proved (its rights, and the checker of its
 * frames), and what the services keep for it: the acknowledgement frame
 * the producer service is filling, and the tail streams the consumer service feeds, one per consumer of the client
 * (a client's producers and consumers share its connection).
 */
final class ClientConnection implements AutoCloseable
{
    final long clientId;
    final String endpoint;
    final ClientConnections.Admitted admitted;
    final Publication publication;
    final UnsafeBuffer ackFrame;
    long ackSessionId;
    int ackCount;
    int ackLength;
    long lastHeardNs;
    final Int2ObjectHashMap<TailStream> tails = new Int2ObjectHashMap<>();

    ClientConnection(
        final long clientId, final String endpoint, final ClientConnections.Admitted admitted,
        final Publication publication)
    {
        this.clientId = clientId;
        this.endpoint = endpoint;
        this.admitted = admitted;
        this.publication = publication;
        this.ackFrame = new UnsafeBuffer(new byte[publication.maxPayloadLength()]);
    }

    /** Whether the client's credential holds {@code right} (always, with authentication off). */
    boolean may(final int right)
    {
        return (admitted.rights() & right) != 0;
    }

    boolean hasAcks()
    {
        return ackCount > 0;
    }

    /** Whether the acknowledgement frame being filled is for another session or full. */
    boolean ackFrameClosedTo(final long sessionId)
    {
        return ackCount > 0 && (ackSessionId != sessionId || ackCount == AckFrame.capacity(ackFrame.capacity()));
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(tails.values());
        tails.clear();
        CloseHelper.quietClose(publication);
    }
}
