package io.raftline.core;

import org.agrona.DirectBuffer;

/**
 * Consecutive entries received in one AppendEntries, read in place from wherever they arrived (an Aeron fragment,
 * a simulated message). Positions run from 0 to {@code count() - 1}; the entry at position p has Raft index
 * {@code prevLogIndex + 1 + p}.
 */
public interface EntryBatch
{
    int count();

    long term(int position);

    int type(int position);

    long sessionId(int position);

    long sequence(int position);

    /** The buffer holding the payloads; valid until the message has been handled. */
    DirectBuffer buffer();

    int payloadOffset(int position);

    int payloadLength(int position);
}
