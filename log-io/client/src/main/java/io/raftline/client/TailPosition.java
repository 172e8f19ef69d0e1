package io.raftline.client;

/**
 * Where a consumer's stream stands, and what a frame of entries means for it. Every request starts a new numbered
 * stream (numbers unique in the client, whose consumers share one connection); a frame continues the stream only if it is of the current one and begins at or before the first index not
 * yet scanned. A frame that begins beyond it means entries were lost on the way (an image lost and recreated while
 * the consumer stalled): a gap, to be asked for again, never skipped.
 */
final class TailPosition
{
    /** What a frame is to the stream. */
    enum Verdict
    {
        /** Covers indexes not scanned yet: deliver its entries from {@link #next()} on. */
        NEW,
        /** Of an earlier stream, or only what was scanned already (as a frame that only says where the node is). */
        OLD,
        /** Begins beyond {@link #next()}: entries in between were lost. */
        GAP
    }

    private long requestedFrom;
    private long next;
    private int stream;

    /** @param requestedFrom {@link Consumer#FIRST}, {@link Consumer#NOW} or an index */
    TailPosition(final long requestedFrom)
    {
        seek(requestedFrom);
    }

    /** From now on the stream is to start at {@code index} (the next {@link #restart()} asks for it). */
    void seek(final long index)
    {
        requestedFrom = index;
        next = index == Consumer.FIRST || index == Consumer.NOW ? 0 : index;
    }

    /** Starts a new stream, numbered {@code stream}; returns where to ask the node to start it. */
    long restart(final int stream)
    {
        this.stream = stream;
        return next > 0 ? next : requestedFrom;
    }

    int stream()
    {
        return stream;
    }

    /** The first index not yet scanned, or 0 while a stream from the first or from now has not said where it starts. */
    long next()
    {
        return next;
    }

    /** Judges a frame of stream {@code frameStream} that covers [{@code from}, {@code scannedTo}). */
    Verdict judge(final int frameStream, final long from, final long scannedTo)
    {
        if (frameStream != stream)
        {
            return Verdict.OLD;
        }
        if (next == 0)
        {
            next = from; // the node resolved "first" or "now" to this index
        }
        if (from > next)
        {
            return Verdict.GAP;
        }
        return scannedTo > next ? Verdict.NEW : Verdict.OLD;
    }

    /** Every index below {@code scannedTo} was delivered or skipped. */
    void scanned(final long scannedTo)
    {
        next = Math.max(next, scannedTo);
    }
}
