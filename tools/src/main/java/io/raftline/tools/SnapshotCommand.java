package io.raftline.tools;

import io.raftline.core.quorum.Configuration;
import io.raftline.client.AdminClient;
import io.raftline.client.RaftlineClient;
import io.raftline.client.RaftlineClientException;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.AdminStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * {@code raftline snapshot}: a snapshot now on one node or on every member. Each node snapshots its own state (a
 * follower's is the same as the leader's at the same index); exit 1 naming the nodes that failed.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Takes a snapshot now on node N (default: every member); prints each node's snapshot index.")
final class SnapshotCommand extends MemberCommand.Common implements Callable<Integer>
{
    private static final long MEMBERS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);

    @Option(names = "--node", paramLabel = "N", description = "The node to snapshot (default: every member).")
    private Integer node;

    @Override
    public Integer call()
    {
        if (node != null)
        {
            Flags.within("--node", node, 1, Integer.MAX_VALUE);
        }
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final long timeoutNs = timeoutNs();
        final PrintWriter out = spec.commandLine().getOut();
        final List<String> failed = new ArrayList<>();
        try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
        {
            final int[] members = members(admin, config);
            if (node != null && IntStream.of(members).noneMatch(id -> id == node) &&
                !config.members().containsKey(node))
            {
                throw new CommandFailure("node " + node + " is neither a member nor in " + clusterFile);
            }
            for (final int id : node != null ? new int[]{ node } : members)
            {
                try
                {
                    final AdminClient.Result result = admin.snapshot(id, timeoutNs);
                    if (result.status() == AdminStatus.DONE)
                    {
                        out.println("node " + id + ": snapshot at index " + result.value());
                    }
                    else
                    {
                        failed.add(id + " (" + result.message() + ")");
                    }
                }
                catch (final RaftlineClientException ex)
                {
                    failed.add(id + " (" + ex.getMessage() + ")");
                }
                out.flush();
            }
        }
        if (!failed.isEmpty())
        {
            throw new CommandFailure("no snapshot on node " + String.join(", node ", failed));
        }
        return 0;
    }

    /** The members of the configuration in force, or the cluster file's nodes when no node answers. */
    private static int[] members(final AdminClient admin, final ClusterConfig config)
    {
        try
        {
            final Configuration configuration = admin.listMembers(MEMBERS_TIMEOUT_NS).configuration();
            return configuration.isEmpty() ? config.memberIds() : configuration.members();
        }
        catch (final RaftlineClientException ex)
        {
            return config.memberIds();
        }
    }
}
