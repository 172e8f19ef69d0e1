package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.security.ClusterSecrets;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops node processes: the same JVM, flags and class path as this one, running {@code raftline node}.
 * Each node writes its output to {@code node-<id>.log} and its pid to {@code node-<id>.pid} in a folder.
 */
final class NodeProcesses
{
    static final long STOP_GRACE_NS = TimeUnit.SECONDS.toNanos(10);

    private NodeProcesses()
    {
    }

    /**
     * Writes a cluster file for {@code nodes} nodes on loopback, on consecutive ports from {@code basePort}, and
     * unless {@code extraLines} turn authentication off, the cluster's key beside it (a key already there is kept).
     */
    static Path writeClusterFile(
        final Path dir, final String clusterId, final int nodes, final int basePort, final List<String> extraLines)
    {
        return writeClusterFile(dir, clusterId, nodes, id -> "127.0.0.1", basePort, extraLines);
    }

    /** As above, node {@code id} on the address {@code host} gives it. */
    static Path writeClusterFile(final Path dir, final String clusterId, final int nodes,
        final java.util.function.IntFunction<String> host, final int basePort, final List<String> extraLines)
    {
        final StringBuilder text = new StringBuilder("cluster.id=").append(clusterId).append('\n');
        for (int id = 1; id <= nodes; id++)
        {
            text.append("node.").append(id).append('=').append(host.apply(id)).append(':').append(basePort + id - 1)
                .append('\n');
        }
        for (final String line : extraLines)
        {
            text.append(line).append('\n');
        }
        final boolean authenticationOff = extraLines.contains(ClusterConfig.AUTHENTICATION + "=off");
        try
        {
            Files.createDirectories(dir);
            if (!authenticationOff)
            {
                // frames are signed under a key of the cluster's own; its commands prove an admin credential
                ClusterSecrets.createIn(dir).forEach((key, value) -> text.append(key).append('=').append(value)
                    .append('\n'));
            }
            final Path file = dir.resolve("cluster.properties");
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the cluster file in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Adds {@code node.<id>=<endpoint>} to a cluster file, replacing the file atomically. */
    static void addToClusterFile(final Path clusterFile, final int id, final String endpoint)
    {
        try
        {
            String text = Files.readString(clusterFile, StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n"))
            {
                text += "\n";
            }
            final Path temporary = clusterFile.resolveSibling(clusterFile.getFileName() + ".tmp");
            Files.writeString(temporary, text + "node." + id + "=" + endpoint + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, clusterFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot add node " + id + " to " + clusterFile + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Starts node {@code id} in the background; its pid goes to {@code dir/node-<id>.pid}. With {@code bootstrap}
     * an empty data directory makes it one of a new cluster's first members ({@code raftline node --bootstrap}).
     */
    static Process start(final Path clusterFile, final int id, final Path dir, final boolean bootstrap)
    {
        return start(clusterFile, id, dir, bootstrap, List.of());
    }

    /** As {@link #start(Path, int, Path, boolean)}, with extra flags for the node's JVM. */
    static Process start(
        final Path clusterFile, final int id, final Path dir, final boolean bootstrap, final List<String> jvmFlags)
    {
        return start(clusterFile, id, dir, bootstrap, jvmFlags, List.of());
    }

    /** As above, the command run through {@code launcher} (a prefix such as {@code ip netns exec NS}). */
    static Process start(final Path clusterFile, final int id, final Path dir, final boolean bootstrap,
        final List<String> jvmFlags, final List<String> launcher)
    {
        final List<String> flags = nodeFlags(jvmFlags, ManagementFactory.getRuntimeMXBean().getInputArguments());
        final List<String> command = new ArrayList<>(launcher);
        command.addAll(javaCommand(flags, Raftline.class));
        command.add("node");
        command.add("--cluster");
        command.add(clusterFile.toAbsolutePath().toString());
        command.add("--id");
        command.add(Integer.toString(id));
        if (bootstrap)
        {
            command.add("--bootstrap");
        }
        try
        {
            final File log = dir.resolve("node-" + id + ".log").toFile();
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            Files.writeString(pidFile(dir, id), Long.toString(process.pid()) + "\n");
            return process;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start node " + id + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A node's JVM flags: {@code extra}, and defaults for what neither it nor the arguments of this JVM (which the
     * node inherits, see {@link #javaCommand}) set.
     */
    static List<String> nodeFlags(final List<String> extra, final List<String> jvmArguments)
    {
        final List<String> flags = new ArrayList<>(extra);
        final List<String> given = new ArrayList<>(jvmArguments);
        given.addAll(extra);
        if (given.stream().noneMatch(flag -> flag.startsWith("-Xm")))
        {
            // a fixed heap with a large young generation: the Aeron driver's few bytes per duty cycle then take
            // minutes to fill it, so a node does not pause for a collection during a run
            flags.addAll(0, List.of("-Xms1g", "-Xmx1g", "-Xmn768m"));
        }
        if (given.stream().noneMatch(flag -> flag.startsWith("-XX:PerMethodTrapLimit")))
        {
            // C2 compiles the branches it has not yet seen taken instead of trapping on them: a rare one taken later
            // (a term buffer's rotation, a segment's next mapped chunk, a timer) no longer throws a hot loop back
            // into the interpreter until it is compiled again. Measured on the standard workload: at 10,000/s p99
            // 0.4-0.75x and p99.9 0.55-0.8x; at full load 5% less throughput.
            flags.add("-XX:PerMethodTrapLimit=0");
        }
        return flags;
    }

    /**
     * The command that runs {@code main} in a new JVM like this one: the same java, flags (less agents) and class
     * path, then {@code extraFlags}; the caller appends the program's arguments.
     */
    static List<String> javaCommand(final List<String> extraFlags, final Class<?> main)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent"))
            {
                command.add(argument);
            }
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        return command;
    }

    static Path pidFile(final Path dir, final int id)
    {
        return dir.resolve("node-" + id + ".pid");
    }

    /** The process whose pid is in the file, if it still runs. */
    static Optional<ProcessHandle> running(final Path pidFile)
    {
        try
        {
            final long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        }
        catch (final IOException | NumberFormatException ex)
        {
            return Optional.empty();
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. Returns whether it stopped on SIGTERM. */
    static boolean stop(final ProcessHandle process, final long graceNs)
    {
        process.destroy();
        try
        {
            process.onExit().get(graceNs, TimeUnit.NANOSECONDS);
            return true;
        }
        catch (final Exception ex)
        {
            process.destroyForcibly();
            try
            {
                process.onExit().get(5, TimeUnit.SECONDS);
            }
            catch (final Exception ignore)
            {
                // reported by the caller as not stopped cleanly
            }
            return false;
        }
    }

    /** Waits until some node reports itself leader; returns its status, or empty on timeout. */
    static Optional<NodeStatus> awaitLeader(final ClusterConfig config, final long timeoutNs)
        throws InterruptedException
    {
        return awaitLeader(config, timeoutNs, 0);
    }

    /** Waits until a node other than {@code excludedId} reports itself leader. */
    static Optional<NodeStatus> awaitLeader(final ClusterConfig config, final long timeoutNs, final int excludedId)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (System.nanoTime() < deadlineNs)
        {
            for (final int id : config.memberIds())
            {
                final NodeStatus status = NodeStatusReader.read(config, id);
                if (status.isLeader() && id != excludedId)
                {
                    return Optional.of(status);
                }
            }
            Thread.sleep(50);
        }
        return Optional.empty();
    }

    /** Whether UDP port {@code port} on loopback is free now. */
    static boolean isPortFree(final int port)
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port)))
        {
            return socket.isBound();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Checks that the nodes just started are still running; if one died (a node fails at start within a second
     * or two: a taken port, a bad directory), stops the others and fails naming it and the last line it logged.
     */
    static void checkAlive(final Process[] started, final Path dir)
    {
        for (int id = 0; id < started.length; id++)
        {
            final Process process = started[id];
            if (process != null && !process.isAlive())
            {
                for (final Process other : started)
                {
                    if (other != null && other.isAlive())
                    {
                        stop(other.toHandle(), STOP_GRACE_NS);
                    }
                }
                throw new CommandFailure("node " + id + " exited at start (code " + process.exitValue() + "): " +
                    lastLine(dir.resolve("node-" + id + ".log")) + "; the other nodes were stopped");
            }
        }
    }

    private static String lastLine(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--)
            {
                if (!lines.get(i).isBlank())
                {
                    return lines.get(i).strip();
                }
            }
            return "it logged nothing (see " + log + ")";
        }
        catch (final IOException ex)
        {
            return "see " + log;
        }
    }
}
