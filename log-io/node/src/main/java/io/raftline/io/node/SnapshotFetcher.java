package io.raftline.io.node;

import io.raftline.core.SnapshotFetch;
import io.raftline.io.snapshot.SnapshotStore;
import io.raftline.io.storage.StorageException;
import io.raftline.io.transport.snapshot.SnapshotChunkFrame;
import io.raftline.io.transport.snapshot.SnapshotReadFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * Fetches the snapshot the core asks for (Raft §7) into a partial file, a chunk at a time, straight to disk: from
 * the node the leader names as holding the same snapshot, else from the leader. A window of chunk requests is in
 * flight; a chunk lost is asked for again, a server silent for too long or that refuses (it no longer holds the
 * snapshot, or its copy is damaged) is replaced by the other, which goes on from the chunks already in (nodes that
 * snapshot the same state write the same bytes; if the whole then fails its checks, the fetch starts over from one
 * server). When every chunk is in, the file is checked block by block, forced and renamed, and handed over to be
 * installed. A restart of this node starts the fetch over (partial files are deleted at start).
 */
final class SnapshotFetcher implements AutoCloseable
{
    /** Told when a fetched snapshot is complete, checked and in the store. */
    interface Listener
    {
        void onFetched(SnapshotStore.Snapshot snapshot);
    }

