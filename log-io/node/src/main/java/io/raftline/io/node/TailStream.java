package io.raftline.io.node;

import io.raftline.io.storage.LogCursor;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;

/**
 * One consumer's stream of committed entries: which of its client's consumers it feeds, where it is, how much
 * credit it gave, which names it knows, when it last sent.
 */
final class TailStream implements AutoCloseable
{
    final LogCursor cursor;
    final int consumer;
    final int stream;
    final boolean all;
    final LongHashSet namedSessions = new LongHashSet();
    long nextIndex;
    long credit;
    boolean positioned;
    long lastSentNs;

    TailStream(
        final LogCursor cursor, final int consumer, final int stream, final long fromIndex, final long credit, final boolean all,
        final long nowNs)
    {
        this.cursor = cursor;
        this.consumer = consumer;
        this.stream = stream;
        this.nextIndex = fromIndex;
        this.credit = credit;
        this.all = all;
        this.lastSentNs = nowNs;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(cursor);
    }
}
