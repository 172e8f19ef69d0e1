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
import java.util.function.UnaryOperator;

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
    private final List<RaftMessage> delivered = new ArrayList<>();
    private final List<List<long[]>> readStates = new ArrayList<>();

    /** Nodes 1..n, voters all, empty logs. */
    public LocalCluster(final int n)
    {
        this(logsOf(n));
    }

    /** Nodes 1..logs.length with the given (durable) logs. */
    public LocalCluster(final MemoryRaftLog... logs)
    {
        this(UnaryOperator.identity(), logs);
    }

    /** Nodes 1..logs.length with the given (durable) logs and options changed by {@code tuning}. */
    public LocalCluster(final UnaryOperator<RaftOptions> tuning, final MemoryRaftLog... logs)
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
            nodes[i] = new RaftNode(tuning.apply(options(i + 1)), logs[i], 0, 0, Configuration.of(ids));
            readStates.add(new ArrayList<>());
        }
    }

    /**
     * Nodes 1..voters, voters all, and spare nodes after them that belong to no cluster yet (made later: they act
     * only once a configuration records them), each node on a data directory of identity {@code 100 + id}.
     */
    public static LocalCluster withSpares(final int voters, final int spares)
    {
        return new LocalCluster(voters, spares);
    }

    private LocalCluster(final int voters, final int spares)
    {
        this.logs = logsOf(voters + spares);
        this.nodes = new RaftNode[voters + spares];
        final int[] ids = new int[voters];
        for (int i = 0; i < voters; i++)
        {
            ids[i] = i + 1;
        }
        for (int i = 0; i < nodes.length; i++)
        {
            final int id = i + 1;
            nodes[i] = new RaftNode(options(id).identity(100 + id).firstMember(id <= voters), logs[i], 0, 0,
                id <= voters ? Configuration.of(ids) : Configuration.NONE);
            readStates.add(new ArrayList<>());
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

    /** Nodes 1..n, voters all, empty logs, options changed by {@code tuning}. */
    public static LocalCluster of(final int n, final UnaryOperator<RaftOptions> tuning)
    {
        return new LocalCluster(tuning, logsOf(n));
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
            for (final RaftMessage message : drain(id))
            {
                if (!isolated.contains(message.from) && !isolated.contains(message.to))
                {
                    inFlight.add(message);
                }
            }
        }
    }

    /** Does what each Ready asks, as {@link Outbox#drain} does, keeping the read states it answers. */
    private List<RaftMessage> drain(final int id)
    {
        final RaftNode node = node(id);
        final List<RaftMessage> out = new ArrayList<>();
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            ready.logWrites().writeTo(log(id));
            Outbox.addAll(ready.messages(), log(id), out);
            log(id).sync();
            Outbox.addAll(ready.messagesAfterPersist(), log(id), out);
            for (int i = 0; i < ready.readStates().size(); i++)
            {
                readStates.get(id - 1).add(new long[]{ready.readStates().requestId(i), ready.readStates().index(i)});
            }
            node.advance(log(id).lastIndex());
        }
        return out;
    }

    /** The read states node {@code id} has answered so far, as {requestId, index}. */
    public List<long[]> readStates(final int id)
    {
        return readStates.get(id - 1);
    }

    /** Every message delivered so far, in order. */
    public List<RaftMessage> delivered()
    {
        return delivered;
    }

    /** Delivers messages (and those they cause) until none is left. Returns how many were delivered. */
    public int deliverAll()
    {
        int count = 0;
        collect();
        while (!inFlight.isEmpty())
        {
            final RaftMessage message = inFlight.poll();
            node(message.to).step(message);
            delivered.add(message);
            count++;
            collect();
        }
        return count;
    }

    /** Delivers one message now (taken with {@link #takeInFlight()}), without what it causes. */
    public void deliver(final RaftMessage message)
    {
        node(message.to).step(message);
        delivered.add(message);
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
