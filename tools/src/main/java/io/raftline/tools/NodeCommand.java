package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.RaftlineNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code raftline node}: one node in the foreground until SIGTERM or SIGINT, which stop it cleanly. */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Runs node N of the cluster in the foreground until SIGTERM or SIGINT.")
final class NodeCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file.")
    private Path clusterFile;

    @Option(names = "--id", required = true, paramLabel = "N", description = "This node's id in the cluster file.")
    private int id;

    @Option(names = "--bootstrap", description = "On the first start of a new cluster's first members only: an " +
        "empty data directory begins the cluster with the cluster file's nodes as voters. Without it a node on an " +
        "empty directory waits to be added ('raftline member add'). Ignored once the directory holds a log.")
    private boolean bootstrap;

    @Override
    public Integer call() throws InterruptedException
    {
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final RaftlineNode node = RaftlineNode.start(config, id, bootstrap);
        final CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            node.close();
            closed.countDown();
        }, "raftline-shutdown"));
        while (!closed.await(100, TimeUnit.MILLISECONDS))
        {
            final Throwable failure = node.failure();
            if (failure != null)
            {
                node.close();
                spec.commandLine().getErr().println("node " + id + " stopped: " + failure);
                return 1;
            }
        }
        return 0;
    }
}
