package io.raftline.io.snapshot;

import io.raftline.io.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The snapshots of a data directory, in {@code DIR/snapshots}: complete files named by index and term, newest
 * last. At open, leftovers of an interrupted write or fetch are deleted, and the newest snapshot is checked block
 * by block: a damaged one is renamed {@code .damaged}, named in the log, and an older one is used instead.
 */
public final class SnapshotStore
{
    /** The folder of a data directory that holds its snapshots. */
    public static final String DIRECTORY = "snapshots";
    static final String PARTIAL_SUFFIX = ".part";
    static final String DAMAGED_SUFFIX = ".damaged";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    /** A snapshot held: its file and what its footer says. */
    public record Snapshot(Path file, SnapshotFile.Footer footer)
    {
        public long index()
        {
            return footer.index();
        }

        public long term()
        {
            return footer.term();
        }
    }

    private final Path directory;
    private final List<Snapshot> snapshots = new ArrayList<>(); // ascending index

    private SnapshotStore(final Path directory)
    {
        this.directory = directory;
    }

    /** Opens the snapshots of data directory {@code dataDir}, creating the folder if absent. */
    public static SnapshotStore open(final Path dataDir)
    {
        final SnapshotStore store = new SnapshotStore(dataDir.resolve(DIRECTORY));
        try
        {
            Files.createDirectories(store.directory);
            try (Stream<Path> files = Files.list(store.directory))
            {
                for (final Path file : files.sorted().toList())
                {
                    final String name = file.getFileName().toString();
                    if (name.endsWith(SnapshotWriter.TEMPORARY_SUFFIX) || name.endsWith(PARTIAL_SUFFIX))
                    {
                        Files.delete(file); // a write or a fetch that a crash interrupted: never half used
                    }
                    else if (name.endsWith(SnapshotFile.SUFFIX))
                    {
                        store.admit(file);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot open the snapshots in " + store.directory + ": " + ex.getMessage(), ex);
        }
        store.snapshots.sort(Comparator.comparingLong(Snapshot::index));
        store.checkNewest();
        return store;
    }

    /** Lists the snapshots of {@code dataDir} without changing anything (for inspect and verify). */
    public static List<Path> list(final Path dataDir) throws IOException
    {
        final Path directory = dataDir.resolve(DIRECTORY);
        if (!Files.isDirectory(directory))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory))
        {
            return files.filter(file -> file.getFileName().toString().endsWith(SnapshotFile.SUFFIX)).sorted().toList();
        }
    }

    public Path directory()
    {
        return directory;
    }

    /** The newest snapshot, or null. */
    public Snapshot latest()
    {
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }

    /** The snapshot at {@code index} of {@code term}, if held. */
    public Snapshot find(final long index, final long term)
    {
        for (final Snapshot snapshot : snapshots)
        {
            if (snapshot.index() == index && snapshot.term() == term)
            {
                return snapshot;
            }
        }
        return null;
    }

    /** Records a snapshot just written or fetched into this store's folder. */
    public void add(final Snapshot snapshot)
    {
        snapshots.removeIf(held -> held.index() == snapshot.index());
        snapshots.add(snapshot);
        snapshots.sort(Comparator.comparingLong(Snapshot::index));
    }

    /** Deletes all but the newest {@code keep} snapshots. */
    public void retain(final int keep)
    {
        while (snapshots.size() > keep)
        {
            final Snapshot oldest = snapshots.remove(0);
            try
            {
                Files.deleteIfExists(oldest.file());
            }
            catch (final IOException ex)
            {
                LOG.warn("cannot delete old snapshot {}: {}", oldest.file(), ex.getMessage());
            }
        }
    }

    /** The second newest snapshot's index (the log is kept from there), or the newest's if only one, or 0. */
    public long previousIndex()
    {
        return snapshots.size() >= 2 ? snapshots.get(snapshots.size() - 2).index() :
            snapshots.isEmpty() ? 0 : snapshots.get(0).index();
    }

    /** Where a snapshot being fetched is put together until it is complete and checked. */
    public Path partialFile(final long index, final long term)
    {
        return directory.resolve(SnapshotFile.fileName(index, term) + PARTIAL_SUFFIX);
    }

    /**
     * Checks a fetched file completely, then gives it its final name (forced) and records it. A damaged file is
     * deleted and a {@link StorageException} says why.
     */
    public Snapshot adopt(final Path partial)
    {
        final SnapshotFile.Footer footer;
        try
        {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                channel.force(true);
            }
            footer = SnapshotFile.readFooter(partial);
            final String problem = SnapshotFile.verifyBody(partial, footer);
            if (problem != null)
            {
                throw SnapshotFile.damaged(partial, problem);
            }
            final Path file = directory.resolve(SnapshotFile.fileName(footer.index(), footer.term()));
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(directory);
            final Snapshot snapshot = new Snapshot(file, footer);
            add(snapshot);
            return snapshot;
        }
        catch (final IOException | StorageException ex)
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignored)
            {
                // deleted at the next start
            }
            throw ex instanceof StorageException storage ? storage :
                new StorageException("cannot adopt snapshot " + partial + ": " + ex.getMessage(), ex);
        }
    }

    /** Reads one part of a snapshot's body; it must not read past what it is given. */
    @FunctionalInterface
    public interface PartReader
    {
        void read(InputStream in) throws IOException;
    }

    /**
     * Reads a snapshot's two parts in order, each block checked before its bytes are handed out: the replicated
     * state, then the application's state machine. Each reader sees its part only, as a stream.
     */
    public static void read(final Snapshot snapshot, final PartReader state, final PartReader application)
        throws IOException
    {
        try (BodyStream body = new BodyStream(snapshot.file(), snapshot.footer()))
        {
            final SnapshotFile.Footer footer = snapshot.footer();
            readPart(body, footer.stateLength(), state);
            readPart(body, footer.applicationLength(), application);
        }
    }

    private static void readPart(final InputStream body, final long length, final PartReader reader) throws IOException
    {
        final PartStream part = new PartStream(body, length);
        reader.read(part);
        part.skipRest();
    }

    /** Forces a directory's entries (a new or renamed file) to disk. */
    public static void forceDirectory(final Path directory)
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot force directory " + directory + ": " + ex.getMessage(), ex);
        }
    }

    private void admit(final Path file)
    {
        try
        {
            snapshots.add(new Snapshot(file, SnapshotFile.readFooter(file)));
        }
        catch (final StorageException ex)
        {
            setAside(file, ex.getMessage());
        }
    }

    /** The newest snapshot must be whole: a node never restores from a damaged one. Older ones are checked when used. */
    private void checkNewest()
    {
        while (!snapshots.isEmpty())
        {
            final Snapshot newest = latest();
            final String problem = SnapshotFile.verifyBody(newest.file(), newest.footer());
            if (problem == null)
            {
                return;
            }
            snapshots.remove(snapshots.size() - 1);
            setAside(newest.file(), "snapshot " + newest.file() + " is damaged: " + problem);
        }
    }

    private static void setAside(final Path file, final String why)
    {
        final Path aside = file.resolveSibling(file.getFileName() + DAMAGED_SUFFIX);
        LOG.error("{}; renamed {} and not used", why, aside.getFileName());
        try
        {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new StorageException(why + "; and it cannot be set aside: " + ex.getMessage(), ex);
        }
    }
}
