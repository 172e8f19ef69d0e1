package io.raftline.core;

import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationHistory;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One {@link RaftNode} driven by hand, for tests of single rules: messages are built field by field and stepped in,
 * and what the node asks for is drained through {@link Ready} into {@link Output}, in the order the runtime does it.
 */
final class RaftFixture
{
    static final int T = LocalCluster.ELECTION_TIMEOUT_TICKS;

    final RaftNode node;
    final MemoryRaftLog log;
    /** What the node sent on becoming leader in {@link #elect()}: its first probes, carrying the no-op. */
    Output elected;

    RaftFixture(final RaftOptions options, final MemoryRaftLog log, final long term, final int votedFor,
        final Configuration configuration)
    {
        this.log = log;
        this.node = new RaftNode(options, log, term, votedFor, configuration);
    }

    /** A node restarting with the configuration entries of its log (see {@link RaftNode}'s constructor). */
    RaftFixture(final RaftOptions options, final MemoryRaftLog log, final long term, final int votedFor,
        final ConfigurationHistory configurations)
    {
        this.log = log;
        this.node = new RaftNode(options, log, term, votedFor, configurations);
    }

    /** Node {@code id} with default test options, the given log and term, among voters 1..voterCount. */
    static RaftFixture of(final int id, final int voterCount, final MemoryRaftLog log, final long term)
    {
        return of(id, voterCount, log, term, UnaryOperator.identity());
    }

    static RaftFixture of(
        final int id, final int voterCount, final MemoryRaftLog log, final long term,
        final UnaryOperator<RaftOptions> tuning)
    {
        return new RaftFixture(tuning.apply(LocalCluster.options(id)), log, term, 0, Configuration.of(ids(voterCount)));
    }

    /** A node elected leader of voters 1..voterCount by votes stepped in by hand; its no-op is made durable. */
    static RaftFixture leader(final int id, final int voterCount, final MemoryRaftLog log, final long term,
        final UnaryOperator<RaftOptions> tuning)
    {
        final RaftFixture fixture = of(id, voterCount, log, term, tuning);
        fixture.elect();
        return fixture;
    }

    static RaftFixture leader(final int id, final int voterCount, final MemoryRaftLog log, final long term)
    {
        return leader(id, voterCount, log, term, UnaryOperator.identity());
    }

