package io.raftline.tools;

import io.raftline.core.quorum.Configuration;
import io.raftline.client.AdminClient;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.AdminOperation;
import io.raftline.protocol.client.AdminStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code raftline member list|add|promote|remove}: the configuration in force and changes to it, through the
 * leader; a change exits 0 once it is committed.
 */
@Command(name = "member", mixinStandardHelpOptions = true,
    description = "Lists the members, or adds, promotes or removes one (through the leader).",
    subcommands = { MemberCommand.List.class, MemberCommand.Add.class, MemberCommand.Promote.class,
        MemberCommand.Remove.class })
final class MemberCommand extends CommandGroup
{
    /** Options every member command takes. */
    static class Common
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file.")
        Path clusterFile;

        @Option(names = "--bind", paramLabel = "ADDR[:PORT]", description = "Where this command receives replies.")
        String bind;

        @Option(names = "--credentials", paramLabel = "FILE",
            description = "The credential to prove (default: the cluster file's client.credentials.file).")
        Path credentials;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a change may take to commit, or a list to be answered (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        long timeoutNs()
        {
            Flags.within("--timeout", timeoutSeconds, 1, 86_400);
            return TimeUnit.SECONDS.toNanos(timeoutSeconds);
        }

        /** Carries out one request; a refusal or failure exits 1 with the leader's reason. */
        AdminClient.Result change(
            final AdminClient admin, final AdminOperation operation, final int id, final String endpoint)
        {
            final AdminClient.Result result = admin.request(operation, id, endpoint, timeoutNs());
            if (result.status() != AdminStatus.DONE)
            {
                throw new CommandFailure(result.status() == AdminStatus.NOT_LEADER ?
                    "no leader answered within " + timeoutSeconds + " s" : result.message());
            }
            return result;
        }

        /** One change through a fresh client, saying {@code done} once it is committed. */
        int changeOne(final AdminOperation operation, final int id, final String done)
        {
            Flags.within("--id", id, 1, Integer.MAX_VALUE);
            try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
            {
                change(admin, operation, id, "");
                spec.commandLine().getOut().println(done);
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "The configuration in force: voters, learners, a joint change in progress, endpoints, disks.")
    static final class List extends Common implements Callable<Integer>
    {
        @Option(names = "--json", description = "One JSON object instead of a table.")
        private boolean json;

        @Override
        public Integer call()
        {
            final ClusterConfig config = ClusterConfig.load(clusterFile);
            try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
            {
                final AdminClient.Result result = admin.listMembers(timeoutNs());
                final PrintWriter out = spec.commandLine().getOut();
                out.println(json ? toJson(result.configuration()) : toTable(result));
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
        description = "Adds node N as a learner; with --voter, promotes it once it has caught up.")
    static final class Add extends Common implements Callable<Integer>
    {
        @Option(names = "--id", required = true, paramLabel = "N", description = "The node to add.")
        private int id;

        @Option(names = "--endpoint", paramLabel = "HOST:PORT",
            description = "Where it listens (default: node.N in the cluster file).")
        private String endpoint;

        @Option(names = "--voter", description = "Promote it to voter once it has caught up.")
        private boolean voter;

        @Override
        public Integer call()
        {
            Flags.within("--id", id, 1, Integer.MAX_VALUE);
            final ClusterConfig config = ClusterConfig.load(clusterFile);
            final String where = endpoint != null ? endpoint : config.members().containsKey(id) ?
                config.member(id).endpoint() : null;
            if (where == null || !where.matches("[^:\\s]+:\\d{1,5}"))
            {
                throw new UsageFailure(where == null ? "node " + id + " is not in " + clusterFile +
                    ": give --endpoint HOST:PORT" : "--endpoint must be HOST:PORT: " + where);
            }
            try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
            {
                change(admin, AdminOperation.ADD_LEARNER, id, where);
                spec.commandLine().getOut().println("node " + id + " (" + where + ") added as a learner");
                if (voter)
                {
                    final AdminClient.Result result = admin.request(AdminOperation.PROMOTE, id, "", timeoutNs());
                    if (result.status() != AdminStatus.DONE)
                    {
                        throw new CommandFailure(result.message());
                    }
                    spec.commandLine().getOut().println("node " + id + " caught up and is a voter");
                }
            }
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Makes learner N a voter once it has caught up (joint consensus).")
    static final class Promote extends Common implements Callable<Integer>
    {
        @Option(names = "--id", required = true, paramLabel = "N", description = "The learner to promote.")
        private int id;

        @Override
        public Integer call()
        {
            return changeOne(AdminOperation.PROMOTE, id, "node " + id + " is a voter");
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Removes voter or learner N, the leader included (it hands over and steps down).")
    static final class Remove extends Common implements Callable<Integer>
    {
        @Option(names = "--id", required = true, paramLabel = "N", description = "The member to remove.")
        private int id;

        @Override
        public Integer call()
        {
            return changeOne(AdminOperation.REMOVE, id, "node " + id + " removed");
        }
    }

    /** {@code {"configuration":{...},"members":[...]}} as ../CLI.md fixes it. */
    static String toJson(final Configuration configuration)
    {
        final StringBuilder json = new StringBuilder("{\"configuration\":").append(configurationJson(configuration))
            .append(",\"members\":[");
        final int[] members = configuration.members();
        for (int i = 0; i < members.length; i++)
        {
            final int id = members[i];
            final String endpoint = configuration.endpoint(id);
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(id)
                .append(",\"endpoint\":").append(endpoint == null ? "null" : "\"" + Json.escape(endpoint) + "\"")
                .append(",\"role\":\"").append(configuration.isLearner(id) ? "LEARNER" : "VOTER").append('"')
                .append(",\"identity\":").append(identityJson(configuration.identity(id))).append('}');
        }
        return json.append("]}").toString();
    }

    /** {@code {"voters":[..],"learners":[..],"joint":b,"outgoing":[..]}}: voters are C_new while joint. */
    static String configurationJson(final Configuration configuration)
    {
        return "{\"voters\":" + Arrays.toString(configuration.voters()).replace(" ", "") +
            ",\"learners\":" + Arrays.toString(configuration.learners()).replace(" ", "") +
            ",\"joint\":" + configuration.isJoint() +
            ",\"outgoing\":" + Arrays.toString(configuration.outgoingVoters()).replace(" ", "") + "}";
    }

    private static String identityJson(final long identity)
    {
        return identity == Configuration.UNBOUND ? "null" : "\"" + String.format("%016x", identity) + "\"";
    }

    static String toTable(final AdminClient.Result result)
    {
        final Configuration configuration = result.configuration();
        final StringBuilder table = new StringBuilder("voters ").append(ids(configuration.voters()));
        if (configuration.isJoint())
        {
            table.append(" (joint change in progress from ").append(ids(configuration.outgoingVoters())).append(')');
        }
        table.append(", learners ").append(ids(configuration.learners()));
        if (!result.isConfigurationCommitted())
        {
            table.append(" (not yet committed)");
        }
        table.append(String.format("%n%-4s %-8s %-24s %s", "id", "role", "endpoint", "disk"));
        for (final int id : configuration.members())
        {
            final String endpoint = configuration.endpoint(id);
            final long identity = configuration.identity(id);
            table.append(String.format("%n%-4d %-8s %-24s %s", id, configuration.isLearner(id) ? "learner" : "voter",
                endpoint == null ? "-" : endpoint,
                identity == Configuration.UNBOUND ? "not yet bound" : String.format("%016x", identity)));
        }
        return table.toString();
    }

    private static String ids(final int[] ids)
    {
        return ids.length == 0 ? "none" : IntStream.of(ids).mapToObj(Integer::toString)
            .collect(Collectors.joining(", "));
    }
}
