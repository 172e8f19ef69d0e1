package io.raftline.core.message;

import java.util.Arrays;

/**
 * Messages waiting to be sent, drawn from a pool that grows to the busiest moment and is reused after that, so
 * that steady state allocates nothing.
 */
public final class MessageQueue
{
    private RaftMessage[] messages = new RaftMessage[16];
    private int size;

    public MessageQueue()
    {
        for (int i = 0; i < messages.length; i++)
        {
            messages[i] = new RaftMessage();
        }
    }

    /** A cleared message at the end of the queue. */
    public RaftMessage add()
    {
        if (size == messages.length)
        {
            final int oldLength = messages.length;
            messages = Arrays.copyOf(messages, oldLength * 2);
            for (int i = oldLength; i < messages.length; i++)
            {
                messages[i] = new RaftMessage();
            }
        }
        return messages[size++].reset();
    }

    public int size()
    {
        return size;
    }

    public RaftMessage get(final int i)
    {
        if (i >= size)
        {
            throw new IndexOutOfBoundsException(i + " >= " + size);
        }
        return messages[i];
    }

    /** Drops every message the filter chooses, keeping the order of the rest. */
    public void removeIf(final Filter filter)
    {
        int kept = 0;
        for (int i = 0; i < size; i++)
        {
            final RaftMessage message = messages[i];
            if (!filter.remove(message))
            {
                messages[i] = messages[kept];
                messages[kept++] = message;
            }
        }
        size = kept;
    }

    public void clear()
    {
        size = 0;
    }

    /** Chooses messages to remove. */
    @FunctionalInterface
    public interface Filter
    {
        boolean remove(RaftMessage message);
    }
}
