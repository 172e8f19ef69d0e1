package io.raftline.io.storage;

import io.raftline.core.EntryType;
import org.agrona.DirectBuffer;

/**
 * The two kinds of Chronicle document in a segment (one segment per Chronicle cycle file). Little-endian, as
 * Chronicle writes them. Each document is written once, in place, in the mapped file.
 *
 * <pre>
 * Segment header: the first document (Chronicle seq 0) of every cycle file.
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | crc32c            | magic "RLSG"      |   crc32c covers bytes [4, 32)
 *   +-------------------+-------------------+
 *   | first Raft index of this segment      |   supersedes every index >= it held by earlier segments
 *   +---------------------------------------+
 *   | term of (first index - 1)             |   0 when first index is 1
 *   +-------------------+-------------------+
 *   | format version    | reason            |   reason: 1 new/roll, 2 truncation, 3 recovery cut,
 *                                                     4 the log restarts after an installed snapshot
 *   +-------------------+-------------------+  32 bytes
 *
 * Entries: Chronicle documents seq >= 1 of a cycle each hold one or more entries, back to back, in index order from
 * the segment's first index with no gap (format version 1 wrote one entry per document; version 2 reads it as is).
 * A batch in one document costs Chronicle one header, one index update and one lock instead of one per entry.
 * Each entry keeps its own checksum, so a reader checks exactly the entries it returns.
 *   0                   4                   8
 *   +-------------------+-------------------+
 *   | crc32c            | payload length    |   crc32c covers bytes [4, 48 + payload length)
 *   +-------------------+-------------------+
 *   | Raft index                            |
 *   +---------------------------------------+
 *   | term                                  |
 *   +---------------------------------------+
 *   | producer session id                   |
 *   +---------------------------------------+
 *   | producer sequence                     |
 *   +-------------------+-------------------+
 *   | type              | magic "RLEN"      |
 *   +-------------------+-------------------+  48
 *   | payload ...                           |
 *   +---------------------------------------+
 * </pre>
 */
final class EntryLayout
{
    static final int CRC_OFFSET = 0;
    static final int PAYLOAD_LENGTH_OFFSET = 4;
    static final int INDEX_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int SESSION_ID_OFFSET = 24;
    static final int SEQUENCE_OFFSET = 32;
    static final int TYPE_OFFSET = 40;
    static final int MAGIC_OFFSET = 44;
    static final int HEADER_LENGTH = 48;
    static final int ENTRY_MAGIC = 0x4E454C52; // "RLEN" read little-endian

    /** Largest payload: a document must fit in one Chronicle mapping chunk's overlap to be read in place. */
    static final int PAYLOAD_LENGTH_MAX = 4 << 20;

    static final int SEGMENT_MAGIC_OFFSET = 4;
    static final int SEGMENT_FIRST_INDEX_OFFSET = 8;
    static final int SEGMENT_PREV_TERM_OFFSET = 16;
    static final int SEGMENT_VERSION_OFFSET = 24;
    static final int SEGMENT_REASON_OFFSET = 28;
    static final int SEGMENT_HEADER_LENGTH = 32;
    static final int SEGMENT_MAGIC = 0x47534C52; // "RLSG" read little-endian
    /** Version 2: a document may hold several entries. */
    static final int FORMAT_VERSION = 2;
    static final int FORMAT_VERSION_ONE_ENTRY_PER_DOCUMENT = 1;
    /** A writer starts a new document rather than grow one past this; a larger entry has a document of its own. */
    static final int DOCUMENT_BYTES_MAX = 64 << 10;

    static final int REASON_NEW = 1;
    static final int REASON_TRUNCATION = 2;
    static final int REASON_RECOVERY = 3;
    /** The log starts again after an installed snapshot: this segment supersedes every earlier one. */
    static final int REASON_SNAPSHOT = 4;

    private EntryLayout()
    {
    }

    /** CRC32C of bytes [4, length) of a document at {@code address}; intrinsic, allocation-free. */
    static int checksum(final long address, final int length)
    {
        return Checksums.crc32c(address, 4, length - 4);
    }

