package io.raftline.io.transport.codec;

import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.raftline.io.transport.codec.CodecFixtures.CLUSTER;
import static io.raftline.io.transport.codec.CodecFixtures.Entry;
import static io.raftline.io.transport.codec.CodecFixtures.assertSameEntries;
import static io.raftline.io.transport.codec.CodecFixtures.assertSameMessage;
import static io.raftline.io.transport.codec.CodecFixtures.encode;
import static io.raftline.io.transport.codec.CodecFixtures.message;
import static io.raftline.io.transport.codec.CodecFixtures.wrap;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftMessageCodecTest
{
    private final RaftMessageDecoder decoder = new RaftMessageDecoder();
    private final RaftMessage decoded = new RaftMessage();

    // ---------------------------------------------------------------------------------------------------------
    // Layout and constants

    @Test
    void constantsMatchTheLayout()
    {
        assertEquals(24, RaftMessageEncoder.HEADER_LENGTH);
        assertEquals(120, RaftMessageEncoder.MESSAGE_LENGTH);
        assertEquals(120, RaftMessageEncoder.APPEND_HEADER_LENGTH);
        assertEquals(32, RaftMessageEncoder.ENTRY_OVERHEAD);
        assertEquals(0, RaftMessageEncoder.APPEND_HEADER_LENGTH % 8, "entries start 8-byte aligned");
        assertEquals(120, RaftMessageEncoder.appendFrameLength(0, 0));
        assertEquals(120 + 16 * 32 + 1600, RaftMessageEncoder.appendFrameLength(16, 1600));
        assertThrows(IllegalArgumentException.class, () -> RaftMessageEncoder.appendFrameLength(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> RaftMessageEncoder.appendFrameLength(0, -1));
        assertThrows(IllegalArgumentException.class, () -> RaftMessageEncoder.appendFrameLength(1, Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> new RaftMessageEncoder(0));
    }

    @Test
    void describeNamesEveryResult()
    {
        for (int code = DecodeResult.OK; code <= DecodeResult.BAD_ENTRY; code++)
        {
            assertTrue(!DecodeResult.describe(code).startsWith("error"), Integer.toString(code));
        }
        assertEquals("error 99", DecodeResult.describe(99));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Round trips

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void roundTripWithLargestValues(final MessageType type)
    {
        final RaftMessage message = message(type, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, Long.MAX_VALUE);
        message.index = Long.MAX_VALUE;
        message.logTerm = Long.MAX_VALUE;
        message.commitIndex = Long.MAX_VALUE;
        message.rejectHintTerm = Long.MAX_VALUE;
        message.rejectHintIndex = Long.MAX_VALUE;
        message.context = type == MessageType.INSTALL_SNAPSHOT ? Integer.MAX_VALUE : Long.MIN_VALUE;
        message.identity = Long.MIN_VALUE;
        message.snapshotIndex = Long.MAX_VALUE;
        message.sentAt = Long.MAX_VALUE - 1;
        message.reject = type.isResponse();
        message.transfer = type == MessageType.VOTE || type == MessageType.PRE_VOTE;
        message.regressed = type == MessageType.APPEND_RESPONSE;
        assertRoundTrip(message, List.of());
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void roundTripWithSmallestValues(final MessageType type)
    {
        final RaftMessage message = message(type, 1, 2, type == MessageType.APPEND ? 1 : 0);
        message.context = type == MessageType.READ_INDEX ? -1 : type == MessageType.INSTALL_SNAPSHOT ? 1 : 0;
        assertRoundTrip(message, List.of());
    }

    @Test
    void failedReadCarriesMinusOne()
    {
        final RaftMessage message = message(MessageType.READ_INDEX_RESPONSE, 1, 2, 5);
        message.commitIndex = -1;
        message.reject = true;
        assertRoundTrip(message, List.of());
    }

    @Test
    void appendWithOneEntry()
    {
        final RaftMessage append = append(7, 10, 6, 1);
        append.commitIndex = 9;
        assertRoundTrip(append, List.of(new Entry(7, EntryType.NORMAL, 42, 3, "hello".getBytes())));
    }

    @Test
    void appendWithEmptyAndLargePayloads()
    {
        final byte[] large = new byte[1 << 20];
        new Random(1).nextBytes(large);
        final List<Entry> entries = List.of(
            new Entry(3, EntryType.NOOP, 0, 0, new byte[0]),
            new Entry(3, EntryType.NORMAL, Long.MAX_VALUE, Long.MIN_VALUE, large),
            new Entry(4, EntryType.CONFIG, 0, 0, new byte[0]),
            new Entry(4, EntryType.SESSION, -1, 0, new byte[] {1}));
        assertRoundTrip(append(4, 100, 2, entries.size()), entries);
    }

    @Test
    void appendWithManyEntriesBeyondTheIndexedTable()
    {
        final Random random = new Random(7);
        final List<Entry> entries = new ArrayList<>();
        final int count = RaftMessageDecoder.DEFAULT_INDEXED_ENTRIES_MAX * 3 + 5;
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = new byte[random.nextInt(20)];
            random.nextBytes(payload);
            entries.add(new Entry(1 + i / 1000, EntryType.NORMAL, i, i * 7L, payload));
        }
        assertRoundTrip(append(9, 0, 0, count), entries);

        // random access, backwards and forwards, past the table must still find every entry
        final int[] positions = {count - 1, 2000, 1023, 1024, 0, 3000, 1025, count - 1, 1500, 1499};
        for (final int position : positions)
        {
            final Entry entry = entries.get(position);
            assertEquals(entry.sessionId(), decoded.entries.sessionId(position));
            assertEquals(entry.payload().length, decoded.entries.payloadLength(position));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> decoded.entries.term(count));
        assertThrows(IndexOutOfBoundsException.class, () -> decoded.entries.term(-1));
    }

    @Test
    void smallIndexedTableStillServesEveryEntry()
    {
        final RaftMessageDecoder small = new RaftMessageDecoder(1);
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            entries.add(new Entry(2, EntryType.NORMAL, i, i, new byte[i]));
        }
        final byte[] frame = encode(append(2, 5, 1, 10), entries);
        assertEquals(DecodeResult.OK, small.decode(wrap(frame), 0, frame.length, CLUSTER, decoded));
        assertSameEntries(entries, decoded.entries);
        assertEquals(7, decoded.entries.sessionId(7));
        assertEquals(3, decoded.entries.sessionId(3));
        assertThrows(IllegalArgumentException.class, () -> new RaftMessageDecoder(0));
    }

    @Test
    void decodesAtAnOffsetInALargerBuffer()
    {
        final List<Entry> entries = List.of(new Entry(1, EntryType.NORMAL, 1, 1, new byte[] {9, 8, 7}));
        final RaftMessage append = append(1, 0, 0, 1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        Arrays.fill(buffer.byteArray(), (byte)0x5A);
        final int length = encode(append, entries, buffer, 333);
        assertEquals(DecodeResult.OK, decoder.decode(buffer, 333, length, CLUSTER, decoded.reset()));
        assertSameMessage(append, decoded);
        assertSameEntries(entries, decoded.entries);
        assertSame(buffer, decoded.entries.buffer());
        assertEquals(333 + RaftMessageEncoder.APPEND_HEADER_LENGTH + ENTRY_HEADER_LENGTH,
            decoded.entries.payloadOffset(0));
    }

    @Test
    void encodeRefusesTheWrongPath()
    {
        final RaftMessageEncoder encoder = new RaftMessageEncoder(1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encode(append(1, 0, 0, 0), CLUSTER, buffer, 0));
        assertThrows(IllegalArgumentException.class,
            () -> encoder.encodeAppendHeader(message(MessageType.HEARTBEAT, 1, 2, 1), CLUSTER, buffer, 0));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Every rule, refused with its code

    @Test
    void refusesFramesOfTheWrongSize()
    {
        final byte[] heartbeat = encode(message(MessageType.HEARTBEAT, 1, 2, 3), List.of());
        assertEquals(DecodeResult.TOO_SHORT, decode(heartbeat, 0));
        assertEquals(DecodeResult.TOO_SHORT, decode(heartbeat, FrameHeader.LENGTH - 1));
        assertEquals(DecodeResult.BAD_LENGTH, decode(heartbeat, heartbeat.length - 1), "length field disagrees");

        final byte[] shortBody = Arrays.copyOf(heartbeat, MESSAGE_LENGTH - 8);
        FrameHeader.patchLength(new UnsafeBuffer(shortBody), 0, shortBody.length);
        assertEquals(DecodeResult.TOO_SHORT, decode(shortBody, shortBody.length));

        final byte[] longBody = Arrays.copyOf(heartbeat, MESSAGE_LENGTH + 8);
        FrameHeader.patchLength(new UnsafeBuffer(longBody), 0, longBody.length);
        assertEquals(DecodeResult.BAD_LENGTH, decode(longBody, longBody.length));

        final byte[] append = encode(append(1, 0, 0, 0), List.of());
        final byte[] trailing = Arrays.copyOf(append, append.length + 4);
        FrameHeader.patchLength(new UnsafeBuffer(trailing), 0, trailing.length);
        assertEquals(DecodeResult.BAD_LENGTH, decode(trailing, trailing.length), "bytes after the last entry");
    }

    @Test
    void refusesHeaderFaults()
    {
        final byte[] frame = encode(message(MessageType.VOTE, 1, 2, 3), List.of());
        assertEquals(DecodeResult.BAD_VERSION, decodeMutated(frame, FrameHeader.VERSION_OFFSET, 1, 2));
        assertEquals(DecodeResult.WRONG_CLUSTER,
            new RaftMessageDecoder().decode(wrap(frame), 0, frame.length, CLUSTER ^ 1, decoded));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, FrameHeader.FLAGS_OFFSET, 1, 1));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, FrameHeader.RESERVED_OFFSET, 1, 1));
        for (final int type : new int[] {0, 13, 14, 15, 31, 32, 46, 63, 64, 255})
        {
            assertEquals(DecodeResult.UNKNOWN_TYPE, decodeMutated(frame, FrameHeader.TYPE_OFFSET, 1, type),
                "type " + type);
        }
    }

    @Test
    void refusesBadNodeIds()
    {
        final byte[] frame = encode(message(MessageType.HEARTBEAT, 1, 2, 3), List.of());
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, FrameHeader.SENDER_OFFSET, 4, 0), "from 0");
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, FrameHeader.SENDER_OFFSET, 4, -5), "from < 0");
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, TO_OFFSET, 4, 0), "to 0");
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, TO_OFFSET, 4, -1), "to < 0");
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, TO_OFFSET, 4, 1), "to self");
    }

    @Test
    void refusesNegativeTermsAndIndexes()
    {
        for (final MessageType type : MessageType.values())
        {
            final RaftMessage message = message(type, 1, 2, 3);
            final byte[] frame = encode(message, List.of());
            for (final int at : new int[] {TERM_OFFSET, INDEX_OFFSET, LOG_TERM_OFFSET, COMMIT_INDEX_OFFSET,
                HINT_TERM_OFFSET, HINT_INDEX_OFFSET, SNAPSHOT_INDEX_OFFSET, SENT_AT_OFFSET})
            {
                assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, at, 8, -1), type + " at " + at);
                assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, at, 8, Long.MIN_VALUE), type + " at " + at);
            }
            assertEquals(type == MessageType.INSTALL_SNAPSHOT ? DecodeResult.BAD_FIELD : DecodeResult.OK,
                decodeMutated(frame, CONTEXT_OFFSET, 8, -1), "context is opaque, but for the node a snapshot is at");
        }
    }

    @Test
    void anInstallSnapshotNamesANodeToFetchFrom()
    {
        final byte[] frame = encode(message(MessageType.INSTALL_SNAPSHOT, 1, 2, 3), List.of());
        assertEquals(DecodeResult.OK, decodeMutated(frame, CONTEXT_OFFSET, 8, Integer.MAX_VALUE));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, CONTEXT_OFFSET, 8, 0));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, CONTEXT_OFFSET, 8, Integer.MAX_VALUE + 1L));
    }

    @Test
    void minusOneReadIndexOnlyOnARejectedReadResponse()
    {
        final RaftMessage response = message(MessageType.READ_INDEX_RESPONSE, 1, 2, 3);
        response.commitIndex = -1;
        response.reject = true;
        final byte[] frame = encode(response, List.of());
        assertEquals(DecodeResult.OK, decode(frame, frame.length));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, REJECT_OFFSET, 1, 0));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, COMMIT_INDEX_OFFSET, 8, -2));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, FrameHeader.TYPE_OFFSET, 1,
            MessageType.APPEND_RESPONSE.code()));
    }

    @Test
    void refusesBooleansOtherThanZeroOrOneAndDirtyPadding()
    {
        final RaftMessage vote = message(MessageType.VOTE, 1, 2, 3);
        final byte[] frame = encode(vote, List.of());
        assertEquals(DecodeResult.OK, decodeMutated(frame, TRANSFER_OFFSET, 1, 1));
        for (final int value : new int[] {2, 0x80, 0xFF})
        {
            assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, TRANSFER_OFFSET, 1, value));
        }
        final byte[] response = encode(message(MessageType.VOTE_RESPONSE, 1, 2, 3), List.of());
        assertEquals(DecodeResult.OK, decodeMutated(response, REJECT_OFFSET, 1, 1));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(response, REJECT_OFFSET, 1, 2));
        final RaftMessage rejection = message(MessageType.APPEND_RESPONSE, 1, 2, 3);
        rejection.reject = true;
        final byte[] rejected = encode(rejection, List.of());
        assertEquals(DecodeResult.OK, decodeMutated(rejected, REGRESSED_OFFSET, 1, 1));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(rejected, REGRESSED_OFFSET, 1, 2));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, PADDING_BYTE_OFFSET, 1, 1));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, PADDING_INT_OFFSET, 4, 1));
    }

    @Test
    void refusesFlagsOnTheWrongTypes()
    {
        for (final MessageType type : MessageType.values())
        {
            final byte[] frame = encode(type == MessageType.APPEND ? append(3, 0, 0, 0) :
                message(type, 1, 2, 3), List.of());
            final int expectReject = type.isResponse() ? DecodeResult.OK : DecodeResult.BAD_FIELD;
            assertEquals(expectReject, decodeMutated(frame, REJECT_OFFSET, 1, 1), type + " reject");
            final int expectTransfer = type == MessageType.VOTE || type == MessageType.PRE_VOTE ?
                DecodeResult.OK : DecodeResult.BAD_FIELD;
            assertEquals(expectTransfer, decodeMutated(frame, TRANSFER_OFFSET, 1, 1), type + " transfer");
            // a rejection's flag only, and this frame does not reject
            assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, REGRESSED_OFFSET, 1, 1), type + " regressed");
            if (type != MessageType.APPEND)
            {
                assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, 1), type + " count");
            }
        }
    }

    @Test
    void refusesALastEntryNewerThanTheTerm()
    {
        for (final MessageType type : new MessageType[] {MessageType.VOTE, MessageType.PRE_VOTE, MessageType.APPEND})
        {
            final RaftMessage message = type == MessageType.APPEND ? append(5, 9, 5, 0) : message(type, 1, 2, 5);
            message.logTerm = 5;
            final byte[] frame = encode(message, List.of());
            assertEquals(DecodeResult.OK, decode(frame, frame.length));
            assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, LOG_TERM_OFFSET, 8, 6), type.name());
        }
        final byte[] response = encode(message(MessageType.APPEND_RESPONSE, 1, 2, 5), List.of());
        assertEquals(DecodeResult.OK, decodeMutated(response, LOG_TERM_OFFSET, 8, 6), "unused by responses");
    }

    @Test
    void refusesInconsistentEntryCounts()
    {
        final List<Entry> two = List.of(
            new Entry(2, EntryType.NORMAL, 1, 1, new byte[40]),
            new Entry(2, EntryType.NORMAL, 1, 2, new byte[40]));
        final byte[] frame = encode(append(2, 10, 2, 2), two);
        assertEquals(DecodeResult.OK, decode(frame, frame.length));
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, -1));
        assertEquals(DecodeResult.BAD_LENGTH, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, 1), "one entry left over");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, 3), "a third never comes");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, Integer.MAX_VALUE));
        assertEquals(DecodeResult.BAD_LENGTH, decodeMutated(frame, ENTRY_COUNT_OFFSET, 4, 0));

        final byte[] last = encode(append(2, Long.MAX_VALUE - 2, 2, 2), two);
        assertEquals(DecodeResult.OK, decode(last, last.length), "index + count reaches Long.MAX_VALUE");
        assertEquals(DecodeResult.BAD_FIELD, decodeMutated(last, INDEX_OFFSET, 8, Long.MAX_VALUE - 1), "overflow");
    }

    @Test
    void refusesMalformedEntries()
    {
        final List<Entry> entries = List.of(
            new Entry(3, EntryType.NORMAL, 1, 1, new byte[10]),
            new Entry(4, EntryType.NOOP, 0, 0, new byte[0]),
            new Entry(4, EntryType.NORMAL, 1, 2, new byte[5]));
        final RaftMessage append = append(5, 10, 3, 3);
        final byte[] frame = encode(append, entries);
        assertEquals(DecodeResult.OK, decode(frame, frame.length));
        final int first = MESSAGE_LENGTH;
        final int second = first + ENTRY_HEADER_LENGTH + 10;
        final int third = second + ENTRY_HEADER_LENGTH;

        for (final int type : new int[] {0, 5, -1, Integer.MAX_VALUE})
        {
            assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, second + ENTRY_TYPE_OFFSET, 4, type), "type");
        }
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, first + ENTRY_LENGTH_OFFSET, 4, -1), "negative");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, third + ENTRY_LENGTH_OFFSET, 4, 6), "past the end");
        assertEquals(DecodeResult.BAD_ENTRY,
            decodeMutated(frame, first + ENTRY_LENGTH_OFFSET, 4, Integer.MAX_VALUE), "huge");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, first + ENTRY_LENGTH_OFFSET, 4, 10 + 32 + 4),
            "swallows the next entry's header, leaving no room for the last");
        assertEquals(DecodeResult.BAD_LENGTH, decodeMutated(frame, third + ENTRY_LENGTH_OFFSET, 4, 4), "short");

        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, third + ENTRY_TERM_OFFSET, 8, 3), "term goes back");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, third + ENTRY_TERM_OFFSET, 8, 6), "beyond term");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, first + ENTRY_TERM_OFFSET, 8, 2),
            "below prevLogTerm");
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(frame, first + ENTRY_TERM_OFFSET, 8, -1), "negative");
        assertEquals(DecodeResult.OK, decodeMutated(frame, third + ENTRY_TERM_OFFSET, 8, 5), "term may rise");
        assertEquals(DecodeResult.OK, decodeMutated(frame, second + ENTRY_SESSION_OFFSET, 8, -7), "opaque session");

        final byte[] fromZero = encode(append(1, 0, 0, 1), List.of(new Entry(1, EntryType.NOOP, 0, 0, new byte[0])));
        assertEquals(DecodeResult.OK, decode(fromZero, fromZero.length));
        assertEquals(DecodeResult.BAD_ENTRY, decodeMutated(fromZero, MESSAGE_LENGTH + ENTRY_TERM_OFFSET, 8, 0),
            "no entry has term 0");
    }

    @Test
    void refusedFrameLeavesTheMessageUntouched()
    {
        final RaftMessage previous = message(MessageType.HEARTBEAT, 3, 4, 9);
        previous.commitIndex = 77;
        final RaftMessage into = new RaftMessage().copyFrom(previous);
        final byte[] frame = encode(message(MessageType.HEARTBEAT, 1, 2, 3), List.of());
        final byte[] bad = frame.clone();
        new UnsafeBuffer(bad).putInt(TO_OFFSET, 0, FrameHeader.ORDER);
        assertEquals(DecodeResult.BAD_FIELD, decoder.decode(wrap(bad), 0, bad.length, CLUSTER, into));
        assertSameMessage(previous, into);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Allocation: a cheap check here; CodecBenchmark with -prof gc is the measurement

    @Test
    void decodeAndEncodeAllocateNothing()
    {
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 2000; i++)
        {
            entries.add(new Entry(1, EntryType.NORMAL, i, i, new byte[100]));
        }
        final RaftMessage append = append(1, 0, 0, entries.size());
        final UnsafeBuffer frame = new UnsafeBuffer(encode(append, entries));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[frame.capacity()]);
        final RaftMessageEncoder encoder = new RaftMessageEncoder(1);
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 3);

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long sum = 0;
        // A round that has not yet reached compiled code may allocate what C2's escape analysis later removes, so
        // the check is on the quietest round after warm-up: allocation per entry would show in every round.
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < 10; round++)
        {
            final long probe = threads.getThreadAllocatedBytes(thread);
            final long before = threads.getThreadAllocatedBytes(thread);
            final long probeBytes = before - probe; // what asking costs, if anything
            for (int i = 0; i < 50; i++)
            {
                sum += decoder.decode(frame, 0, frame.capacity(), CLUSTER, decoded);
                int position = encoder.encodeAppendHeader(decoded, CLUSTER, out, 0);
                for (int p = 0; p < decoded.entries.count(); p++)
                {
                    position = encoder.encodeEntry(out, position, decoded.entries.term(p), decoded.entries.type(p),
                        decoded.entries.sessionId(p), decoded.entries.sequence(p), decoded.entries.buffer(),
                        decoded.entries.payloadOffset(p), decoded.entries.payloadLength(p));
                }
                encoder.finishAppend(out, 0, position, decoded.entries.count());
                sum += encoder.encode(heartbeat, CLUSTER, out, 0);
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before - probeBytes;
            if (round >= 2)
            {
                fewest = Math.min(fewest, allocated);
            }
        }
        assertEquals(0, fewest, "bytes allocated by 50 decodes and encodes of 2000 entries, in the quietest round");
        assertTrue(sum > 0);
    }

    // ---------------------------------------------------------------------------------------------------------

    private void assertRoundTrip(final RaftMessage message, final List<Entry> entries)
    {
        final byte[] frame = encode(message, entries);
        assertEquals(CodecFixtures.frameLength(message, entries), frame.length);
        assertEquals(DecodeResult.OK, decoder.decode(wrap(frame), 0, frame.length, CLUSTER, decoded.reset()));
        assertSameMessage(message, decoded);
        if (message.type == MessageType.APPEND)
        {
            assertSameEntries(entries, decoded.entries);
        }
        assertArrayEquals(frame, CodecFixtures.reencode(decoded));
    }

    private static RaftMessage append(final long term, final long prevLogIndex, final long prevLogTerm, final int n)
    {
        final RaftMessage append = message(MessageType.APPEND, 1, 2, term);
        append.index = prevLogIndex;
        append.logTerm = prevLogTerm;
        append.entryCount = n;
        return append;
    }

    private int decode(final byte[] frame, final int length)
    {
        return decoder.decode(wrap(frame), 0, length, CLUSTER, decoded.reset());
    }

    /** Decodes a copy of the frame with {@code size} bytes at {@code at} set to {@code value}, little-endian. */
    private int decodeMutated(final byte[] frame, final int at, final int size, final long value)
    {
        final UnsafeBuffer copy = new UnsafeBuffer(frame.clone());
        switch (size)
        {
            case 1 -> copy.putByte(at, (byte)value);
            case 2 -> copy.putShort(at, (short)value, FrameHeader.ORDER);
            case 4 -> copy.putInt(at, (int)value, FrameHeader.ORDER);
            case 8 -> copy.putLong(at, value, FrameHeader.ORDER);
            default -> throw new IllegalArgumentException("size " + size);
        }
        return decoder.decode(copy, 0, copy.capacity(), CLUSTER, decoded.reset());
    }
}
