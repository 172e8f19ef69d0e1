package io.raftline.tools;

import io.raftline.client.Consumer;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.RaftlineNode;
import io.raftline.io.transport.LoopbackPorts;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code raftline demo}: a local 3-node cluster in separate processes; a producer appends while a consumer tails;
 * the leader is killed with SIGKILL mid-stream and a new one takes over; then every acknowledged entry is checked
 * to be in the log exactly once and in order.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs a local 3-node cluster, kills its leader mid-stream and checks that nothing was lost.")
final class DemoCommand implements Callable<Integer>
{
    private static final String PRODUCER = "demo";

    @Spec
    private CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", defaultValue = "60000",
        description = "Entries to append (default: ${DEFAULT-VALUE}).")
    private long count;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "20000",
        description = "Entries per second (default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where the client receives replies.")
    private String bind;

    @Option(names = "--base-port", paramLabel = "P",
        description = "UDP port of node 1; node i uses P+i-1 (default: three free ports).")
    private Integer basePort;

    @Override
    public Integer call() throws Exception
    {
        Flags.within("--count", count, 10, 1_000_000_000);
        Flags.within("--rate", rate, 1, 10_000_000);
        final PrintWriter out = spec.commandLine().getOut();
        final Path dir = Files.createTempDirectory("raftline-demo-");
        final int base = basePort != null ? (int)Flags.within("--base-port", basePort, 1, 65533) :
            LoopbackPorts.freeBase(3);
        final Path clusterFile = NodeProcesses.writeClusterFile(dir, "demo", 3, base, List.of());
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final Process[] nodes = new Process[4];
        try
        {
            say(out, "starting 3 nodes on 127.0.0.1:" + base + ".." + (base + 2) + " in " + dir);
            for (int id = 1; id <= 3; id++)
            {
                nodes[id] = NodeProcesses.start(clusterFile, id, dir, true);
            }
            final NodeStatus first = NodeProcesses.awaitLeader(config, TimeUnit.SECONDS.toNanos(30))
                .orElseThrow(() -> new CommandFailure("no leader elected within 30 s; see " + dir));
            say(out, "node " + first.id() + " is leader in term " + first.value(NodeCounter.TERM));

            final AtomicLong tailed = new AtomicLong();
            final int tailNode = first.id() % 3 + 1;
            final AtomicBoolean consuming = new AtomicBoolean(true);
            final Thread consumerThread = startConsumer(clusterFile, tailNode, tailed, consuming);
            final ProduceRun run = new ProduceRun(PRODUCER, 100, rate, null);
            final AtomicLong acknowledged = new AtomicLong();
            final long killAt = count / 3;
            final boolean[] killed = new boolean[1];
            final boolean[] warm = new boolean[1];
            final org.HdrHistogram.Histogram[] steady = new org.HdrHistogram.Histogram[1];
            final long startNs = System.nanoTime();
            say(out, "producing " + count + " entries of 100 bytes at " + rate + "/s; node " + tailNode + " is tailed");
            run.run(clusterFile, bind, 256, offered ->
            {
                acknowledged.set(run.acknowledged());
                if (!warm[0] && run.acknowledged() >= killAt / 2)
                {
                    warm[0] = true;
                    run.recording(true); // the steady state is measured once the JVMs are warm
                }
                if (!killed[0] && run.acknowledged() >= killAt)
                {
                    killed[0] = true;
                    steady[0] = run.latency().copy(); // the steady state, apart from the failover
                    nodes[first.id()].destroyForcibly();
                    say(out, "killed the leader, node " + first.id() + ", with SIGKILL after " +
                        run.acknowledged() + " acknowledgements");
                }
                return offered < count;
            }, () -> say(out, String.format("  %,d acknowledged, node %d tailed up to index %,d",
                run.acknowledged(), tailNode, tailed.get())));
            final long elapsedNs = System.nanoTime() - startNs;
            final Optional<NodeStatus> second = NodeProcesses.awaitLeader(config, TimeUnit.SECONDS.toNanos(10), first.id());
            second.ifPresent(leader -> say(out, "node " + leader.id() + " took over as leader in term " +
                leader.value(NodeCounter.TERM)));
            consuming.set(false);
            consumerThread.join(5_000);
            run.printSummary(out, elapsedNs);
            if (steady[0] != null)
            {
                ProduceRun.printLatency(out, "steady state before the kill (warm), latency", steady[0]);
                out.printf("the failover: no acknowledgement for %s after the SIGKILL%n",
                    ProduceRun.human(run.longestGapNs()));
            }

            final int checked = check(out, clusterFile, tailNode, run);
            say(out, checked == 0 ? "every acknowledged entry is in the log exactly once, in order" :
                checked + " problems found");
            return checked == 0 && run.failed() == 0 ? 0 : 1;
        }
        finally
        {
            for (int id = 1; id <= 3; id++)
            {
                if (nodes[id] != null && nodes[id].isAlive())
                {
                    NodeProcesses.stop(nodes[id].toHandle(), NodeProcesses.STOP_GRACE_NS);
                }
            }
            for (final ClusterConfig.Member member : config.members().values())
            {
                IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
            }
            IoUtil.delete(dir.toFile(), true);
            say(out, "stopped the cluster and removed " + dir);
        }
    }

    private Thread startConsumer(
        final Path clusterFile, final int nodeId, final AtomicLong tailed,
        final AtomicBoolean consuming)
    {
        final Thread thread = new Thread(() ->
        {
            try (RaftlineClient client = Clients.connect(clusterFile, bind);
                Consumer consumer = client.consumer(nodeId, Consumer.FIRST, entry -> tailed.set(entry.index())).pinned())
            {
                final IdleStrategy idle = new BackoffIdleStrategy(64, 16, 1_000, 1_000_000);
                while (consuming.get())
                {
                    idle.idle(consumer.poll());
                }
            }
            catch (final RuntimeException ex)
            {
                tailed.set(-1);
            }
        }, "demo-consumer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Reads the whole log from a surviving node and checks the producer's entries: 1, 2, 3... once each. */
    private int check(final PrintWriter out, final Path clusterFile, final int nodeId, final ProduceRun run)
    {
        final LogCheck check = LogCheck.read(clusterFile, bind, nodeId, PRODUCER, TimeUnit.SECONDS.toNanos(30));
        check.problems().forEach(problem -> say(out, "  " + problem));
        say(out, String.format("read back %,d entries of producer %s from node %d", check.entries(), PRODUCER,
            nodeId));
        long problems = check.problemCount();
        if (check.entries() < run.acknowledged())
        {
            say(out, "  " + (run.acknowledged() - check.entries()) + " acknowledged entries are missing");
            problems++;
        }
        return (int)Math.min(problems, Integer.MAX_VALUE);
    }

    private static void say(final PrintWriter out, final String line)
    {
        out.println(line);
        out.flush();
    }
}
