package io.raftline.protocol.client;

import io.raftline.protocol.FrameHeader;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A client-protocol frame read in place. The common {@link FrameHeader} comes first (checked by the receiver
 * before the frame reaches a flyweight); the body follows at {@link #BODY}, little-endian, variable parts padded
 * to 8 bytes. {@link #wrap} checks that the body holds what its fields say, so a reader never reads past the frame.
 * Flyweights are reused: wrap, read, wrap the next.
 */
public abstract class ClientFrame
{
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final int BODY = FrameHeader.LENGTH;

    protected DirectBuffer buffer;
    protected int offset;
    protected int length;
    private int entryPosition;   // the current entry of a frame that lists entries, relative to offset
    private int entriesRead;

    /** Wraps a frame whose header is valid; returns whether its body is well formed. */
    public final boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return length >= minLength() && isBodyValid();
    }

    /** The node that sent the frame, or 0 for a client. */
    public final int senderId()
    {
        return FrameHeader.senderId(buffer, offset);
    }

    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /** The shortest frame of this type, header included. */
    protected abstract int minLength();

    /** Checks the variable part, if any; the fixed part is known to fit. */
    protected boolean isBodyValid()
    {
        return true;
    }

    /**
     * Whether {@code count} entries fit the frame from {@code first} on, each a header of {@code headerLength}
     * bytes holding its payload's length at {@code lengthField}, then the payload padded to 8; and rewinds the walk
     * of {@link #nextEntry} to before the first.
     */
    protected final boolean entriesFit(final int first, final int count, final int headerLength, final int lengthField)
    {
        entryPosition = first;
        entriesRead = 0;
        if (count < 0)
        {
            return false;
        }
        long position = first;
        for (int i = 0; i < count; i++)
        {
            if (position + headerLength > length)
            {
                return false;
            }
            final int payloadLength = intAt((int)position + lengthField);
            if (payloadLength < 0 || position + headerLength + payloadLength > length)
            {
                return false;
            }
            position += headerLength + padded(payloadLength);
        }
        return true;
    }

    /** Moves to the next of the {@code count} entries {@link #entriesFit} checked; false after the last. */
    protected final boolean nextEntry(final int count, final int headerLength, final int lengthField)
    {
        if (entriesRead == count)
        {
            return false;
        }
        if (entriesRead > 0)
        {
            entryPosition += headerLength + padded(intAt(entryPosition + lengthField));
        }
        entriesRead++;
        return true;
    }

    /** Where the current entry starts, relative to the frame. */
    protected final int entryPosition()
    {
        return entryPosition;
    }

    protected final long longAt(final int field)
    {
        return buffer.getLong(offset + field, ORDER);
    }

    protected final int intAt(final int field)
    {
        return buffer.getInt(offset + field, ORDER);
    }

    /** Whether a string field ({@code | length i32 | pad i32 | bytes |} at {@code field}) fits the frame. */
    protected final boolean isStringValid(final int field, final int maxBytes)
    {
        final int bytes = intAt(field);
        return bytes >= 1 && bytes <= maxBytes && field + 8L + bytes <= length;
    }

    /** A string field that {@link #isStringValid} accepted (decoded here: strings are off the hot path). */
    protected final String stringAt(final int field)
    {
        final byte[] bytes = new byte[intAt(field)];
        buffer.getBytes(offset + field + 8, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static int padded(final int length)
    {
        return BitUtil.align(length, 8);
    }

    protected static void header(
        final MutableDirectBuffer buffer, final int offset, final int type, final long clusterHash,
        final int senderId, final int length)
    {
        FrameHeader.write(buffer, offset, type, clusterHash, senderId, length);
    }

    /** Writes {@code | length i32 | pad i32 | bytes, zero-padded to 8 |} at {@code position}; returns the end. */
    protected static int putString(final MutableDirectBuffer buffer, final int position, final byte[] bytes)
    {
        buffer.putInt(position, bytes.length, ORDER);
        buffer.putInt(position + 4, 0, ORDER);
        buffer.putBytes(position + 8, bytes);
        zeroPad(buffer, position + 8 + bytes.length, padded(bytes.length) - bytes.length);
        return position + 8 + padded(bytes.length);
    }

    /** Zeroes the at most 7 bytes that pad a field to 8: byte by byte, cheaper than a call to setMemory. */
    protected static void zeroPad(final MutableDirectBuffer buffer, final int position, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(position + i, (byte)0);
        }
    }
}
