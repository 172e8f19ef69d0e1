package io.raftline.io.transport;

import io.aeron.Publication;
import io.raftline.core.message.MessageType;
import org.agrona.concurrent.status.AtomicCounter;

/** What the transport counts: traffic in and out, back-pressure, drops, malformed and unauthenticated frames. */
public final class TransportCounters
{
    private final AtomicCounter appendsSent;
    private final AtomicCounter entriesSent;
    private final AtomicCounter bytesSent;
    private final AtomicCounter appendsReceived;
    private final AtomicCounter entriesReceived;
    private final AtomicCounter bytesReceived;
    private final AtomicCounter backPressure;
    private final AtomicCounter notConnected;
    private final AtomicCounter dropped;
    private final AtomicCounter malformed;
    private final AtomicCounter unauthenticated;
    private final AtomicCounter unauthorised;

    public TransportCounters(
        final AtomicCounter appendsSent,
        final AtomicCounter entriesSent,
        final AtomicCounter bytesSent,
        final AtomicCounter appendsReceived,
        final AtomicCounter entriesReceived,
        final AtomicCounter bytesReceived,
        final AtomicCounter backPressure,
        final AtomicCounter notConnected,
        final AtomicCounter dropped,
        final AtomicCounter malformed,
        final AtomicCounter unauthenticated,
        final AtomicCounter unauthorised)
    {
        this.unauthorised = unauthorised;
        this.appendsSent = appendsSent;
        this.entriesSent = entriesSent;
        this.bytesSent = bytesSent;
        this.appendsReceived = appendsReceived;
        this.entriesReceived = entriesReceived;
        this.bytesReceived = bytesReceived;
        this.backPressure = backPressure;
        this.notConnected = notConnected;
        this.dropped = dropped;
        this.malformed = malformed;
        this.unauthenticated = unauthenticated;
    }

    void onSent(final MessageType type, final int entries, final int bytes)
    {
        if (type == MessageType.APPEND)
        {
            appendsSent.incrementRelease();
            entriesSent.getAndAddRelease(entries);
        }
        bytesSent.getAndAddRelease(bytes);
    }

    void onReceived(final MessageType type, final int entries, final int bytes)
    {
        if (type == MessageType.APPEND)
        {
            appendsReceived.incrementRelease();
            entriesReceived.getAndAddRelease(entries);
        }
        bytesReceived.getAndAddRelease(bytes);
    }

    public void onBackPressure()
    {
        backPressure.incrementRelease();
    }

    /**
     * Counts a frame that a failed {@code offer} left unsent and that is not retried (a reply the client asks for
     * again): the reason (back-pressure or an absent receiver) and the frame as dropped.
     */
    public void onReplyNotSent(final long offerResult)
    {
        if (offerResult == Publication.BACK_PRESSURED || offerResult == Publication.ADMIN_ACTION)
        {
            backPressure.incrementRelease();
        }
        else if (offerResult == Publication.NOT_CONNECTED)
        {
            notConnected.incrementRelease();
        }
        dropped.incrementRelease();
    }

    void onNotConnected()
    {
        notConnected.incrementRelease();
    }

    public void onDropped()
    {
        dropped.incrementRelease();
    }

    /** Returns the new total. */
    long onMalformed()
    {
        return malformed.incrementRelease() + 1;
    }

    /** Returns the new total. */
    public long onUnauthenticated()
    {
        return unauthenticated.incrementRelease() + 1;
    }

    /** A client asked for what its credential has no right to. */
    public void onUnauthorised()
    {
        unauthorised.incrementRelease();
    }

    public long malformed()
    {
        return malformed.get();
    }

    public long dropped()
    {
        return dropped.get();
    }

    public long backPressure()
    {
        return backPressure.get();
    }
}
