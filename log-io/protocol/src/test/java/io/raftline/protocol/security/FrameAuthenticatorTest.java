package io.raftline.protocol.security;

import io.raftline.protocol.FrameHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameAuthenticatorTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("secure");
    private static final long NOW = TimeUnit.DAYS.toNanos(20_000);

    @TempDir
    Path dir;
    private long clock = NOW;

    @Test
    void theCodeIsStandardHmacSha256OnHeapAndDirectMemory() throws Exception
    {
        final byte[] key = new byte[32];
        ThreadLocalRandom.current().nextBytes(key);
        final Mac reference = Mac.getInstance("HmacSHA256");
        reference.init(new SecretKeySpec(key, "HmacSHA256"));
        final Hmac hmac = new Hmac(key);
        for (final int length : new int[]{ 0, 1, 63, 64, 65, 4095, 4096, 4097, 70_000 })
        {
            final byte[] data = new byte[length + 3];
            ThreadLocalRandom.current().nextBytes(data);
            final byte[] expected = reference.doFinal(Arrays.copyOfRange(data, 3, 3 + length));
            final byte[] heap = new byte[32];
            hmac.start();
            hmac.update(new UnsafeBuffer(data), 3, length);
            hmac.finish(heap);
            assertArrayEquals(expected, heap, "heap, " + length + " bytes");
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(data.length));
            direct.putBytes(0, data);
            final byte[] offHeap = new byte[32];
            hmac.start();
            hmac.update(direct, 3, length);
            hmac.finish(offHeap);
            assertArrayEquals(expected, offHeap, "direct, " + length + " bytes");
        }
    }

    @Test
    void theCodeCoversTheFirstBytesDirectlyAndTheRestThroughItsDigestOnceForManyReceivers() throws Exception
    {
        final Path file = dir.resolve("wire.key");
        ClusterKeys.create(file);
        final ClusterKeys keys = ClusterKeys.load(file);
        final byte[] key = keys.key(keys.signWith());
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[2048]);
        final int length = frame(frame, 1500);
        final FrameAuthenticator signer = new FrameAuthenticator(keys, () -> clock);
        final byte[] body = new byte[FrameAuthenticator.DIGEST_LENGTH];
        signer.bodyDigest(frame, 0, length, body);
        final int signed = signer.sign(frame, 0, length, body);

        final Mac reference = Mac.getInstance("HmacSHA256");
        reference.init(new SecretKeySpec(key, "HmacSHA256"));
        final byte[] bytes = new byte[signed];
        frame.getBytes(0, bytes);
        reference.update(bytes, 0, FrameAuthenticator.DIRECT_BYTES);
        reference.update(java.security.MessageDigest.getInstance("SHA-256")
            .digest(Arrays.copyOfRange(bytes, FrameAuthenticator.DIRECT_BYTES, length)));
        reference.update(bytes, length, 8);
        assertArrayEquals(Arrays.copyOf(reference.doFinal(), FrameAuthenticator.CODE_LENGTH),
            Arrays.copyOfRange(bytes, length + 8, signed), "the wire format, pinned");
        assertEquals(FrameAuthenticator.OK, new FrameAuthenticator(keys, () -> clock).verify(frame, 0, signed));
    }

    @Test
    void aSignedFrameVerifiesOnceAndAnyChangeOrReplayIsRefused()
    {
        final ClusterKeys keys = keys("key.1", "key.2");
        final FrameAuthenticator sender = new FrameAuthenticator(keys, () -> clock);
        final FrameAuthenticator receiver = new FrameAuthenticator(keys, () -> clock);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
        final int length = frame(frame, 100);
        final int signed = sender.sign(frame, 0, length);
        assertEquals(length + FrameAuthenticator.TRAILER_LENGTH, signed);
        assertEquals(FrameHeader.VALID, FrameHeader.validate(frame, 0, length, CLUSTER, true), "the header still holds");
        final byte[] capture = new byte[signed];
        frame.getBytes(0, capture);

        assertEquals(FrameAuthenticator.OK, receiver.verify(frame, 0, signed));
        assertEquals(FrameAuthenticator.REPLAYED, receiver.verify(new UnsafeBuffer(capture), 0, signed), "a replay");
        for (int i = 0; i < signed; i += 7)
        {
            final byte[] changed = capture.clone();
            changed[i] ^= 0x10;
            final int result = new FrameAuthenticator(keys, () -> clock).verify(new UnsafeBuffer(changed), 0, signed);
            assertTrue(result != FrameAuthenticator.OK, "byte " + i + " changed: " + FrameAuthenticator.describe(result));
        }
        final int next = frame(frame, 100);
        final int second = sender.sign(frame, 0, next);
        clock += 2 * FrameAuthenticator.MAX_SKEW_NS;
        assertEquals(FrameAuthenticator.OUT_OF_WINDOW, new FrameAuthenticator(keys, () -> clock).verify(frame, 0, second),
            "a capture replayed minutes later to a node that restarted since");
        final int unsigned = frame(frame, 100);
        assertEquals(FrameAuthenticator.UNSIGNED, receiver.verify(frame, 0, unsigned + 24));
    }

    @Test
    void aRotationAcceptsBothKeysWhileItLasts()
    {
        final FrameAuthenticator oldSigner = new FrameAuthenticator(keysSigningWith(1, "key.1"), () -> clock);
        final FrameAuthenticator newSigner = new FrameAuthenticator(keysSigningWith(2, "key.1", "key.2"), () -> clock);
        final FrameAuthenticator during = new FrameAuthenticator(keysSigningWith(1, "key.1", "key.2"), () -> clock);
        final FrameAuthenticator after = new FrameAuthenticator(keysSigningWith(2, "key.2"), () -> clock);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
        int signed = oldSigner.sign(frame, 0, frame(frame, 40));
        assertEquals(FrameAuthenticator.OK, during.verify(frame, 0, signed));
        assertEquals(FrameAuthenticator.UNKNOWN_KEY, after.verify(frame, 0, signed));
        clock++;
        signed = newSigner.sign(frame, 0, frame(frame, 40));
        assertEquals(FrameAuthenticator.OK, during.verify(frame, 0, signed));
        assertEquals(FrameAuthenticator.OK, after.verify(frame, 0, signed));
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedNamingIt() throws Exception
    {
        final Path file = dir.resolve("cluster.key");
        ClusterKeys.create(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1, ClusterKeys.load(file).signWith());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        final IllegalArgumentException open = assertThrows(IllegalArgumentException.class, () -> ClusterKeys.load(file));
        assertTrue(open.getMessage().contains(file.toString()) && open.getMessage().contains("chmod 600"),
            open.getMessage());
        final Path shortKey = dir.resolve("short.key");
        Files.createFile(shortKey, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(shortKey, "key.1=" + Base64.getEncoder().encodeToString(new byte[8]) + "\n");
        final IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
            () -> ClusterKeys.load(shortKey));
        assertTrue(tooShort.getMessage().contains("32 bytes"), tooShort.getMessage());
    }

    private int frame(final UnsafeBuffer buffer, final int bodyLength)
    {
        final int length = FrameHeader.LENGTH + bodyLength;
        FrameHeader.write(buffer, 0, FrameHeader.RAFT_TYPE_MIN, CLUSTER, 2, length);
        for (int i = FrameHeader.LENGTH; i < length; i++)
        {
            buffer.putByte(i, (byte)i);
        }
        return length;
    }

    private ClusterKeys keys(final String... names)
    {
        return keysSigningWith(1, names);
    }

    private ClusterKeys keysSigningWith(final int signWith, final String... names)
    {
        final StringBuilder text = new StringBuilder("sign.with=" + signWith + "\n");
        for (final String name : names)
        {
            final byte[] key = new byte[32];
            Arrays.fill(key, (byte)name.hashCode());
            text.append(name).append('=').append(Base64.getEncoder().encodeToString(key)).append('\n');
        }
        try
        {
            final Path file = Files.createTempFile(dir, "keys", ".key");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return ClusterKeys.load(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }
}
