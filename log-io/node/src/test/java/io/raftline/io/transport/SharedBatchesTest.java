package io.raftline.io.transport;

import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedBatchesTest
{
    private final SharedBatches batches = new SharedBatches();

    @Test
    void aBatchEncodedOnceIsCopiedForTheNextFollowerOnlyUnderItsOwnKeyAndLength()
    {
        final UnsafeBuffer encoded = bytes(300, 7);
        batches.keepEntries(3, 101, 2, encoded, 50, 200);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[400]);

        assertTrue(batches.copyEntries(3, 101, 2, frame, 10, 200));
        for (int i = 0; i < 200; i++)
        {
            assertEquals(encoded.getByte(50 + i), frame.getByte(10 + i), "byte " + i);
        }
        assertFalse(batches.copyEntries(4, 101, 2, frame, 10, 200), "another term");
        assertFalse(batches.copyEntries(3, 102, 2, frame, 10, 200), "another first index");
        assertFalse(batches.copyEntries(3, 101, 3, frame, 10, 200), "another count");
        assertFalse(batches.copyEntries(3, 101, 2, frame, 10, 199), "the core sized it otherwise");
        assertFalse(batches.findDigest(3, 101, 2, new byte[FrameAuthenticator.DIGEST_LENGTH]), "not hashed yet");
    }

    @Test
    void entriesAndDigestOfABatchShareItsSlotAndTheOldestSlotGoesFirst()
    {
        final byte[] digest = new byte[FrameAuthenticator.DIGEST_LENGTH];
        Arrays.fill(digest, (byte)9);
        batches.keepEntries(1, 1, 1, bytes(10, 1), 0, 10);
        batches.putDigest(1, 1, 1, digest);
        final byte[] found = new byte[FrameAuthenticator.DIGEST_LENGTH];
        assertTrue(batches.findDigest(1, 1, 1, found));
        assertArrayEquals(digest, found);
        assertTrue(batches.copyEntries(1, 1, 1, new UnsafeBuffer(new byte[10]), 0, 10), "the digest kept the entries");

        for (int batch = 2; batch <= 4; batch++)
        {
            batches.keepEntries(1, batch, 1, bytes(10, batch), 0, 10);
        }
        assertTrue(batches.copyEntries(1, 1, 1, new UnsafeBuffer(new byte[10]), 0, 10), "four slots");
        batches.keepEntries(1, 5, 1, bytes(10, 5), 0, 10);
        assertFalse(batches.copyEntries(1, 1, 1, new UnsafeBuffer(new byte[10]), 0, 10), "the oldest was reused");
        assertFalse(batches.findDigest(1, 1, 1, found));
        assertFalse(batches.copyEntries(1, 9, 0, new UnsafeBuffer(new byte[10]), 0, 0), "no entries, no batch");
    }

    @Test
    void aLargeBatchGrowsItsSlot()
    {
        final UnsafeBuffer encoded = bytes(256 * 1024, 3);
        batches.keepEntries(2, 1, 1000, encoded, 0, encoded.capacity());
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[encoded.capacity()]);
        assertTrue(batches.copyEntries(2, 1, 1000, frame, 0, encoded.capacity()));
        assertEquals(encoded.getByte(encoded.capacity() - 1), frame.getByte(encoded.capacity() - 1));
    }

    private static UnsafeBuffer bytes(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + seed);
        }
        return new UnsafeBuffer(bytes);
    }
}
