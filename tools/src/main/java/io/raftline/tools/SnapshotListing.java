package io.raftline.tools;

import io.raftline.core.quorum.Configuration;
import io.raftline.io.snapshot.SnapshotFile;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.storage.StorageException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The snapshots of a data directory as {@code inspect} and {@code verify} show them, newest last. Read-only. */
final class SnapshotListing
{
    /** One snapshot file: what its footer says, or why it cannot be read. */
    record Entry(Path file, SnapshotFile.Footer footer, String problem)
    {
        String json()
        {
            final StringBuilder json = new StringBuilder("{\"file\":\"").append(Json.escape(file.getFileName()
                .toString())).append('"').append(",\"bytes\":").append(size(file));
            if (footer == null)
            {
                return json.append(",\"damaged\":\"").append(Json.escape(problem)).append("\"}").toString();
            }
            final Configuration configuration = footer.configuration();
            return json.append(",\"index\":").append(footer.index())
                .append(",\"term\":").append(footer.term())
                .append(",\"stateBytes\":").append(footer.stateLength())
                .append(",\"applicationBytes\":").append(footer.applicationLength())
                .append(",\"configuration\":").append(MemberCommand.configurationJson(configuration))
                .append('}').toString();
        }

        String text()
        {
            if (footer == null)
            {
                return String.format("  %-34s damaged: %s", file.getFileName(), problem);
            }
            final Configuration configuration = footer.configuration();
            return String.format("  %-34s index %d, term %d, %d bytes, voters %s, learners %s", file.getFileName(),
                footer.index(), footer.term(), size(file), Arrays.toString(configuration.voters()),
                Arrays.toString(configuration.learners()));
        }
    }

    private SnapshotListing()
    {
    }

    static List<Entry> of(final Path dataDir)
    {
        final List<Entry> entries = new ArrayList<>();
        try
        {
            for (final Path file : SnapshotStore.list(dataDir))
            {
                try
                {
                    entries.add(new Entry(file, SnapshotFile.readFooter(file), null));
                }
                catch (final StorageException ex)
                {
                    entries.add(new Entry(file, null, ex.getMessage()));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        entries.sort((a, b) -> Long.compare(a.footer() == null ? -1 : a.footer().index(),
            b.footer() == null ? -1 : b.footer().index()));
        return entries;
    }

    private static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }
}
