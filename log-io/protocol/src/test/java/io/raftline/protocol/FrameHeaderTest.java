package io.raftline.protocol;

import io.raftline.core.message.MessageType;
import io.raftline.protocol.client.ClientMessageType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameHeaderTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("alpha");

    @Test
    void clusterHashIsFnv1a64OfUtf8()
    {
        // published FNV-1a 64 test vectors: the value must not depend on the JVM or its default charset
        assertEquals(0xcbf29ce484222325L, FrameHeader.clusterHash(""));
        assertEquals(0xaf63dc4c8601ec8cL, FrameHeader.clusterHash("a"));
        assertEquals(0x85944171f73967e8L, FrameHeader.clusterHash("foobar"));
        assertNotEquals(FrameHeader.clusterHash("é"), FrameHeader.clusterHash("e"));
        assertNotEquals(FrameHeader.clusterHash("alpha"), FrameHeader.clusterHash("alphb"));
    }

    @Test
    void layoutIsFixedAndAligned()
    {
        assertEquals(24, FrameHeader.LENGTH);
        assertEquals(8, FrameHeader.CLUSTER_OFFSET);
        assertEquals(0, FrameHeader.CLUSTER_OFFSET % 8);
    }

    @Test
    void writeThenReadWithStaticsAndView()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        FrameHeader.write(buffer, 8, ClientMessageType.TAIL, CLUSTER, 0, 40);
        assertEquals(FrameHeader.VALID, FrameHeader.validate(buffer, 8, 40, CLUSTER));
        assertEquals(ClientMessageType.TAIL, FrameHeader.type(buffer, 8));
        assertEquals(40, FrameHeader.frameLength(buffer, 8));
        assertEquals(0, FrameHeader.senderId(buffer, 8));

        final FrameHeader view = new FrameHeader();
        assertSame(view, view.wrap(buffer, 8));
        assertEquals(FrameHeader.VALID, view.validate(40, CLUSTER));
        assertEquals(FrameHeader.VERSION, view.version());
        assertEquals(ClientMessageType.TAIL, view.type());
        assertEquals(0, view.flags());
        assertEquals(40, view.frameLength());
        assertEquals(CLUSTER, view.clusterHash());
        assertEquals(0, view.senderId());
        assertSame(buffer, view.buffer());
        assertEquals(8, view.offset());

        FrameHeader.patchLength(buffer, 8, 32);
        assertEquals(32, view.frameLength());
        assertEquals(FrameHeader.VALID, view.validate(32, CLUSTER));
    }

    @Test
    void typeRangesAreRaftThenSnapshotsThenClient()
    {
        for (final MessageType type : MessageType.values())
        {
            assertTrue(FrameHeader.isKnownType(type.code()), type.name());
        }
        for (int type = ClientMessageType.MIN; type <= ClientMessageType.MAX; type++)
        {
            assertTrue(FrameHeader.isKnownType(type));
        }
        assertTrue(FrameHeader.isKnownType(FrameHeader.CLIENT_TYPE_MAX));
        assertTrue(FrameHeader.isKnownType(FrameHeader.RAFT_TYPE_MAX + 1), "snapshot transfer follows Raft");
        assertTrue(FrameHeader.isKnownType(FrameHeader.SNAPSHOT_TYPE_MAX));
        for (final int unknown : new int[] {0, FrameHeader.SNAPSHOT_TYPE_MAX + 1, FrameHeader.CLIENT_TYPE_MIN - 1,
            FrameHeader.CLIENT_TYPE_MAX + 1, 255})
        {
            assertFalse(FrameHeader.isKnownType(unknown), Integer.toString(unknown));
        }
    }

    @Test
    void everyHeaderRuleHasItsCode()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        FrameHeader.write(buffer, 0, ClientMessageType.CONNECT, CLUSTER, 3, 32);
        assertEquals(FrameHeader.VALID, FrameHeader.validate(buffer, 0, 32, CLUSTER));

        assertEquals(DecodeResult.TOO_SHORT, FrameHeader.validate(buffer, 0, 23, CLUSTER));
        assertEquals(DecodeResult.BAD_LENGTH, FrameHeader.validate(buffer, 0, 31, CLUSTER));
        assertEquals(DecodeResult.WRONG_CLUSTER, FrameHeader.validate(buffer, 0, 32, CLUSTER + 1));

        assertEquals(DecodeResult.BAD_VERSION, mutated(buffer, FrameHeader.VERSION_OFFSET, 2));
        assertEquals(DecodeResult.BAD_VERSION, mutated(buffer, FrameHeader.VERSION_OFFSET, 0));
        assertEquals(DecodeResult.UNKNOWN_TYPE, mutated(buffer, FrameHeader.TYPE_OFFSET, 0));
        assertEquals(DecodeResult.UNKNOWN_TYPE, mutated(buffer, FrameHeader.TYPE_OFFSET, 64));
        assertEquals(DecodeResult.UNKNOWN_TYPE, mutated(buffer, FrameHeader.TYPE_OFFSET, 15));
        assertEquals(FrameHeader.VALID, mutated(buffer, FrameHeader.TYPE_OFFSET, 14), "a snapshot chunk");
        assertEquals(DecodeResult.BAD_FIELD, mutated(buffer, FrameHeader.FLAGS_OFFSET, 2), "an undefined flag");
        assertEquals(DecodeResult.BAD_FIELD, mutated(buffer, FrameHeader.FLAGS_OFFSET, FrameHeader.AUTHENTICATED),
            "signed, to a receiver that does not check signatures");
        assertEquals(DecodeResult.BAD_FIELD, mutated(buffer, FrameHeader.FLAGS_OFFSET + 1, 0x80));
        assertEquals(DecodeResult.BAD_FIELD, mutated(buffer, FrameHeader.RESERVED_OFFSET + 3, 1));
        assertEquals(DecodeResult.BAD_FIELD, mutated(buffer, FrameHeader.SENDER_OFFSET + 3, 0x80));
    }

    private static int mutated(final UnsafeBuffer frame, final int at, final int value)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(frame.byteArray().clone());
        copy.putByte(at, (byte)value);
        return FrameHeader.validate(copy, 0, copy.capacity(), CLUSTER);
    }
}
