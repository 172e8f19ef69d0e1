package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;

import io.raftline.io.node.RaftlineNode;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** A cluster of real node processes on loopback, for integration tests. Closing it kills every node. */
final class ProcessCluster implements AutoCloseable
{
    private final Path dir;
    private final Path clusterFile;
    private ClusterConfig config;
    private final List<String> jvmFlags;
    private final NetworkNamespaces network;    // null: every node on loopback
    private final Process[] processes = new Process[16];

    ProcessCluster(final Path dir, final int nodes, final int basePort, final String... tuning)
    {
        this(dir, nodes, basePort, List.of(), tuning);
    }

    /** As above, the nodes' JVMs started with {@code jvmFlags} too. */
    ProcessCluster(final Path dir, final int nodes, final int basePort, final List<String> jvmFlags,
        final String... tuning)
    {
        this(dir, nodes, basePort, jvmFlags, null, tuning);
    }

    /** As above, each node in its own namespace of {@code network} (null: on loopback). */
    ProcessCluster(final Path dir, final int nodes, final int basePort, final List<String> jvmFlags,
        final NetworkNamespaces network, final String... tuning)
    {
        this.dir = dir;
        this.jvmFlags = jvmFlags;
        this.network = network;
        final List<String> lines = new ArrayList<>(List.of(
            "raft.election.timeout.ms=300", "raft.heartbeat.interval.ms=30", "raft.tick.ms=10"));
        lines.addAll(List.of(tuning));
        this.clusterFile = NodeProcesses.writeClusterFile(dir, "it-" + basePort, nodes,
            id -> network == null ? "127.0.0.1" : network.host(id), basePort, lines);
        this.config = ClusterConfig.load(clusterFile);
        for (int id = 1; id <= nodes; id++)
        {
            start(id);
        }
    }

    /** Starts node {@code id}; its first start begins the cluster, later ones restart it on its log. */
    void start(final int id)
    {
        processes[id] = NodeProcesses.start(clusterFile, id, dir, processes[id] == null, jvmFlags,
            network == null ? List.of() : network.launcher(id));
    }

    /** The cluster file as it is now ({@code cluster start-node} adds to it). */
    ClusterConfig config()
    {
        config = ClusterConfig.load(clusterFile);
        return config;
    }

    Path dir()
    {
        return dir;
    }

    Path clusterFile()
    {
        return clusterFile;
    }

    Process process(final int id)
    {
        return processes[id];
    }

    /** The process of node {@code id}: one this cluster started, or one {@code cluster start-node} started. */
    private Optional<ProcessHandle> handle(final int id)
    {
        return processes[id] != null ? Optional.of(processes[id].toHandle()) :
            NodeProcesses.running(NodeProcesses.pidFile(dir, id));
    }

    /** A node this cluster stopped is unreachable at once; its counters would look alive until they go stale. */
    NodeStatus status(final int id)
    {
        return handle(id).filter(ProcessHandle::isAlive).isEmpty() ? NodeStatus.unreachable(id) :
            NodeStatusReader.read(config(), id);
    }

    /** Every node in the cluster file, in id order. */
    List<NodeStatus> statuses()
    {
        final List<NodeStatus> statuses = new ArrayList<>();
        for (final int id : config().memberIds())
        {
            statuses.add(status(id));
        }
        return statuses;
    }

    /** Waits until the condition holds on the statuses of all nodes; fails with the last statuses on timeout. */
    List<NodeStatus> await(final String what, final long timeoutSeconds, final Predicate<List<NodeStatus>> condition)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        List<NodeStatus> statuses = statuses();
        while (!condition.test(statuses))
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new AssertionError("timed out waiting for " + what + ": " +
                    StatusCommand.toJson(statuses) + "\n" + logs());
            }
            Thread.sleep(50);
            statuses = statuses();
        }
        return statuses;
    }

    /** The node that says it leads (one must). */
    static NodeStatus leaderOf(final List<NodeStatus> statuses)
    {
        return statuses.stream().filter(NodeStatus::isLeader).findFirst().orElseThrow();
    }

    /** Exactly one reachable node is leader, and every reachable node agrees on it and its term. */
    static boolean oneAgreedLeader(final List<NodeStatus> statuses, final int minReachable)
    {
        final List<NodeStatus> reachable = statuses.stream().filter(NodeStatus::reachable).toList();
        final List<NodeStatus> leaders = reachable.stream().filter(NodeStatus::isLeader).toList();
        if (reachable.size() < minReachable || leaders.size() != 1)
        {
            return false;
        }
        final NodeStatus leader = leaders.get(0);
        return reachable.stream().allMatch(s ->
            s.value(io.raftline.io.node.NodeCounter.LEADER) == leader.id() &&
            s.value(io.raftline.io.node.NodeCounter.TERM) == leader.value(io.raftline.io.node.NodeCounter.TERM));
    }

    /** Whether some node's log (the whole of it) holds {@code text}. */
    boolean logsContain(final String text)
    {
        for (final int id : config().memberIds())
        {
            try
            {
                if (Files.readString(dir.resolve("node-" + id + ".log")).contains(text))
                {
                    return true;
                }
            }
            catch (final IOException ex)
            {
                // no log yet
            }
        }
        return false;
    }

    String logs()
    {
        final StringBuilder text = new StringBuilder();
        for (final int id : config().memberIds())
        {
            try
            {
                final List<String> lines = Files.readAllLines(dir.resolve("node-" + id + ".log"));
                text.append("--- node ").append(id).append(" (last lines)\n");
                lines.subList(Math.max(0, lines.size() - 15), lines.size())
                    .forEach(line -> text.append(line).append('\n'));
            }
            catch (final IOException ex)
            {
                text.append("--- node ").append(id).append(": no log\n");
            }
        }
        return text.toString();
    }

    void kill(final int id) throws Exception
    {
        final ProcessHandle process = handle(id).orElseThrow();
        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);
    }

    void signal(final int id, final String signal) throws IOException, InterruptedException
    {
        new ProcessBuilder("kill", "-" + signal, Long.toString(processes[id].pid())).inheritIO().start().waitFor();
    }

    /** SIGTERM; returns the exit code. */
    int terminate(final int id) throws InterruptedException
    {
        processes[id].destroy();
        if (!processes[id].waitFor(15, TimeUnit.SECONDS))
        {
            processes[id].destroyForcibly();
            throw new AssertionError("node " + id + " did not stop on SIGTERM\n" + logs());
        }
        return processes[id].exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        final List<ProcessHandle> running = new ArrayList<>();
        for (int id = 1; id < processes.length; id++)
        {
            handle(id).ifPresent(running::add);
        }
        running.forEach(ProcessHandle::destroyForcibly);
        for (final ProcessHandle process : running)
        {
            try
            {
                process.onExit().get(10, TimeUnit.SECONDS);
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                // it stays a zombie of this JVM at worst
            }
        }
        for (final ClusterConfig.Member member : config().members().values())
        {
            IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
        }
    }
}