    static final int WINDOW = 16;
    private static final long REQUEST_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SERVER_SILENCE_NS = TimeUnit.SECONDS.toNanos(2);
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFetcher.class);

    private final int nodeId;
    private final long clusterHash;
    private final SnapshotStore store;
    private final MemberRegistry members;
    private final Listener listener;
    private final FailureListener onFailed;
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[SnapshotReadFrame.LENGTH]);
    private final BitSet received = new BitSet();
    private long[] requestedNs = new long[WINDOW];
    private SnapshotFetch fetch;
    private int[] servers;          // the named source first (unless it is the leader), then the leader
    private int tried;              // servers[tried] is asked now
    private int server;
    private FileChannel partial;
    private Path partialFile;
    private long fileLength = -1;
    private int chunkCount = 1;
    private int nextChunk;
    private long lastChunkNs;
    private long fetched;
    private long recoverFrom;      // > 0: this node's own state is missing; any snapshot at or above it will do
    private boolean mixed;         // chunks came from more than one server
    private long nextRecoveryNs;

    /** Told when the core's fetch cannot be carried out: neither server holds a good copy. */
    interface FailureListener
    {
        void onFetchFailed(long index);
    }

    SnapshotFetcher(
        final int nodeId,
        final long clusterHash,
        final SnapshotStore store,
        final MemberRegistry members,
        final Listener listener,
        final FailureListener onFailed)
    {
        this.nodeId = nodeId;
        this.clusterHash = clusterHash;
        this.store = store;
        this.members = members;
        this.listener = listener;
        this.onFailed = onFailed;
    }

    /** The snapshot the core wants now, or null for none: a new one starts a fetch, none ends the one under way. */
    void want(final SnapshotFetch wanted, final long nowNs)
    {
        if (wanted == null)
        {
            if (recoverFrom == 0)
            {
                abandon();
            }
            return;
        }
        if (wanted.equals(fetch))
        {
            return;
        }
        if (fetch != null && wanted.index() > fetch.index() && received.cardinality() > 0 &&
            nowNs - lastChunkNs < SERVER_SILENCE_NS)
        {
            // finish the one streaming in: a leader offers a newer snapshot after every election timeout, and a
            // large one would otherwise never complete under a steady stream of writes
            return;
        }
        if (fetch != null && fetch.index() == wanted.index() && fetch.term() == wanted.term())
        {
            // the same snapshot, named anew (a new leader, another source): go on with the chunks already in, from
            // the server that serves it if it is still named, else from the one named now
            fetch = wanted;
            final boolean keep = server == wanted.source() || server == wanted.leader();
            if (!keep)
            {
                mixed |= received.cardinality() > 0;
                lastChunkNs = nowNs;
                LOG.info("node {}: fetching snapshot {} from node {} instead, going on from {} chunks", nodeId,
                    wanted.index(), wanted.source() != nodeId ? wanted.source() : wanted.leader(),
                    received.cardinality());
            }
            server = keep ? server : wanted.source() != nodeId ? wanted.source() : wanted.leader();
            servers = server == wanted.leader() ? new int[]{ server } : new int[]{ server, wanted.leader() };
            tried = 0;
            return;
        }
        abandon();
        fetch = wanted;
        servers = wanted.source() != nodeId && wanted.source() != wanted.leader() ?
            new int[]{ wanted.source(), wanted.leader() } : new int[]{ wanted.leader() };
        tried = 0;
        server = servers[0];
        LOG.info("node {}: fetching snapshot {} (term {}) from node {}", nodeId, wanted.index(), wanted.term(), server);
        start(nowNs);
    }

    boolean isFetching()
    {
        return fetch != null || recoverFrom > 0;
    }

    /**
     * This node cannot rebuild its state (its snapshot is damaged and its log compacted past any other): fetches the
     * newest snapshot of any of {@code peers} at or above {@code minIndex}, asking each in turn until one has it.
     */
    void recover(final long minIndex, final int[] peers, final long nowNs)
    {
        abandon();
        recoverFrom = minIndex;
        servers = peers;
        tried = -1;
        nextRecoveryNs = nowNs;
    }

    /** Chunks received and written, over all fetches. */
    long chunksFetched()
    {
        return fetched;
    }

    void onChunk(final SnapshotChunkFrame chunk, final long nowNs)
    {
        if (fetch == null && recoverFrom > 0 && chunk.from() == server && chunk.chunk() == 0)
        {
            if (chunk.status() != SnapshotChunkFrame.OK || chunk.index() < recoverFrom)
            {
                nextRecoveryNs = nowNs; // this peer has none that will do: ask the next
                return;
            }
            fetch = new SnapshotFetch(chunk.index(), chunk.term(), server, server);
            servers = new int[]{ server };
            tried = 0;
            recoverFrom = 0;
            LOG.info("node {}: fetching snapshot {} (term {}) from node {} to rebuild its state", nodeId,
                fetch.index(), fetch.term(), server);
            start(nowNs);
        }
        if (fetch == null || chunk.index() != fetch.index() || chunk.term() != fetch.term() ||
            chunk.from() != server)
        {
            return; // an answer to a fetch given up, or from the server replaced
        }
        if (chunk.status() != SnapshotChunkFrame.OK)
        {
            LOG.warn("node {}: node {} {} snapshot {}", nodeId, server,
                chunk.status() == SnapshotChunkFrame.DAMAGED ? "holds a damaged copy of" : "does not hold",
                fetch.index());
            switchServer(nowNs);
            return;
        }
        if (fileLength < 0)
        {
            fileLength = chunk.fileLength();
            chunkCount = (int)((fileLength + SnapshotReadFrame.CHUNK_SIZE - 1) / SnapshotReadFrame.CHUNK_SIZE);
            requestedNs = Arrays.copyOf(requestedNs, Math.max(requestedNs.length, chunkCount));
        }
        if (chunk.fileLength() != fileLength)
        {
            // another server's copy is of another length: its bytes differ, so start over from it alone
            LOG.info("node {}: node {}'s copy of snapshot {} differs: fetching it whole", nodeId, server,
                fetch.index());
            closePartial();
            start(nowNs);
            onChunk(chunk, nowNs);
            return;
        }
        final int index = chunk.chunk();
        if (index >= chunkCount || received.get(index) ||
            chunk.dataLength() != expectedLength(index))
        {
            return;
        }
        try
        {
            final ByteBuffer data = ByteBuffer.wrap(chunk.data(), 0, chunk.dataLength());
            final long position = (long)index * SnapshotReadFrame.CHUNK_SIZE;
            while (data.hasRemaining())
            {
                partial.write(data, position + data.position());
            }
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot write " + partialFile + ": " + ex.getMessage(), ex);
        }
        received.set(index);
        fetched++;
        lastChunkNs = nowNs;
    }

    /** Asks for chunks within the window, again for those lost; completes the fetch once all are in. */
    int doWork(final long nowNs)
    {
        if (fetch == null && recoverFrom > 0)
        {
            return askForANewestSnapshot(nowNs);
        }
        if (fetch == null)
        {
            return 0;
        }
        if (fileLength >= 0 && received.cardinality() == chunkCount)
        {
            complete(nowNs);
            return 1;
        }
        if (nowNs - lastChunkNs > SERVER_SILENCE_NS)
        {
            LOG.warn("node {}: node {} sent nothing of snapshot {} for {} ms", nodeId, server, fetch.index(),
                TimeUnit.NANOSECONDS.toMillis(SERVER_SILENCE_NS));
            switchServer(nowNs);
            return 1;
        }
        int work = 0;
        int inFlight = 0;
        for (int chunk = received.nextClearBit(0); chunk < nextChunk && chunk < chunkCount;
            chunk = received.nextClearBit(chunk + 1))
        {
            if (nowNs - requestedNs[chunk] > REQUEST_TIMEOUT_NS)
            {
                request(chunk, nowNs);
                work++;
            }
            inFlight++;
        }
        final int limit = fileLength < 0 ? 1 : chunkCount;
        while (inFlight < WINDOW && nextChunk < limit)
        {
            request(nextChunk++, nowNs);
            inFlight++;
            work++;
        }
        return work;
    }

    /** Asks the next peer for its newest snapshot, every {@link #REQUEST_TIMEOUT_NS} at most. */
    private int askForANewestSnapshot(final long nowNs)
    {
        if (nowNs < nextRecoveryNs || servers.length == 0)
        {
            return 0;
        }
        tried = (tried + 1) % servers.length;
        server = servers[tried];
        nextRecoveryNs = nowNs + (tried == servers.length - 1 ? SERVER_SILENCE_NS : REQUEST_TIMEOUT_NS);
        final int length = SnapshotReadFrame.encode(frame, 0, clusterHash, nodeId, server, 0, 0, 0);
        members.sendFrame(server, frame, 0, length);
        return 1;
    }

    private void start(final long nowNs)
    {
        closePartial();
        mixed = false;
        received.clear();
        fileLength = -1;
        chunkCount = 1;
        nextChunk = 0;
        lastChunkNs = nowNs;
        partialFile = store.partialFile(fetch.index(), fetch.term());
        try
        {
            partial = FileChannel.open(partialFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            throw new StorageException("cannot create " + partialFile + ": " + ex.getMessage(), ex);
        }
    }

    private void request(final int chunk, final long nowNs)
    {
        requestedNs[chunk] = nowNs;
        final int length = SnapshotReadFrame.encode(frame, 0, clusterHash, nodeId, server, fetch.index(), fetch.term(),
            chunk);
        members.sendFrame(server, frame, 0, length);
    }

    private int expectedLength(final int chunk)
    {
        return (int)Math.min(SnapshotReadFrame.CHUNK_SIZE, fileLength - (long)chunk * SnapshotReadFrame.CHUNK_SIZE);
    }

    /**
     * The other server, going on from the chunks in; when both refused or went silent, the fetch fails and the
     * core hears. Returns whether the fetch goes on.
     */
    private boolean switchServer(final long nowNs)
    {
        tried++;
        if (tried == servers.length || servers[tried] == nodeId)
        {
            final long index = fetch.index();
            LOG.warn("node {}: no node could serve snapshot {}; the leader will offer one again", nodeId, index);
            abandon();
            onFailed.onFetchFailed(index);
            return false;
        }
        server = servers[tried];
        lastChunkNs = nowNs;
        mixed |= received.cardinality() > 0;
        LOG.info("node {}: fetching snapshot {} from node {} instead, going on from {} chunks", nodeId,
            fetch.index(), server, received.cardinality());
        return true;
    }

    private void complete(final long nowNs)
    {
        closePartial();
        final SnapshotFetch done = fetch;
        final SnapshotStore.Snapshot snapshot;
        try
        {
            snapshot = store.adopt(partialFile);
        }
        catch (final StorageException ex)
        {
            LOG.error("node {}: the snapshot fetched from node {} is not good: {}", nodeId, server, ex.getMessage());
            if (mixed)
            {
                start(nowNs); // the servers' copies differ: this time from one
            }
            else if (switchServer(nowNs))
            {
                start(nowNs);
            }
            return;
        }
        if (snapshot.index() != done.index() || snapshot.term() != done.term())
        {
            LOG.error("node {}: node {} served snapshot {} (term {}) for {} (term {})", nodeId, server,
                snapshot.index(), snapshot.term(), done.index(), done.term());
            if (switchServer(nowNs))
            {
                start(nowNs);
            }
            return;
        }
        fetch = null;
        partialFile = null;
        LOG.info("node {}: fetched snapshot {} ({} bytes) from node {}", nodeId, snapshot.index(),
            snapshot.footer().fileLength(), server);
        listener.onFetched(snapshot);
    }

    /** Gives up the fetch under way, deleting what was fetched. */
    private void abandon()
    {
        closePartial();
        if (partialFile != null)
        {
            try
            {
                Files.deleteIfExists(partialFile);
            }
            catch (final IOException ignored)
            {
                // deleted at the next start
            }
            partialFile = null;
        }
        fetch = null;
    }

    private void closePartial()
    {
        if (partial != null)
        {
            try
            {
                partial.close();
            }
            catch (final IOException ignored)
            {
                // written through positional writes: nothing left to flush
            }
            partial = null;
        }
    }

    @Override
    public void close()
    {
        closePartial();
    }
}
