package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.client.Consumer;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raftline tail}: prints committed entries of one node in index order. */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Prints committed entries in index order.")
final class TailCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file.")
    private Path clusterFile;

    @Option(names = "--node", paramLabel = "N", description = "Read from this node only (default: the first listed, and another if it goes away).")
    private Integer nodeId;

    @Option(names = "--from", paramLabel = "INDEX", description = "First index (default: the first held).")
    private long from;

    @Option(names = "--to", paramLabel = "INDEX", description = "Last index to print.")
    private Long to;

    @Option(names = "--follow", description = "Keep printing entries as they commit.")
    private boolean follow;

    @Option(names = "--all", description = "Also print Raft's own entries (no-ops, configurations, sessions).")
    private boolean all;

    @Option(names = "--format", paramLabel = "json|text", defaultValue = "text",
        description = "Output format (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where entries are received.")
    private String bind;

    @Option(names = "--credentials", paramLabel = "FILE",
        description = "The credential to prove (default: the cluster file's client.credentials.file).")
    private Path credentials;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "10",
        description = "How long to wait for the node to answer (default: ${DEFAULT-VALUE}).")
    private double timeoutSeconds;

    @Override
    public Integer call()
    {
        if (!format.equals("json") && !format.equals("text"))
        {
            throw new UsageFailure("--format must be json or text: " + format);
        }
        Flags.within("--from", from, 0, Long.MAX_VALUE);
        Flags.above("--timeout", timeoutSeconds, 0, 86_400);
        final long timeoutNs = (long)(timeoutSeconds * 1e9);
        if (to != null)
        {
            Flags.within("--to", to, Math.max(from, 1), Long.MAX_VALUE);
        }
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final int node = nodeId != null ? nodeId : config.memberIds()[0];
        if (config.member(node) == null)
        {
            throw new UsageFailure("--node " + node + " is not in the cluster file");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final EntryPrinter printer = new EntryPrinter(out, format.equals("json"));
        final long last = to != null ? to : Long.MAX_VALUE;
        final boolean[] done = new boolean[1];
        // the client library as any application uses it
        try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
            Consumer consumer = client.consumer(node, from,
            entry ->
            {
                if (entry.index() <= last)
                {
                    printer.print(entry.index(), entry.term(), entry.type(), entry.producer(), entry.sequence(),
                        entry.buffer(), entry.offset(), entry.length());
                }
                done[0] |= entry.index() >= last;
            }))
        {
            if (nodeId != null)
            {
                consumer.pinned(); // that node's log, not any node's
            }
            if (all)
            {
                consumer.withRaftEntries();
            }
            final IdleStrategy idle = new BackoffIdleStrategy(64, 16, 1_000, 1_000_000);
            final long startNs = System.nanoTime();
            while (!done[0])
            {
                final int work = consumer.poll();
                if (consumer.commitIndexAtConnect() < 0)
                {
                    if (System.nanoTime() - startNs > timeoutNs)
                    {
                        throw new CommandFailure("node " + node + " did not answer within " +
                            java.math.BigDecimal.valueOf(timeoutSeconds).stripTrailingZeros().toPlainString() +
                            " s (is the cluster running, and does it accept this client's credential?)");
                    }
                }
                else if (!follow)
                {
                    final long target = Math.min(last, consumer.commitIndexAtConnect());
                    if (from > target)
                    {
                        // nothing committed from there as of the call: stop at once, and say why
                        spec.commandLine().getErr().println("tail: nothing from index " + from + ": node " + node +
                            " had committed up to index " + consumer.commitIndexAtConnect());
                        break;
                    }
                    if (consumer.lastScanned() >= target)
                    {
                        break;
                    }
                }
                if (work == 0)
                {
                    out.flush();
                }
                idle.idle(work);
            }
        }
        out.flush();
        return 0;
    }
}
