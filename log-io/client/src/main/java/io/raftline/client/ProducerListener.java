package io.raftline.client;

/** How a {@link Producer} reports the outcome of each append, on the thread that polls it. */
public interface ProducerListener
{
    /** The entry with this sequence is committed at {@code index} in {@code term}. */
    void onCommitted(long sequence, long index, long term);

    /**
     * The entry will not be acknowledged. {@code maybeCommitted} is true when the outcome is unknown (it may still
     * have been committed, e.g. the cluster went away), false when it certainly was not; {@code failure} says why
     * ({@link Failure#reason()}: {@code TIMEOUT}, {@code SESSION_EXPIRED} or {@code REJECTED}).
     */
    void onFailed(long sequence, boolean maybeCommitted, Failure failure);

    /**
     * The producer lost its leader (it went silent, or a node said it no longer leads) or found one again: entries
     * wait meanwhile, and fail only after the acknowledgement timeout. Heard as soon as the producer polls after the
     * change (a live leader is heard at least every 2 s). Does nothing unless overridden.
     */
    default void onConnectionChanged(final boolean connected, final int leaderId)
    {
    }

    /** Why entries failed: one instance for all the entries that failed together; its text is the message. */
    record Failure(RaftlineClientException.Reason reason, String message)
    {
        @Override
        public String toString()
        {
            return message;
        }
    }
}
