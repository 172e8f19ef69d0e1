package io.raftline.tools;

import io.raftline.io.storage.LogCursor;
import io.raftline.io.storage.LogInspector;
import io.raftline.io.storage.MetadataStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code raftline inspect DIR}: what a node's data directory holds. Read-only; safe while the node runs. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Shows a node's data directory: segments, first/last index, terms, sizes, snapshot, " +
        "persisted term and vote. Read-only; works on a stopped node and while it runs.")
final class InspectCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The node's data directory.")
    private Path dir;

    @Option(names = "--json", description = "One JSON object instead of text.")
    private boolean json;

    @Override
    public Integer call()
    {
        try (LogInspector inspector = LogInspector.open(dir))
        {
            final long lastTerm = lastTerm(inspector);
            final PrintWriter out = spec.commandLine().getOut();
            final List<SnapshotListing.Entry> snapshots = SnapshotListing.of(dir);
            out.println(json ? toJson(inspector, lastTerm, snapshots) : toText(inspector, lastTerm, snapshots));
            out.flush();
        }
        return 0;
    }

    static long lastTerm(final LogInspector inspector)
    {
        if (inspector.lastIndex() < inspector.firstIndex())
        {
            return inspector.termBeforeFirst();
        }
        try (LogCursor cursor = inspector.newCursor())
        {
            cursor.seek(inspector.lastIndex());
            cursor.next();
            return cursor.term();
        }
    }

    private static String toJson(
        final LogInspector inspector, final long lastTerm, final List<SnapshotListing.Entry> snapshots)
    {
        final MetadataStore metadata = inspector.metadata();
        final String holder = inspector.lockHolder();
        final StringBuilder json = new StringBuilder(256)
            .append("{\"dir\":\"").append(escape(inspector.directory().toAbsolutePath().toString())).append('"')
            .append(",\"firstIndex\":").append(inspector.firstIndex())
            .append(",\"lastIndex\":").append(inspector.lastIndex())
            .append(",\"entries\":").append(inspector.lastIndex() - inspector.firstIndex() + 1)
            .append(",\"termBeforeFirst\":").append(inspector.termBeforeFirst())
            .append(",\"lastTerm\":").append(lastTerm)
            .append(",\"currentTerm\":").append(metadata.currentTerm())
            .append(",\"votedFor\":").append(metadata.votedFor())
            .append(",\"durableWatermark\":").append(metadata.durableWatermark())
            .append(",\"configurationBytes\":").append(metadata.configuration().length)
            .append(",\"lockHolderPid\":").append(holder == null ? "null" : '"' + escape(holder) + '"')
            .append(",\"lockHolderAlive\":").append(isAlive(holder))
            .append(",\"snapshot\":").append(snapshots.isEmpty() ? "null" : snapshots.get(snapshots.size() - 1).json())
            .append(",\"snapshots\":[").append(String.join(",", snapshots.stream().map(SnapshotListing.Entry::json)
                .toList())).append(']')
            .append(",\"segments\":[");
        boolean first = true;
        for (final LogInspector.Segment segment : inspector.segments())
        {
            json.append(first ? "" : ",")
                .append("{\"file\":\"").append(escape(segment.file())).append('"')
                .append(",\"cycle\":").append(segment.cycle())
                .append(",\"state\":\"").append(segment.state()).append('"')
                .append(",\"firstIndex\":").append(segment.firstIndex())
                .append(",\"lastIndex\":").append(segment.lastIndex())
                .append(",\"entries\":").append(segment.entries())
                .append(",\"bytes\":").append(segment.fileBytes())
                .append('}');
            first = false;
        }
        return json.append("]}").toString();
    }

    private static String toText(
        final LogInspector inspector, final long lastTerm, final List<SnapshotListing.Entry> snapshots)
    {
        final MetadataStore metadata = inspector.metadata();
        final String holder = inspector.lockHolder();
        final StringBuilder text = new StringBuilder(512)
            .append(String.format("data directory   %s%n", inspector.directory().toAbsolutePath()))
            .append(String.format("log              first %d, last %d (%d entries), term before first %d, " +
                "last term %d%n", inspector.firstIndex(), inspector.lastIndex(),
                inspector.lastIndex() - inspector.firstIndex() + 1, inspector.termBeforeFirst(), lastTerm))
            .append(String.format("metadata         currentTerm %d, votedFor %d, durable watermark %d, " +
                "configuration %d bytes%n", metadata.currentTerm(), metadata.votedFor(), metadata.durableWatermark(),
                metadata.configuration().length))
            .append(String.format("writer           %s%n", holder == null ? "never opened for writing" :
                "pid " + holder + (isAlive(holder) ? " (running)" : " (not running)")))
            .append(snapshots.isEmpty() ? String.format("snapshots        none%n") :
                String.format("snapshots        %d%n%s%n", snapshots.size(), String.join(String.format("%n"),
                    snapshots.stream().map(SnapshotListing.Entry::text).toList())))
            .append(String.format("segments         %d%n", inspector.segments().size()))
            .append(String.format("  %-16s %-10s %12s %12s %10s %12s", "file", "state", "first", "last", "entries",
                "bytes"));
        for (final LogInspector.Segment segment : inspector.segments())
        {
            text.append(String.format("%n  %-16s %-10s %12d %12d %10d %12d", segment.file(), segment.state(),
                segment.firstIndex(), segment.lastIndex(), segment.entries(), segment.fileBytes()));
        }
        return text.toString();
    }

    private static boolean isAlive(final String pid)
    {
        try
        {
            return pid != null && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    static String escape(final String text)
    {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
