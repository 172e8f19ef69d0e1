package io.raftline.io.storage;

import io.raftline.core.EntryType;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deterministic entries (a payload is a function of index and term) and helpers to check and damage a log. */
final class TestEntries
{
    private TestEntries()
    {
    }

    static int length(final long index)
    {
        return (int)((index * 37) % 200);
    }

    static int type(final long index)
    {
        return index % 17 == 0 ? EntryType.NOOP : EntryType.NORMAL;
    }

    static byte[] payload(final long index, final long term)
    {
        final byte[] bytes = new byte[length(index)];
        final byte[] text = ("E" + index + "-T" + term + "|").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = text[i % text.length];
        }
        return bytes;
    }

    static void append(final ChronicleLog log, final long term)
    {
        final long index = log.lastIndex() + 1;
        final byte[] payload = payload(index, term);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[payload.length + 8]);
        buffer.putBytes(5, payload);
        log.append(term, type(index), index * 7, term, buffer, 5, payload.length);
    }

    /** Reads [from, to] through a cursor and checks each entry against the terms the test expects. */
    static void checkEntries(final LogCursor cursor, final long from, final long to, final TermOf expectedTerm)
    {
        assertTrue(cursor.seek(from), "seek " + from);
        for (long index = from; index <= to; index++)
        {
            assertTrue(cursor.next(), "next at " + index);
            final long term = expectedTerm.term(index);
            assertEquals(index, cursor.index());
            assertEquals(term, cursor.term(), "term at " + index);
            assertEquals(type(index), cursor.type());
            assertEquals(index * 7, cursor.sessionId());
            assertEquals(term, cursor.sequence());
            assertArrayEquals(payload(index, term), bytes(cursor.buffer(), cursor.payloadOffset(),
                cursor.payloadLength()), "payload at " + index);
        }
    }

    static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /** Flips one byte of the payload of the entry at {@code index} (found by its text) in the segment files. */
    static Path flipPayloadByte(final Path dir, final long index, final long term) throws IOException
    {
        final byte[] needle = payload(index, term);
        for (final Path file : segmentFiles(dir))
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = find(content, needle);
            if (at >= 0)
            {
                content[at + needle.length / 2] ^= 0x5A;
                Files.write(file, content);
                return file;
            }
        }
        throw new AssertionError("payload of index " + index + " not found");
    }

    /**
     * As {@link #flipPayloadByte}, but writes the one byte in place (no truncation), so a log may hold the file
     * mapped meanwhile: its mapping sees the damage as a disk error read back would show it.
     */
    static Path flipPayloadByteInPlace(final Path dir, final long index, final long term) throws IOException
    {
        final byte[] needle = payload(index, term);
        for (final Path file : segmentFiles(dir))
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = find(content, needle);
            if (at >= 0)
            {
                final int position = at + needle.length / 2;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
                {
                    channel.write(ByteBuffer.wrap(new byte[] {(byte)(content[position] ^ 0x5A)}), position);
                }
                return file;
            }
        }
        throw new AssertionError("payload of index " + index + " not found");
    }

    /**
     * Overwrites the int at {@code fieldOffset} of the header of the entry at {@code index} (found by its payload's
     * text, which follows the header) in the segment files: damage to a field its checksum covers.
     */
    static void putHeaderInt(final Path dir, final long index, final long term, final int fieldOffset, final int value)
        throws IOException
    {
        final byte[] needle = payload(index, term);
        for (final Path file : segmentFiles(dir))
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = find(content, needle);
            if (at >= 0)
            {
                ByteBuffer.wrap(content).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(at - EntryLayout.HEADER_LENGTH + fieldOffset, value);
                Files.write(file, content);
                return;
            }
        }
        throw new AssertionError("payload of index " + index + " not found");
    }

    /** Rewrites the format version (and checksum) of every segment header in the log's files; returns how many. */
    static int setSegmentFormatVersion(final Path dir, final int version) throws IOException
    {
        final byte[] magic = {'R', 'L', 'S', 'G'};
        final UnsafeBuffer header = new UnsafeBuffer(ByteBuffer.allocateDirect(EntryLayout.SEGMENT_HEADER_LENGTH));
        int rewritten = 0;
        for (final Path file : segmentFiles(dir))
        {
            final byte[] content = Files.readAllBytes(file);
            final int at = find(content, magic) - EntryLayout.SEGMENT_MAGIC_OFFSET;
            if (at >= 0)
            {
                header.putBytes(0, content, at, EntryLayout.SEGMENT_HEADER_LENGTH);
                header.putInt(EntryLayout.SEGMENT_VERSION_OFFSET, version);
                header.putInt(EntryLayout.CRC_OFFSET,
                    EntryLayout.checksum(header.addressOffset(), EntryLayout.SEGMENT_HEADER_LENGTH));
                header.getBytes(0, content, at, EntryLayout.SEGMENT_HEADER_LENGTH);
                Files.write(file, content);
                rewritten++;
            }
        }
        return rewritten;
    }

    static List<Path> segmentFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve(QueueFiles.QUEUE_DIRECTORY)))
        {
            return new ArrayList<>(files.filter(f -> f.toString().endsWith(".cq4")).sorted().toList());
        }
    }

    private static int find(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The term a test expects at an index. */
    @FunctionalInterface
    interface TermOf
    {
        long term(long index);
    }
}
