package io.raftline.protocol;

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
 *  |    version    |     type      |          flags (zero)         |  0
 *  +---------------+---------------+-------------------------------+
 *  |               frame length (header included)                  |  4
 *  +---------------------------------------------------------------+
 *  |          cluster id hash: FNV-1a 64 of the UTF-8 id           |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |              sender node id (0 for a client)                  | 16
 *  +---------------------------------------------------------------+
 *  |                        reserved (zero)                        | 20
 *  +---------------------------------------------------------------+  24: body
 * </pre>
 *
 * Type codes: {@link #RAFT_TYPE_MIN}..{@link #RAFT_TYPE_MAX} are the Raft
 * {@link io.raftline.core.message.MessageType} codes, {@link #SNAPSHOT_TYPE_MIN}..{@link #SNAPSHOT_TYPE_MAX} carry
 * snapshots between peers, {@link #CLIENT_TYPE_MIN}..{@link #CLIENT_TYPE_MAX} belong to the client protocol; any
 * other code is refused. The frame length must equal the received length: a frame is
 * never a prefix of a datagram, nor split by the receiver (Aeron reassembles fragmented frames); a signed frame
 * ({@link #AUTHENTICATED}) is checked, and its trailer taken off, before its header is, and only a receiver that
 * checks signatures accepts one. Other flags, and the reserved word of an unsigned frame, must be zero, so that a later version can give them a meaning that old nodes
 * refuse rather than misread.
 *
 * <p>Use the static methods over (buffer, offset), or {@link #wrap} an instance as a reusable read-only view.
 */
public final class FrameHeader
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int VERSION = 1;
    public static final int LENGTH = 24;

    /** Flag: the frame is signed; the reserved word names the key, and a trailer follows ({@code FrameAuthenticator}). */
    public static final int AUTHENTICATED = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int FLAGS_OFFSET = 2;
    public static final int FRAME_LENGTH_OFFSET = 4;
    public static final int CLUSTER_OFFSET = 8;
    public static final int SENDER_OFFSET = 16;
    public static final int RESERVED_OFFSET = 20;

    public static final int RAFT_TYPE_MIN = 1;
    public static final int RAFT_TYPE_MAX = 12;
    public static final int SNAPSHOT_TYPE_MIN = 13;
    public static final int SNAPSHOT_TYPE_MAX = 14;
    public static final int CLIENT_TYPE_MIN = 32;
    public static final int CLIENT_TYPE_MAX = 63;

    /** {@link #validate} result for a good header; the same value as {@link DecodeResult#OK}. */
    public static final int VALID = DecodeResult.OK;

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private DirectBuffer buffer;
    private int offset;

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

    /** Whether any protocol of this version defines the type code. */
    public static boolean isKnownType(final int type)
    {
        return (type >= RAFT_TYPE_MIN && type <= SNAPSHOT_TYPE_MAX) ||
            (type >= CLIENT_TYPE_MIN && type <= CLIENT_TYPE_MAX);
    }

    /** Puts a header; {@code frameLength} may be patched later with {@link #patchLength}. */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final long clusterHash,
        final int senderId,
        final int frameLength)
    {
        assert isKnownType(type) : "type " + type;
        assert senderId >= 0 : "sender " + senderId;
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
     * Checks what every frame must satisfy: long enough for a header, a known version, the stated length equal to
     * the received one, no flags, our cluster, a known type, a non-negative sender. Returns {@link #VALID} or a
     * {@link DecodeResult} code. The caller guarantees that {@code [offset, offset + length)} lies in the buffer.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length, final long clusterHash)
    {
        return validate(buffer, offset, length, clusterHash, false);
    }

    /**
     * As {@link #validate(DirectBuffer, int, int, long)}; with {@code signed}, for a frame whose trailer the
     * authenticator has checked and taken off ({@code length} is the frame's own): its flags must be exactly
     * {@link #AUTHENTICATED} and its reserved word is its key's id. Without, both must be zero.
     */
    public static int validate(
        final DirectBuffer buffer, final int offset, final int length, final long clusterHash, final boolean signed)
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
        if (buffer.getLong(offset + CLUSTER_OFFSET, ORDER) != clusterHash)
        {
            return DecodeResult.WRONG_CLUSTER;
        }
        if (!isKnownType(type(buffer, offset)))
        {
            return DecodeResult.UNKNOWN_TYPE;
        }
        if (flags(buffer, offset) != (signed ? AUTHENTICATED : 0) ||
            (!signed && buffer.getInt(offset + RESERVED_OFFSET, ORDER) != 0) ||
            buffer.getInt(offset + SENDER_OFFSET, ORDER) < 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        return VALID;
    }

    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
    }

    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, ORDER) & 0xFFFF;
    }

    public static int frameLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET, ORDER);
    }

    public static long clusterHash(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CLUSTER_OFFSET, ORDER);
    }

    public static int senderId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + SENDER_OFFSET, ORDER);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The same as a reusable view: wrap once per frame, then read.

    public FrameHeader wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** {@link #validate(DirectBuffer, int, int, long)} on the wrapped frame of {@code length} received bytes. */
    public int validate(final int length, final long clusterHash)
    {
        return validate(buffer, offset, length, clusterHash);
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int version()
    {
        return version(buffer, offset);
    }

    public int type()
    {
        return type(buffer, offset);
    }

    public int flags()
    {
        return flags(buffer, offset);
    }

    public int frameLength()
    {
        return frameLength(buffer, offset);
    }

    public long clusterHash()
    {
        return clusterHash(buffer, offset);
    }

    public int senderId()
    {
        return senderId(buffer, offset);
    }
}
