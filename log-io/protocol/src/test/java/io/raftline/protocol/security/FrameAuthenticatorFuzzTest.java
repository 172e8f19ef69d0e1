package io.raftline.protocol.security;

import io.raftline.protocol.FrameHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check every frame from another node meets first, against hostile input: random bytes (some with a plausible
 * signed header), and every truncation and single-byte change of signed frames. Every frame sits at the very end of
 * its buffer, so a read past it throws and fails the test. Never throws; never accepts what the key did not sign.
 * A failure prints its seed; {@code -Dauth.fuzz.seed=N} replays it.
 */
class FrameAuthenticatorFuzzTest
{
    private static final long SEED = Long.getLong("auth.fuzz.seed", System.nanoTime());
    private static final long NOW = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void hostileInputIsRefusedAndOnlySignedFramesPass()
    {
        final Random random = new Random(SEED);
        ClusterKeys.create(dir.resolve("cluster.key"));
        final ClusterKeys keys = ClusterKeys.load(dir.resolve("cluster.key"));
        final FrameAuthenticator signer = new FrameAuthenticator(keys, () -> NOW);
        try
        {
            final FrameAuthenticator checker = new FrameAuthenticator(keys, () -> NOW);
            for (int i = 0; i < 200_000; i++)
            {
                final byte[] frame = new byte[random.nextInt(300)];
                random.nextBytes(frame);
                if (frame.length >= FrameHeader.LENGTH && random.nextBoolean())
                {
                    final UnsafeBuffer header = new UnsafeBuffer(frame);
                    header.putShort(FrameHeader.FLAGS_OFFSET, (short)FrameHeader.AUTHENTICATED, FrameHeader.ORDER);
                    header.putInt(FrameHeader.RESERVED_OFFSET, random.nextInt(3), FrameHeader.ORDER);
                }
                final int result = checkAtEnd(checker, frame, frame.length);
                assertTrue(result != FrameAuthenticator.OK, "random bytes accepted, frame " + i);
            }
            final byte[] signed = new byte[400];
            for (int i = 0; i < 300; i++)
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(signed);
                final int bodyLength = random.nextInt(200);
                FrameHeader.write(buffer, 0, FrameHeader.RAFT_TYPE_MIN + random.nextInt(12), 42, 1 + i,
                    FrameHeader.LENGTH + bodyLength);
                for (int b = FrameHeader.LENGTH; b < FrameHeader.LENGTH + bodyLength; b++)
                {
                    signed[b] = (byte)random.nextInt();
                }
                final int length = signer.sign(buffer, 0, FrameHeader.LENGTH + bodyLength);
                for (int cut = 0; cut < length; cut++)
                {
                    assertTrue(checkAtEnd(new FrameAuthenticator(keys, () -> NOW), signed, cut) !=
                        FrameAuthenticator.OK, "a truncation to " + cut + " of " + length + " accepted");
                }
                for (int at = 0; at < length; at++)
                {
                    final byte[] changed = java.util.Arrays.copyOf(signed, length);
                    changed[at] ^= (byte)(1 + random.nextInt(255));
                    assertTrue(checkAtEnd(new FrameAuthenticator(keys, () -> NOW), changed, length) !=
                        FrameAuthenticator.OK, "byte " + at + " of " + length + " changed and accepted");
                }
                assertEquals(FrameAuthenticator.OK, checkAtEnd(new FrameAuthenticator(keys, () -> NOW), signed, length));
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("seed " + SEED + " (replay: -Dauth.fuzz.seed=" + SEED + "): " + ex, ex);
        }
    }

    /** Checks the first {@code length} bytes of {@code frame}, copied to the very end of a buffer. */
    private static int checkAtEnd(final FrameAuthenticator checker, final byte[] frame, final int length)
    {
        final byte[] atEnd = new byte[length + 5];
        System.arraycopy(frame, 0, atEnd, 5, length);
        return checker.verify(new UnsafeBuffer(atEnd), 5, length);
    }
}
