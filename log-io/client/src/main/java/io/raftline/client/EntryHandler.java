package io.raftline.client;

/** Receives committed entries from a {@link Consumer}, in index order, with the bytes in place. */
@FunctionalInterface
public interface EntryHandler
{
    /** One committed entry; the flyweight and its payload are valid only during the call. */
    void onEntry(ConsumedEntry entry);

    /**
     * The node the consumer reads from stopped answering, or a node (the same, or another after a failover)
     * answers again. Does nothing unless overridden.
     */
    default void onConnectionChanged(final boolean connected, final int nodeId)
    {
    }
}
