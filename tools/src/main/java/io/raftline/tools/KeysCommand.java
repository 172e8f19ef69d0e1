package io.raftline.tools;

import io.raftline.protocol.security.ClusterSecrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code raftline keys create}: the secret a cluster written by hand authenticates its nodes' frames with. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Makes a cluster's keys.",
    subcommands = { KeysCommand.Create.class })
final class KeysCommand extends CommandGroup
{
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Writes DIR/cluster.key, a new random key, and DIR/admin.credentials, a credential with every " +
            "right, both readable by their owner only, and says what to add to the cluster file. Refuses to replace " +
            "a key that is there.")
    static final class Create implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where the key is written.")
        private Path dir;

        @Override
        public Integer call() throws java.io.IOException
        {
            final Path key = dir.resolve(ClusterSecrets.KEY_FILE);
            if (Files.exists(key))
            {
                throw new CommandFailure(key + " exists: a cluster's key is rotated, not replaced (see the README)");
            }
            final Path admin = dir.resolve(ClusterSecrets.ADMIN_CREDENTIALS_FILE);
            if (Files.exists(admin))
            {
                throw new CommandFailure(admin + " exists, made under another key: move it away first");
            }
            Files.createDirectories(dir);
            final StringBuilder lines = new StringBuilder();
            ClusterSecrets.createIn(dir).forEach((name, file) ->
                lines.append("\n").append(name).append('=').append(dir.resolve(file).toAbsolutePath()));
            spec.commandLine().getOut().println("wrote " + key + " and " + dir.resolve(ClusterSecrets.ADMIN_CREDENTIALS_FILE) +
                "; name them in the cluster file:" + lines);
            return 0;
        }
    }
}
