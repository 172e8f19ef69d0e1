package io.raftline.tools;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.ClusterKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raftline credentials create}: a credential for a client, with the rights it needs. */
@Command(name = "credentials", mixinStandardHelpOptions = true, description = "Makes clients' credentials.",
    subcommands = { CredentialsCommand.Create.class })
final class CredentialsCommand extends CommandGroup
{
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Writes a credential (owner-only) with some of the rights produce, consume, admin, made " +
            "under the key the cluster signs with; it lasts as long as that key.")
    static final class Create implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Option(names = "--cluster", required = true, paramLabel = "FILE", description = "The cluster file (its key).")
        private Path clusterFile;

        @Option(names = "--name", paramLabel = "NAME", defaultValue = "client",
            description = "Who holds it, as nodes see it (default: ${DEFAULT-VALUE}).")
        private String name;

        @Option(names = "--rights", required = true, paramLabel = "RIGHTS",
            description = "Comma-separated: produce, consume, admin.")
        private String rights;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where it is written.")
        private Path out;

        @Override
        public Integer call()
        {
            final int parsed;
            try
            {
                parsed = ClientCredential.parseRights(rights);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UsageFailure("--rights: " + ex.getMessage());
            }
            if (Files.exists(out))
            {
                throw new CommandFailure(out + " exists: not replaced");
            }
            final ClusterKeys keys = ClusterConfig.load(clusterFile).loadClusterKeys();
            if (keys == null)
            {
                throw new CommandFailure(clusterFile + " runs without authentication: its clients need no credential");
            }
            try
            {
                ClientCredential.create(keys, name, parsed, out);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UsageFailure("--name: " + ex.getMessage());
            }
            spec.commandLine().getOut().println("wrote " + out + ": " + name + " may " +
                ClientCredential.rightsText(parsed).replace(",", ", ") + "; a command proves it with --credentials " + out);
            return 0;
        }
    }
}
