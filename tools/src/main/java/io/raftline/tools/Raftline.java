package io.raftline.tools;

import io.raftline.client.RaftlineClientException;
import io.raftline.protocol.config.ConfigException;
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
        KeysCommand.class,
        CredentialsCommand.class,
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
        commandLine.setExecutionStrategy(Raftline::runCatchingFaults);
        commandLine.setParameterExceptionHandler(Raftline::onBadUsage);
        commandLine.registerConverter(Integer.class, value -> (int)wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
        commandLine.registerConverter(Integer.TYPE, value -> (int)wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE));
        commandLine.registerConverter(Long.class, value -> wholeNumber(value, Long.MIN_VALUE, Long.MAX_VALUE));
        commandLine.registerConverter(Long.TYPE, value -> wholeNumber(value, Long.MIN_VALUE, Long.MAX_VALUE));
        return commandLine;
    }

    /** A flag's number: one that does not parse, or does not fit its type, says so with the type's range. */
    private static long wholeNumber(final String value, final long min, final long max)
    {
        final java.math.BigInteger number;
        try
        {
            number = new java.math.BigInteger(value.strip());
        }
        catch (final NumberFormatException ex)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
        }
        if (number.compareTo(java.math.BigInteger.valueOf(min)) < 0 ||
            number.compareTo(java.math.BigInteger.valueOf(max)) > 0)
        {
            throw new CommandLine.TypeConversionException("'" + value + "' is out of range (at most " + max +
                (min < 0 ? ", at least " + min : "") + "; see --help for what the flag allows)");
        }
        return number.longValueExact();
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

    /**
     * Runs the command; a fault reading a mapped file (a file cut short under a reader: the JVM reports the SIGBUS
     * as an {@link InternalError}) becomes a failure in words, like any other.
     */
    private static int runCatchingFaults(final CommandLine.ParseResult parseResult)
    {
        try
        {
            return new CommandLine.RunLast().execute(parseResult);
        }
        catch (final InternalError fault)
        {
            final CommandLine command = parseResult.subcommand() != null ?
                parseResult.subcommand().commandSpec().commandLine() : parseResult.commandSpec().commandLine();
            throw new CommandLine.ExecutionException(command, "fault", new StorageException("reading a file " +
                "failed: a segment file is cut short or damaged (run raftline verify on the data directory)"));
        }
    }

    /** An unknown command or flag, a missing or malformed value: one line, the reason and where help is. */
    private static int onBadUsage(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty())
        {
            message += " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
        }
        return usageError(commandLine, message);
    }

    private static int usageError(final CommandLine commandLine, final String message)
    {
        final PrintWriter err = commandLine.getErr();
        err.println(message + " (see " + commandLine.getCommandSpec().qualifiedName() + " --help)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    private static int onFailure(
        final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        final PrintWriter err = commandLine.getErr();
        if (ex instanceof UsageFailure)
        {
            return usageError(commandLine, ex.getMessage());
        }
        err.println(commandLine.getCommandName() + ": " + describe(ex).replace('\n', ' '));
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** A failure in words: our own exceptions say what happened; others are named by what they mean. */
    static String describe(final Throwable ex)
    {
        final Throwable cause = ex instanceof java.io.UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (cause instanceof java.nio.file.NoSuchFileException missing)
        {
            return "no such file or folder: " + missing.getFile();
        }
        if (cause instanceof java.nio.file.AccessDeniedException denied)
        {
            return "permission denied: " + denied.getFile();
        }
        if (cause instanceof java.nio.file.FileSystemException failed)
        {
            return failed.getFile() + ": " + (failed.getReason() != null ? failed.getReason() : "cannot be used");
        }
        if (cause instanceof io.aeron.exceptions.AeronException aeron)
        {
            return "the network layer refused: " + aeron.getMessage().replaceAll("^ERROR - ", "")
                .replaceAll(",? ?errorCodeValue=\\d+", "");
        }
        if (ex instanceof CommandFailure || ex instanceof StorageException || ex instanceof RaftlineClientException ||
            ex instanceof ConfigException || cause instanceof java.io.IOException)
        {
            return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
        }
        return cause.getMessage() != null ? cause.getMessage() + " (" + cause.getClass().getSimpleName() + ")" :
            cause.getClass().getSimpleName();
    }
}
