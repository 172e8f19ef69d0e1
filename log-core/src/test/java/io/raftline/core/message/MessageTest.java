package io.raftline.core.message;

import io.raftline.core.ListEntryBatch;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link MessageQueue}, {@link MessageType} and {@link RaftMessage}. */
class MessageTest
{
    private static RaftMessage filled()
    {
        final RaftMessage message = new RaftMessage();
        message.type = MessageType.APPEND_RESPONSE;
        message.from = 1;
        message.to = 2;
        message.term = 3;
        message.index = 4;
        message.logTerm = 5;
        message.commitIndex = 6;
        message.reject = true;
        message.rejectHintTerm = 7;
        message.rejectHintIndex = 8;
        message.context = 9;
        message.transfer = true;
        message.entryCount = 10;
        message.entries = new ListEntryBatch(List.of());
        return message;
    }

    @Test
    void wireCodesRoundTripAndUnknownCodesAreNull()
    {
        for (final MessageType type : MessageType.values())
        {
            assertSame(type, MessageType.fromCode(type.code()));
        }
        assertEquals(1, MessageType.APPEND.code());
        assertEquals(11, MessageType.READ_INDEX_RESPONSE.code());
        assertEquals(12, MessageType.INSTALL_SNAPSHOT.code());
        assertNull(MessageType.fromCode(0));
        assertNull(MessageType.fromCode(-1));
        assertNull(MessageType.fromCode(13));
    }

    @Test
    void responsesAreKnownAsSuch()
    {
        final EnumSet<MessageType> responses = EnumSet.of(MessageType.APPEND_RESPONSE, MessageType.VOTE_RESPONSE,
            MessageType.PRE_VOTE_RESPONSE, MessageType.HEARTBEAT_RESPONSE, MessageType.READ_INDEX_RESPONSE);
        for (final MessageType type : MessageType.values())
        {
            assertEquals(responses.contains(type), type.isResponse(), type.name());
        }
    }

    @Test
    void resetClearsEveryFieldAndCopyCopiesAllButTheEntries()
    {
        final RaftMessage original = filled();
        final RaftMessage copy = new RaftMessage().copyFrom(original);
        assertEquals(original.toString(), copy.toString());
        assertEquals(MessageType.APPEND_RESPONSE, copy.type);
        assertEquals(1, copy.from);
        assertEquals(2, copy.to);
        assertEquals(3, copy.term);
        assertEquals(4, copy.index);
        assertEquals(5, copy.logTerm);
        assertEquals(6, copy.commitIndex);
        assertTrue(copy.reject);
        assertEquals(7, copy.rejectHintTerm);
        assertEquals(8, copy.rejectHintIndex);
        assertEquals(9, copy.context);
        assertTrue(copy.transfer);
        assertEquals(10, copy.entryCount);
        assertNull(copy.entries);

        final RaftMessage reset = filled().reset();
        assertNull(reset.type);
        assertEquals(0, reset.from);
        assertEquals(0, reset.to);
        assertEquals(0, reset.term);
        assertEquals(0, reset.index);
        assertEquals(0, reset.logTerm);
        assertEquals(0, reset.commitIndex);
        assertFalse(reset.reject);
        assertEquals(0, reset.rejectHintTerm);
        assertEquals(0, reset.rejectHintIndex);
        assertEquals(0, reset.context);
        assertFalse(reset.transfer);
        assertEquals(0, reset.entryCount);
        assertNull(reset.entries);
    }

    @Test
    void toStringShowsOnlyTheFieldsInUse()
    {
        assertEquals("APPEND_RESPONSE 1->2 term=3 index=4 logTerm=5 commit=6 REJECT hint=8/7 ctx=9 transfer entries=10",
            filled().toString());
        final RaftMessage plain = new RaftMessage();
        plain.type = MessageType.HEARTBEAT;
        plain.from = 1;
        plain.to = 2;
        assertEquals("HEARTBEAT 1->2 term=0 index=0 logTerm=0 commit=0", plain.toString());
    }

    @Test
    void theQueueHandsOutClearedMessagesAndGrows()
    {
        final MessageQueue queue = new MessageQueue();
        final RaftMessage first = queue.add();
        first.term = 9;
        for (int i = 1; i < 40; i++)
        {
            queue.add().index = i;
        }
        assertEquals(40, queue.size());
        assertSame(first, queue.get(0));
        assertEquals(9, queue.get(0).term);
        assertEquals(39, queue.get(39).index);
        assertEquals(17, queue.get(17).index);
        assertThrows(IndexOutOfBoundsException.class, () -> queue.get(40));
        queue.clear();
        assertEquals(0, queue.size());
        assertThrows(IndexOutOfBoundsException.class, () -> queue.get(0));
        final RaftMessage reused = queue.add();
        assertSame(first, reused, "pooled");
        assertEquals(0, reused.term, "and cleared");
    }

    @Test
    void removeIfKeepsTheOrderOfTheRest()
    {
        final MessageQueue queue = new MessageQueue();
        for (int i = 0; i < 6; i++)
        {
            queue.add().index = i;
        }
        queue.removeIf(message -> message.index % 2 == 1);
        assertEquals(3, queue.size());
        assertEquals(0, queue.get(0).index);
        assertEquals(2, queue.get(1).index);
        assertEquals(4, queue.get(2).index);
        final RaftMessage recycled = queue.add();
        assertEquals(0, recycled.index);
        for (int i = 0; i < 4; i++)
        {
            for (int j = i + 1; j < 4; j++)
            {
                assertNotSame(queue.get(i), queue.get(j), "no message is in the queue twice");
            }
        }
        queue.removeIf(message -> true);
        assertEquals(0, queue.size());
    }
}