    /**
     * The length (header and payload) of the entry at {@code offset} of a document, from its header, if it fits in
     * the document and has an entry's magic; else -1. Says where the next entry starts, not that this one is sound.
     */
    static int entryLength(final DirectBuffer document, final int offset)
    {
        final int remaining = document.capacity() - offset;
        if (remaining < HEADER_LENGTH || document.getInt(offset + MAGIC_OFFSET) != ENTRY_MAGIC)
        {
            return -1;
        }
        final int payloadLength = document.getInt(offset + PAYLOAD_LENGTH_OFFSET);
        return payloadLength < 0 || payloadLength > remaining - HEADER_LENGTH ? -1 : HEADER_LENGTH + payloadLength;
    }

    /** Why the bytes at {@code offset} of a document are not an entry that {@link #entryLength} can measure. */
    static String describeUnmeasurable(final DirectBuffer document, final int offset)
    {
        final int remaining = document.capacity() - offset;
        if (remaining < HEADER_LENGTH)
        {
            return remaining + " bytes at offset " + offset + " of a document are shorter than an entry header";
        }
        if (document.getInt(offset + MAGIC_OFFSET) != ENTRY_MAGIC)
        {
            return "not an entry (bad magic)";
        }
        return "payload length " + document.getInt(offset + PAYLOAD_LENGTH_OFFSET) + " does not fit the " +
            remaining + " bytes left in its document";
    }

    /**
     * Checks one entry in place; {@code entry} wraps exactly its bytes (see {@link #entryLength}).
     *
     * @return null when it is whole and is the entry at {@code expectedIndex}, else why not (for an error message).
     */
    static String checkEntry(final DirectBuffer entry, final long expectedIndex)
    {
        final int entryLength = entry.capacity();
        if (entryLength < HEADER_LENGTH)
        {
            return "entry of " + entryLength + " bytes is shorter than an entry header";
        }
        final int payloadLength = entry.getInt(PAYLOAD_LENGTH_OFFSET);
        if (payloadLength < 0 || payloadLength != entryLength - HEADER_LENGTH)
        {
            return "payload length " + payloadLength + " does not match the entry's " + entryLength + " bytes";
        }
        if (entry.getInt(MAGIC_OFFSET) != ENTRY_MAGIC)
        {
            return "not an entry (bad magic)";
        }
        final int stored = entry.getInt(CRC_OFFSET);
        final int computed = checksum(entry.addressOffset(), entryLength);
        if (stored != computed)
        {
            return "checksum mismatch (stored " + Integer.toHexString(stored) + ", computed " +
                Integer.toHexString(computed) + ")";
        }
        final long index = entry.getLong(INDEX_OFFSET);
        if (index != expectedIndex)
        {
            return "holds index " + index + " where " + expectedIndex + " belongs";
        }
        if (!EntryType.isValid(entry.getInt(TYPE_OFFSET)))
        {
            return "unknown entry type " + entry.getInt(TYPE_OFFSET);
        }
        if (entry.getLong(TERM_OFFSET) < 0)
        {
            return "negative term " + entry.getLong(TERM_OFFSET);
        }
        return null;
    }

    /** Checks a segment header document in place; null when valid, else why not. */
    static String checkSegmentHeader(final DirectBuffer document)
    {
        if (document.capacity() != SEGMENT_HEADER_LENGTH)
        {
            return "segment header of " + document.capacity() + " bytes, expected " + SEGMENT_HEADER_LENGTH;
        }
        if (document.getInt(SEGMENT_MAGIC_OFFSET) != SEGMENT_MAGIC)
        {
            return "not a Raftline segment header (bad magic)";
        }
        if (document.getInt(CRC_OFFSET) != checksum(document.addressOffset(), SEGMENT_HEADER_LENGTH))
        {
            return "segment header checksum mismatch";
        }
        final int version = document.getInt(SEGMENT_VERSION_OFFSET);
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_ONE_ENTRY_PER_DOCUMENT)
        {
            return "unsupported segment format version " + document.getInt(SEGMENT_VERSION_OFFSET);
        }
        if (document.getLong(SEGMENT_FIRST_INDEX_OFFSET) < 1)
        {
            return "segment first index " + document.getLong(SEGMENT_FIRST_INDEX_OFFSET) + " below 1";
        }
        return null;
    }
}
