package io.raftline.core;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The log in memory, for tests and the simulator. It remembers what was last made durable by {@link #sync()}, so
 * a simulated crash can lose the rest. Each entry carries a chain hash over itself and every entry before it:
 * two logs with the same chain hash at an index hold the same entries up to there (Log Matching, §5.3). A prefix
 * may be compacted away, or the whole log reset to follow a snapshot; both are durable at once, and the entry
 * before the first held is still known by its term and chain hash.
 */
public final class MemoryRaftLog implements RaftLog
{
    /** One immutable entry. */
    public record Entry(long term, int type, long sessionId, long sequence, byte[] payload, long chain)
    {
        public String payloadText()
        {
            return new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private final List<Entry> entries = new ArrayList<>();     // entries.get(i) has index base + i + 1
    private final List<Entry> durable = new ArrayList<>();     // the same positions
    private long base;                                          // the index before the first held
    private long baseTerm;
    private long baseChain;
    private Installing installing = new Installing(-1, 0);
    private int changedFrom;                                    // list position of the first change since sync()
    private long lowestTruncation = Long.MAX_VALUE;             // since the last takeLowestTruncation()

    public static Entry entry(final long term, final String payload, final long previousChain)
    {
        final byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return new Entry(term, EntryType.NORMAL, 0, 0, bytes, chain(previousChain, term, EntryType.NORMAL, bytes));
    }

    /** A log holding entries of the given terms, with payloads "e1", "e2", ... (for paper-style tests). */
    public static MemoryRaftLog ofTerms(final long... terms)
    {
        final MemoryRaftLog log = new MemoryRaftLog();
        for (final long term : terms)
        {
            final byte[] payload = ("e" + (log.lastIndex() + 1)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            log.append(term, EntryType.NORMAL, 0, 0, new UnsafeBuffer(payload), 0, payload.length);
        }
        log.sync();
        return log;
    }

    @Override
    public long firstIndex()
    {
        return base + 1;
    }

    @Override
    public long lastIndex()
    {
        return base + entries.size();
    }

    @Override
    public long term(final long index)
    {
        if (index < base || index > lastIndex())
        {
            throw new IndexOutOfBoundsException("index " + index + " outside [" + base + ", " + lastIndex() + "]");
        }
        return index == base ? baseTerm : entries.get((int)(index - base) - 1).term();
    }

    @Override
    public int type(final long index)
    {
        return entry(index).type();
    }

    @Override
    public int payloadLength(final long index)
    {
        return entry(index).payload().length;
    }

    public Entry entry(final long index)
    {
        if (index <= base || index > lastIndex())
        {
            throw new IndexOutOfBoundsException("index " + index + " outside [" + firstIndex() + ", " + lastIndex() +
                "]");
        }
        return entries.get((int)(index - base) - 1);
    }

    /** The chain hash at {@code index}, from the entry before the first held on; 0 for index 0. */
    public long chain(final long index)
    {
        return index == base ? baseChain : entry(index).chain();
    }

    @Override
    public void append(
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        add(new Entry(term, type, sessionId, sequence, payload, chain(chain(lastIndex()), term, type, payload)));
    }

    /** Appends an entry as it is, chain hash included (for the simulator's in-memory transport). */
    public void add(final Entry entry)
    {
        if (entry.term() < lastTerm())
        {
            throw new IllegalStateException("term " + entry.term() + " after " + lastTerm() + " at " + lastIndex());
        }
        entries.add(entry);
    }

    @Override
    public void truncateFrom(final long index)
    {
        if (index <= base || index > lastIndex() + 1)
        {
            throw new IndexOutOfBoundsException("truncate from " + index + " of [" + firstIndex() + ", " +
                lastIndex() + "]");
        }
        entries.subList((int)(index - base) - 1, entries.size()).clear();
        changedFrom = Math.min(changedFrom, entries.size());
        lowestTruncation = Math.min(lowestTruncation, index);
    }

    @Override
    public void reset(final long index, final long term)
    {
        reset(index, term, index == installing.index() ? installing.chain() : 0);
    }

    /** The chain hash at a snapshot about to be installed, which {@link #reset(long, long)} will keep. */
    public void installing(final long index, final long chain)
    {
        installing = new Installing(index, chain);
    }

    private record Installing(long index, long chain)
    {
    }

    /** As {@link #reset(long, long)}, keeping the chain hash of the snapshot's entry (the simulator knows it). */
    public void reset(final long index, final long term, final long chain)
    {
        lowestTruncation = Math.min(lowestTruncation, Math.min(index, firstIndex()));
        entries.clear();
        durable.clear();
        changedFrom = 0;
        base = index;
        baseTerm = term;
        baseChain = chain;
    }

    /** Discards the entries below {@code index}, which must be durable: a snapshot holds them. */
    public void compactTo(final long index)
    {
        if (index <= firstIndex())
        {
            return;
        }
        if (index > base + durable.size() + 1)
        {
            throw new IllegalArgumentException("compacting to " + index + " past the durable log " +
                (base + durable.size()));
        }
        final int dropped = (int)(index - 1 - base);
        baseTerm = term(index - 1);
        baseChain = chain(index - 1);
        entries.subList(0, dropped).clear();
        durable.subList(0, dropped).clear();
        changedFrom = Math.max(0, changedFrom - dropped);
        base = index - 1;
    }

    /** The last index that survives a crash now. */
    public long durableLastIndex()
    {
        return base + durable.size();
    }

    /** The chain hash at {@code index} of what survives a crash now (from the entry before the first held). */
    public long durableChain(final long index)
    {
        return index == base ? baseChain : durable.get((int)(index - base) - 1).chain();
    }

    /** Makes everything durable (a reset and a compaction are at once). */
    public void sync()
    {
        final int keep = Math.min(changedFrom, durable.size());
        durable.subList(keep, durable.size()).clear();
        durable.addAll(entries.subList(keep, entries.size()));
        changedFrom = entries.size();
    }

    /**
     * A crash: what was not synced is lost, except that, when nothing was truncated since the last sync, a random
     * number of the newest appends may have reached the disk anyway (as written pages do).
     */
    public void crash(final RandomGenerator random)
    {
        final boolean onlyAppended = changedFrom >= durable.size();
        final int unsynced = entries.size() - durable.size();
        final int survivors = onlyAppended && unsynced > 0 ? random.nextInt(unsynced + 1) : 0;
        final List<Entry> survivingAppends = onlyAppended ?
            new ArrayList<>(entries.subList(durable.size(), durable.size() + survivors)) : List.of();
        lowestTruncation = Math.min(lowestTruncation, base + Math.min(changedFrom, durable.size()) + 1L);
        entries.clear();
        entries.addAll(durable);
        entries.addAll(survivingAppends);
        sync();
    }

    /** A copy of what survives a crash now: the durable log (for a checker that keeps what a damaged log held). */
    public MemoryRaftLog durableCopy()
    {
        final MemoryRaftLog copy = new MemoryRaftLog();
        copy.base = base;
        copy.baseTerm = baseTerm;
        copy.baseChain = baseChain;
        copy.entries.addAll(durable);
        copy.durable.addAll(durable);
        copy.changedFrom = durable.size();
        return copy;
    }

    /** The lowest index truncated since the last call (Long.MAX_VALUE if none), and forgets it. */
    public long takeLowestTruncation()
    {
        final long lowest = lowestTruncation;
        lowestTruncation = Long.MAX_VALUE;
        return lowest;
    }

    public List<Entry> entries()
    {
        return entries;
    }

    static long chain(final long previous, final long term, final int type, final byte[] payload)
    {
        long hash = previous * 0x9E3779B97F4A7C15L + term;
        hash = hash * 31 + type;
        for (final byte b : payload)
        {
            hash = hash * 31 + b;
        }
        return hash ^ (hash >>> 29);
    }
}
