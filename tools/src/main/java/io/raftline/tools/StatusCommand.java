package io.raftline.tools;

import io.raftline.core.quorum.Configuration;
import io.raftline.client.AdminClient;
import io.raftline.client.RaftlineClient;
import io.raftline.client.RaftlineClientException;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

/** {@code raftline status}: every node's live counters and the configuration in force, as a table or as JSON. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Shows the state of every node.")
final class StatusCommand implements Callable<Integer>
{
    private static final long CONFIGURATION_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(1500);

    @Spec
    private CommandSpec spec;

    @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file.")
    private Path clusterFile;

    @Option(names = "--json", description = "One JSON object instead of a table.")
    private boolean json;

    @Option(names = "--bind", paramLabel = "ADDR[:PORT]",
        description = "Where this command receives the configuration from a node (each node's counters are read " +
            "from its Aeron directory on this host).")
    private String bind;

    @Option(names = "--credentials", paramLabel = "FILE",
        description = "The credential to prove (default: the cluster file's client.credentials.file).")
    private Path credentials;

    @Override
    public Integer call()
    {
        final ClusterConfig config = ClusterConfig.load(clusterFile);
        final Map<Integer, NodeStatus> statuses = new TreeMap<>();
        for (final int id : config.memberIds())
        {
            statuses.put(id, NodeStatusReader.read(config, id));
        }
        final Configuration configuration = statuses.values().stream().anyMatch(NodeStatus::reachable) ?
            configurationOf(config) : null;
        if (configuration != null)
        {
            // members the log added that this cluster file does not list: found by their endpoints
            for (final int id : configuration.members())
            {
                final String endpoint = configuration.endpoint(id);
                if (!statuses.containsKey(id) && endpoint != null && endpoint.matches(".+:\\d+"))
                {
                    final int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
                    statuses.put(id, NodeStatusReader.read(config, id, port));
                }
            }
        }
        final List<NodeStatus> all = new ArrayList<>(statuses.values());
        final PrintWriter out = spec.commandLine().getOut();
        out.println(json ? toJson(configuration, all) : toTable(configuration, all));
        out.flush();
        if (all.stream().noneMatch(NodeStatus::reachable))
        {
            spec.commandLine().getErr().println("status: no node of " + clusterFile + " is reachable");
            return 1; // scripts test for a cluster that is down
        }
        return 0;
    }

    /** The configuration in force as a node reports it, or null when none answers in time. */
    private Configuration configurationOf(final ClusterConfig config)
    {
        try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
        {
            return admin.listMembers(CONFIGURATION_TIMEOUT_NS).configuration();
        }
        catch (final RaftlineClientException.UnauthorisedException notAdmin)
        {
            spec.commandLine().getErr().println("status: the configuration is not shown: " + notAdmin.getMessage());
            return null;
        }
        catch (final RaftlineClientException noAnswer)
        {
            if (noAnswer.reason() == RaftlineClientException.Reason.INVALID_REQUEST)
            {
                throw noAnswer; // a credential file that cannot be used, a bad --bind: said, exit 1
            }
            return null;
        }
    }

    static String toJson(final List<NodeStatus> statuses)
    {
        return toJson(null, statuses);
    }

    static String toJson(final Configuration configuration, final List<NodeStatus> statuses)
    {
        final StringBuilder json = new StringBuilder("{");
        if (configuration != null)
        {
            json.append("\"configuration\":").append(MemberCommand.configurationJson(configuration)).append(',');
        }
        json.append("\"nodes\":[");
        for (int i = 0; i < statuses.size(); i++)
        {
            final NodeStatus status = statuses.get(i);
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(status.id())
                .append(",\"reachable\":").append(status.reachable());
            if (status.reachable())
            {
                json.append(",\"role\":\"").append(status.role()).append('"')
                    .append(",\"term\":").append(status.value(NodeCounter.TERM))
                    .append(",\"leader\":").append(status.value(NodeCounter.LEADER))
                    .append(",\"commitIndex\":").append(status.value(NodeCounter.COMMIT_INDEX))
                    .append(",\"lastIndex\":").append(status.value(NodeCounter.LAST_INDEX))
                    .append(",\"appliedIndex\":").append(status.value(NodeCounter.APPLIED_INDEX))
                    .append(",\"durableIndex\":").append(status.value(NodeCounter.DURABLE_INDEX))
                    .append(",\"firstIndex\":").append(status.value(NodeCounter.FIRST_INDEX))
                    .append(",\"snapshotIndex\":").append(status.value(NodeCounter.SNAPSHOT_INDEX))
                    .append(",\"electionsStarted\":").append(status.value(NodeCounter.ELECTIONS_STARTED))
                    .append(",\"appendsSent\":").append(status.value(NodeCounter.APPENDS_SENT))
                    .append(",\"appendsReceived\":").append(status.value(NodeCounter.APPENDS_RECEIVED))
                    .append(",\"bytesSent\":").append(status.value(NodeCounter.BYTES_SENT))
                    .append(",\"bytesReceived\":").append(status.value(NodeCounter.BYTES_RECEIVED))
                    .append(",\"backPressure\":").append(status.value(NodeCounter.BACK_PRESSURE))
                    .append(",\"malformedDropped\":").append(status.value(NodeCounter.MALFORMED))
                    .append(",\"authentication\":").append(status.value(NodeCounter.AUTHENTICATION) != 0)
                    .append(",\"unauthenticatedRefused\":").append(status.value(NodeCounter.UNAUTHENTICATED))
                    .append(",\"voterOnAnotherDisk\":").append(status.value(NodeCounter.FOREIGN_DISK) != 0)
                    .append(",\"diskFull\":").append(status.value(NodeCounter.DISK_FULL) != 0)
                    .append(",\"repairingTo\":").append(status.value(NodeCounter.REPAIRING_TO));
                if (status.isLeader())
                {
                    json.append(",\"matchIndex\":{");
                    boolean first = true;
                    for (final Map.Entry<Integer, Long> match : status.matchIndexByPeer().entrySet())
                    {
                        json.append(first ? "" : ",").append('"').append(match.getKey()).append("\":")
                            .append(match.getValue());
                        first = false;
                    }
                    json.append('}');
                }
            }
            json.append('}');
        }
        return json.append("]}").toString();
    }

    static String toTable(final Configuration configuration, final List<NodeStatus> statuses)
    {
        final StringBuilder table = new StringBuilder();
        if (configuration != null)
        {
            table.append("configuration: voters ").append(java.util.Arrays.toString(configuration.voters()))
                .append(configuration.isJoint() ? " (joint, from " +
                    java.util.Arrays.toString(configuration.outgoingVoters()) + ")" : "")
                .append(", learners ").append(java.util.Arrays.toString(configuration.learners())).append('\n');
        }
        final boolean anyReachable = statuses.stream().anyMatch(NodeStatus::reachable);
        final boolean authenticated = statuses.stream().filter(NodeStatus::reachable)
            .allMatch(status -> status.value(NodeCounter.AUTHENTICATION) != 0);
        if (anyReachable && authenticated)
        {
            table.append("authentication: on (frames between nodes and from clients are checked)\n");
        }
        table.append(String.format("%-4s %-13s %8s %6s %12s %12s %12s %10s %9s",
            "id", "role", "term", "leader", "commit", "last", "durable", "elections", "malformed"));
        for (final NodeStatus status : statuses)
        {
            table.append('\n');
            if (!status.reachable())
            {
                table.append(String.format("%-4d %-13s", status.id(), "unreachable"));
                continue;
            }
            table.append(String.format("%-4d %-13s %8d %6d %12d %12d %12d %10d %9d", status.id(), status.role(),
                status.value(NodeCounter.TERM), status.value(NodeCounter.LEADER),
                status.value(NodeCounter.COMMIT_INDEX), status.value(NodeCounter.LAST_INDEX),
                status.value(NodeCounter.DURABLE_INDEX), status.value(NodeCounter.ELECTIONS_STARTED),
                status.value(NodeCounter.MALFORMED)));
            if (status.isLeader() && !status.matchIndexByPeer().isEmpty())
            {
                table.append("   match ").append(status.matchIndexByPeer());
            }
            if (status.value(NodeCounter.FOREIGN_DISK) != 0)
            {
                table.append("   voter on another disk: it neither votes nor counts until removed and added again");
            }
            if (status.value(NodeCounter.AUTHENTICATION) == 0)
            {
                table.append("   authentication off: no frame is checked, between nodes or from clients");
            }
            else if (status.value(NodeCounter.UNAUTHENTICATED) != 0)
            {
                table.append("   refused ").append(status.value(NodeCounter.UNAUTHENTICATED))
                    .append(" unauthenticated frames");
            }
        }
        return table.toString();
    }
}
