package io.raftline.io.transport.codec;

import io.raftline.protocol.FrameHeader;
import io.raftline.core.EntryType;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.raftline.protocol.FrameHeader.ORDER;
import static io.raftline.io.transport.codec.RaftMessageLayout.*;

/**
 * Encodes Raft messages in place (see {@link RaftMessageLayout}). An AppendEntries is written in three steps so
 * that the caller can copy each entry straight from its log into the destination (an Aeron claim):
 * {@link #encodeAppendHeader}, {@link #encodeEntry} per entry, {@link #finishAppend}. Stateless but for the
 * sender id, allocation-free, and it trusts its input: what the core sends is checked by asserts only.
 */
public final class RaftMessageEncoder
{
    /** The frame header every frame starts with. */
    public static final int HEADER_LENGTH = FrameHeader.LENGTH;
    /** The whole frame of every message but APPEND. */
    public static final int MESSAGE_LENGTH = RaftMessageLayout.MESSAGE_LENGTH;
    /** The fixed part of an AppendEntries frame, before its entries. */
    public static final int APPEND_HEADER_LENGTH = RaftMessageLayout.MESSAGE_LENGTH;
    /** Bytes per entry besides its payload: the core's {@code RaftOptions.entryOverheadBytes}. */
    public static final int ENTRY_OVERHEAD = ENTRY_HEADER_LENGTH;

    private final int senderId;

    /** An encoder for the messages of node {@code senderId}; every message it encodes must be from that node. */
    public RaftMessageEncoder(final int senderId)
    {
        if (senderId <= 0)
        {
            throw new IllegalArgumentException("sender id must be positive: " + senderId);
        }
        this.senderId = senderId;
    }

    public int senderId()
    {
        return senderId;
    }

    /** Bytes an Aeron data frame's header takes of the MTU. */
    private static final int AERON_FRAME_HEADER_LENGTH = 32;

    /**
     * The core's limit on a replication batch's entry bytes: the configured one, but never more than fits one
     * Aeron frame of {@code mtuBytes} with the AppendEntries header, so a batch is one datagram.
     */
    public static int maxBatchBytes(final int mtuBytes, final int configuredBatchBytes)
    {
        return Math.min(configuredBatchBytes, mtuBytes - AERON_FRAME_HEADER_LENGTH - APPEND_HEADER_LENGTH);
    }

    /** The length of an APPEND frame carrying {@code entries} entries of {@code payloadBytes} payload in all. */
    public static int appendFrameLength(final int entries, final long payloadBytes)
    {
        if (entries < 0 || payloadBytes < 0)
        {
            throw new IllegalArgumentException("entries=" + entries + " payloadBytes=" + payloadBytes);
        }
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

    /** Encodes any message but APPEND at {@code offset}; returns the frame length. */
    public int encode(
        final RaftMessage message, final long clusterHash, final MutableDirectBuffer buffer, final int offset)
    {
        if (message.type == MessageType.APPEND)
        {
            throw new IllegalArgumentException("APPEND is encoded with encodeAppendHeader, encodeEntry, finishAppend");
        }
        assert message.entryCount == 0 : message;
        writeFixed(message, clusterHash, buffer, offset, MESSAGE_LENGTH);
        return MESSAGE_LENGTH;
    }

    /**
     * Writes an APPEND's fixed part (prevLogIndex = {@code message.index}, prevLogTerm = {@code message.logTerm},
     * the leader's commit index, the entry count) for a frame with no entries yet; returns its length, so that
     * the first entry goes at {@code offset + APPEND_HEADER_LENGTH}.
     */
    public int encodeAppendHeader(
        final RaftMessage message, final long clusterHash, final MutableDirectBuffer buffer, final int offset)
    {
        if (message.type != MessageType.APPEND)
        {
            throw new IllegalArgumentException("not an APPEND: " + message.type);
        }
        writeFixed(message, clusterHash, buffer, offset, APPEND_HEADER_LENGTH);
        return APPEND_HEADER_LENGTH;
    }

    /** Writes one entry at {@code position}; returns the position after it, where the next entry goes. */
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
        assert EntryType.isValid(type) : "entry type " + type;
        assert payloadLength >= 0 : "payload length " + payloadLength;
        buffer.putLong(position + ENTRY_TERM_OFFSET, term, ORDER);
        buffer.putLong(position + ENTRY_SESSION_OFFSET, sessionId, ORDER);
        buffer.putLong(position + ENTRY_SEQUENCE_OFFSET, sequence, ORDER);
        buffer.putInt(position + ENTRY_TYPE_OFFSET, type, ORDER);
        buffer.putInt(position + ENTRY_LENGTH_OFFSET, payloadLength, ORDER);
        if (payloadLength > 0)
        {
            buffer.putBytes(position + ENTRY_HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }
        return position + ENTRY_HEADER_LENGTH + payloadLength;
    }

    /**
     * Sets the length and entry count of the APPEND whose frame starts at {@code headerOffset}: {@code frameLength}
     * is the position {@link #encodeEntry} last returned minus {@code headerOffset}.
     */
    public void finishAppend(
        final MutableDirectBuffer buffer, final int headerOffset, final int frameLength, final int entryCount)
    {
        assert entryCount >= 0 : "entry count " + entryCount;
        assert frameLength >= APPEND_HEADER_LENGTH + (long)entryCount * ENTRY_OVERHEAD : "frame length " + frameLength;
        FrameHeader.patchLength(buffer, headerOffset, frameLength);
        buffer.putInt(headerOffset + ENTRY_COUNT_OFFSET, entryCount, ORDER);
    }

    private void writeFixed(
        final RaftMessage message,
        final long clusterHash,
        final MutableDirectBuffer buffer,
        final int offset,
        final int frameLength)
    {
        assert message.from == senderId : "message from " + message.from + " on the encoder of " + senderId;
        assert message.to > 0 : message;
        FrameHeader.write(buffer, offset, message.type.code(), clusterHash, senderId, frameLength);
        buffer.putLong(offset + TERM_OFFSET, message.term, ORDER);
        buffer.putLong(offset + INDEX_OFFSET, message.index, ORDER);
        buffer.putLong(offset + LOG_TERM_OFFSET, message.logTerm, ORDER);
        buffer.putLong(offset + COMMIT_INDEX_OFFSET, message.commitIndex, ORDER);
        buffer.putLong(offset + HINT_TERM_OFFSET, message.rejectHintTerm, ORDER);
        buffer.putLong(offset + HINT_INDEX_OFFSET, message.rejectHintIndex, ORDER);
        buffer.putLong(offset + CONTEXT_OFFSET, message.context, ORDER);
        buffer.putInt(offset + TO_OFFSET, message.to, ORDER);
        buffer.putInt(offset + ENTRY_COUNT_OFFSET, message.entryCount, ORDER);
        buffer.putByte(offset + REJECT_OFFSET, message.reject ? (byte)1 : (byte)0);
        buffer.putByte(offset + TRANSFER_OFFSET, message.transfer ? (byte)1 : (byte)0);
        buffer.putByte(offset + REGRESSED_OFFSET, message.regressed ? (byte)1 : (byte)0);
        buffer.putByte(offset + PADDING_BYTE_OFFSET, (byte)0);
        buffer.putInt(offset + PADDING_INT_OFFSET, 0, ORDER);
        buffer.putLong(offset + IDENTITY_OFFSET, message.identity, ORDER);
        buffer.putLong(offset + SNAPSHOT_INDEX_OFFSET, message.snapshotIndex, ORDER);
        buffer.putLong(offset + SENT_AT_OFFSET, message.sentAt, ORDER);
    }
}
