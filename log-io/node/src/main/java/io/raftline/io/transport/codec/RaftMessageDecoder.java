package io.raftline.io.transport.codec;

import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.DirectBuffer;

import static io.raftline.protocol.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * Decodes and validates Raft peer frames (see {@link RaftMessageLayout}) into a reused {@link RaftMessage}.
 * Validation always runs, not only under {@code -ea}: a frame from the network is trusted for nothing, and a frame
 * that decodes OK re-encodes to the same bytes. An AppendEntries' entries stay in the frame, exposed through a
 * reused {@link AppendEntriesFlyweight}. Single-threaded; allocation-free.
 *
 * <p>The checks are those every message the core sends passes; anything stricter would stall replication on a
 * legitimate frame. Fields the core gives no range (context, an entry's session id and sequence) are not checked.
 */
public final class RaftMessageDecoder
{
    /** Entries per frame with an O(1) random access slot by default; more are accepted and walked to. */
    public static final int DEFAULT_INDEXED_ENTRIES_MAX = 1024;

    private final AppendEntriesFlyweight entries;
    private final boolean signed;

    public RaftMessageDecoder()
    {
        this(DEFAULT_INDEXED_ENTRIES_MAX, false);
    }

    public RaftMessageDecoder(final int indexedEntriesMax)
    {
        this(indexedEntriesMax, false);
    }

    /** @param signed frames come signed, their trailers checked and taken off ({@code FrameAuthenticator}) */
    public RaftMessageDecoder(final int indexedEntriesMax, final boolean signed)
    {
        this.entries = new AppendEntriesFlyweight(indexedEntriesMax);
        this.signed = signed;
    }

    /**
     * Decodes the frame of {@code length} bytes at {@code offset}, which the caller guarantees lie in the buffer.
     * Returns {@link DecodeResult#OK} with every field of {@code into} set (an APPEND's {@code entries} to this
     * decoder's flyweight over {@code buffer}, valid until the next decode), or why the frame was refused, with
     * {@code into} untouched.
     */
    public int decode(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long expectedClusterHash,
        final RaftMessage into)
    {
        final int headerResult = FrameHeader.validate(buffer, offset, length, expectedClusterHash, signed);
        if (headerResult != FrameHeader.VALID)
        {
            return headerResult;
        }
        final MessageType type = MessageType.fromCode(FrameHeader.type(buffer, offset));
        if (type == null)
        {
            return DecodeResult.UNKNOWN_TYPE; // a client frame, or a code no version has defined
        }
        if (length < MESSAGE_LENGTH)
        {
            return DecodeResult.TOO_SHORT;
        }
        if (type != MessageType.APPEND && length != MESSAGE_LENGTH)
        {
            return DecodeResult.BAD_LENGTH;
        }
        final int fieldResult = validateFields(buffer, offset, type);
        if (fieldResult != DecodeResult.OK)
        {
            return fieldResult;
        }
        if (type == MessageType.APPEND)
        {
            final int entriesResult = validateEntries(buffer, offset, length);
            if (entriesResult != DecodeResult.OK)
            {
                return entriesResult;
            }
        }
        into.type = type;
        into.from = FrameHeader.senderId(buffer, offset);
        into.to = buffer.getInt(offset + TO_OFFSET, ORDER);
        into.term = buffer.getLong(offset + TERM_OFFSET, ORDER);
        into.index = buffer.getLong(offset + INDEX_OFFSET, ORDER);
        into.logTerm = buffer.getLong(offset + LOG_TERM_OFFSET, ORDER);
        into.commitIndex = buffer.getLong(offset + COMMIT_INDEX_OFFSET, ORDER);
        into.rejectHintTerm = buffer.getLong(offset + HINT_TERM_OFFSET, ORDER);
        into.rejectHintIndex = buffer.getLong(offset + HINT_INDEX_OFFSET, ORDER);
        into.context = buffer.getLong(offset + CONTEXT_OFFSET, ORDER);
        into.reject = buffer.getByte(offset + REJECT_OFFSET) == 1;
        into.transfer = buffer.getByte(offset + TRANSFER_OFFSET) == 1;
        into.regressed = buffer.getByte(offset + REGRESSED_OFFSET) == 1;
        into.entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, ORDER);
        into.identity = buffer.getLong(offset + IDENTITY_OFFSET, ORDER);
        into.snapshotIndex = buffer.getLong(offset + SNAPSHOT_INDEX_OFFSET, ORDER);
        into.sentAt = buffer.getLong(offset + SENT_AT_OFFSET, ORDER);
        into.entries = type == MessageType.APPEND ? entries : null;
        return DecodeResult.OK;
    }

    /** The flyweight an APPEND's {@code entries} is set to. */
    public AppendEntriesFlyweight entries()
    {
        return entries;
    }

    private static int validateFields(final DirectBuffer buffer, final int offset, final MessageType type)
    {
        final int from = FrameHeader.senderId(buffer, offset);
        final int to = buffer.getInt(offset + TO_OFFSET, ORDER);
        final long term = buffer.getLong(offset + TERM_OFFSET, ORDER);
        final long index = buffer.getLong(offset + INDEX_OFFSET, ORDER);
        final long logTerm = buffer.getLong(offset + LOG_TERM_OFFSET, ORDER);
        final long commitIndex = buffer.getLong(offset + COMMIT_INDEX_OFFSET, ORDER);
        final long hintTerm = buffer.getLong(offset + HINT_TERM_OFFSET, ORDER);
        final long hintIndex = buffer.getLong(offset + HINT_INDEX_OFFSET, ORDER);
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, ORDER);
        final int reject = buffer.getByte(offset + REJECT_OFFSET);
        final int transfer = buffer.getByte(offset + TRANSFER_OFFSET);
        final int regressed = buffer.getByte(offset + REGRESSED_OFFSET);

        if (from <= 0 || to <= 0 || from == to)
        {
            return DecodeResult.BAD_FIELD;
        }
        if (term < 0 || index < 0 || logTerm < 0 || hintTerm < 0 || hintIndex < 0 ||
            buffer.getLong(offset + SNAPSHOT_INDEX_OFFSET, ORDER) < 0 ||
            buffer.getLong(offset + SENT_AT_OFFSET, ORDER) < 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        final long context = buffer.getLong(offset + CONTEXT_OFFSET, ORDER);
        if (type == MessageType.INSTALL_SNAPSHOT && (context <= 0 || context > Integer.MAX_VALUE))
        {
            return DecodeResult.BAD_FIELD; // the node to fetch the snapshot from
        }
        // a leader that could not serve a read answers ReadStates.FAILED (-1), always with reject set
        final boolean failedRead = type == MessageType.READ_INDEX_RESPONSE && commitIndex == -1 && reject == 1;
        if (commitIndex < 0 && !failedRead)
        {
            return DecodeResult.BAD_FIELD;
        }
        if ((reject != 0 && reject != 1) || (transfer != 0 && transfer != 1) || (regressed != 0 && regressed != 1) ||
            buffer.getByte(offset + PADDING_BYTE_OFFSET) != 0 ||
            buffer.getInt(offset + PADDING_INT_OFFSET, ORDER) != 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        // only responses refuse, only vote requests carry a leadership transfer, only an APPEND_RESPONSE rejection
        // says the log went back, only APPEND carries entries
        if ((reject == 1 && !type.isResponse()) ||
            (regressed == 1 && (reject != 1 || type != MessageType.APPEND_RESPONSE)) ||
            (transfer == 1 && type != MessageType.VOTE && type != MessageType.PRE_VOTE))
        {
            return DecodeResult.BAD_FIELD;
        }
        if (type == MessageType.APPEND ? entryCount < 0 || index > Long.MAX_VALUE - entryCount : entryCount != 0)
        {
            return DecodeResult.BAD_FIELD;
        }
        // Raft §5.4: no entry is newer than its sender's term (a pre-candidate's term is the one it would take)
        final boolean carriesLastEntry =
            type == MessageType.APPEND || type == MessageType.VOTE || type == MessageType.PRE_VOTE;
        if (carriesLastEntry && logTerm > term)
        {
            return DecodeResult.BAD_FIELD;
        }
        return DecodeResult.OK;
    }

    /**
     * Walks the entries once, recording where each starts: each must lie within the frame with a valid type and a
     * term in [max(1, previous term), message term] (Raft §5.3: terms never decrease along a log, the first entry's
     * term is at least prevLogTerm), and together they must fill the frame exactly.
     */
    private int validateEntries(final DirectBuffer buffer, final int offset, final int length)
    {
        final long term = buffer.getLong(offset + TERM_OFFSET, ORDER);
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, ORDER);
        final int end = offset + length;
        int position = offset + MESSAGE_LENGTH;
        long previousTerm = Math.max(1, buffer.getLong(offset + LOG_TERM_OFFSET, ORDER));
        if (entryCount > (length - MESSAGE_LENGTH) / ENTRY_HEADER_LENGTH)
        {
            return DecodeResult.BAD_ENTRY;
        }
        entries.reset(buffer);
        for (int i = 0; i < entryCount; i++)
        {
            final long entryTerm = buffer.getLong(position + ENTRY_TERM_OFFSET, ORDER);
            final int entryType = buffer.getInt(position + ENTRY_TYPE_OFFSET, ORDER);
            final int payloadLength = buffer.getInt(position + ENTRY_LENGTH_OFFSET, ORDER);
            if (entryTerm < previousTerm || entryTerm > term || !EntryType.isValid(entryType) ||
                payloadLength < 0 || payloadLength > end - position - ENTRY_HEADER_LENGTH ||
                (long)(entryCount - i - 1) * ENTRY_HEADER_LENGTH > end - position - ENTRY_HEADER_LENGTH - payloadLength)
            {
                return DecodeResult.BAD_ENTRY;
            }
            entries.add(position);
            previousTerm = entryTerm;
            position += ENTRY_HEADER_LENGTH + payloadLength;
        }
        return position == end ? DecodeResult.OK : DecodeResult.BAD_LENGTH;
    }
}
