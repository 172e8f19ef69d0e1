package io.raftline.io.node;

import io.aeron.Publication;
import io.raftline.io.transport.client.ClientCodec;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client the node answers: its reply publication, the acknowledgement frame being filled for it, and its tail
 * stream if it consumes. Replies that meet back-pressure are retried on the next duty cycle; acknowledgements are
 * cumulative in effect (the producer resends what is not acknowledged), so one that cannot be sent is dropped.
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

    ClientConnection(final long clientId, final String endpoint, final Publication publication, final int frameBytes)
    {
        this.clientId = clientId;
        this.endpoint = endpoint;
        this.publication = publication;
        this.ackFrame = new UnsafeBuffer(new byte[frameBytes]);
    }

    boolean hasAcks()
    {
        return ackCount > 0;
    }

    int maxFrameBytes()
    {
        return ackFrame.capacity();
    }

    static int ackCapacity(final int frameBytes)
    {
        return (frameBytes - ClientCodec.ACK_HEADER) / ClientCodec.ACK_ENTRY;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(tail);
        CloseHelper.quietClose(publication);
    }
}
