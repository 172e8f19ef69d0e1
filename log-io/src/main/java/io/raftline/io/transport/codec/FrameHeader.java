package io.raftline.io.transport.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The header every Raftline frame starts with, peer and client protocol alike. Little-endian.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------+---------------+-------------------------------+
 *  |    version    |     type      |            flags              |  0
 *  +---------------+---------------+-------------------------------+
 *  |                        frame length                           |  4
 *  +---------------------------------------------------------------+
 *  |                  cluster id hash (64 bits)                    |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              sender node id (0 for a client)                  | 16
 *  +---------------------------------------------------------------+
 *  |                          reserved                             | 20
 *  +---------------------------------------------------------------+  24: body
 * </pre>
 *
 * The frame length counts the header and must equal the received length: a frame is never a prefix of a
 * datagram, nor split by the receiver (Aeron reassembles fragmented frames).
 */
public final class FrameHeader
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int VERSION = 1;
    public static final int LENGTH = 24;

    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int FLAGS_OFFSET = 2;
    public static final int FRAME_LENGTH_OFFSET = 4;
    public static final int CLUSTER_OFFSET = 8;
    public static final int SENDER_OFFSET = 16;
    public static final int RESERVED_OFFSET = 20;

    /** {@link #validate} results. */
    public static final int VALID = 0;

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private FrameHeader()
    {
    }

    /** The cluster id as it travels: FNV-1a (64 bits) of its UTF-8 bytes, the same in every JVM. */
    public static long clusterHash(final String clusterId)
    {
        long hash = FNV_OFFSET_BASIS;
        for (final byte b : clusterId.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final long clusterHash,
        final int senderId,
        final int frameLength)
    {
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putShort(offset + FLAGS_OFFSET, (short)0, ORDER);
        buffer.putInt(offset + FRAME_LENGTH_OFFSET, frameLength, ORDER);
        buffer.putLong(offset + CLUSTER_OFFSET, clusterHash, ORDER);
        buffer.putInt(offset + SENDER_OFFSET, senderId, ORDER);
        buffer.putInt(offset + RESERVED_OFFSET, 0, ORDER);
    }

    public static void patchLength(final MutableDirectBuffer buffer, final int offset, final int frameLength)
    {
        buffer.putInt(offset + FRAME_LENGTH_OFFSET, frameLength, ORDER);
    }

    /**
     * Checks what every frame must satisfy: long enough for a header, a known version, no flags, the stated length
     * equal to the received one, our cluster, a non-negative sender. Returns {@link #VALID} or a
     * {@link DecodeResult} code.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length, final long clusterHash)
    {
        if (length < LENGTH)
        {
            return DecodeResult.TOO_SHORT;
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return DecodeResult.BAD_VERSION;
        }
        if (buffer.getInt(offset + FRAME_LENGTH_OFFSET, ORDER) != length)
        {
            return DecodeResult.BAD_LENGTH;
        }
        if (buffer.getShort(offset + FLAGS_OFFSET, ORDER) != 0 || buffer.getInt(offset + RESERVED_OFFSET, ORDER) != 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        if (buffer.getLong(offset + CLUSTER_OFFSET, ORDER) != clusterHash)
        {
            return DecodeResult.WRONG_CLUSTER;
        }
        if (buffer.getInt(offset + SENDER_OFFSET, ORDER) < 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        return VALID;
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int senderId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SENDER_OFFSET, ORDER);
    }

    public static int frameLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET, ORDER);
    }
}
