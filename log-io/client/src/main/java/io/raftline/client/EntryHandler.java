package io.raftline.client;

/** Receives committed entries from a {@link Consumer}, in index order, with the bytes in place. */
@FunctionalInterface
public interface EntryHandler
{
    /** One committed entry; the flyweight and its payload are valid only during the call. */
    void onEntry(ConsumedEntry entry);
}
