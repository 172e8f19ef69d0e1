package io.raftline.protocol.security;

import org.agrona.DirectBuffer;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104), fed in parts, and plain SHA-256, over ranges of buffers: built on the JDK's SHA-256 (which
 * the JIT runs on the CPU's SHA instructions where it has them) so that nothing is allocated per call, as
 * {@code javax.crypto.Mac} allocates in every {@code doFinal}. Bytes in direct memory are hashed through a reused
 * scratch array, as the JDK itself would. One instance per thread.
 */
final class Hmac
{
    static final int LENGTH = 32;
    private static final int BLOCK = 64;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;

    private final MessageDigest inner = sha256();
    private final MessageDigest outer = sha256();
    private final MessageDigest plain = sha256();
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerDigest = new byte[LENGTH];
    private final byte[] scratch = new byte[4096];

    Hmac(final byte[] key)
    {
        rekey(key);
    }

    /** From now on, codes under {@code key} (at most 64 bytes here: no allocation). */
    void rekey(final byte[] key)
    {
        final byte[] k = key.length > BLOCK ? inner.digest(key) : key;
        for (int i = 0; i < BLOCK; i++)
        {
            final byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte)(b ^ IPAD);
            outerPad[i] = (byte)(b ^ OPAD);
        }
    }

    /** Begins a code; {@link #update} parts of the message in order, then {@link #finish}. */
    void start()
    {
        inner.reset();
        inner.update(innerPad);
    }

    void update(final DirectBuffer buffer, final int offset, final int length)
    {
        hash(inner, buffer, offset, length);
    }

    void update(final byte[] bytes, final int offset, final int length)
    {
        inner.update(bytes, offset, length);
    }

    void finish(final byte[] out)
    {
        digest(inner, innerDigest);
        outer.reset();
        outer.update(outerPad);
        outer.update(innerDigest);
        digest(outer, out);
    }

    /** Writes plain SHA-256 of {@code buffer[offset, offset + length)} to {@code out[0, 32)}. */
    void sha256(final DirectBuffer buffer, final int offset, final int length, final byte[] out)
    {
        plain.reset();
        hash(plain, buffer, offset, length);
        digest(plain, out);
    }

    private void hash(final MessageDigest digest, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            digest.update(array, (int)(buffer.wrapAdjustment() + offset), length);
            return;
        }
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(scratch.length, length - done);
            buffer.getBytes(offset + done, scratch, 0, chunk);
            digest.update(scratch, 0, chunk);
            done += chunk;
        }
    }

    private static void digest(final MessageDigest digest, final byte[] out)
    {
        try
        {
            digest.digest(out, 0, LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("this JVM has no SHA-256", ex);
        }
    }
}
