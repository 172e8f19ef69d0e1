package io.raftline.core.sim;

import io.raftline.core.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A network that loses, delays, reorders and duplicates messages, and can cut links in one or both directions.
 * Everything random comes from the simulator's generator, so a run is a function of its seed.
 */
final class SimNetwork
{
    private static final int REORDER_WINDOW = 16;

    private final SplittableRandom random;
    private final int nodeCount;
    private final boolean[][] blocked;     // blocked[from][to]
    private final List<RaftMessage> inFlight = new ArrayList<>();
    private double dropRate;
    private double duplicateRate;
    private double reorderRate;
    private final List<Held> held = new ArrayList<>();
    private SplittableRandom holdRandom;
    private double holdRate;
    private long deliveries;
    private long sent;
    private long dropped;
    private long duplicated;

    SimNetwork(final SplittableRandom random, final int nodeCount)
    {
        this.random = random;
        this.nodeCount = nodeCount;
        this.blocked = new boolean[nodeCount + 1][nodeCount + 1];
    }

    /** A message held back, to arrive once {@code due} deliveries have happened. */
    private record Held(RaftMessage message, long due)
    {
    }

    /**
     * Holds a share of messages back for 50 to 2,050 deliveries, far beyond the reordering window: they arrive in
     * a later term, after elections, truncations and snapshots. Its own generator keeps other seeds' weather.
     */
    void holdBack(final double rate, final SplittableRandom random)
    {
        this.holdRate = rate;
        this.holdRandom = random;
    }

    void setFaults(final double dropRate, final double duplicateRate, final double reorderRate)
    {
        this.dropRate = dropRate;
        this.duplicateRate = duplicateRate;
        this.reorderRate = reorderRate;
    }

    void send(final RaftMessage message)
    {
        sent++;
        if (blocked[message.from][message.to] || random.nextDouble() < dropRate)
        {
            dropped++;
            return;
        }
        if (holdRandom != null && holdRandom.nextDouble() < holdRate)
        {
            held.add(new Held(message, deliveries + 50 + holdRandom.nextInt(2_000)));
            return;
        }
        inFlight.add(message);
    }

    /** Held messages whose time came join the ones in flight, as the newest. */
    private void release()
    {
        deliveries++;
        for (int i = 0; i < held.size(); i++)
        {
            if (held.get(i).due() <= deliveries)
            {
                inFlight.add(held.remove(i--).message());
            }
        }
    }

    boolean isEmpty()
    {
        return inFlight.isEmpty();
    }

    int size()
    {
        return inFlight.size();
    }

    /** The next message to deliver, usually the oldest, sometimes a later one (reordering); null if none. */
    RaftMessage next()
    {
        release();
        while (!inFlight.isEmpty())
        {
            final int position = random.nextDouble() < reorderRate ?
                random.nextInt(Math.min(REORDER_WINDOW, inFlight.size())) : 0;
            final RaftMessage message = random.nextDouble() < duplicateRate ?
                inFlight.get(position) : inFlight.remove(position);
            if (inFlight.size() > 0 && inFlight.contains(message))
            {
                duplicated++;
            }
            if (!blocked[message.from][message.to])
            {
                return message;
            }
            inFlight.remove(message);
            dropped++;
        }
        return null;
    }

    /**
     * A message to node {@code to}: usually the oldest; with reordering, any of them, however long ago it was sent
     * (a message delayed far beyond {@link #next()}'s window). The same loss and duplication apply. Null if none.
     */
    RaftMessage nextFor(final int to)
    {
        release();
        int skip = 0;
        if (random.nextDouble() < reorderRate)
        {
            int waiting = 0;
            for (final RaftMessage message : inFlight)
            {
                waiting += message.to == to ? 1 : 0;
            }
            skip = waiting == 0 ? 0 : random.nextInt(waiting);
        }
        for (int position = 0; position < inFlight.size(); position++)
        {
            final RaftMessage message = inFlight.get(position);
            if (message.to != to || skip-- > 0)
            {
                continue;
            }
            if (blocked[message.from][message.to])
            {
                inFlight.remove(position);
                dropped++;
                position--;
                continue;
            }
            if (random.nextDouble() < duplicateRate)
            {
                duplicated++;
            }
            else
            {
                inFlight.remove(position);
            }
            return message;
        }
        return null;
    }

    /** The oldest message, with no fault applied: for the fair phase after healing. */
    RaftMessage nextInOrder()
    {
        return inFlight.isEmpty() ? null : inFlight.remove(0);
    }

    /** Loses every message {@code from} sent that is still on its way. */
    void dropFrom(final int from)
    {
        final int before = inFlight.size();
        inFlight.removeIf(message -> message.from == from);
        dropped += before - inFlight.size();
    }

    /** Splits the nodes in two groups that cannot talk to each other. */
    void partition(final boolean[] inMinority)
    {
        for (int from = 1; from <= nodeCount; from++)
        {
            for (int to = 1; to <= nodeCount; to++)
            {
                blocked[from][to] = inMinority[from] != inMinority[to];
            }
        }
    }

    /** Cuts one direction of one link. */
    void block(final int from, final int to)
    {
        blocked[from][to] = true;
    }

    /** Whether {@code from} can reach {@code to} now (nothing cut; loss aside). */
    boolean isConnected(final int from, final int to)
    {
        return !blocked[from][to];
    }

    void heal()
    {
        held.forEach(late -> inFlight.add(late.message())); // whatever was held back arrives now
        held.clear();
        for (final boolean[] row : blocked)
        {
            java.util.Arrays.fill(row, false);
        }
    }

    long sent()
    {
        return sent;
    }

    long dropped()
    {
        return dropped;
    }

    long duplicated()
    {
        return duplicated;
    }
}
