package io.raftline.core.quorum;

import java.util.ArrayList;
import java.util.List;

/**
 * The configuration entries of a log, newest last, with the configuration in force before the first of them.
 * A server uses the newest configuration in its log, committed or not (Raft §6, thesis §4.1); a truncated entry
 * takes its configuration with it, and the one before comes back into force. Only the newest entry at or below the
 * commit index is needed for that, so older ones are dropped as the commit index passes them.
 */
public final class ConfigurationHistory
{
    /** A configuration entry: where it is in the log, its term, and its configuration. */
    public record Entry(long index, long term, Configuration configuration)
    {
    }

    private final List<Entry> entries = new ArrayList<>(); // ascending index; the first may be the base (index 0)

    /** A history holding only the configuration in force before any entry ({@link Configuration#NONE} if none). */
    public ConfigurationHistory(final Configuration base)
    {
        entries.add(new Entry(0, 0, base));
    }

    /** Records a configuration entry appended at {@code index}, after every entry recorded so far. */
    public void add(final long index, final long term, final Configuration configuration)
    {
        if (index <= latestIndex())
        {
            throw new IllegalArgumentException("configuration entry " + index + " after entry " + latestIndex());
        }
        entries.add(new Entry(index, term, configuration));
    }

    /** Forgets entries at and after {@code index}; returns whether the configuration in force changed. */
    public boolean truncateFrom(final long index)
    {
        boolean changed = false;
        while (entries.size() > 1 && latestIndex() >= index)
        {
            entries.remove(entries.size() - 1);
            changed = true;
        }
        return changed;
    }

    /** Forgets every entry: {@code base} (an installed snapshot's configuration) is in force from now on. */
    public void reset(final Configuration base)
    {
        entries.clear();
        entries.add(new Entry(0, 0, base));
    }

    /** Forgets entries that a newer one at or below {@code commitIndex} supersedes for good. */
    public void compact(final long commitIndex)
    {
        while (entries.size() > 1 && entries.get(1).index() <= commitIndex)
        {
            entries.remove(0);
        }
    }

    public Configuration latest()
    {
        return entries.get(entries.size() - 1).configuration();
    }

    /** The configuration the newest one replaced, or null when no older one is kept. */
    public Configuration previous()
    {
        return entries.size() < 2 ? null : entries.get(entries.size() - 2).configuration();
    }

    /** The index of the entry of the configuration in force; 0 when it is the base. */
    public long latestIndex()
    {
        return entries.get(entries.size() - 1).index();
    }

    /** The term of the entry of the configuration in force; 0 when it is the base. */
    public long latestTerm()
    {
        return entries.get(entries.size() - 1).term();
    }

    /** Entries from the oldest kept, the base (index 0) first while it is kept. A copy. */
    public List<Entry> entries()
    {
        return List.copyOf(entries);
    }

    @Override
    public String toString()
    {
        return entries.toString();
    }
}
