package io.raftline.core;

import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/** Turns a node's outbound messages into the inbound form a peer receives, as a transport would. */
public final class Outbox
{
    private Outbox()
    {
    }

    /** A copy of {@code message} with its entries read from the sender's log now. */
    public static RaftMessage toInbound(final RaftMessage message, final MemoryRaftLog senderLog)
    {
        final RaftMessage copy = new RaftMessage().copyFrom(message);
        if (message.type == MessageType.APPEND && message.entryCount > 0)
        {
            final int from = (int)(message.index - (senderLog.firstIndex() - 1));
            copy.entries = new ListEntryBatch(senderLog.entries().subList(from, from + message.entryCount));
        }
        return copy;
    }

    public static void addAll(final MessageQueue queue, final MemoryRaftLog senderLog, final List<RaftMessage> out)
    {
        for (int i = 0; i < queue.size(); i++)
        {
            out.add(toInbound(queue.get(i), senderLog));
        }
    }

    /** Does everything a {@link Ready} asks, with no crash in between, and returns the messages to deliver. */
    public static List<RaftMessage> drain(final RaftNode node, final MemoryRaftLog log)
    {
        final List<RaftMessage> out = new ArrayList<>();
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            ready.logWrites().writeTo(log);
            addAll(ready.messages(), log, out);
            log.sync();
            addAll(ready.messagesAfterPersist(), log, out);
            node.advance(log.lastIndex());
        }
        return out;
    }
}
