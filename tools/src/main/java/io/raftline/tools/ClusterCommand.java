package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;
import io.raftline.io.transport.LoopbackPorts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code raftline cluster start|start-node|stop}: a local cluster of background node processes. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Starts or stops a local cluster.",
    subcommands = { ClusterCommand.Start.class, ClusterCommand.StartNode.class, ClusterCommand.Stop.class })
final class ClusterCommand extends CommandGroup
{
    @Command(name = "start", mixinStandardHelpOptions = true,
        description = "Writes DIR/cluster.properties (a folder that holds one restarts its cluster as the file " +
            "says, starting the nodes that are not running), starts N nodes in the background and waits for a " +
            "leader.")
    static final class Start implements Callable<Integer>
    {
        private static final long LEADER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

        @Spec
        private CommandSpec spec;

        @Option(names = "--nodes", required = true, paramLabel = "N", description = "Number of nodes (1 to 9).")
        private int nodes;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder for the cluster.")
        private Path dir;

        @Option(names = "--base-port", paramLabel = "P", defaultValue = "20001",
            description = "UDP port of node 1; node i uses P+i-1 (default: ${DEFAULT-VALUE}).")
        private int basePort;

        @Override
        public Integer call() throws InterruptedException
        {
            Flags.within("--nodes", nodes, 1, 9);
            Flags.within("--base-port", basePort, 1, 65536 - nodes);
            // a cluster begins once: on a folder that holds one, its file is used as it is and the nodes restart on
            // their logs; members change through the log (raftline member), never by rewriting the file
            final Path existing = dir.resolve("cluster.properties");
            final boolean newCluster = !Files.exists(existing);
            for (int id = 1; newCluster && id <= nodes; id++)
            {
                if (!NodeProcesses.isPortFree(basePort + id - 1))
                {
                    throw new CommandFailure("UDP port " + (basePort + id - 1) + " of node " + id + " is taken by " +
                        "another process; choose other ports with --base-port");
                }
            }
            final Path clusterFile = newCluster ?
                NodeProcesses.writeClusterFile(dir, "local", nodes, basePort, List.of()) : existing;
            final ClusterConfig config = ClusterConfig.load(clusterFile);
            if (!newCluster && config.memberIds().length != nodes)
            {
                throw new CommandFailure(existing + " holds a cluster of nodes " +
                    Arrays.toString(config.memberIds()) + ": start it with --nodes " + config.memberIds().length +
                    " (it is used as it is), or use a new folder");
            }
            // nodes of the folder that run already are left to run: the others are (re)started
            final List<Integer> toStart = Arrays.stream(config.memberIds()).boxed()
                .filter(id -> NodeProcesses.running(NodeProcesses.pidFile(dir, id)).isEmpty()).toList();
            if (toStart.isEmpty())
            {
                throw new CommandFailure("every node of " + dir + " is already running");
            }
            for (final int id : toStart)
            {
                if (!NodeProcesses.isPortFree(config.member(id).port()))
                {
                    throw new CommandFailure("UDP port " + config.member(id).port() + " of node " + id + " (" +
                        clusterFile + ") is taken by another process");
                }
            }
            final Process[] started = new Process[config.memberIds()[config.memberIds().length - 1] + 1];
            for (final int id : toStart)
            {
                started[id] = NodeProcesses.start(clusterFile, id, dir, newCluster);
            }
            final long deadlineNs = System.nanoTime() + LEADER_TIMEOUT_NS;
            Optional<NodeStatus> leader = Optional.empty();
            while (leader.isEmpty() && System.nanoTime() < deadlineNs)
            {
                NodeProcesses.checkAlive(started, dir);
                leader = NodeProcesses.awaitLeader(config, TimeUnit.MILLISECONDS.toNanos(200));
            }
            if (leader.isEmpty())
            {
                throw new CommandFailure("no leader elected within 30 s; see " + dir.resolve("node-*.log"));
            }
            spec.commandLine().getOut().println(clusterFile.toAbsolutePath());
            return 0;
        }
    }

    @Command(name = "start-node", mixinStandardHelpOptions = true,
        description = "Adds node N to DIR/cluster.properties and starts it on a new, empty data directory. It is " +
            "not a member yet: add it with 'raftline member add'.")
    static final class StartNode implements Callable<Integer>
    {
        private static final long LISTEN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the cluster.")
        private Path dir;

