package io.raftline.io.transport.codec;

import io.raftline.protocol.FrameHeader;
import io.raftline.core.EntryBatch;
import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Messages, entries and frames for the codec tests, and an oracle that states the wire rules independently. */
final class CodecFixtures
{
    static final long CLUSTER = FrameHeader.clusterHash("codec-test");

    /** One entry as the test sees it. */
    record Entry(long term, int type, long sessionId, long sequence, byte[] payload)
    {
    }

    private CodecFixtures()
    {
    }

    static RaftMessage message(final MessageType type, final int from, final int to, final long term)
    {
        final RaftMessage message = new RaftMessage();
        message.type = type;
        message.from = from;
        message.to = to;
        message.term = term;
        message.context = type == MessageType.INSTALL_SNAPSHOT ? 1 : 0; // the node to fetch from: always one
        return message;
    }

    /** Encodes the message (and, for APPEND, the entries) alone in a fresh array. */
    static byte[] encode(final RaftMessage message, final List<Entry> entries)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[frameLength(message, entries)]);
        final int length = encode(message, entries, buffer, 0);
        assertEquals(buffer.capacity(), length);
        return buffer.byteArray();
    }

    static int frameLength(final RaftMessage message, final List<Entry> entries)
    {
        if (message.type != MessageType.APPEND)
        {
            return RaftMessageEncoder.MESSAGE_LENGTH;
        }
        long payloadBytes = 0;
        for (final Entry entry : entries)
        {
            payloadBytes += entry.payload().length;
        }
        return RaftMessageEncoder.appendFrameLength(entries.size(), payloadBytes);
    }

    static int encode(
        final RaftMessage message, final List<Entry> entries, final MutableDirectBuffer buffer, final int offset)
    {
        final RaftMessageEncoder encoder = new RaftMessageEncoder(message.from);
        if (message.type != MessageType.APPEND)
        {
            return encoder.encode(message, CLUSTER, buffer, offset);
        }
        int position = offset + encoder.encodeAppendHeader(message, CLUSTER, buffer, offset);
        for (final Entry entry : entries)
        {
            position = encoder.encodeEntry(buffer, position, entry.term(), entry.type(), entry.sessionId(),
                entry.sequence(), new UnsafeBuffer(entry.payload()), 0, entry.payload().length);
        }
        encoder.finishAppend(buffer, offset, position - offset, entries.size());
        return position - offset;
    }

    /** Encodes a decoded message again, entries read from its flyweight. */
    static byte[] reencode(final RaftMessage decoded)
    {
        final List<Entry> entries = new ArrayList<>();
        if (decoded.type == MessageType.APPEND)
        {
            entries.addAll(entriesOf(decoded.entries));
        }
        return encode(decoded, entries);
    }

    static List<Entry> entriesOf(final EntryBatch batch)
    {
        final List<Entry> entries = new ArrayList<>();
        for (int p = 0; p < batch.count(); p++)
        {
            final byte[] payload = new byte[batch.payloadLength(p)];
            batch.buffer().getBytes(batch.payloadOffset(p), payload);
            entries.add(new Entry(batch.term(p), batch.type(p), batch.sessionId(p), batch.sequence(p), payload));
        }
        return entries;
    }

    static void assertSameMessage(final RaftMessage expected, final RaftMessage actual)
    {
        assertEquals(expected.type, actual.type, "type");
        assertEquals(expected.from, actual.from, "from");
        assertEquals(expected.to, actual.to, "to");
        assertEquals(expected.term, actual.term, "term");
        assertEquals(expected.index, actual.index, "index");
        assertEquals(expected.logTerm, actual.logTerm, "logTerm");
        assertEquals(expected.commitIndex, actual.commitIndex, "commitIndex");
        assertEquals(expected.reject, actual.reject, "reject");
        assertEquals(expected.rejectHintTerm, actual.rejectHintTerm, "rejectHintTerm");
        assertEquals(expected.rejectHintIndex, actual.rejectHintIndex, "rejectHintIndex");
        assertEquals(expected.context, actual.context, "context");
        assertEquals(expected.identity, actual.identity, "identity");
        assertEquals(expected.transfer, actual.transfer, "transfer");
        assertEquals(expected.regressed, actual.regressed, "regressed");
        assertEquals(expected.entryCount, actual.entryCount, "entryCount");
        assertEquals(expected.snapshotIndex, actual.snapshotIndex, "snapshotIndex");
        assertEquals(expected.sentAt, actual.sentAt, "sentAt");
        if (expected.type == MessageType.APPEND)
        {
            assertNotNull(actual.entries);
        }
        else
        {
            assertNull(actual.entries);
        }
    }

    static void assertSameEntries(final List<Entry> expected, final EntryBatch actual)
    {
        assertEquals(expected.size(), actual.count(), "count");
        for (int p = 0; p < expected.size(); p++)
        {
            final Entry entry = expected.get(p);
            assertEquals(entry.term(), actual.term(p), "term at " + p);
            assertEquals(entry.type(), actual.type(p), "type at " + p);
            assertEquals(entry.sessionId(), actual.sessionId(p), "sessionId at " + p);
            assertEquals(entry.sequence(), actual.sequence(p), "sequence at " + p);
            final byte[] payload = new byte[actual.payloadLength(p)];
            actual.buffer().getBytes(actual.payloadOffset(p), payload);
            assertArrayEquals(entry.payload(), payload, "payload at " + p);
        }
    }

    /**
     * The oracle: whether a decoded message obeys the wire rules, written apart from the decoder so that the fuzz
     * test does not check the decoder against itself.
     */
    static String violation(final RaftMessage m)
    {
        if (m.type == null)
        {
            return "no type";
        }
        if (m.from <= 0 || m.to <= 0 || m.from == m.to)
        {
            return "node ids";
        }
        if (m.term < 0 || m.index < 0 || m.logTerm < 0 || m.rejectHintTerm < 0 || m.rejectHintIndex < 0)
        {
            return "negative term or index";
        }
        if (m.commitIndex < 0 && !(m.type == MessageType.READ_INDEX_RESPONSE && m.reject && m.commitIndex == -1))
        {
            return "commit index";
        }
        if (m.reject && !m.type.isResponse())
        {
            return "reject on a request";
        }
        if (m.transfer && m.type != MessageType.VOTE && m.type != MessageType.PRE_VOTE)
        {
            return "transfer off a vote";
        }
        final boolean hasLastEntry = Arrays.asList(MessageType.APPEND, MessageType.VOTE, MessageType.PRE_VOTE)
            .contains(m.type);
        if (hasLastEntry && m.logTerm > m.term)
        {
            return "logTerm above term";
        }
        if (m.type != MessageType.APPEND)
        {
            return m.entryCount == 0 && m.entries == null ? null : "entries off an APPEND";
        }
        if (m.entries == null || m.entries.count() != m.entryCount || m.entryCount < 0)
        {
            return "entry count";
        }
        long previous = Math.max(1, m.logTerm);
        for (int p = 0; p < m.entryCount; p++)
        {
            final long term = m.entries.term(p);
            if (term < previous || term > m.term)
            {
                return "entry term at " + p;
            }
            if (!EntryType.isValid(m.entries.type(p)) || m.entries.payloadLength(p) < 0)
            {
                return "entry at " + p;
            }
            previous = term;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Random valid messages

    static final MessageType[] TYPES = MessageType.values();

    /** A random message that obeys the wire rules; entries (for APPEND) go into {@code entries}. */
    static RaftMessage randomMessage(final Random random, final List<Entry> entries, final int maxEntries)
    {
        final MessageType type = TYPES[random.nextInt(TYPES.length)];
        final int from = 1 + random.nextInt(random.nextBoolean() ? 7 : Integer.MAX_VALUE - 1);
        int to = 1 + random.nextInt(random.nextBoolean() ? 7 : Integer.MAX_VALUE - 1);
        if (to == from)
        {
            to = from == 1 ? 2 : from - 1;
        }
        final RaftMessage m = message(type, from, to, randomNonNegative(random));
        m.index = randomNonNegative(random);
        m.logTerm = random.nextInt(4) == 0 ? 0 : randomNonNegative(random) % (m.term + 1);
        m.commitIndex = randomNonNegative(random);
        m.context = type == MessageType.INSTALL_SNAPSHOT ? 1 + random.nextInt(Integer.MAX_VALUE) : random.nextLong();
        m.identity = random.nextLong();
        m.snapshotIndex = randomNonNegative(random);
        m.sentAt = randomNonNegative(random);
        if (type.isResponse())
        {
            m.reject = random.nextBoolean();
            m.rejectHintTerm = randomNonNegative(random);
            m.rejectHintIndex = randomNonNegative(random);
            if (type == MessageType.READ_INDEX_RESPONSE && m.reject && random.nextBoolean())
            {
                m.commitIndex = -1;
            }
        }
        if (type == MessageType.VOTE || type == MessageType.PRE_VOTE)
        {
            m.transfer = random.nextBoolean();
        }
        entries.clear();
        if (type == MessageType.APPEND)
        {
            m.term = Math.max(1, m.term);
            m.logTerm = Math.min(m.logTerm, m.term);
            final int count = random.nextInt(maxEntries + 1);
            m.index = Math.min(m.index, Long.MAX_VALUE - count);
            long term = Math.max(1, m.logTerm);
            for (int i = 0; i < count; i++)
            {
                if (random.nextInt(4) == 0)
                {
                    term += (m.term - term) / 2 + (term < m.term ? 1 : 0);
                }
                final byte[] payload = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(64)];
                random.nextBytes(payload);
                entries.add(new Entry(term, 1 + random.nextInt(4), random.nextLong(), random.nextLong(), payload));
            }
            m.entryCount = count;
        }
        return m;
    }

    static long randomNonNegative(final Random random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> random.nextInt(3);
            case 1 -> Long.MAX_VALUE - random.nextInt(3);
            case 2 -> random.nextInt(1_000_000);
            default -> random.nextLong() & Long.MAX_VALUE;
        };
    }

    static DirectBuffer wrap(final byte[] frame)
    {
        return new UnsafeBuffer(frame);
    }
}
