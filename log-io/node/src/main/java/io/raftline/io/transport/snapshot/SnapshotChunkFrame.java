package io.raftline.io.transport.snapshot;

import io.raftline.protocol.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.zip.CRC32C;

/**
 * SNAPSHOT_CHUNK, answer to a {@link SnapshotReadFrame}: the chunk's bytes with their CRC32C, or why not
 * ({@link #NOT_HELD}: the node does not hold that snapshot; {@link #DAMAGED}: its copy fails its checksums).
 * <pre>
 * | header | to i32 | status i32 | index i64 | term i64 | file length i64 | chunk i32 | data length i32 |
 * | data CRC32C i32 | pad i32 | data |   little-endian
 * </pre>
 */
public final class SnapshotChunkFrame
{
    public static final int TYPE = FrameHeader.SNAPSHOT_TYPE_MIN + 1;
    public static final int OK = 0;
    public static final int NOT_HELD = 1;
    public static final int DAMAGED = 2;
    public static final int DATA = FrameHeader.LENGTH + 48;

    private static final int TO = FrameHeader.LENGTH;
    private static final int STATUS = TO + 4;
    private static final int INDEX = STATUS + 4;
    private static final int TERM = INDEX + 8;
    private static final int FILE_LENGTH = TERM + 8;
    private static final int CHUNK = FILE_LENGTH + 8;
    private static final int DATA_LENGTH = CHUNK + 4;
    private static final int DATA_CRC = DATA_LENGTH + 4;

    private final CRC32C crc = new CRC32C();
    private final byte[] data = new byte[SnapshotReadFrame.CHUNK_SIZE];
    private DirectBuffer buffer;
    private int offset;

    /** The longest frame: a full chunk. */
    public static int maxLength()
    {
        return DATA + SnapshotReadFrame.CHUNK_SIZE;
    }

    /**
     * Encodes a chunk whose {@code dataLength} bytes are already at {@code offset + DATA} (read there in place);
     * returns the frame's length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int from, final int to,
        final int status, final long index, final long term, final long fileLength, final int chunk,
        final int dataLength, final int dataCrc)
    {
        final int length = DATA + dataLength;
        FrameHeader.write(buffer, offset, TYPE, clusterHash, from, length);
        buffer.putInt(offset + TO, to, FrameHeader.ORDER);
        buffer.putInt(offset + STATUS, status, FrameHeader.ORDER);
        buffer.putLong(offset + INDEX, index, FrameHeader.ORDER);
        buffer.putLong(offset + TERM, term, FrameHeader.ORDER);
        buffer.putLong(offset + FILE_LENGTH, fileLength, FrameHeader.ORDER);
        buffer.putInt(offset + CHUNK, chunk, FrameHeader.ORDER);
        buffer.putInt(offset + DATA_LENGTH, dataLength, FrameHeader.ORDER);
        buffer.putInt(offset + DATA_CRC, dataCrc, FrameHeader.ORDER);
        buffer.putInt(offset + DATA_CRC + 4, 0, FrameHeader.ORDER);
        return length;
    }

    /**
     * Wraps a frame whose header is valid; returns whether the body is one and, for an {@link #OK} chunk, its
     * data (copied out: see {@link #data}) matches its checksum.
     */
    public boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        if (length < DATA || from() <= 0 || to() <= 0 || index() < 0 || term() < 0 || chunk() < 0)
        {
            return false;
        }
        final int dataLength = dataLength();
        final int status = status();
        if (status == OK)
        {
            if (index() == 0 || term() == 0 || dataLength <= 0 || dataLength > SnapshotReadFrame.CHUNK_SIZE || length != DATA + dataLength ||
                fileLength() <= (long)chunk() * SnapshotReadFrame.CHUNK_SIZE)
            {
                return false;
            }
            buffer.getBytes(offset + DATA, data, 0, dataLength);
            crc.reset();
            crc.update(data, 0, dataLength);
            return (int)crc.getValue() == buffer.getInt(offset + DATA_CRC, FrameHeader.ORDER);
        }
        return (status == NOT_HELD || status == DAMAGED) && dataLength == 0 && length == DATA;
    }

    public int from()
    {
        return FrameHeader.senderId(buffer, offset);
    }

    public int to()
    {
        return buffer.getInt(offset + TO, FrameHeader.ORDER);
    }

    public int status()
    {
        return buffer.getInt(offset + STATUS, FrameHeader.ORDER);
    }

    public long index()
    {
        return buffer.getLong(offset + INDEX, FrameHeader.ORDER);
    }

    public long term()
    {
        return buffer.getLong(offset + TERM, FrameHeader.ORDER);
    }

    public long fileLength()
    {
        return buffer.getLong(offset + FILE_LENGTH, FrameHeader.ORDER);
    }

    public int chunk()
    {
        return buffer.getInt(offset + CHUNK, FrameHeader.ORDER);
    }

    public int dataLength()
    {
        return buffer.getInt(offset + DATA_LENGTH, FrameHeader.ORDER);
    }

    /** The data of an {@link #OK} chunk, {@link #dataLength} bytes from 0, as {@link #wrap} copied it out. */
    public byte[] data()
    {
        return data;
    }
}
