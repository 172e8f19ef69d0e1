package io.raftline.io.transport.snapshot;

import io.raftline.protocol.FrameHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotFramesTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("frames");
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SnapshotChunkFrame.maxLength()]);

    @Test
    void aReadNamesTheChunkOfOneSnapshot()
    {
        final int length = SnapshotReadFrame.encode(buffer, 0, CLUSTER, 4, 2, 5000, 3, 17);
        assertEquals(FrameHeader.VALID, FrameHeader.validate(buffer, 0, length, CLUSTER));
        final SnapshotReadFrame read = new SnapshotReadFrame();
        assertTrue(read.wrap(buffer, 0, length));
        assertEquals(4, read.from());
        assertEquals(2, read.to());
        assertEquals(5000, read.index());
        assertEquals(3, read.term());
        assertEquals(17, read.chunk());
        assertFalse(read.wrap(buffer, 0, length - 1), "cut short");
        SnapshotReadFrame.encode(buffer, 0, CLUSTER, 4, 2, 5000, 3, -1);
        assertFalse(read.wrap(buffer, 0, length), "a negative chunk");
        SnapshotReadFrame.encode(buffer, 0, CLUSTER, 4, 2, 0, 0, 0);
        assertTrue(read.wrap(buffer, 0, length), "the server's newest snapshot");
        SnapshotReadFrame.encode(buffer, 0, CLUSTER, 4, 2, 0, 3, 0);
        assertFalse(read.wrap(buffer, 0, length), "an index without a term");
    }

    @Test
    void aChunkCarriesItsBytesAndTheirChecksumAndOneThatFailsItIsRefused()
    {
        final byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)(i * 31);
        }
        final CRC32C crc = new CRC32C();
        crc.update(data);
        buffer.putBytes(SnapshotChunkFrame.DATA, data);
        final int length = SnapshotChunkFrame.encode(buffer, 0, CLUSTER, 1, 4, SnapshotChunkFrame.OK, 5000, 3,
            3L * SnapshotReadFrame.CHUNK_SIZE + 1000, 3, data.length, (int)crc.getValue());
        final SnapshotChunkFrame chunk = new SnapshotChunkFrame();
        assertTrue(chunk.wrap(buffer, 0, length));
        assertEquals(3, chunk.chunk());
        assertEquals(3L * SnapshotReadFrame.CHUNK_SIZE + 1000, chunk.fileLength());
        assertArrayEquals(data, java.util.Arrays.copyOf(chunk.data(), chunk.dataLength()));

        buffer.putByte(SnapshotChunkFrame.DATA + 500, (byte)(data[500] ^ 1));
        assertFalse(chunk.wrap(buffer, 0, length), "a chunk that fails its checksum is dropped, and asked again");
        buffer.putByte(SnapshotChunkFrame.DATA + 500, data[500]);
        assertFalse(chunk.wrap(buffer, 0, length - 1), "cut short");
        SnapshotChunkFrame.encode(buffer, 0, CLUSTER, 1, 4, SnapshotChunkFrame.OK, 5000, 3,
            3L * SnapshotReadFrame.CHUNK_SIZE, 3, data.length, (int)crc.getValue());
        assertFalse(chunk.wrap(buffer, 0, length), "a chunk past the file's end");
    }

    @Test
    void aRefusalCarriesNoData()
    {
        final int length = SnapshotChunkFrame.encode(buffer, 0, CLUSTER, 1, 4, SnapshotChunkFrame.NOT_HELD, 5000, 3,
            0, 0, 0, 0);
        final SnapshotChunkFrame chunk = new SnapshotChunkFrame();
        assertTrue(chunk.wrap(buffer, 0, length));
        assertEquals(SnapshotChunkFrame.NOT_HELD, chunk.status());
        SnapshotChunkFrame.encode(buffer, 0, CLUSTER, 1, 4, 9, 5000, 3, 0, 0, 0, 0);
        assertFalse(chunk.wrap(buffer, 0, length), "a status this build does not know");
    }
}
