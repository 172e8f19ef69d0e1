package io.raftline.tools;

import io.raftline.client.AdminClient;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;
import io.raftline.io.node.RaftlineNode;
import io.raftline.io.transport.LoopbackPorts;
import io.raftline.protocol.client.AdminOperation;
import io.raftline.protocol.client.AdminStatus;
import org.HdrHistogram.Histogram;
import org.agrona.IoUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code raftline bench snapshot}: what snapshots cost a running cluster. Three nodes whose state machine holds
 * {@code --size-mib} of state ({@link BulkStateMachine}) take a producer at {@code --rate}; its latency is measured
 * without snapshots, then while every node writes snapshots, then while a fourth node on an empty disk installs
 * one (fetched in chunks), whose speed is measured too. The last line is JSON.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Producer latency without snapshots, while nodes write them, and while a new node installs one; " +
        "snapshot write and install speed. The last line is JSON.")
final class BenchSnapshotCommand implements Callable<Integer>
{
    private static final long TIMEOUT_NS = TimeUnit.MINUTES.toNanos(10);

    /** The measured windows, in order. */
    private enum Phase
    { WARMUP, QUIET, SNAPSHOTS, INSTALL, DONE }

    @Spec
    private CommandSpec spec;

    @Option(names = "--size-mib", paramLabel = "MIB", defaultValue = "1024",
        description = "The state machine's size (default: ${DEFAULT-VALUE}).")
    private long sizeMib;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "10000",
        description = "Producer entries per second (default: ${DEFAULT-VALUE}).")
    private long rate;

    @Option(names = "--quiet", paramLabel = "SECONDS", defaultValue = "10",
        description = "Seconds measured without snapshots (default: ${DEFAULT-VALUE}).")
    private double quietSeconds;

    @Option(names = "--ceiling-json", paramLabel = "FILE",
        description = "The JSON line of 'bench ceiling --payload 65536': states the install speed as a fraction " +
            "of raw Aeron's.")
    private Path ceilingJson;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where the client receives replies.")
    private String bind;

    private volatile Phase phase = Phase.WARMUP;
    private final AtomicReference<Histogram[]> windows = new AtomicReference<>(new Histogram[Phase.values().length]);

    @Override
    public Integer call() throws Exception
    {
        Flags.within("--size-mib", sizeMib, 1, 64 * 1024);
        Flags.within("--rate", rate, 1, 10_000_000);
        Flags.above("--quiet", quietSeconds, 0, 86_400);
        final Ceiling ceiling = ceilingJson != null ? Ceiling.read(ceilingJson) : null;
        final PrintWriter out = spec.commandLine().getOut();
        final long size = sizeMib << 20;
        final Path dir = Files.createTempDirectory("raftline-bench-snapshot-");
        final Path clusterFile = NodeProcesses.writeClusterFile(dir, "bench-snapshot", 3, LoopbackPorts.freeBase(3),
            List.of("state.machine=" + BulkStateMachine.class.getName(), "snapshot.interval.entries=0",
                "log.retain.entries=0", "storage.segment.bytes=4194304", "storage.durability=page-cache"));
        final List<String> flags = List.of("-D" + BulkStateMachine.SIZE_PROPERTY + "=" + size);
        final Process[] nodes = new Process[5];
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes[id] = NodeProcesses.start(clusterFile, id, dir, true, flags);
            }
            ClusterConfig config = ClusterConfig.load(clusterFile);
            NodeProcesses.awaitLeader(config, TimeUnit.SECONDS.toNanos(30))
                .orElseThrow(() -> new CommandFailure("no leader elected within 30 s; see " + dir));
            out.printf("snapshots of %d MiB, producer at %d/s; %.0f s without snapshots%n", sizeMib, rate,
                quietSeconds);
            out.flush();
            final ProduceRun run = new ProduceRun("bench", 100, rate, null);
            final Thread producer = new Thread(() -> run.run(clusterFile, bind, 1024,
                offered -> onProducerCycle(run), () -> { }), "bench-producer");
            producer.start();
            Thread.sleep(3_000);
            phase = Phase.QUIET;
            Thread.sleep((long)(quietSeconds * 1000));

            phase = Phase.SNAPSHOTS;
            final long writeStartNs = System.nanoTime();
            int written = 0;
            try (RaftlineClient client = Clients.connect(clusterFile, bind);
                AdminClient admin = client.admin())
            {
                for (int round = 0; round < 2; round++)
                {
                    for (int id = 1; id <= 3; id++)
                    {
                        final AdminClient.Result result = admin.snapshot(id, TIMEOUT_NS);
                        if (result.status() != AdminStatus.DONE)
                        {
                            throw new CommandFailure("node " + id + " took no snapshot: " + result.message());
                        }
                        written++;
                    }
                }
            }
            final double writeSeconds = (System.nanoTime() - writeStartNs) / 1e9;
            final double writeMibPerSecond = written * sizeMib / writeSeconds;
            out.printf(Locale.ROOT, "%d snapshots written in %.1f s, one after another: %.0f MiB/s%n", written,
                writeSeconds, writeMibPerSecond);
            out.flush();

            final int newcomer = 4;
            NodeProcesses.addToClusterFile(clusterFile, newcomer, "127.0.0.1:" + LoopbackPorts.freeBase(1));
            config = ClusterConfig.load(clusterFile);
            nodes[newcomer] = NodeProcesses.start(clusterFile, newcomer, dir, false, flags);
            awaitReachable(config, newcomer, dir);
            phase = Phase.INSTALL;
            final long installStartNs = System.nanoTime();
            try (RaftlineClient client = Clients.connect(clusterFile, bind);
                AdminClient admin = client.admin())
            {
                final AdminClient.Result added = admin.request(AdminOperation.ADD_LEARNER, newcomer,
                    config.member(newcomer).endpoint(), TIMEOUT_NS);
                if (added.status() != AdminStatus.DONE)
                {
                    throw new CommandFailure("node " + newcomer + " was not added: " + added.message());
                }
            }
            final NodeStatus installed = awaitInstalled(config, newcomer, dir);
            final double installSeconds = (System.nanoTime() - installStartNs) / 1e9;
            phase = Phase.DONE;
            producer.join(TimeUnit.SECONDS.toMillis(60));
            final double installMibPerSecond = sizeMib / installSeconds;
            final Histogram[] measured = windows.get();
            out.printf(Locale.ROOT, "node %d installed snapshot %d (%d MiB) in %.1f s: %.0f MiB/s%n", newcomer,
                installed.value(NodeCounter.SNAPSHOT_INDEX), sizeMib, installSeconds, installMibPerSecond);
            out.printf(Locale.ROOT, "producer latency us, p50 / p99 / max: without snapshots %s; while writing " +
                "snapshots %s; while a node installs one %s; errors %d%n", describe(measured[Phase.QUIET.ordinal()]),
                describe(measured[Phase.SNAPSHOTS.ordinal()]), describe(measured[Phase.INSTALL.ordinal()]),
                run.failed() + run.unknown());
            String fraction = "";
            if (ceiling != null)
            {
                final double rawMibPerSecond = ceiling.fanoutPerSecond() * ceiling.payload() / (1024.0 * 1024.0);
                out.printf(Locale.ROOT, "raw Aeron carries %.0f MiB/s of %d-byte messages: the install runs at %.2f " +
                    "of it%n", rawMibPerSecond, ceiling.payload(), installMibPerSecond / rawMibPerSecond);
                fraction = String.format(Locale.ROOT, ",\"install_ceiling_fraction\":%.3f",
                    installMibPerSecond / rawMibPerSecond);
            }
            out.println(String.format(Locale.ROOT, "{\"system\":\"raftline\",\"test\":\"snapshot\",\"size_mib\":%d," +
                "\"rate\":%d,\"write_mib_per_s\":%.1f,\"install_mib_per_s\":%.1f,\"install_s\":%.2f,%s,%s,%s," +
                "\"errors\":%d%s}", sizeMib, rate, writeMibPerSecond, installMibPerSecond, installSeconds,
                json("quiet", measured[Phase.QUIET.ordinal()]), json("snapshots", measured[Phase.SNAPSHOTS.ordinal()]),
                json("install", measured[Phase.INSTALL.ordinal()]), run.failed() + run.unknown(), fraction));
            out.flush();
            return run.failed() + run.unknown() == 0 ? 0 : 1;
        }
        finally
        {
            phase = Phase.DONE;
            stopAndRemove(nodes, dir, clusterFile);
        }
    }

    /** On the producer's thread: at each change of phase, the window just ended is kept and a new one starts. */
    private boolean onProducerCycle(final ProduceRun run)
    {
        final Phase now = phase;
        final Histogram[] kept = windows.get();
        if (now.ordinal() > 0 && kept[now.ordinal() - 1] == null)
        {
            kept[now.ordinal() - 1] = run.latency().copy();
            run.recording(true);
        }
        return now != Phase.DONE;
    }

    private static String describe(final Histogram histogram)
    {
        return histogram == null ? "-" : histogram.getValueAtPercentile(50) / 1000 + " / " +
            histogram.getValueAtPercentile(99) / 1000 + " / " + histogram.getMaxValue() / 1000;
    }

    private static String json(final String window, final Histogram histogram)
    {
        return "\"" + window + "_p50_us\":" + (histogram == null ? -1 : histogram.getValueAtPercentile(50) / 1000) +
            ",\"" + window + "_p99_us\":" + (histogram == null ? -1 : histogram.getValueAtPercentile(99) / 1000);
    }

    private static void awaitReachable(final ClusterConfig config, final int id, final Path dir)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!NodeStatusReader.read(config, id).reachable())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new CommandFailure("node " + id + " did not start; see " + dir);
            }
            Thread.sleep(50);
        }
    }

    private static NodeStatus awaitInstalled(final ClusterConfig config, final int id, final Path dir)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (true)
        {
            final NodeStatus status = NodeStatusReader.read(config, id);
            if (status.reachable() && status.value(NodeCounter.SNAPSHOT_INDEX) > 0 &&
                status.value(NodeCounter.APPLIED_INDEX) >= status.value(NodeCounter.SNAPSHOT_INDEX))
            {
                return status;
            }
            if (System.nanoTime() > deadlineNs)
            {
                throw new CommandFailure("node " + id + " installed no snapshot in time; see " + dir);
            }
            Thread.sleep(20);
        }
    }

    private static void stopAndRemove(final Process[] nodes, final Path dir, final Path clusterFile)
    {
        for (final Process node : nodes)
        {
            if (node != null && node.isAlive())
            {
                NodeProcesses.stop(node.toHandle(), NodeProcesses.STOP_GRACE_NS);
            }
        }
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        for (final ClusterConfig.Member member : config.members().values())
        {
            IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
        }
        IoUtil.delete(dir.toFile(), true);
    }
}
