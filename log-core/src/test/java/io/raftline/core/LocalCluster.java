package io.raftline.core;

import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A few nodes wired together in memory for example-based tests: messages are delivered in order, on demand, and
 * may be dropped by isolating a node. For random failures use the simulator in {@code sim}.
 */
public final class LocalCluster
{
    public static final int ELECTION_TIMEOUT_TICKS = 10;

    private final RaftNode[] nodes;
    private final MemoryRaftLog[] logs;
    private final Deque<RaftMessage> inFlight = new ArrayDeque<>();
    private final Set<Integer> isolated = new HashSet<>();

    /** Nodes 1..n, voters all, empty logs. */
    public LocalCluster(final int n)
    {
        this(logsOf(n));
    }

    /** Nodes 1..logs.length with the given (durable) logs. */
    public LocalCluster(final MemoryRaftLog... logs)
    {
        final int[] ids = new int[logs.length];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        this.logs = logs;
        this.nodes = new RaftNode[logs.length];
        for (int i = 0; i < logs.length; i++)
        {
            nodes[i] = new RaftNode(options(i + 1), logs[i], 0, 0, Configuration.of(ids));
        }
    }

    public static RaftOptions options(final int id)
    {
        return new RaftOptions()
            .nodeId(id)
            .electionTimeoutTicks(ELECTION_TIMEOUT_TICKS)
            .heartbeatIntervalTicks(1)
            .random(new SplittableRandom(id));
    }

    private static MemoryRaftLog[] logsOf(final int n)
    {
        final MemoryRaftLog[] logs = new MemoryRaftLog[n];
        for (int i = 0; i < n; i++)
        {
            logs[i] = new MemoryRaftLog();
        }
        return logs;
    }

    public RaftNode node(final int id)
    {
        return nodes[id - 1];
    }

    public MemoryRaftLog log(final int id)
    {
        return logs[id - 1];
    }

    public int size()
    {
        return nodes.length;
    }

    /** Messages from and to an isolated node are dropped. */
    public void isolate(final int id)
    {
        isolated.add(id);
    }

    public void heal()
    {
        isolated.clear();
    }

    /** Collects what every node wants to send. */
    public void collect()
    {
        for (int id = 1; id <= nodes.length; id++)
        {
            for (final RaftMessage message : Outbox.drain(node(id), log(id)))
            {
                if (!isolated.contains(message.from) && !isolated.contains(message.to))
                {
                    inFlight.add(message);
                }
            }
        }
    }

    /** Delivers messages (and those they cause) until none is left. Returns how many were delivered. */
    public int deliverAll()
    {
        int delivered = 0;
        collect();
        while (!inFlight.isEmpty())
        {
            final RaftMessage message = inFlight.poll();
            node(message.to).step(message);
            delivered++;
            collect();
        }
        return delivered;
    }

    /** Takes the in-flight messages without delivering them. */
    public List<RaftMessage> takeInFlight()
    {
        collect();
        final List<RaftMessage> taken = new ArrayList<>(inFlight);
        inFlight.clear();
        return taken;
    }

    /** Ticks the node until it starts an election, then delivers everything; returns the node. */
    public RaftNode campaign(final int id)
    {
        final RaftNode node = node(id);
        final Role before = node.role();
        for (int i = 0; i < 2 * ELECTION_TIMEOUT_TICKS && node.role() == before; i++)
        {
            node.tick();
        }
        deliverAll();
        return node;
    }

    /** Ticks every node once and delivers everything. */
    public void tickAll()
    {
        for (final RaftNode node : nodes)
        {
            node.tick();
        }
        deliverAll();
    }

    public long propose(final int id, final String payload)
    {
        final byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return node(id).propose(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length);
    }
}
