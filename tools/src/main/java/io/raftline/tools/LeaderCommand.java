package io.raftline.tools;

import io.raftline.client.AdminClient;
import io.raftline.client.RaftlineClient;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.AdminOperation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code raftline leader transfer}: hands leadership to a voter, at once (Raft thesis §3.10). */
@Command(name = "leader", mixinStandardHelpOptions = true, description = "Hands leadership over.",
    subcommands = { LeaderCommand.Transfer.class })
final class LeaderCommand extends CommandGroup
{
    @Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Hands leadership to node N (default: the most up-to-date voter); exits 0 once N leads.")
    static final class Transfer extends MemberCommand.Common implements Callable<Integer>
    {
        @Option(names = "--to", paramLabel = "N", defaultValue = "0", description = "The voter to hand over to.")
        private int to;

        @Override
        public Integer call()
        {
            Flags.within("--to", to, 0, Integer.MAX_VALUE);
            try (RaftlineClient client = Clients.connect(clusterFile, bind, credentials);
                AdminClient admin = client.admin())
            {
                final AdminClient.Result result = change(admin, AdminOperation.TRANSFER_LEADERSHIP, to, "");
                spec.commandLine().getOut().println("node " + result.leaderId() + " leads");
            }
            return 0;
        }
    }
}
