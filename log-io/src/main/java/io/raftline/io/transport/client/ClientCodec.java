package io.raftline.io.transport.client;

import io.raftline.io.transport.codec.FrameHeader;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Layouts of the client protocol's frames. Every frame starts with the common {@link FrameHeader}; the body
 * follows at {@link #BODY}. All fields little-endian; variable parts are padded to 8 bytes.
 *
 * <pre>
 * CONNECT          | clientId i64 | correlationId i64 | endpoint length i32 | pad i32 | endpoint (ASCII)      |
 * CONNECTED        | correlationId i64 | nodeId i32 | leaderId i32 | term i64 | commitIndex i64 | lastIndex i64 |
 *                  | role i32 | pad i32 |
 * OPEN_SESSION     | clientId i64 | correlationId i64 | name length i32 | pad i32 | name (UTF-8)          |
 * SESSION_OPENED   | correlationId i64 | sessionId i64 |
 * APPEND           | clientId i64 | sessionId i64 | count i32 | pad i32 | entry * count                   |
 *   entry          | sequence i64 | length i32 | pad i32 | payload, padded to 8 |
 * APPEND_ACK       | sessionId i64 | count i32 | pad i32 | (sequence i64, index i64, term i64) * count      |
 * REJECT           | sessionId or correlationId i64 | sequence i64 | expected sequence i64 | reason i32 |
 *                  | leaderId i32 |
 * READ_INDEX       | clientId i64 | correlationId i64 |
 * READ_INDEX_RESULT| correlationId i64 | index i64 (-1: failed) |
 * TAIL             | clientId i64 | from index i64 | credit (entries) i64 | flags i32 | pad i32 |
 * TAIL_ENTRIES     | commitIndex i64 | scanned to i64 | count i32 | pad i32 | entry * count             |
 *   entry          | index i64 | term i64 | sessionId i64 | sequence i64 | type i32 | length i32 | payload, padded to 8 |
 * TAIL_CREDIT      | clientId i64 | credit i64 |
 * SESSION_NAME     | sessionId i64 | name length i32 | pad i32 | name (UTF-8) |
 * CLOSE_SESSION    | clientId i64 | sessionId i64 |
 * DISCONNECT       | clientId i64 |
 * </pre>
 */
public final class ClientCodec
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int BODY = FrameHeader.LENGTH;
    public static final int MAX_ENDPOINT_BYTES = 64;
    public static final int MAX_NAME_BYTES = 64;

    /** REJECT reasons. */
    public static final int NOT_LEADER = 1;
    public static final int OUT_OF_ORDER = 2;
    public static final int UNKNOWN_SESSION = 3;
    public static final int TOO_LARGE = 4;
    public static final int NOT_CONNECTED = 5;
    public static final int TRANSFERRING = 6;

    public static final int APPEND_HEADER = BODY + 24;
    public static final int APPEND_ENTRY_HEADER = 16;
    public static final int ACK_HEADER = BODY + 16;
    public static final int ACK_ENTRY = 24;
    public static final int TAIL_HEADER = BODY + 24;
    public static final int TAIL_ENTRY_HEADER = 40;
    /** TAIL flag: also stream Raft's own entries (no-ops, configurations, sessions). */
    public static final int TAIL_ALL = 1;

    public static final int CONNECTED_LENGTH = BODY + 48;
    public static final int SESSION_OPENED_LENGTH = BODY + 16;
    public static final int REJECT_LENGTH = BODY + 32;
    public static final int READ_INDEX_LENGTH = BODY + 16;
    public static final int READ_INDEX_RESULT_LENGTH = BODY + 16;
    public static final int TAIL_LENGTH = BODY + 32;
    public static final int TAIL_CREDIT_LENGTH = BODY + 16;
    public static final int CLOSE_SESSION_LENGTH = BODY + 16;
    public static final int DISCONNECT_LENGTH = BODY + 8;

    private ClientCodec()
    {
    }

    /** The shortest valid frame of each type, header included; 0 for an unknown type. */
    public static int minLength(final int type)
    {
        return switch (type)
        {
            case ClientMessageType.CONNECT, ClientMessageType.OPEN_SESSION -> BODY + 24 + 8;
            case ClientMessageType.CONNECTED -> CONNECTED_LENGTH;
            case ClientMessageType.SESSION_OPENED -> SESSION_OPENED_LENGTH;
            case ClientMessageType.APPEND -> APPEND_HEADER;
            case ClientMessageType.APPEND_ACK -> ACK_HEADER;
            case ClientMessageType.REJECT -> REJECT_LENGTH;
            case ClientMessageType.READ_INDEX -> READ_INDEX_LENGTH;
            case ClientMessageType.READ_INDEX_RESULT -> READ_INDEX_RESULT_LENGTH;
            case ClientMessageType.TAIL -> TAIL_LENGTH;
            case ClientMessageType.TAIL_ENTRIES -> TAIL_HEADER;
            case ClientMessageType.TAIL_CREDIT -> TAIL_CREDIT_LENGTH;
            case ClientMessageType.SESSION_NAME -> BODY + 16 + 8;
            case ClientMessageType.CLOSE_SESSION -> CLOSE_SESSION_LENGTH;
            case ClientMessageType.DISCONNECT -> DISCONNECT_LENGTH;
            default -> 0;
        };
    }

    public static String reason(final int reason)
    {
        return switch (reason)
        {
            case NOT_LEADER -> "not the leader";
            case OUT_OF_ORDER -> "out of order";
            case UNKNOWN_SESSION -> "unknown session";
            case TOO_LARGE -> "entry too large";
            case NOT_CONNECTED -> "client not connected";
            case TRANSFERRING -> "leadership transfer in progress";
            default -> "reason " + reason;
        };
    }

    public static int padded(final int length)
    {
        return BitUtil.align(length, 8);
    }

    // ---- writing: each returns the frame length; the header is written too

    private static void header(
        final MutableDirectBuffer buffer, final int offset, final int type, final long clusterHash,
        final int senderId, final int length)
    {
        FrameHeader.write(buffer, offset, type, clusterHash, senderId, length);
    }

    public static int connect(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final String endpoint)
    {
        final byte[] bytes = endpoint.getBytes(StandardCharsets.US_ASCII);
        final int length = BODY + 24 + padded(bytes.length);
        header(buffer, offset, ClientMessageType.CONNECT, clusterHash, 0, length);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, correlationId, ORDER);
        buffer.putInt(offset + BODY + 16, bytes.length, ORDER);
        buffer.putInt(offset + BODY + 20, 0, ORDER);
        buffer.putBytes(offset + BODY + 24, bytes);
        zeroPad(buffer, offset + BODY + 24 + bytes.length, padded(bytes.length) - bytes.length);
        return length;
    }

    public static int connected(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final int leaderId, final long term, final long commitIndex, final long lastIndex,
        final int role)
    {
        header(buffer, offset, ClientMessageType.CONNECTED, clusterHash, nodeId, CONNECTED_LENGTH);
        buffer.putLong(offset + BODY, correlationId, ORDER);
        buffer.putInt(offset + BODY + 8, nodeId, ORDER);
        buffer.putInt(offset + BODY + 12, leaderId, ORDER);
        buffer.putLong(offset + BODY + 16, term, ORDER);
        buffer.putLong(offset + BODY + 24, commitIndex, ORDER);
        buffer.putLong(offset + BODY + 32, lastIndex, ORDER);
        buffer.putInt(offset + BODY + 40, role, ORDER);
        buffer.putInt(offset + BODY + 44, 0, ORDER);
        return CONNECTED_LENGTH;
    }

    public static int openSession(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int length = BODY + 24 + padded(bytes.length);
        header(buffer, offset, ClientMessageType.OPEN_SESSION, clusterHash, 0, length);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, correlationId, ORDER);
        buffer.putInt(offset + BODY + 16, bytes.length, ORDER);
        buffer.putInt(offset + BODY + 20, 0, ORDER);
        buffer.putBytes(offset + BODY + 24, bytes);
        zeroPad(buffer, offset + BODY + 24 + bytes.length, padded(bytes.length) - bytes.length);
        return length;
    }

    public static int sessionOpened(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final long sessionId)
    {
        header(buffer, offset, ClientMessageType.SESSION_OPENED, clusterHash, nodeId, SESSION_OPENED_LENGTH);
        buffer.putLong(offset + BODY, correlationId, ORDER);
        buffer.putLong(offset + BODY + 8, sessionId, ORDER);
        return SESSION_OPENED_LENGTH;
    }

    /** Starts an APPEND; add entries with {@link #appendEntry}, then {@link #finishAppend}. */
    public static int appendHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.APPEND, clusterHash, 0, APPEND_HEADER);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, sessionId, ORDER);
        buffer.putLong(offset + BODY + 16, 0, ORDER);
        return APPEND_HEADER;
    }

    /** Writes one entry at {@code position}; returns the position after it. */
    public static int appendEntry(
        final MutableDirectBuffer buffer, final int position, final long sequence, final DirectBuffer payload,
        final int payloadOffset, final int payloadLength)
    {
        buffer.putLong(position, sequence, ORDER);
        buffer.putInt(position + 8, payloadLength, ORDER);
        buffer.putInt(position + 12, 0, ORDER);
        buffer.putBytes(position + APPEND_ENTRY_HEADER, payload, payloadOffset, payloadLength);
        final int padding = padded(payloadLength) - payloadLength;
        zeroPad(buffer, position + APPEND_ENTRY_HEADER + payloadLength, padding);
        return position + APPEND_ENTRY_HEADER + payloadLength + padding;
    }

    public static int appendEntryLength(final int payloadLength)
    {
        return APPEND_ENTRY_HEADER + padded(payloadLength);
    }

    public static void finishAppend(final MutableDirectBuffer buffer, final int offset, final int length, final int count)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putInt(offset + BODY + 16, count, ORDER);
    }

    public static int ackHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.APPEND_ACK, clusterHash, nodeId, ACK_HEADER);
        buffer.putLong(offset + BODY, sessionId, ORDER);
        buffer.putLong(offset + BODY + 8, 0, ORDER);
        return ACK_HEADER;
    }

    public static int ackEntry(
        final MutableDirectBuffer buffer, final int position, final long sequence, final long index, final long term)
    {
        buffer.putLong(position, sequence, ORDER);
        buffer.putLong(position + 8, index, ORDER);
        buffer.putLong(position + 16, term, ORDER);
        return position + ACK_ENTRY;
    }

    public static void finishAck(final MutableDirectBuffer buffer, final int offset, final int length, final int count)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putInt(offset + BODY + 8, count, ORDER);
    }

    public static int reject(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionOrCorrelationId, final long sequence, final long expectedSequence, final int reason,
        final int leaderId)
    {
        header(buffer, offset, ClientMessageType.REJECT, clusterHash, nodeId, REJECT_LENGTH);
        buffer.putLong(offset + BODY, sessionOrCorrelationId, ORDER);
        buffer.putLong(offset + BODY + 8, sequence, ORDER);
        buffer.putLong(offset + BODY + 16, expectedSequence, ORDER);
        buffer.putInt(offset + BODY + 24, reason, ORDER);
        buffer.putInt(offset + BODY + 28, leaderId, ORDER);
        return REJECT_LENGTH;
    }

    public static int readIndex(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId)
    {
        header(buffer, offset, ClientMessageType.READ_INDEX, clusterHash, 0, READ_INDEX_LENGTH);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, correlationId, ORDER);
        return READ_INDEX_LENGTH;
    }

    public static int readIndexResult(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long correlationId, final long index)
    {
        header(buffer, offset, ClientMessageType.READ_INDEX_RESULT, clusterHash, nodeId, READ_INDEX_RESULT_LENGTH);
        buffer.putLong(offset + BODY, correlationId, ORDER);
        buffer.putLong(offset + BODY + 8, index, ORDER);
        return READ_INDEX_RESULT_LENGTH;
    }

    public static int tail(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long fromIndex, final long credit, final int flags)
    {
        header(buffer, offset, ClientMessageType.TAIL, clusterHash, 0, TAIL_LENGTH);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, fromIndex, ORDER);
        buffer.putLong(offset + BODY + 16, credit, ORDER);
        buffer.putInt(offset + BODY + 24, flags, ORDER);
        buffer.putInt(offset + BODY + 28, 0, ORDER);
        return TAIL_LENGTH;
    }

    public static int tailEntriesHeader(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long commitIndex)
    {
        header(buffer, offset, ClientMessageType.TAIL_ENTRIES, clusterHash, nodeId, TAIL_HEADER);
        buffer.putLong(offset + BODY, commitIndex, ORDER);
        buffer.putLong(offset + BODY + 8, 0, ORDER);
        buffer.putLong(offset + BODY + 16, 0, ORDER);
        return TAIL_HEADER;
    }

    /** Writes the fixed part of a streamed entry; the caller copies the payload after it. */
    public static int tailEntryHeader(
        final MutableDirectBuffer buffer, final int position, final long index, final long term,
        final long sessionId, final long sequence, final int type, final int payloadLength)
    {
        buffer.putLong(position, index, ORDER);
        buffer.putLong(position + 8, term, ORDER);
        buffer.putLong(position + 16, sessionId, ORDER);
        buffer.putLong(position + 24, sequence, ORDER);
        buffer.putInt(position + 32, type, ORDER);
        buffer.putInt(position + 36, payloadLength, ORDER);
        return position + TAIL_ENTRY_HEADER;
    }

    public static int tailEntryLength(final int payloadLength)
    {
        return TAIL_ENTRY_HEADER + padded(payloadLength);
    }

    /** {@code scannedTo}: every entry below it was sent or, being Raft's own, skipped. */
    public static void finishTailEntries(
        final MutableDirectBuffer buffer, final int offset, final int length, final int count, final long scannedTo)
    {
        FrameHeader.patchLength(buffer, offset, length);
        buffer.putLong(offset + BODY + 8, scannedTo, ORDER);
        buffer.putInt(offset + BODY + 16, count, ORDER);
    }

    public static int tailCredit(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long credit)
    {
        header(buffer, offset, ClientMessageType.TAIL_CREDIT, clusterHash, 0, TAIL_CREDIT_LENGTH);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, credit, ORDER);
        return TAIL_CREDIT_LENGTH;
    }

    public static int sessionName(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionId, final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        final int length = BODY + 16 + padded(bytes.length);
        header(buffer, offset, ClientMessageType.SESSION_NAME, clusterHash, nodeId, length);
        buffer.putLong(offset + BODY, sessionId, ORDER);
        buffer.putInt(offset + BODY + 8, bytes.length, ORDER);
        buffer.putInt(offset + BODY + 12, 0, ORDER);
        buffer.putBytes(offset + BODY + 16, bytes);
        zeroPad(buffer, offset + BODY + 16 + bytes.length, padded(bytes.length) - bytes.length);
        return length;
    }

    public static int closeSession(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long sessionId)
    {
        header(buffer, offset, ClientMessageType.CLOSE_SESSION, clusterHash, 0, CLOSE_SESSION_LENGTH);
        buffer.putLong(offset + BODY, clientId, ORDER);
        buffer.putLong(offset + BODY + 8, sessionId, ORDER);
        return CLOSE_SESSION_LENGTH;
    }

    public static int disconnect(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId)
    {
        header(buffer, offset, ClientMessageType.DISCONNECT, clusterHash, 0, DISCONNECT_LENGTH);
        buffer.putLong(offset + BODY, clientId, ORDER);
        return DISCONNECT_LENGTH;
    }

    private static void zeroPad(final MutableDirectBuffer buffer, final int position, final int length)
    {
        if (length > 0)
        {
            buffer.setMemory(position, length, (byte)0);
        }
    }

    // ---- reading

    public static long longAt(final DirectBuffer buffer, final int position)
    {
        return buffer.getLong(position, ORDER);
    }

    public static int intAt(final DirectBuffer buffer, final int position)
    {
        return buffer.getInt(position, ORDER);
    }

    /** Reads a length-prefixed string at body offset {@code at}; null when it does not fit the frame. */
    public static String stringAt(
        final DirectBuffer buffer, final int offset, final int frameLength, final int at, final int maxBytes)
    {
        if (frameLength < at + 8)
        {
            return null;
        }
        final int length = buffer.getInt(offset + at, ORDER);
        if (length < 1 || length > maxBytes || at + 8 + length > frameLength)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset + at + 8, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
