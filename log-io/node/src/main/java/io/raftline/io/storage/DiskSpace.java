package io.raftline.io.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The free space of the filesystem that holds a data directory, against a reserve. Segments are mapped sparse files:
 * a store into a page the filesystem cannot back raises SIGBUS, which the JVM reports as an {@code InternalError}
 * that ends the node. So a full disk is found before writing: while the free space is below the reserve the node
 * takes no new entries (a leader refuses appends, a follower ignores AppendEntries that carry entries), and it takes
 * them again by itself once the space returns. The free space is read at most every {@link #SAMPLE_NS}: the reserve
 * must hold what the node writes meanwhile, plus index pages, metadata and the entries Raft itself appends.
 */
public final class DiskSpace
{
    static final long SAMPLE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(DiskSpace.class);

    private final Path dir;
    private final FileStore store;
    private final long reserveBytes;
    private long sampledAtNs;
    private boolean low;

    private DiskSpace(final Path dir, final FileStore store, final long reserveBytes)
    {
        this.dir = dir;
        this.store = store;
        this.reserveBytes = reserveBytes;
    }

    /** The space of the filesystem holding {@code dir}, which must exist. */
    public static DiskSpace of(final Path dir, final long reserveBytes)
    {
        try
        {
            return new DiskSpace(dir, Files.getFileStore(dir), reserveBytes);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot find the filesystem of " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /** Whether the free space is below the reserve, as last read (read again if that was a while ago). */
    public boolean isLow(final long nowNs)
    {
        if (nowNs - sampledAtNs >= SAMPLE_NS)
        {
            sample(nowNs);
        }
        return low;
    }

    private void sample(final long nowNs)
    {
        sampledAtNs = nowNs;
        final long usableBytes;
        try
        {
            usableBytes = store.getUsableSpace();
        }
        catch (final IOException ex)
        {
            return; // unknown: keep the last reading
        }
        final boolean wasLow = low;
        low = usableBytes < reserveBytes;
        if (low && !wasLow)
        {
            LOG.warn("the disk holding {} has {} MiB free, below its reserve of {} MiB (storage.reserve.mb): no new " +
                "entries until space returns", dir, usableBytes >> 20, reserveBytes >> 20);
        }
        else if (wasLow && !low)
        {
            LOG.info("the disk holding {} has {} MiB free again: taking new entries", dir, usableBytes >> 20);
        }
    }
}
