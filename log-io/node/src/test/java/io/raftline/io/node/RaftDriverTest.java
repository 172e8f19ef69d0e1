package io.raftline.io.node;

import io.raftline.core.EntryType;
import io.raftline.core.RaftNode;
import io.raftline.core.RaftOptions;
import io.raftline.core.ReadStates;
import io.raftline.core.Role;
import io.raftline.core.SnapshotFetch;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.config.Durability;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.LogCursor;
import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.io.transport.codec.RaftMessageDecoder;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node carries out a Ready in the order that keeps Raft's promises, on real storage: a vote or an
 * acknowledgement leaves only once what it promises is durable, and received entries are written while the frame
 * that carried them is in hand.
 */
class RaftDriverTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("driver");

    @TempDir
    Path dir;
    private ChronicleLog log;
    private final List<String> violations = new ArrayList<>();
    private final List<RaftMessage> sent = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    @AfterEach
    void close()
    {
        if (log != null)
        {
            log.close();
        }
    }

    /** Follower 2 of voters 1..3 on a fresh log, with a sender that checks each message against the disk. */
    private RaftDriver follower()
    {
        log = ChronicleLog.open(dir, Durability.PAGE_CACHE);
        final RaftNode node = new RaftNode(new RaftOptions().nodeId(2).electionTimeoutTicks(10)
            .heartbeatIntervalTicks(1).random(new SplittableRandom(2)), log, 0, 0, Configuration.of(1, 2, 3));
        return new RaftDriver(node, log, this::checkPromiseAndSend, new RaftDriver.Listener()
        {
            @Override
            public void onReadStates(final ReadStates readStates)
            {
            }

            @Override
            public void onRoleChange(final Role role, final Role previous, final long lastIndex)
            {
            }

            @Override
            public void onConfiguration(final Configuration configuration)
            {
            }

            @Override
            public void onLeader(final int leaderId)
            {
            }

            @Override
            public void onSnapshotToFetch(final SnapshotFetch fetch)
            {
                events.add("fetch " + fetch);
            }

            @Override
            public void onSnapshotInstalled(final long index)
            {
                events.add("installed " + index + " with the log durable to " + log.durableIndex() +
                    " and starting at " + log.firstIndex());
            }
        });
    }

    /** What a message promises must already be on disk when it leaves (Raft §5.1, thesis §10.2.1). */
    private void checkPromiseAndSend(final RaftMessage message)
    {
        if (message.term > log.metadata().currentTerm())
        {
            violations.add(message.type + " of term " + message.term + " before the term was persisted");
        }
        if (message.type == MessageType.VOTE_RESPONSE && !message.reject &&
            log.metadata().votedFor() != message.to)
        {
            violations.add("a vote for " + message.to + " before it was persisted");
        }
        if (message.type == MessageType.APPEND_RESPONSE && !message.reject && message.index > log.durableIndex())
        {
            violations.add("an acknowledgement of " + message.index + " with the log durable to " +
                log.durableIndex());
        }
        sent.add(new RaftMessage().copyFrom(message));
        events.add("sent " + message.type + " " + message.index);
    }

    /** An AppendEntries from leader 1, decoded in place from {@code frame} as the transport does. */
    private static RaftMessage append(
        final UnsafeBuffer frame, final long term, final long prevIndex, final long prevTerm, final String... payloads)
    {
        final RaftMessage header = new RaftMessage();
        header.type = MessageType.APPEND;
        header.from = 1;
        header.to = 2;
        header.term = term;
        header.index = prevIndex;
        header.logTerm = prevTerm;
        header.entryCount = payloads.length;
        final RaftMessageEncoder encoder = new RaftMessageEncoder(1);
        int position = encoder.encodeAppendHeader(header, CLUSTER, frame, 0);
        for (int i = 0; i < payloads.length; i++)
        {
            final UnsafeBuffer payload = new UnsafeBuffer(payloads[i].getBytes(StandardCharsets.US_ASCII));
            position = encoder.encodeEntry(frame, position, term, EntryType.NORMAL, 5, i + 1, payload, 0,
                payload.capacity());
        }
        encoder.finishAppend(frame, 0, position, payloads.length);
        final RaftMessage decoded = new RaftMessage();
        assertEquals(DecodeResult.OK, new RaftMessageDecoder().decode(frame, 0, position, CLUSTER, decoded));
        return decoded;
    }

    private static RaftMessage vote(final long term)
    {
        final RaftMessage vote = new RaftMessage();
        vote.type = MessageType.VOTE;
        vote.from = 3;
        vote.to = 2;
        vote.term = term;
        return vote;
    }

    @Test
    void votesAndAcknowledgementsLeaveOnlyAfterWhatTheyPromiseIsDurable()
    {
        final RaftDriver driver = follower();
        driver.step(vote(1));
        assertTrue(driver.flush());
        assertEquals(1, sent.size());
        assertEquals(MessageType.VOTE_RESPONSE, sent.get(0).type);
        assertFalse(sent.get(0).reject);

        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        driver.step(append(frame, 2, 0, 0, "a", "b", "c"));
        assertTrue(driver.flush());
        final RaftMessage ack = sent.get(sent.size() - 1);
        assertEquals(MessageType.APPEND_RESPONSE, ack.type);
        assertEquals(3, ack.index);
        assertEquals(List.of(), violations);
    }

    @Test
    void receivedEntriesAreWrittenWhileTheirFrameIsInHand()
    {
        final RaftDriver driver = follower();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        driver.step(append(frame, 1, 0, 0, "first", "second"));
        // the transport reuses the frame's bytes for the next fragmented message before the duty cycle ends
        driver.step(append(frame, 1, 2, 1, "third"));
        frame.setMemory(0, frame.capacity(), (byte)'x');
        driver.flush();
        assertEquals(3, log.lastIndex());
        try (LogCursor cursor = log.newCursor())
        {
            assertTrue(cursor.seek(1));
            for (final String expected : new String[]{"first", "second", "third"})
            {
                assertTrue(cursor.next());
                assertEquals(expected, cursor.buffer().getStringWithoutLengthAscii(cursor.payloadOffset(),
                    cursor.payloadLength()));
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void aConflictingAppendInTheSameDutyCycleCutsTheLogBeforeItIsWritten()
    {
        final RaftDriver driver = follower();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        driver.step(append(frame, 1, 0, 0, "a", "b", "c"));
        driver.flush();
        driver.step(append(frame, 2, 1, 1, "B"));
        driver.step(append(frame, 2, 2, 2, "C"));
        driver.flush();
        assertEquals(3, log.lastIndex());
        assertEquals(2, log.term(2));
        assertEquals(2, log.term(3));
        assertEquals(1, log.term(1));
        assertEquals(List.of(), violations);
    }

    @Test
    void anInstalledSnapshotReplacesTheLogDurablyAndTheStatesAreRestoredBeforeItIsAcknowledged()
    {
        final RaftDriver driver = follower();
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[1024]);
        driver.step(append(frame, 1, 0, 0, "a", "b", "c"));
        driver.flush();
        final RaftMessage install = new RaftMessage();
        install.type = MessageType.INSTALL_SNAPSHOT;
        install.from = 1;
        install.to = 2;
        install.term = 2;
        install.index = 50;
        install.logTerm = 2;
        install.context = 3;
        driver.step(install);
        driver.flush();
        assertEquals("fetch " + new SnapshotFetch(50, 2, 3, 1), events.get(events.size() - 1));
        events.clear();

        assertTrue(driver.node().installSnapshot(50, 2, Configuration.of(1, 2, 3)));
        driver.flush();
        assertEquals(List.of("installed 50 with the log durable to 50 and starting at 51", "sent APPEND_RESPONSE 50",
            "fetch null"), events);
        assertEquals(50, log.lastIndex());
        assertEquals(2, log.term(50));
        assertEquals(List.of(), violations);
    }
}
