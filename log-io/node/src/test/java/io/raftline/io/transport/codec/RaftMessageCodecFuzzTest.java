package io.raftline.io.transport.codec;

import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.raftline.io.transport.codec.CodecFixtures.CLUSTER;
import static io.raftline.io.transport.codec.CodecFixtures.Entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property tests of the decoder against hostile input. Every frame sits at the very end of its buffer, so a read
 * past the frame throws (Agrona's bounds checks) and fails the test. A failure prints its seed;
 * {@code -Dcodec.fuzz.seed=N} replays it.
 */
class RaftMessageCodecFuzzTest
{
    private static final long SEED = Long.getLong("codec.fuzz.seed", System.nanoTime());
    private static final int RANDOM_FRAMES = 400_000;
    private static final int VALID_FRAMES = 2_000;
    private static final long[] INTERESTING = {0, 1, 2, 3, -1, -2, Long.MAX_VALUE, Long.MIN_VALUE,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFF, 0x80, 96, 32};

    private final RaftMessageDecoder decoder = new RaftMessageDecoder(4);
    private final RaftMessage decoded = new RaftMessage();
    private long decodes;
    private long accepted;

    /** (a) random bytes of random lengths, with and without a plausible header: never throw, never accept junk. */
    @Test
    void randomBytesAreRefusedOrValid()
    {
        withSeed("randomBytes", random ->
        {
            for (int i = 0; i < RANDOM_FRAMES; i++)
            {
                final int length = random.nextInt(8) == 0 ? random.nextInt(2048) : random.nextInt(260);
                final byte[] frame = new byte[length];
                random.nextBytes(frame);
                final byte[] input = switch (i % 3)
                {
                    case 0 -> frame; // pure noise: almost always refused at the header
                    case 1 -> plausibleHeader(random, frame);
                    default -> plausibleBody(random, frame);
                };
                check(input, random.nextInt(8), random);
            }
            System.out.printf("codec fuzz (a) seed=%d: %d frames decoded, %d accepted%n", SEED, decodes, accepted);
        });
    }

    /** (b) every single-byte mutation and every truncation of valid frames: OK (and re-encodes alike) or refused. */
    @Test
    void mutationsAndTruncationsOfValidFramesAreRefusedOrReencodeAlike()
    {
        withSeed("mutations", random ->
        {
            final List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < VALID_FRAMES; i++)
            {
                final RaftMessage message = CodecFixtures.randomMessage(random, entries, 6);
                final byte[] frame = CodecFixtures.encode(message, entries);
                assertEquals(DecodeResult.OK, decode(frame, 0), message.toString());
                CodecFixtures.assertSameMessage(message, decoded);
                assertArrayEquals(frame, CodecFixtures.reencode(decoded));

                for (int at = 0; at < frame.length; at++)
                {
                    final byte original = frame[at];
                    for (final int value : new int[] {0, 0xFF, original + 1, original - 1, original ^ 0x80,
                        original ^ (1 + random.nextInt(255))})
                    {
                        frame[at] = (byte)value;
                        check(frame, random.nextInt(8), random);
                    }
                    frame[at] = original;
                }
                for (int length = 0; length < frame.length; length++)
                {
                    final byte[] truncated = Arrays.copyOf(frame, length);
                    assertTrue(decode(truncated, random.nextInt(8)) != DecodeResult.OK, "truncated to " + length);
                    if (length >= FrameHeader.LENGTH)
                    {
                        FrameHeader.patchLength(new UnsafeBuffer(truncated), 0, length);
                        check(truncated, random.nextInt(8), random);
                    }
                }
            }
            System.out.printf("codec fuzz (b) seed=%d: %d frames decoded, %d accepted%n", SEED, decodes, accepted);
        });
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Decodes the frame; when accepted, it must obey the rules and re-encode to the same bytes. */
    private void check(final byte[] frame, final int offset, final Random random)
    {
        final int result = decode(frame, offset);
        assertTrue(result >= DecodeResult.OK && result <= DecodeResult.BAD_ENTRY, "result " + result);
        if (result == DecodeResult.OK)
        {
            accepted++;
            assertNull(CodecFixtures.violation(decoded), () -> "accepted " + decoded);
            if (decoded.type == MessageType.APPEND)
            {
                final int last = decoded.entryCount - 1;
                for (int p = 0; p < decoded.entryCount; p++)
                {
                    final int position = random.nextBoolean() ? p : random.nextInt(decoded.entryCount);
                    assertTrue(decoded.entries.payloadOffset(position) + decoded.entries.payloadLength(position) <=
                        offset + frame.length);
                }
                assertTrue(last < 0 ||
                    decoded.entries.payloadOffset(last) + decoded.entries.payloadLength(last) == offset + frame.length);
            }
            assertArrayEquals(frame, CodecFixtures.reencode(decoded));
        }
    }

    /** Decodes the frame placed at {@code offset} at the very end of a buffer of noise. */
    private int decode(final byte[] frame, final int offset)
    {
        final byte[] bytes = new byte[offset + frame.length];
        Arrays.fill(bytes, 0, offset, (byte)0xA5);
        System.arraycopy(frame, 0, bytes, offset, frame.length);
        decodes++;
        try
        {
            return decoder.decode(new UnsafeBuffer(bytes), offset, frame.length, CLUSTER, decoded.reset());
        }
        catch (final RuntimeException ex)
        {
            throw new AssertionError("decode threw on " + frame.length + " bytes " + Arrays.toString(frame), ex);
        }
    }

    private static byte[] plausibleHeader(final Random random, final byte[] frame)
    {
        if (frame.length >= FrameHeader.LENGTH)
        {
            final int type = 1 + random.nextInt(FrameHeader.RAFT_TYPE_MAX);
            FrameHeader.write(new UnsafeBuffer(frame), 0, type, CLUSTER, 1 + random.nextInt(5), frame.length);
        }
        return frame;
    }

    /**
     * A plausible header and a body of small or boundary values, so that decoding goes past the header; when it
     * writes entries, mostly cut where they end so that they may fill the frame.
     */
    private static byte[] plausibleBody(final Random random, final byte[] frame)
    {
        plausibleHeader(random, frame);
        if (frame.length < RaftMessageLayout.MESSAGE_LENGTH)
        {
            return frame;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        for (int at = FrameHeader.LENGTH; at < RaftMessageLayout.TO_OFFSET; at += 8)
        {
            buffer.putLong(at, pick(random), FrameHeader.ORDER);
        }
        buffer.putInt(RaftMessageLayout.TO_OFFSET, 1 + random.nextInt(5), FrameHeader.ORDER);
        buffer.putLong(RaftMessageLayout.REJECT_OFFSET, random.nextInt(4), FrameHeader.ORDER);
        int position = RaftMessageLayout.MESSAGE_LENGTH;
        int count = 0;
        long term = random.nextInt(3);
        while (position + RaftMessageLayout.ENTRY_HEADER_LENGTH <= frame.length && random.nextInt(6) != 0)
        {
            term += random.nextInt(8) == 0 ? -1 : random.nextInt(2);
            buffer.putLong(position, term, FrameHeader.ORDER);
            buffer.putInt(position + RaftMessageLayout.ENTRY_TYPE_OFFSET, random.nextInt(6), FrameHeader.ORDER);
            final int remaining = frame.length - position - RaftMessageLayout.ENTRY_HEADER_LENGTH;
            final int payloadLength = random.nextInt(8) == 0 ? (int)pick(random) : random.nextInt(remaining / 2 + 1);
            buffer.putInt(position + RaftMessageLayout.ENTRY_LENGTH_OFFSET, payloadLength, FrameHeader.ORDER);
            position += RaftMessageLayout.ENTRY_HEADER_LENGTH + Math.max(0, Math.min(payloadLength, remaining));
            count++;
        }
        buffer.putInt(RaftMessageLayout.ENTRY_COUNT_OFFSET, random.nextInt(8) == 0 ? count + random.nextInt(3) - 1 :
            count, FrameHeader.ORDER);
        if (random.nextInt(4) == 0)
        {
            return frame;
        }
        final byte[] cut = Arrays.copyOf(frame, position);
        FrameHeader.patchLength(new UnsafeBuffer(cut), 0, position);
        if (random.nextBoolean())
        {
            // mostly small, valid terms: a third of bodies then pass the field checks
            final UnsafeBuffer body = new UnsafeBuffer(cut);
            body.putLong(RaftMessageLayout.TERM_OFFSET, term + random.nextInt(2), FrameHeader.ORDER);
            for (int at = RaftMessageLayout.INDEX_OFFSET; at < RaftMessageLayout.CONTEXT_OFFSET; at += 8)
            {
                body.putLong(at, random.nextInt(3), FrameHeader.ORDER);
            }
            body.putByte(RaftMessageLayout.REJECT_OFFSET, (byte)random.nextInt(2));
        }
        return cut;
    }

    private static long pick(final Random random)
    {
        return random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)] : random.nextInt(16);
    }

    private interface Body
    {
        void run(Random random);
    }

    private static void withSeed(final String name, final Body body)
    {
        try
        {
            body.run(new Random(SEED));
        }
        catch (final Throwable ex)
        {
            System.err.printf("codec fuzz %s failed with seed %d: replay with -Dcodec.fuzz.seed=%d%n",
                name, SEED, SEED);
            fail(name + " failed with seed " + SEED + " (-Dcodec.fuzz.seed=" + SEED + ")", ex);
        }
    }
}
