package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.io.storage.LogCursor;
import io.raftline.io.storage.LogInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code raftline dump DIR}: entries of a data directory, one a line. Read-only; safe while the node runs. */
@Command(name = "dump", mixinStandardHelpOptions = true, description = "Prints entries from a data directory.")
final class DumpCommand implements Callable<Integer>
{
    /** Output formats. */
    enum Format
    {
        json, text
    }


    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The node's data directory.")
    private Path dir;

    @Option(names = "--from", paramLabel = "I", description = "First index (default: the first held).")
    private Long from;

    @Option(names = "--to", paramLabel = "J", description = "Last index (default: the last held).")
    private Long to;

    @Option(names = "--format", paramLabel = "json|text", defaultValue = "text",
        description = "json: one object a line; text: columns (default: ${DEFAULT-VALUE}).")
    private Format format;

    @Override
    public Integer call()
    {
        if (from != null && to != null && from > to)
        {
            throw new UsageFailure("--from " + from + " is after --to " + to);
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            final long first = Math.max(inspector.firstIndex(), from == null ? Long.MIN_VALUE : from);
            if (inspector.firstIndex() > 1 && (from == null || from < inspector.firstIndex()))
            {
                // said on stderr: stdout stays one entry a line
                final List<SnapshotListing.Entry> snapshots = SnapshotListing.of(dir);
                spec.commandLine().getErr().println("dump: the log starts at index " + inspector.firstIndex() +
                    (snapshots.isEmpty() ? "" : "; snapshot " + snapshots.get(snapshots.size() - 1).file()
                    .getFileName() + " holds the state before"));
            }
            final long last = Math.min(inspector.lastIndex(), to == null ? Long.MAX_VALUE : to);
            final PrintWriter out = spec.commandLine().getOut();
            if (first > last)
            {
                spec.commandLine().getErr().println("dump: nothing to show: the log holds indexes " +
                    inspector.firstIndex() + ".." + inspector.lastIndex());
            }
            else
            {
                try (LogCursor cursor = inspector.newCursor(); LogCursor openings = inspector.newCursor())
                {
                    final ProducerNames names = new ProducerNames(openings);
                    final EntryPrinter printer = new EntryPrinter(out, format == Format.json);
                    cursor.seek(first);
                    while (cursor.next() && cursor.index() <= last)
                    {
                        printer.print(cursor.index(), cursor.term(), cursor.type(),
                            cursor.type() == EntryType.NORMAL ? names.of(cursor.sessionId()) : null, cursor.sequence(),
                            cursor.buffer(), cursor.payloadOffset(), cursor.payloadLength());
                    }
                }
            }
            out.flush();
        }
        return 0;
    }
}