        @Option(names = "--id", required = true, paramLabel = "N", description = "The new node's id.")
        private int id;

        @Option(names = "--port", paramLabel = "P", description = "Its UDP port (default: a free one).")
        private Integer port;

        @Override
        public Integer call() throws IOException, InterruptedException
        {
            Flags.within("--id", id, 1, Integer.MAX_VALUE);
            final Path clusterFile = dir.resolve("cluster.properties");
            if (!Files.isRegularFile(clusterFile))
            {
                throw new CommandFailure("no cluster file " + clusterFile + ": start a cluster there first");
            }
            if (port != null)
            {
                Flags.within("--port", port, 1, 65535);
            }
            if (NodeProcesses.running(NodeProcesses.pidFile(dir, id)).isPresent())
            {
                throw new CommandFailure("node " + id + " of " + dir + " is already running");
            }
            ClusterConfig config = ClusterConfig.load(clusterFile);
            final String before = Files.readString(clusterFile);
            if (!config.members().containsKey(id))
            {
                final int chosen = port != null ? port : LoopbackPorts.freeBase(1);
                NodeProcesses.addToClusterFile(clusterFile, id, "127.0.0.1:" + chosen);
                config = ClusterConfig.load(clusterFile);
            }
            final Path dataDir = config.member(id).dataDir();
            if (Files.isDirectory(dataDir) && !isEmpty(dataDir))
            {
                throw new CommandFailure(dataDir + " already holds a node's data: start-node starts a new node on " +
                    "an empty directory (restart an existing one with 'raftline node')");
            }
            NodeProcesses.start(clusterFile, id, dir, false);
            final long deadlineNs = System.nanoTime() + LISTEN_TIMEOUT_NS;
            while (!NodeStatusReader.read(config, id).reachable())
            {
                if (System.nanoTime() > deadlineNs || NodeProcesses.running(NodeProcesses.pidFile(dir, id)).isEmpty())
                {
                    // as if it had not been asked: the file lists no node that never ran
                    NodeProcesses.running(NodeProcesses.pidFile(dir, id)).ifPresent(
                        process -> NodeProcesses.stop(process, NodeProcesses.STOP_GRACE_NS));
                    Files.writeString(clusterFile, before);
                    Files.deleteIfExists(NodeProcesses.pidFile(dir, id));
                    throw new CommandFailure("node " + id + " did not start (the cluster file is as it was); see " +
                        dir.resolve("node-" + id + ".log"));
                }
                Thread.sleep(50);
            }
            spec.commandLine().getOut().println("node " + id + " listens on " + config.member(id).endpoint() +
                "; add it with: raftline member add --cluster " + clusterFile.toAbsolutePath() + " --id " + id +
                " --voter");
            return 0;
        }

        private static boolean isEmpty(final Path directory) throws IOException
        {
            try (Stream<Path> entries = Files.list(directory))
            {
                return entries.findAny().isEmpty();
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stops the nodes started in DIR: SIGTERM, then SIGKILL after a grace period.")
    static final class Stop implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the cluster.")
        private Path dir;

        @Override
        public Integer call() throws IOException
        {
            if (!Files.isDirectory(dir))
            {
                throw new CommandFailure("no such folder: " + dir);
            }
            final List<Path> pidFiles;
            try (Stream<Path> files = Files.list(dir))
            {
                pidFiles = files.filter(p -> p.getFileName().toString().matches("node-\\d+\\.pid")).sorted().toList();
            }
            int stopped = 0;
            for (final Path pidFile : pidFiles)
            {
                final Optional<ProcessHandle> process = NodeProcesses.running(pidFile);
                if (process.isPresent())
                {
                    final boolean clean = NodeProcesses.stop(process.get(), NodeProcesses.STOP_GRACE_NS);
                    spec.commandLine().getOut().println(pidFile.getFileName().toString().replace(".pid", "") +
                        (clean ? " stopped" : " killed after " + NodeProcesses.STOP_GRACE_NS / 1_000_000_000 + " s"));
                    stopped++;
                }
                Files.deleteIfExists(pidFile);
            }
            if (stopped == 0)
            {
                spec.commandLine().getOut().println("no running nodes in " + dir);
            }
            return 0;
        }
    }
}
