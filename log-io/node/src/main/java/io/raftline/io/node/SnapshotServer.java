package io.raftline.io.node;

import io.raftline.io.snapshot.ChunkSource;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.storage.StorageException;
import io.raftline.io.transport.snapshot.SnapshotChunkFrame;
import io.raftline.io.transport.snapshot.SnapshotReadFrame;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.zip.CRC32C;

/**
 * Serves the chunks of this node's snapshots to nodes that fetch them: any node may, the leader or a follower that
 * holds the same snapshot (the leader names which). Stateless for the fetcher, which asks again for what it lost;
 * at most {@link #CHUNKS_PER_CYCLE} chunks a duty cycle, so serving a laggard never crowds out replication. A
 * chunk of a damaged copy is refused as such, and the copy is not served again.
 */
final class SnapshotServer implements AutoCloseable
{
    static final int CHUNKS_PER_CYCLE = 4;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotServer.class);

    private final int nodeId;
    private final long clusterHash;
    private final SnapshotStore store;
    private final MemberRegistry members;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[SnapshotChunkFrame.maxLength()]);
    private final byte[] data = new byte[SnapshotReadFrame.CHUNK_SIZE];
    private final CRC32C crc = new CRC32C();
    private ChunkSource source;
    private int servedThisCycle;
    private long served;

    SnapshotServer(final int nodeId, final long clusterHash, final SnapshotStore store, final MemberRegistry members)
    {
        this.nodeId = nodeId;
        this.clusterHash = clusterHash;
        this.store = store;
        this.members = members;
    }

    /** A new duty cycle: chunks may be served again. */
    void onCycle()
    {
        servedThisCycle = 0;
    }

    void onRead(final SnapshotReadFrame read)
    {
        if (servedThisCycle == CHUNKS_PER_CYCLE)
        {
            return; // asked again after its timeout
        }
        servedThisCycle++;
        final ChunkSource chunks = sourceFor(read.index(), read.term());
        if (chunks == null || read.chunk() >= chunks.chunkCount())
        {
            reply(read, SnapshotChunkFrame.NOT_HELD, 0, 0, 0);
            return;
        }
        final int length;
        try
        {
            length = chunks.read(read.chunk(), data);
        }
        catch (final StorageException ex)
        {
            LOG.error("node {}: not serving snapshot {} to node {}: {}", nodeId, read.index(), read.from(),
                ex.getMessage());
            CloseHelper.quietClose(source);
            source = null;
            reply(read, SnapshotChunkFrame.DAMAGED, 0, 0, 0);
            return;
        }
        crc.reset();
        crc.update(data, 0, length);
        frame.putBytes(SnapshotChunkFrame.DATA, data, 0, length);
        final int frameLength = SnapshotChunkFrame.encode(frame, 0, clusterHash, nodeId, read.from(),
            SnapshotChunkFrame.OK, chunks.snapshot().index(), chunks.snapshot().term(), chunks.fileLength(),
            read.chunk(), length, (int)crc.getValue());
        members.sendFrame(read.from(), frame, 0, frameLength);
        served++;
    }

    long chunksServed()
    {
        return served;
    }

    /** The snapshot at (index, term), or the newest for (0, 0); null if not held. */
    private ChunkSource sourceFor(final long index, final long term)
    {
        final SnapshotStore.Snapshot snapshot = index == 0 ? store.latest() : store.find(index, term);
        if (source != null && snapshot != null && source.snapshot().index() == snapshot.index() &&
            source.snapshot().term() == snapshot.term())
        {
            return source;
        }
        CloseHelper.quietClose(source);
        source = null;
        if (snapshot != null)
        {
            source = new ChunkSource(snapshot);
        }
        return source;
    }

    private void reply(
        final SnapshotReadFrame read, final int status, final long fileLength, final int length, final int dataCrc)
    {
        final int frameLength = SnapshotChunkFrame.encode(frame, 0, clusterHash, nodeId, read.from(), status,
            read.index(), read.term(), fileLength, read.chunk(), length, dataCrc);
        members.sendFrame(read.from(), frame, 0, frameLength);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(source);
    }
}