    static int[] ids(final int count)
    {
        final int[] ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = i + 1;
        }
        return ids;
    }

    /** Ticks until the node campaigns, then grants every (pre-)vote it asks for until it leads; drains after. */
    void elect()
    {
        for (int i = 0; i < 2 * T && node.role() == Role.FOLLOWER; i++)
        {
            node.tick();
        }
        for (int round = 0; round < 2 && node.role() != Role.LEADER; round++)
        {
            final Role campaigning = node.role();
            for (final RaftMessage request : drain().afterPersist)
            {
                if (node.role() == campaigning)
                {
                    final MessageType responseType = request.type == MessageType.PRE_VOTE ?
                        MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
                    node.step(message(responseType, request.to, node.id(), request.term));
                }
            }
        }
        assertEquals(Role.LEADER, node.role(), "elect() failed: " + node);
        elected = drain();
    }

    /** What one or more ready/advance cycles asked for. */
    static final class Output
    {
        boolean hardStateChanged;
        long term;
        int votedFor;
        final List<RaftMessage> beforePersist = new ArrayList<>();
        final List<RaftMessage> afterPersist = new ArrayList<>();
        final List<long[]> readStates = new ArrayList<>();
        /** The snapshot to fetch, as the last Ready named it. */
        SnapshotFetch snapshotToFetch;
        /** A snapshot installed in place of the log, as a Ready reported it (0: none). */
        long snapshotInstalled;

        List<RaftMessage> all()
        {
            final List<RaftMessage> all = new ArrayList<>(beforePersist);
            all.addAll(afterPersist);
            return all;
        }

        List<RaftMessage> of(final MessageType type)
        {
            return all().stream().filter(m -> m.type == type).toList();
        }

        List<RaftMessage> of(final MessageType type, final int to)
        {
            return all().stream().filter(m -> m.type == type && m.to == to).toList();
        }

        RaftMessage only(final MessageType type, final int to)
        {
            final List<RaftMessage> found = of(type, to);
            assertEquals(1, found.size(), "expected one " + type + " to " + to + " in " + all());
            return found.get(0);
        }
    }

    /** Does everything the node asks, persisting all, until it asks for nothing more. */
    Output drain()
    {
        final Output output = new Output();
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            ready.logWrites().writeTo(log);
            copy(ready.messages(), output.beforePersist);
            output.hardStateChanged |= ready.hardStateChanged();
            output.term = ready.term();
            output.votedFor = ready.votedFor();
            log.sync();
            output.snapshotToFetch = ready.snapshotToFetch();
            output.snapshotInstalled = Math.max(output.snapshotInstalled, ready.snapshotInstalled());
            copy(ready.messagesAfterPersist(), output.afterPersist);
            for (int i = 0; i < ready.readStates().size(); i++)
            {
                output.readStates.add(new long[]{ready.readStates().requestId(i), ready.readStates().index(i)});
            }
            node.advance(log.lastIndex());
        }
        return output;
    }

    private void copy(final MessageQueue queue, final List<RaftMessage> out)
    {
        for (int i = 0; i < queue.size(); i++)
        {
            out.add(Outbox.toInbound(queue.get(i), log));
        }
    }

    void step(final RaftMessage message)
    {
        node.step(message);
    }

    void tick(final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            node.tick();
        }
    }

    static void tick(final RaftNode node, final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            node.tick();
        }
    }

    long propose(final String payload)
    {
        final byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        return node.propose(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** The terms of the log as the core sees it: what storage holds, with the writes it decided laid over it. */
    long[] logTerms()
    {
        return termsOf(node.log());
    }

    /** Makes the log writes the node has decided so far, as the runtime does while an input is in hand. */
    void writeLog()
    {
        node.logWrites().writeTo(log);
    }

    static long[] termsOf(final LogView log)
    {
        final long[] terms = new long[(int)log.lastIndex()];
        for (int i = 0; i < terms.length; i++)
        {
            terms[i] = log.term(i + 1);
        }
        return terms;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Messages

    static RaftMessage message(final MessageType type, final int from, final int to, final long term)
    {
        final RaftMessage message = new RaftMessage();
        message.type = type;
        message.from = from;
        message.to = to;
        message.term = term;
        return message;
    }

    static RaftMessage vote(final int from, final int to, final long term, final long lastIndex, final long lastTerm)
    {
        final RaftMessage message = message(MessageType.VOTE, from, to, term);
        message.index = lastIndex;
        message.logTerm = lastTerm;
        return message;
    }

    static RaftMessage preVote(final int from, final int to, final long term, final long lastIndex,
        final long lastTerm)
    {
        final RaftMessage message = vote(from, to, term, lastIndex, lastTerm);
        message.type = MessageType.PRE_VOTE;
        return message;
    }

    /** An AppendEntries carrying {@code leaderLog}'s entries prevIndex+1..prevIndex+count. */
    static RaftMessage append(final int from, final int to, final long term, final MemoryRaftLog leaderLog,
        final long prevIndex, final int count, final long commitIndex)
    {
        final RaftMessage message = message(MessageType.APPEND, from, to, term);
        message.index = prevIndex;
        message.logTerm = leaderLog.term(prevIndex);
        message.commitIndex = commitIndex;
        message.entryCount = count;
        return Outbox.toInbound(message, leaderLog);
    }

    static RaftMessage appendResponse(final int from, final int to, final long term, final long index)
    {
        final RaftMessage message = message(MessageType.APPEND_RESPONSE, from, to, term);
        message.index = index;
        return message;
    }

    static Predicate<RaftMessage> ofType(final MessageType type)
    {
        return message -> message.type == type;
    }

    static void assertNone(final List<RaftMessage> messages, final MessageType type)
    {
        assertTrue(messages.stream().noneMatch(ofType(type)), "unexpected " + type + " in " + messages);
    }
}
