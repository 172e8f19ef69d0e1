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
 * Entry: Chronicle seq s >= 1 of a cycle holds Raft index (first index + s - 1).
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
    static final int FORMAT_VERSION = 1;

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
     * Checks one entry document in place.
     *
     * @return null when it is whole and is the entry at {@code expectedIndex}, else why not (for an error message).
     */
    static String checkEntry(final DirectBuffer document, final long expectedIndex)
    {
        final int documentLength = document.capacity();
        if (documentLength < HEADER_LENGTH)
        {
            return "document of " + documentLength + " bytes is shorter than an entry header";
        }
        final int payloadLength = document.getInt(PAYLOAD_LENGTH_OFFSET);
        if (payloadLength < 0 || payloadLength != documentLength - HEADER_LENGTH)
        {
            return "payload length " + payloadLength + " does not match the document's " + documentLength + " bytes";
        }
        if (document.getInt(MAGIC_OFFSET) != ENTRY_MAGIC)
        {
            return "not an entry (bad magic)";
        }
        final int stored = document.getInt(CRC_OFFSET);
        final int computed = checksum(document.addressOffset(), documentLength);
        if (stored != computed)
        {
            return "checksum mismatch (stored " + Integer.toHexString(stored) + ", computed " +
                Integer.toHexString(computed) + ")";
        }
        final long index = document.getLong(INDEX_OFFSET);
        if (index != expectedIndex)
        {
            return "holds index " + index + " where " + expectedIndex + " belongs";
        }
        if (!EntryType.isValid(document.getInt(TYPE_OFFSET)))
        {
            return "unknown entry type " + document.getInt(TYPE_OFFSET);
        }
        if (document.getLong(TERM_OFFSET) < 0)
        {
            return "negative term " + document.getLong(TERM_OFFSET);
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
        if (document.getInt(SEGMENT_VERSION_OFFSET) != FORMAT_VERSION)
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
