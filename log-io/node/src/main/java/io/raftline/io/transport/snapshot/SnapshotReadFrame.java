package io.raftline.io.transport.snapshot;

import io.raftline.io.snapshot.SnapshotFile;
import io.raftline.protocol.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * SNAPSHOT_READ, a node fetching a snapshot → a node that holds it: send me chunk {@code chunk} of the snapshot
 * file at (index, term), or of your newest snapshot when both are 0. Chunks are {@link #CHUNK_SIZE} bytes of the
 * file, the last one shorter.
 * <pre>
 * | header | to i32 | chunk i32 | index i64 | term i64 |   little-endian
 * </pre>
 */
public final class SnapshotReadFrame
{
    public static final int TYPE = FrameHeader.SNAPSHOT_TYPE_MIN;
    public static final int CHUNK_SIZE = SnapshotFile.BLOCK_SIZE;
    public static final int LENGTH = FrameHeader.LENGTH + 24;

    private static final int TO = FrameHeader.LENGTH;
    private static final int CHUNK = TO + 4;
    private static final int INDEX = CHUNK + 4;
    private static final int TERM = INDEX + 8;

    private DirectBuffer buffer;
    private int offset;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int from, final int to,
        final long index, final long term, final int chunk)
    {
        FrameHeader.write(buffer, offset, TYPE, clusterHash, from, LENGTH);
        buffer.putInt(offset + TO, to, FrameHeader.ORDER);
        buffer.putInt(offset + CHUNK, chunk, FrameHeader.ORDER);
        buffer.putLong(offset + INDEX, index, FrameHeader.ORDER);
        buffer.putLong(offset + TERM, term, FrameHeader.ORDER);
        return LENGTH;
    }

    /** Wraps a frame whose header is valid; returns whether the body is one. */
    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        return length == LENGTH && from() > 0 && to() > 0 && chunk() >= 0 &&
            ((index() > 0 && term() > 0) || (index() == 0 && term() == 0));
    }

    public int from()
    {
        return FrameHeader.senderId(buffer, offset);
    }

    public int to()
    {
        return buffer.getInt(offset + TO, FrameHeader.ORDER);
    }

    public int chunk()
    {
        return buffer.getInt(offset + CHUNK, FrameHeader.ORDER);
    }

    public long index()
    {
        return buffer.getLong(offset + INDEX, FrameHeader.ORDER);
    }

    public long term()
    {
        return buffer.getLong(offset + TERM, FrameHeader.ORDER);
    }
}
