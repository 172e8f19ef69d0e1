package io.raftline.io.node;

import io.raftline.io.storage.LogCursor;
import org.agrona.CloseHelper;
import org.agrona.collections.LongHashSet;

/** One consumer's stream of committed entries: where it is, how much credit it gave, which names it knows. */
final class TailStream implements AutoCloseable
{
    final LogCursor cursor;
    final boolean all;
    final LongHashSet namedSessions = new LongHashSet();
    long nextIndex;
    long credit;
    boolean positioned;

    TailStream(final LogCursor cursor, final long fromIndex, final long credit, final boolean all)
    {
        this.cursor = cursor;
        this.nextIndex = fromIndex;
        this.credit = credit;
        this.all = all;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(cursor);
    }
}
