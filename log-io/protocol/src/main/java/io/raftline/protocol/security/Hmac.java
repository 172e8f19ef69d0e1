package io.raftline.protocol.security;

import org.agrona.DirectBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) over a range of a buffer, built on the JDK's SHA-256 (which the JIT runs on the CPU's SHA
 * instructions where it has them) so that nothing is allocated per call: {@code javax.crypto.Mac} returns a new
 * array from every {@code doFinal}. Bytes in direct memory are hashed through a reused scratch array, as the JDK
 * itself would. One instance per thread.
 */
final class Hmac
{
    private static final int BLOCK = 64;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerDigest = new byte[32];
    private final byte[] scratch = new byte[4096];

    Hmac(final byte[] key)
    {
        try
        {
            inner = MessageDigest.getInstance("SHA-256");
            outer = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-256", ex);
        }
        final byte[] k = key.length > BLOCK ? inner.digest(key) : key;
        for (int i = 0; i < BLOCK; i++)
        {
            final byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte)(b ^ IPAD);
            outerPad[i] = (byte)(b ^ OPAD);
        }
    }

    /** Writes the 32-byte code of {@code buffer[offset, offset + length)} to {@code out[0, 32)}. */
    void compute(final DirectBuffer buffer, final int offset, final int length, final byte[] out)
    {
        inner.reset();
        inner.update(innerPad);
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            inner.update(array, (int)(buffer.wrapAdjustment() + offset), length);
        }
        else
        {
            for (int done = 0; done < length; )
            {
                final int chunk = Math.min(scratch.length, length - done);
                buffer.getBytes(offset + done, scratch, 0, chunk);
                inner.update(scratch, 0, chunk);
                done += chunk;
            }
        }
        digest(inner, innerDigest);
        outer.reset();
        outer.update(outerPad);
        outer.update(innerDigest);
        digest(outer, out);
    }

    private static void digest(final MessageDigest digest, final byte[] out)
    {
        try
        {
            digest.digest(out, 0, 32);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
