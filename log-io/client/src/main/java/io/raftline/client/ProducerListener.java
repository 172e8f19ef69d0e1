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
