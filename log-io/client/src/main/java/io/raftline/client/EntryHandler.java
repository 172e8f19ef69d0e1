package io.raftline.client;

import org.agrona.DirectBuffer;

/** Receives committed entries from a {@link Consumer}, in index order, with the bytes in place. */
@FunctionalInterface
public interface EntryHandler
{
    /**
     * One committed entry. {@code producer} is the name of the session that appended it (null for Raft's own
     * entries); the payload is valid only during the call.
     */
    void onEntry(long index, long term, int type, String producer, long sequence,
        DirectBuffer buffer, int offset, int length);
}
