package io.raftline.tools;

import io.raftline.io.client.RaftlineClientException;
import io.raftline.io.config.ConfigException;
import io.raftline.io.storage.StorageException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code raftline}: the command line. One class per subcommand, listed below. Exit codes: 0 success; 1 an
 * operation failed (one line on stderr, never a stack trace); 2 bad usage (usage on stderr).
 */
@Command(name = "raftline", mixinStandardHelpOptions = true, version = "raftline 0.1.0",
    description = "A Raft replicated log on Chronicle Queue and Aeron.",
    subcommands = {
        DemoCommand.class,
        ClusterCommand.class,
        NodeCommand.class,
        ProduceCommand.class,
        TailCommand.class,
        StatusCommand.class,
        MemberCommand.class,
        LeaderCommand.class,
        SnapshotCommand.class,
        InspectCommand.class,
        VerifyCommand.class,
        DumpCommand.class,
        BenchCommand.class,
    })
public final class Raftline implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    /** Without a subcommand: usage on stderr. */
    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CommandLine.ExitCode.USAGE;
    }

    /** The configured command line, for {@link #main} and for tests (which capture out and err). */
    public static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new Raftline());
        commandLine.setExecutionExceptionHandler(Raftline::onFailure);
        commandLine.setParameterExceptionHandler(Raftline::onBadUsage);
        return commandLine;
    }

    public static void main(final String[] args)
    {
        // Chronicle logs a few INFO lines on every open; the tool's output is for people and scripts
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null)
        {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
            if (args.length > 0 && args[0].equals("node"))
            {
                // a node's log is for its operator: elections, members, snapshots
                System.setProperty("org.slf4j.simpleLogger.log.io.raftline", "info");
                System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
                System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss.SSS");
            }
        }
        System.exit(commandLine().execute(args));
    }

    /** An unknown command or flag, a missing or malformed value: the reason and the usage, on stderr. */
    private static int onBadUsage(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        err.println(ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        commandLine.usage(err);
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    private static int onFailure(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        if (ex instanceof UsageFailure)
        {
            err.println(ex.getMessage());
            commandLine.usage(err);
            err.flush();
            return CommandLine.ExitCode.USAGE;
        }
        final String message = ex instanceof CommandFailure || ex instanceof StorageException ||
            ex instanceof RaftlineClientException || ex instanceof java.io.UncheckedIOException ?
            ex.getMessage() : ex instanceof ConfigException ? ex.getMessage() : ex.toString();
        err.println(commandLine.getCommandName() + ": " + message.replace('\n', ' '));
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }
}
