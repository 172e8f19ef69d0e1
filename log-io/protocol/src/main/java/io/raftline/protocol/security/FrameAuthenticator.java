package io.raftline.protocol.security;

import io.raftline.protocol.FrameHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Signs and checks frames between nodes under the cluster's keys. A signed frame is the frame as it was (its
 * header's length still its own) with {@link FrameHeader#AUTHENTICATED} among its flags and its key's id in the
 * header's reserved word, followed by a trailer:
 * <pre>
 * | stamp i64 | code: the first 16 bytes of HMAC-SHA256(frame[0, P) || SHA-256(frame[P, end)) || stamp) |
 * </pre>
 * where P is {@link #DIRECT_BYTES} (or the whole frame if shorter): an AppendEntries' own fields are that long, and
 * the entries after them are the same bytes for every follower sent that batch, so a leader hashes a batch once,
 * not once per follower ({@link #bodyDigest}, {@link #sign(MutableDirectBuffer, int, int, byte[])}).
 * The stamp is the sender's wall clock in nanoseconds, made strictly increasing: a receiver refuses a frame whose
 * stamp is not above the last it accepted from that sender (a replay, or a duplicate) or is further than
 * {@link #MAX_SKEW_NS} from its own clock (a capture replayed later, to a node that has restarted since). One
 * instance signs for one destination, or checks for one receiver; single-threaded; allocation-free.
 */
public final class FrameAuthenticator
{
    public static final int TRAILER_LENGTH = 24;
    public static final int CODE_LENGTH = 16;
    /** The bytes of a frame the code covers directly; what follows is covered through its SHA-256. */
    public static final int DIRECT_BYTES = 120;
    public static final int DIGEST_LENGTH = Hmac.LENGTH;
    /** How far a sender's clock may be from the receiver's. */
    public static final long MAX_SKEW_NS = TimeUnit.SECONDS.toNanos(60);

    /** {@link #verify} results. */
    public static final int OK = 0;
    public static final int UNSIGNED = 1;
    public static final int UNKNOWN_KEY = 2;
    public static final int BAD_CODE = 3;
    public static final int REPLAYED = 4;
    public static final int OUT_OF_WINDOW = 5;

    private final ClusterKeys keys;
    private final Int2ObjectHashMap<Hmac> macs = new Int2ObjectHashMap<>();
    private final Long2LongHashMap lastStampBySender = new Long2LongHashMap(Long.MIN_VALUE);
    private final byte[] code = new byte[32];
    private final byte[] digest = new byte[DIGEST_LENGTH];
    private final byte[] emptyDigest = new byte[DIGEST_LENGTH];
    private final Hmac hasher;
    private final WallClock clock;
    private long lastStamp;

    /** Nanoseconds since the epoch; a test may move it. */
    @FunctionalInterface
    public interface WallClock
    {
        long epochNanos();
    }

    public FrameAuthenticator(final ClusterKeys keys)
    {
        this(keys, () -> System.currentTimeMillis() * 1_000_000L);
    }

    public FrameAuthenticator(final ClusterKeys keys, final WallClock clock)
    {
        this.keys = keys;
        this.clock = clock;
        for (final int id : keys.ids())
        {
            macs.put(id, new Hmac(keys.key(id)));
        }
        this.hasher = macs.get(keys.signWith());
        hasher.sha256(new UnsafeBuffer(new byte[0]), 0, 0, emptyDigest);
    }

    /**
     * Writes to {@code out} the SHA-256 of the part of a frame of {@code length} bytes at {@code offset} that the
     * code covers through its digest (beyond {@link #DIRECT_BYTES}), for {@link #sign(MutableDirectBuffer, int,
     * int, byte[])} to reuse while the same bytes go to another node.
     */
    public void bodyDigest(final DirectBuffer buffer, final int offset, final int length, final byte[] out)
    {
        if (length <= DIRECT_BYTES)
        {
            System.arraycopy(emptyDigest, 0, out, 0, DIGEST_LENGTH);
        }
        else
        {
            hasher.sha256(buffer, offset + DIRECT_BYTES, length - DIRECT_BYTES, out);
        }
    }

    /** Why {@link #verify} refused, in words. */
    public static String describe(final int result)
    {
        return switch (result)
        {
            case UNSIGNED -> "not authenticated (no code: a node without the cluster key, or authentication off)";
            case UNKNOWN_KEY -> "signed with a key this node does not hold";
            case BAD_CODE -> "a wrong authentication code (forged, damaged, or another key)";
            case REPLAYED -> "replayed (its stamp is not newer than the sender's last)";
            case OUT_OF_WINDOW -> "stamped too far from this node's clock (replayed later, or clocks apart)";
            default -> "authenticated";
        };
    }

    /**
     * Signs the frame of {@code length} bytes at {@code offset}, writing the trailer after it (the caller made room);
     * returns the length to send.
     */
    public int sign(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        bodyDigest(buffer, offset, length, digest);
        return sign(buffer, offset, length, digest);
    }

    /** As {@link #sign(MutableDirectBuffer, int, int)}, with the frame's {@link #bodyDigest} already known. */
    public int sign(final MutableDirectBuffer buffer, final int offset, final int length, final byte[] bodyDigest)
    {
        final int keyId = keys.signWith();
        buffer.putShort(offset + FrameHeader.FLAGS_OFFSET, (short)FrameHeader.AUTHENTICATED, FrameHeader.ORDER);
        buffer.putInt(offset + FrameHeader.RESERVED_OFFSET, keyId, FrameHeader.ORDER);
        lastStamp = Math.max(lastStamp + 1, clock.epochNanos());
        buffer.putLong(offset + length, lastStamp, FrameHeader.ORDER);
        code(macs.get(keyId), buffer, offset, length, bodyDigest);
        buffer.putBytes(offset + length + 8, code, 0, CODE_LENGTH);
        return length + TRAILER_LENGTH;
    }

    /** The code of the frame of {@code length} bytes at {@code offset}, its stamp after it, into {@link #code}. */
    private void code(
        final Hmac mac, final DirectBuffer buffer, final int offset, final int length, final byte[] bodyDigest)
    {
        code(mac, buffer, offset, length, bodyDigest, code);
    }

    private static void code(
        final Hmac mac, final DirectBuffer buffer, final int offset, final int length, final byte[] bodyDigest,
        final byte[] out)
    {
        mac.start();
        mac.update(buffer, offset, Math.min(length, DIRECT_BYTES));
        mac.update(bodyDigest, 0, DIGEST_LENGTH);
        mac.update(buffer, offset + length, 8);
        mac.finish(out);
    }

    /**
     * Whether a signed frame of {@code length} bytes (trailer included, at least a header and a trailer) carries the
     * code {@code mac} gives it and a stamp within {@link #MAX_SKEW_NS} of {@code clock}: {@link #OK},
     * {@link #BAD_CODE} or {@link #OUT_OF_WINDOW}; not whether the stamp is new for its sender. Allocates nothing.
     */
    static int checkCode(
        final Hmac mac, final DirectBuffer buffer, final int offset, final int length, final byte[] digest,
        final byte[] code, final WallClock clock)
    {
        final int signedLength = length - CODE_LENGTH;
        final int frameLength = length - TRAILER_LENGTH;
        if (frameLength <= DIRECT_BYTES)
        {
            mac.sha256(buffer, offset, 0, digest);
        }
        else
        {
            mac.sha256(buffer, offset + DIRECT_BYTES, frameLength - DIRECT_BYTES, digest);
        }
        code(mac, buffer, offset, frameLength, digest, code);
        int difference = 0;
        for (int i = 0; i < CODE_LENGTH; i++)
        {
            difference |= code[i] ^ buffer.getByte(offset + signedLength + i);
        }
        if (difference != 0)
        {
            return BAD_CODE;
        }
        final long stamp = buffer.getLong(offset + signedLength - 8, FrameHeader.ORDER);
        return Math.abs(stamp - clock.epochNanos()) > MAX_SKEW_NS ? OUT_OF_WINDOW : OK;
    }

    /**
     * Checks a received signed frame of {@code length} bytes (trailer included); on {@link #OK} the frame is its
     * first {@code length - TRAILER_LENGTH} bytes. Reads the header's flags, key and sender, nothing else unchecked.
     */
    public int verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FrameHeader.LENGTH + TRAILER_LENGTH ||
            (FrameHeader.flags(buffer, offset) & FrameHeader.AUTHENTICATED) == 0)
        {
            return UNSIGNED;
        }
        final Hmac mac = macs.get(buffer.getInt(offset + FrameHeader.RESERVED_OFFSET, FrameHeader.ORDER));
        if (mac == null)
        {
            return UNKNOWN_KEY;
        }
        final int checked = checkCode(mac, buffer, offset, length, digest, code, clock);
        if (checked != OK)
        {
            return checked;
        }
        final long stamp = buffer.getLong(offset + length - CODE_LENGTH - 8, FrameHeader.ORDER);
        final int sender = FrameHeader.senderId(buffer, offset);
        if (stamp <= lastStampBySender.get(sender))
        {
            return REPLAYED;
        }
        lastStampBySender.put(sender, stamp);
        return OK;
    }
}
