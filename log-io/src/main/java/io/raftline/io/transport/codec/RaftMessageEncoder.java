package io.raftline.io.transport.codec;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.raftline.io.transport.codec.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * Encodes Raft messages in place (see {@link RaftMessageLayout}). An AppendEntries is written in three steps so
 * that the caller can copy each entry straight from its log into the destination (an Aeron claim):
 * {@link #encodeAppendHeader}, {@link #encodeEntry} per entry, {@link #finishAppend}.
 */
public final class RaftMessageEncoder
{
    /** The fixed part of an AppendEntries frame. */
    public static final int APPEND_HEADER_LENGTH = MESSAGE_LENGTH;
    /** Bytes per entry besides its payload. */
    public static final int ENTRY_OVERHEAD = ENTRY_HEADER_LENGTH;

    private final int senderId;

    public RaftMessageEncoder(final int senderId)
    {
        if (senderId <= 0)
        {
            throw new IllegalArgumentException("sender id must be positive: " + senderId);
        }
        this.senderId = senderId;
    }

    public static int appendFrameLength(final int entries, final long payloadBytes)
    {
        final long length = APPEND_HEADER_LENGTH + (long)entries * ENTRY_OVERHEAD + payloadBytes;
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("append frame too large: " + length);
        }
        return (int)length;
    }

    /** The frame length of any message but APPEND. */
    public int encodedLength(final RaftMessage message)
    {
        return MESSAGE_LENGTH;
    }

    /** Encodes any message but APPEND; returns the frame length. */
    public int encode(
        final RaftMessage message, final long clusterHash, final MutableDirectBuffer buffer, final int offset)
    {
        if (message.type == MessageType.APPEND)
        {
            throw new IllegalArgumentException("APPEND is encoded with encodeAppendHeader and encodeEntry");
        }
        writeFixed(message, clusterHash, buffer, offset, MESSAGE_LENGTH, 0);
        return MESSAGE_LENGTH;
    }

    /** Writes an APPEND's header with no entries yet; returns its length (where the first entry goes). */
    public int encodeAppendHeader(
        final RaftMessage message, final long clusterHash, final MutableDirectBuffer buffer, final int offset)
    {
        writeFixed(message, clusterHash, buffer, offset, APPEND_HEADER_LENGTH, 0);
        return APPEND_HEADER_LENGTH;
    }

    /** Writes one entry at {@code position}; returns the position after it. */
    public int encodeEntry(
        final MutableDirectBuffer buffer,
        final int position,
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        buffer.putLong(position + ENTRY_TERM_OFFSET, term, ORDER);
        buffer.putLong(position + ENTRY_SESSION_OFFSET, sessionId, ORDER);
        buffer.putLong(position + ENTRY_SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putInt(position + ENTRY_TYPE_OFFSET, type, ORDER);
        buffer.putInt(position + ENTRY_LENGTH_OFFSET, payloadLength, ORDER);
        buffer.putBytes(position + ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        return position + ENTRY_HEADER_LENGTH + payloadLength;
    }

    /** Sets the APPEND's final length and entry count. */
    public void finishAppend(
        final MutableDirectBuffer buffer, final int offset, final int frameLength, final int entryCount)
    {
        FrameHeader.patchLength(buffer, offset, frameLength);
        buffer.putInt(offset + ENTRY_COUNT_OFFSET, entryCount, ORDER);
    }

    private void writeFixed(
        final RaftMessage message,
        final long clusterHash,
        final MutableDirectBuffer buffer,
        final int offset,
        final int frameLength,
        final int entryCount)
    {
        FrameHeader.write(buffer, offset, message.type.code(), clusterHash, senderId, frameLength);
        buffer.putLong(offset + TERM_OFFSET, message.term, ORDER);
        buffer.putLong(offset + INDEX_OFFSET, message.index, ORDER);
        buffer.putLong(offset + LOG_TERM_OFFSET, message.logTerm, ORDER);
        buffer.putLong(offset + COMMIT_INDEX_OFFSET, message.commitIndex, ORDER);
        buffer.putLong(offset + HINT_TERM_OFFSET, message.rejectHintTerm, ORDER);
        buffer.putLong(offset + HINT_INDEX_OFFSET, message.rejectHintIndex, ORDER);
        buffer.putLong(offset + CONTEXT_OFFSET, message.context, ORDER);
        buffer.putInt(offset + FLAGS_OFFSET,
            (message.reject ? FLAG_REJECT : 0) | (message.transfer ? FLAG_TRANSFER : 0), ORDER);
        buffer.putInt(offset + ENTRY_COUNT_OFFSET, entryCount, ORDER);
    }
}
