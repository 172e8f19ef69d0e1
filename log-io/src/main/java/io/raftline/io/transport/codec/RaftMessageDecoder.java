package io.raftline.io.transport.codec;

import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.DirectBuffer;

import static io.raftline.io.transport.codec.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * Decodes and validates Raft peer frames (see {@link RaftMessageLayout}) into a reused {@link RaftMessage}.
 * Validation always runs, not only under {@code -ea}: a frame from the network is trusted for nothing. An
 * AppendEntries' entries stay in the frame, exposed through a reused {@link AppendEntriesFlyweight}.
 */
public final class RaftMessageDecoder
{
    private final AppendEntriesFlyweight entries = new AppendEntriesFlyweight();

    /** Returns {@link DecodeResult#OK} with {@code into} filled (and {@code into.to} left to the caller), or why not. */
    public int decode(
        final DirectBuffer buffer, final int offset, final int length, final long clusterHash, final RaftMessage into)
    {
        final int headerResult = FrameHeader.validate(buffer, offset, length, clusterHash);
        if (headerResult != FrameHeader.VALID)
        {
            return headerResult;
        }
        final MessageType type = MessageType.fromCode(FrameHeader.type(buffer, offset));
        if (type == null)
        {
            return DecodeResult.UNKNOWN_TYPE;
        }
        if (length < MESSAGE_LENGTH || (type != MessageType.APPEND && length != MESSAGE_LENGTH))
        {
            return DecodeResult.BAD_LENGTH;
        }
        final int from = FrameHeader.senderId(buffer, offset);
        final long term = buffer.getLong(offset + TERM_OFFSET, ORDER);
        final long index = buffer.getLong(offset + INDEX_OFFSET, ORDER);
        final long logTerm = buffer.getLong(offset + LOG_TERM_OFFSET, ORDER);
        final long commitIndex = buffer.getLong(offset + COMMIT_INDEX_OFFSET, ORDER);
        final long hintTerm = buffer.getLong(offset + HINT_TERM_OFFSET, ORDER);
        final long hintIndex = buffer.getLong(offset + HINT_INDEX_OFFSET, ORDER);
        final long context = buffer.getLong(offset + CONTEXT_OFFSET, ORDER);
        final int flags = buffer.getInt(offset + FLAGS_OFFSET, ORDER);
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, ORDER);
        final boolean failedRead = type == MessageType.READ_INDEX_RESPONSE && commitIndex == -1 && (flags & FLAG_REJECT) != 0;
        if (from <= 0 || term < 0 || index < 0 || logTerm < 0 || (commitIndex < 0 && !failedRead) || hintTerm < 0 ||
            hintIndex < 0 ||
            (flags & ~(FLAG_REJECT | FLAG_TRANSFER)) != 0 || entryCount < 0 ||
            (type != MessageType.APPEND && entryCount != 0))
        {
            return DecodeResult.BAD_FIELD;
        }
        if ((type == MessageType.APPEND || type == MessageType.VOTE || type == MessageType.PRE_VOTE) && logTerm > term)
        {
            return DecodeResult.BAD_FIELD;
        }
        if (type == MessageType.APPEND)
        {
            final int result = decodeEntries(buffer, offset, length, term, logTerm, entryCount);
            if (result != DecodeResult.OK)
            {
                return result;
            }
        }
        into.type = type;
        into.from = from;
        into.term = term;
        into.index = index;
        into.logTerm = logTerm;
        into.commitIndex = commitIndex;
        into.rejectHintTerm = hintTerm;
        into.rejectHintIndex = hintIndex;
        into.context = context;
        into.reject = (flags & FLAG_REJECT) != 0;
        into.transfer = (flags & FLAG_TRANSFER) != 0;
        into.entryCount = entryCount;
        into.entries = type == MessageType.APPEND ? entries : null;
        return DecodeResult.OK;
    }

    private int decodeEntries(
        final DirectBuffer buffer, final int offset, final int length, final long term, final long prevLogTerm,
        final int entryCount)
    {
        entries.reset(buffer);
        final int end = offset + length;
        int position = offset + MESSAGE_LENGTH;
        long previousTerm = prevLogTerm;
        for (int i = 0; i < entryCount; i++)
        {
            if (end - position < ENTRY_HEADER_LENGTH)
            {
                return DecodeResult.BAD_ENTRY;
            }
            final long entryTerm = buffer.getLong(position + ENTRY_TERM_OFFSET, ORDER);
            final int entryType = buffer.getInt(position + ENTRY_TYPE_OFFSET, ORDER);
            final int payloadLength = buffer.getInt(position + ENTRY_LENGTH_OFFSET, ORDER);
            // terms never decrease along a log, and no entry is newer than the leader's term
            if (entryTerm < previousTerm || entryTerm > term || !EntryType.isValid(entryType) || payloadLength < 0 ||
                payloadLength > end - position - ENTRY_HEADER_LENGTH)
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
