package io.raftline.protocol.client;

import io.raftline.core.EntryType;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.FrameHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every client frame read back as written, and bodies that lie about their lengths refused. */
class ClientFramesTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("frames");
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    private void assertValidHeader(final int type, final int length)
    {
        assertEquals(FrameHeader.VALID, FrameHeader.validate(buffer, 0, length, CLUSTER));
        assertEquals(type, FrameHeader.type(buffer, 0));
    }

    @Test
    void connectAndConnected()
    {
        final int length = ConnectFrame.encode(buffer, 0, CLUSTER, 77, 5, 9, 3, 2, "ops", "127.0.0.1:40123");
        assertValidHeader(ClientMessageType.CONNECT, length);
        final ConnectFrame connect = new ConnectFrame();
        assertTrue(connect.wrap(buffer, 0, length));
        assertEquals(77, connect.clientId());
        assertEquals(5, connect.correlationId());
        assertEquals(9, connect.sessionId());
        assertEquals(3, connect.rights());
        assertEquals(2, connect.keyId());
        assertEquals("ops", connect.credential());
        assertEquals("127.0.0.1:40123", connect.endpoint());
        assertTrue(connect.wrap(buffer, 0, ConnectFrame.encode(buffer, 0, CLUSTER, 77, 5, 9, 0, 0, "", "h:1")));
        assertEquals("", connect.credential(), "a client without a credential");
        assertEquals("h:1", connect.endpoint());
        assertEquals(0, connect.senderId());

        final Configuration members = Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4})
            .withMember(4, 0, "10.0.0.4:7000");
        final int connectedLength = ConnectedFrame.encode(buffer, 0, CLUSTER, 3, 5, 2, 9, 100, 104, 1, members);
        assertValidHeader(ClientMessageType.CONNECTED, connectedLength);
        final ConnectedFrame connected = new ConnectedFrame();
        assertTrue(connected.wrap(buffer, 0, connectedLength));
        assertEquals(3, connected.senderId());
        assertEquals(3, connected.nodeId());
        assertEquals(5, connected.correlationId());
        assertEquals(2, connected.leaderId());
        assertEquals(9, connected.term());
        assertEquals(100, connected.commitIndex());
        assertEquals(104, connected.lastIndex());
        assertEquals(1, connected.role());
        assertEquals(members, connected.configuration());
        assertEquals("10.0.0.4:7000", connected.configuration().endpoint(4));
        assertFalse(connected.wrap(buffer, 0, connectedLength - 8), "a configuration cut short");
    }

    @Test
    void adminRequestsAndResults()
    {
        final int length = AdminRequestFrame.encode(buffer, 0, CLUSTER, 77, 9, AdminOperation.ADD_LEARNER, 4,
            30_000, "10.0.0.4:7000");
        final AdminRequestFrame request = new AdminRequestFrame();
        assertTrue(request.wrap(buffer, 0, length));
        assertEquals(AdminOperation.ADD_LEARNER, request.operation());
        assertEquals(4, request.nodeId());
        assertEquals(30_000, request.timeoutMs());
        assertEquals("10.0.0.4:7000", request.endpoint());
        final int noEndpoint = AdminRequestFrame.encode(buffer, 0, CLUSTER, 77, 10, AdminOperation.LIST_MEMBERS, 0,
            0, "");
        assertTrue(request.wrap(buffer, 0, noEndpoint));
        assertEquals(null, request.endpoint());
        buffer.putInt(FrameHeader.LENGTH + 16, 99, ClientFrame.ORDER);
        assertFalse(request.wrap(buffer, 0, noEndpoint), "an operation this build does not know");

        final Configuration joint = Configuration.joint(new int[]{1, 4}, new int[]{1, 2}, new int[0]);
        final int resultLength = AdminResultFrame.encode(buffer, 0, CLUSTER, 1, 9, AdminStatus.FAILED, 1, joint, 40,
            39, 777, "node 4 did not catch up");
        final AdminResultFrame result = new AdminResultFrame();
        assertTrue(result.wrap(buffer, 0, resultLength));
        assertEquals(AdminStatus.FAILED, result.status());
        assertEquals("node 4 did not catch up", result.message());
        assertEquals(777, result.value());
        assertEquals(joint, result.configuration());
        assertEquals(40, result.configurationIndex());
        assertEquals(39, result.commitIndex());
        assertFalse(result.wrap(buffer, 0, resultLength - 8));
        for (final AdminStatus status : AdminStatus.values())
        {
            assertEquals(status, AdminStatus.ofCode(status.code()));
        }
        for (final AdminOperation operation : AdminOperation.values())
        {
            assertEquals(operation, AdminOperation.ofCode(operation.code()));
        }
    }

    @Test
    void sessionsOpenAndClose()
    {
        final int length = OpenSessionFrame.encode(buffer, 0, CLUSTER, 77, 6, 0, "producer-é", 256);
        assertValidHeader(ClientMessageType.OPEN_SESSION, length);
        final OpenSessionFrame open = new OpenSessionFrame();
        assertTrue(open.wrap(buffer, 0, length));
        assertEquals("producer-é", open.name());
        assertEquals(6, open.correlationId());
        assertEquals(256, open.window());
        assertEquals(0, open.resumeSessionId());
        assertTrue(open.wrap(buffer, 0, OpenSessionFrame.encode(buffer, 0, CLUSTER, 77, 7, 42, "p", 8)));
        assertEquals(42, open.resumeSessionId());
        OpenSessionFrame.encode(buffer, 0, CLUSTER, 77, 6, 0, "p", -1);
        assertFalse(open.wrap(buffer, 0, length), "a negative window");
        OpenSessionFrame.encode(buffer, 0, CLUSTER, 77, 6, -5, "p", 8);
        assertFalse(open.wrap(buffer, 0, length), "a negative session to resume");

        final SessionOpenedFrame opened = new SessionOpenedFrame();
        assertTrue(opened.wrap(buffer, 0, SessionOpenedFrame.encode(buffer, 0, CLUSTER, 1, 6, 42, 11)));
        assertEquals(6, opened.correlationId());
        assertEquals(42, opened.sessionId());
        assertEquals(11, opened.nextSequence());

        final SessionNameFrame name = new SessionNameFrame();
        assertTrue(name.wrap(buffer, 0, SessionNameFrame.encode(buffer, 0, CLUSTER, 1, 42, "p1")));
        assertEquals(42, name.sessionId());
        assertEquals("p1", name.name());

        final CloseSessionFrame close = new CloseSessionFrame();
        assertTrue(close.wrap(buffer, 0, CloseSessionFrame.encode(buffer, 0, CLUSTER, 77, 42)));
        assertEquals(77, close.clientId());
        assertEquals(42, close.sessionId());

        final DisconnectFrame disconnect = new DisconnectFrame();
        assertTrue(disconnect.wrap(buffer, 0, DisconnectFrame.encode(buffer, 0, CLUSTER, 77)));
        assertEquals(77, disconnect.clientId());
    }

    @Test
    void appendEntriesAreWalkedInOrderWithTheirPayloadsInPlace()
    {
        int length = AppendFrame.encodeHeader(buffer, 0, CLUSTER, 77, 42);
        length = AppendFrame.encodeEntry(buffer, length, 1, ascii("a"), 0, 1);
        length = AppendFrame.encodeEntry(buffer, length, 2, ascii("twelve bytes"), 0, 12);
        length = AppendFrame.encodeEntry(buffer, length, 3, ascii(""), 0, 0);
        AppendFrame.finish(buffer, 0, length, 3);
        assertValidHeader(ClientMessageType.APPEND, length);
        final AppendFrame append = new AppendFrame();
        assertTrue(append.wrap(buffer, 0, length));
        assertEquals(77, append.clientId());
        assertEquals(42, append.sessionId());
        final String[] payloads = {"a", "twelve bytes", ""};
        for (int i = 0; i < 3; i++)
        {
            assertTrue(append.nextEntry());
            assertEquals(i + 1, append.entrySequence());
            assertEquals(payloads[i], append.buffer().getStringWithoutLengthAscii(append.entryPayloadOffset(),
                append.entryPayloadLength()));
        }
        assertFalse(append.nextEntry());
        assertTrue(append.wrap(buffer, 0, length), "wrapping again starts the walk again");
        assertTrue(append.nextEntry());
        assertEquals(1, append.entrySequence());
    }

    @Test
    void acknowledgementsAndRejections()
    {
        int length = AckFrame.encodeHeader(buffer, 0, CLUSTER, 1, 42);
        length = AckFrame.encodeEntry(buffer, length, 7, 100, 3);
        length = AckFrame.encodeEntry(buffer, length, 8, 101, 3);
        AckFrame.finish(buffer, 0, length, 2);
        final AckFrame ack = new AckFrame();
        assertTrue(ack.wrap(buffer, 0, length));
        assertEquals(42, ack.sessionId());
        assertEquals(2, ack.count());
        assertEquals(8, ack.sequence(1));
        assertEquals(101, ack.index(1));
        assertEquals(3, ack.term(0));
        assertEquals(2, AckFrame.capacity(AckFrame.HEADER_LENGTH + 2 * AckFrame.ENTRY_LENGTH + 23));

        final RejectFrame reject = new RejectFrame();
        assertTrue(reject.wrap(buffer, 0,
            RejectFrame.encode(buffer, 0, CLUSTER, 2, 42, 9, 8, RejectReason.OUT_OF_ORDER, 3)));
        assertEquals(42, reject.id());
        assertEquals(9, reject.sequence());
        assertEquals(8, reject.expectedSequence());
        assertEquals(RejectReason.OUT_OF_ORDER, reject.reason());
        assertEquals(3, reject.leaderId());
        buffer.putInt(FrameHeader.LENGTH + 24, 99, ClientFrame.ORDER);
        assertNull(reject.reason(), "a reason this build does not know");
        assertEquals(99, reject.reasonCode());
    }

    @Test
    void everyReasonHasItsOwnCodeAndWords()
    {
        for (final RejectReason reason : RejectReason.values())
        {
            assertEquals(reason, RejectReason.ofCode(reason.code()));
            assertFalse(reason.description().isBlank());
        }
        assertNull(RejectReason.ofCode(0));
        assertNull(RejectReason.ofCode(1000));
        assertTrue(RejectReason.NOT_READY.isRetriable());
        assertFalse(RejectReason.TOO_LARGE.isRetriable());
    }

    @Test
    void readsAndTails()
    {
        final ReadIndexFrame read = new ReadIndexFrame();
        assertTrue(read.wrap(buffer, 0, ReadIndexFrame.encode(buffer, 0, CLUSTER, 77, 12)));
        assertEquals(77, read.clientId());
        assertEquals(12, read.correlationId());
        final ReadIndexResultFrame result = new ReadIndexResultFrame();
        assertTrue(result.wrap(buffer, 0, ReadIndexResultFrame.encode(buffer, 0, CLUSTER, 1, 12, 500)));
        assertEquals(12, result.correlationId());
        assertEquals(500, result.index());

        final TailFrame tail = new TailFrame();
        assertTrue(tail.wrap(buffer, 0, TailFrame.encode(buffer, 0, CLUSTER, 77, TailFrame.FROM_NOW, 64,
            TailFrame.ALL, 5, 3)));
        assertEquals(TailFrame.FROM_NOW, tail.fromIndex());
        assertEquals(5, tail.stream());
        assertEquals(3, tail.consumer());
        assertEquals(64, tail.credit());
        assertTrue(tail.all());
        assertFalse(tail.isEnd());
        assertTrue(tail.wrap(buffer, 0, TailFrame.encode(buffer, 0, CLUSTER, 77, 0, 0, TailFrame.END, 0, 3)));
        assertTrue(tail.isEnd());
        final TailCreditFrame credit = new TailCreditFrame();
        assertTrue(credit.wrap(buffer, 0, TailCreditFrame.encode(buffer, 0, CLUSTER, 77, 32, 3)));
        assertEquals(32, credit.credit());
        assertEquals(3, credit.consumer());

        int length = TailEntriesFrame.encodeHeader(buffer, 0, CLUSTER, 1, 900, 5, 10);
        length = TailEntriesFrame.encodeEntry(buffer, length, 10, 2, 42, 7, EntryType.NORMAL, ascii("xyz"), 0, 3);
        length = TailEntriesFrame.encodeEntry(buffer, length, 11, 2, 0, 0, EntryType.NOOP, ascii(""), 0, 0);
        TailEntriesFrame.finish(buffer, 0, length, 2, 12);
        final TailEntriesFrame entries = new TailEntriesFrame();
        assertTrue(entries.wrap(buffer, 0, length));
        assertEquals(900, entries.commitIndex());
        assertEquals(5, entries.stream());
        assertEquals(10, entries.fromIndex());
        assertEquals(12, entries.scannedTo());
        assertTrue(entries.nextEntry());
        assertEquals(10, entries.entryIndex());
        assertEquals(2, entries.entryTerm());
        assertEquals(42, entries.entrySessionId());
        assertEquals(7, entries.entrySequence());
        assertEquals(EntryType.NORMAL, entries.entryType());
        assertEquals("xyz", entries.buffer().getStringWithoutLengthAscii(entries.entryPayloadOffset(), 3));
        assertTrue(entries.nextEntry());
        assertEquals(EntryType.NOOP, entries.entryType());
        assertEquals(0, entries.entryPayloadLength());
        assertFalse(entries.nextEntry());
    }

    @Test
    void bodiesThatDoNotHoldWhatTheySayAreRefused()
    {
        final AppendFrame append = new AppendFrame();
        int length = AppendFrame.encodeHeader(buffer, 0, CLUSTER, 77, 42);
        length = AppendFrame.encodeEntry(buffer, length, 1, ascii("abcdefgh"), 0, 8);
        AppendFrame.finish(buffer, 0, length, 1);
        assertFalse(append.wrap(buffer, 0, length - 1), "payload cut short");
        AppendFrame.finish(buffer, 0, length, 2);
        assertFalse(append.wrap(buffer, 0, length), "a second entry that is not there");
        AppendFrame.finish(buffer, 0, length, 0);
        assertFalse(append.wrap(buffer, 0, length), "no entries");
        AppendFrame.finish(buffer, 0, length, 1);
        buffer.putInt(AppendFrame.HEADER_LENGTH + 8, -1, ClientFrame.ORDER);
        assertFalse(append.wrap(buffer, 0, length), "a negative payload length");
        assertFalse(append.wrap(buffer, 0, AppendFrame.HEADER_LENGTH - 1), "shorter than the fixed part");

        final ConnectFrame connect = new ConnectFrame();
        final int connectLength = ConnectFrame.encode(buffer, 0, CLUSTER, 77, 1, 0, 0, 0, "", "h:1");
        buffer.putInt(FrameHeader.LENGTH + 40, 500, ClientFrame.ORDER);
        assertFalse(connect.wrap(buffer, 0, connectLength), "an endpoint longer than the frame");
        ConnectFrame.encode(buffer, 0, CLUSTER, 77, 1, 0, 0, 0, "", "h:1");
        buffer.putInt(FrameHeader.LENGTH + 32, 500, ClientFrame.ORDER);
        assertFalse(connect.wrap(buffer, 0, connectLength), "a credential name longer than the frame");
        ConnectFrame.encode(buffer, 0, CLUSTER, 0, 1, 0, 0, 0, "", "h:1");
        assertFalse(connect.wrap(buffer, 0, connectLength), "client id 0");

        final AckFrame ack = new AckFrame();
        AckFrame.finish(buffer, 0, AckFrame.HEADER_LENGTH, 1);
        assertFalse(ack.wrap(buffer, 0, AckFrame.HEADER_LENGTH), "an acknowledgement that is not there");
        final TailEntriesFrame entries = new TailEntriesFrame();
        TailEntriesFrame.encodeHeader(buffer, 0, CLUSTER, 1, 900, 5, 10);
        TailEntriesFrame.finish(buffer, 0, TailEntriesFrame.HEADER_LENGTH, -1, 10);
        assertFalse(entries.wrap(buffer, 0, TailEntriesFrame.HEADER_LENGTH), "a negative count");
        TailEntriesFrame.finish(buffer, 0, TailEntriesFrame.HEADER_LENGTH, 0, 9);
        assertFalse(entries.wrap(buffer, 0, TailEntriesFrame.HEADER_LENGTH), "scanned to before where it begins");
        TailEntriesFrame.encodeHeader(buffer, 0, CLUSTER, 1, 900, 5, 0);
        assertFalse(entries.wrap(buffer, 0, TailEntriesFrame.HEADER_LENGTH), "begins at index 0");
    }

    /** Random bytes in a frame's body: a flyweight that accepts them reads only inside the frame. */
    @Test
    void randomBodiesNeverLeadAReaderOutsideTheFrame()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final AppendFrame append = new AppendFrame();
        final TailEntriesFrame entries = new TailEntriesFrame();
        final AckFrame ack = new AckFrame();
        final ConnectFrame connect = new ConnectFrame();
        final byte[] bytes = new byte[512];
        for (int round = 0; round < 20_000; round++)
        {
            random.nextBytes(bytes);
            final int length = 24 + random.nextInt(bytes.length - 24);
            for (int i = 0; i < length; i += 4)
            {
                if (random.nextInt(4) == 0)
                {
                    bytes[i] = (byte)random.nextInt(4); // small counts and lengths, so some bodies are valid
                    bytes[i + 1] = 0;
                    bytes[i + 2] = 0;
                    bytes[i + 3] = 0;
                }
            }
            final UnsafeBuffer frame = new UnsafeBuffer(bytes, 0, length);
            if (append.wrap(frame, 0, length))
            {
                while (append.nextEntry())
                {
                    assertTrue(append.entryPayloadOffset() + append.entryPayloadLength() <= length);
                }
            }
            if (entries.wrap(frame, 0, length))
            {
                while (entries.nextEntry())
                {
                    assertTrue(entries.entryPayloadOffset() + entries.entryPayloadLength() <= length);
                }
            }
            if (ack.wrap(frame, 0, length) && ack.count() > 0)
            {
                ack.term(ack.count() - 1);
            }
            if (connect.wrap(frame, 0, length))
            {
                assertTrue(connect.endpoint().length() <= ConnectFrame.MAX_ENDPOINT_BYTES);
            }
        }
    }
}
