package io.raftline.tools;

import io.raftline.io.config.ClusterConfig;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code raftline cluster start|start-node|stop}: a local cluster of background node processes. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Starts or stops a local cluster.",
    subcommands = { ClusterCommand.Start.class, ClusterCommand.StartNode.class, ClusterCommand.Stop.class })
final class ClusterCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    @Command(name = "start", mixinStandardHelpOptions = true,
        description = "Writes DIR/cluster.properties, starts N nodes in the background and waits for a leader.")
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
            if (nodes < 1 || nodes > 9)
            {
                throw new UsageFailure("--nodes must be between 1 and 9: " + nodes);
            }
            if (basePort < 1 || basePort + nodes - 1 > 65535)
            {
                throw new UsageFailure("--base-port out of range: " + basePort);
            }
            for (int id = 1; id <= nodes; id++)
            {
                if (NodeProcesses.running(NodeProcesses.pidFile(dir, id)).isPresent())
                {
                    throw new CommandFailure("node " + id + " of " + dir + " is already running");
                }
            }
            // a cluster begins once: nodes on an existing folder restart on their logs
            final boolean newCluster = !Files.exists(dir.resolve("cluster.properties"));
            final Path clusterFile = NodeProcesses.writeClusterFile(dir, "local", nodes, basePort, List.of());
            final ClusterConfig config = ClusterConfig.load(clusterFile);
            for (int id = 1; id <= nodes; id++)
            {
                NodeProcesses.start(clusterFile, id, dir, newCluster);
            }
            final Optional<NodeStatus> leader = NodeProcesses.awaitLeader(config, LEADER_TIMEOUT_NS);
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
            final Path clusterFile = dir.resolve("cluster.properties");
            if (!Files.isRegularFile(clusterFile))
            {
                throw new CommandFailure("no cluster file " + clusterFile + ": start a cluster there first");
            }
            if (id < 1)
            {
                throw new UsageFailure("--id must be positive: " + id);
            }
            if (port != null && (port < 1 || port > 65535))
            {
                throw new UsageFailure("--port must be 1 to 65535: " + port);
            }
            if (NodeProcesses.running(NodeProcesses.pidFile(dir, id)).isPresent())
            {
                throw new CommandFailure("node " + id + " of " + dir + " is already running");
            }
            ClusterConfig config = ClusterConfig.load(clusterFile);
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
                    throw new CommandFailure("node " + id + " did not start; see " + dir.resolve("node-" + id +
                        ".log"));
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
