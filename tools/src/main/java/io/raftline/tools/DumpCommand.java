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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
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

    private static final int TEXT_PREVIEW_BYTES = 40;

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
            if (first <= last)
            {
                try (LogCursor cursor = inspector.newCursor(); LogCursor openings = inspector.newCursor())
                {
                    final ProducerNames names = new ProducerNames(openings);
                    cursor.seek(first);
                    final Base64.Encoder base64 = Base64.getEncoder();
                    while (cursor.next() && cursor.index() <= last)
                    {
                        final byte[] payload = new byte[cursor.payloadLength()];
                        cursor.buffer().getBytes(cursor.payloadOffset(), payload);
                        final String producer = cursor.type() == EntryType.NORMAL ? names.of(cursor.sessionId()) : "";
                        out.println(format == Format.json ?
                            json(cursor, producer, payload, base64) : text(cursor, producer, payload));
                    }
                }
            }
            out.flush();
        }
        return 0;
    }

    private static String json(
        final LogCursor cursor, final String producer, final byte[] payload, final Base64.Encoder base64)
    {
        final StringBuilder json = new StringBuilder(64 + payload.length * 4 / 3)
            .append("{\"index\":").append(cursor.index())
            .append(",\"term\":").append(cursor.term());
        if (cursor.type() == EntryType.NORMAL)
        {
            json.append(",\"producer\":\"").append(Json.escape(producer)).append('"')
                .append(",\"seq\":").append(cursor.sequence())
                .append(",\"payload_b64\":\"").append(base64.encodeToString(payload)).append('"');
        }
        else
        {
            json.append(",\"type\":\"").append(EntryType.name(cursor.type())).append('"');
            if (payload.length > 0)
            {
                // as tail --all shows Raft's own entries: their content, not a producer's payload
                json.append(",\"content_b64\":\"").append(base64.encodeToString(payload)).append('"');
            }
        }
        return json.append('}').toString();
    }

    private static String text(final LogCursor cursor, final String producer, final byte[] payload)
    {
        final StringBuilder preview = new StringBuilder(TEXT_PREVIEW_BYTES + 3);
        final String ascii = new String(payload, 0, Math.min(payload.length, TEXT_PREVIEW_BYTES),
            StandardCharsets.ISO_8859_1);
        for (int i = 0; i < ascii.length(); i++)
        {
            final char c = ascii.charAt(i);
            preview.append(c >= 0x20 && c < 0x7f ? c : '.');
        }
        if (payload.length > TEXT_PREVIEW_BYTES)
        {
            preview.append("...");
        }
        return String.format("%d\t%d\t%s\t%s\t%d\t%d\t%s", cursor.index(), cursor.term(),
            EntryType.name(cursor.type()), producer.isEmpty() ? "-" : producer, cursor.sequence(), payload.length,
            preview);
    }
}
