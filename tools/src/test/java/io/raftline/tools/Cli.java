package io.raftline.tools;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code raftline} command line in this JVM and keeps what it printed. */
record Cli(int exitCode, String out, String err)
{
    static Cli run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode = Raftline.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
        return new Cli(exitCode, out.toString(), err.toString());
    }

    /** Runs the command line, which must exit 0. */
    static Cli ok(final String... args)
    {
        final Cli result = run(args);
        if (result.exitCode() != 0)
        {
            throw new AssertionError(String.join(" ", args) + ": " + result);
        }
        return result;
    }

    /** The last line printed on stdout. */
    String lastLine()
    {
        final String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n" + out + err;
    }
}
