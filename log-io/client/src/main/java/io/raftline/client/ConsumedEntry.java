package io.raftline.client;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One committed entry as a {@link Consumer} delivers it: a flyweight the consumer refills for each entry, its
 * payload read in place from the received frame. Valid only during {@link EntryHandler#onEntry}: copy what must
 * outlive the call.
 */
public final class ConsumedEntry
{
    private long index;
    private long term;
    private int type;
    private String producer;
    private long sequence;
    private DirectBuffer buffer;
    private int offset;
    private int length;

    ConsumedEntry set(final long index, final long term, final int type, final String producer, final long sequence,
        final DirectBuffer buffer, final int offset, final int length)
    {
        this.index = index;
        this.term = term;
        this.type = type;
        this.producer = producer;
        this.sequence = sequence;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Its place in the log. */
    public long index()
    {
        return index;
    }

    /** The term of the leader that appended it. */
    public long term()
    {
        return term;
    }

    /** A producer's entry ({@code EntryType.NORMAL}) or one of Raft's own (shown only to consumers that ask). */
    public int type()
    {
        return type;
    }

    /** The name of the producer session that appended it; null for Raft's own entries. */
    public String producer()
    {
        return producer;
    }

    /** Its sequence in its producer's session (0 for Raft's own entries). */
    public long sequence()
    {
        return sequence;
    }

    /** The buffer holding the payload, from {@link #offset()} for {@link #length()} bytes. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    /** A copy of the payload. */
    public byte[] bytes()
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    /** The payload decoded as UTF-8 text (a copy). */
    public String text()
    {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return "entry " + index + " term " + term + " type " + type + " from " + producer + " seq " + sequence +
            " (" + length + " bytes)";
    }
}
