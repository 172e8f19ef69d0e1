package io.raftline.io.node;

import io.aeron.Publication;
import io.raftline.protocol.client.AckFrame;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client the node answers: its reply publication, and what the services keep for it: the acknowledgement frame
 * the producer service is filling, and the tail stream the consumer service feeds if it consumes.
 */
final class ClientConnection implements AutoCloseable
{
    final long clientId;
    final String endpoint;
    final Publication publication;
    final UnsafeBuffer ackFrame;
    long ackSessionId;
    int ackCount;
    int ackLength;
    long lastHeardNs;
    TailStream tail;

    ClientConnection(final long clientId, final String endpoint, final Publication publication)
    {
        this.clientId = clientId;
        this.endpoint = endpoint;
        this.publication = publication;
        this.ackFrame = new UnsafeBuffer(new byte[publication.maxPayloadLength()]);
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
        CloseHelper.quietClose(tail);
        CloseHelper.quietClose(publication);
    }
}
