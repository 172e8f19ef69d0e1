package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.assertNone;
import static io.raftline.core.RaftFixture.append;
import static io.raftline.core.RaftFixture.message;
import static io.raftline.core.RaftFixture.vote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The figures of the Raft paper and the rules of §5.3–§5.4 about what is committed, plus the order in which the
 * runtime must persist and send (§5.1, thesis §10.2.1). Elections, replication details, transfers and reads have
 * their own classes: {@link LeaderElectionTest}, {@link LogReplicationTest}, {@link LeadershipTransferTest},
 * {@link ReadIndexTest}.
 */
class RaftPaperTest
{
    private static final long[] FIGURE_7_LEADER = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};

    private static long[] terms(final String list)
    {
        return Arrays.stream(list.split(",")).mapToLong(text -> Long.parseLong(text.trim())).toArray();
    }

    /**
     * Figure 7: the leader of term 8 and six followers (a)–(f). Each is brought into agreement with the leader's log
     * (plus its no-op of term 8) by AppendEntries probes, the rejection hint skipping a whole conflicting term per
     * round trip: a missing tail costs one round trip, each conflicting term one more.
     */
    @ParameterizedTest(name = "figure 7 ({0}): {1} in {2} round trips")
    @CsvSource(delimiter = '|', value = {
        "a | 1,1,1,4,4,5,5,6,6         | 2",
        "b | 1,1,1,4                   | 2",
        "c | 1,1,1,4,4,5,5,6,6,6,6     | 1",
        "d | 1,1,1,4,4,5,5,6,6,6,7,7   | 1",
        "e | 1,1,1,4,4,4,4             | 3",
        "f | 1,1,1,2,2,2,3,3,3,3,3     | 3",
    })
    void figure7_theLeaderBringsEveryFollowerIntoAgreementOneRoundTripPerConflictingTerm(
        final String name, final String followerTerms, final int expectedRoundTrips)
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(FIGURE_7_LEADER), 7);
        assertEquals(8, leader.node.term());
        final long[] leaderTerms = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8};
        assertArrayEquals(leaderTerms, leader.logTerms());
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(terms(followerTerms)), 7);

        List<RaftMessage> toFollower = leader.elected.of(MessageType.APPEND, 2);
        int roundTrips = 0;
        while (!Arrays.equals(leaderTerms, follower.logTerms()))
        {
            assertEquals(1, toFollower.size(), "a probe at a time: " + toFollower);
            if (++roundTrips > 12)
            {
                fail("no agreement after 12 round trips: " + Arrays.toString(follower.logTerms()));
            }
            follower.step(toFollower.get(0));
            for (final RaftMessage response : follower.drain().of(MessageType.APPEND_RESPONSE))
            {
                leader.step(response);
            }
            toFollower = leader.drain().of(MessageType.APPEND, 2);
        }
        assertEquals(expectedRoundTrips, roundTrips);
        assertEquals(leader.log.chain(11), follower.log.chain(11), "the same entries, not only the same terms");

        // the no-op of term 8 is on a majority: everything up to it commits, and the follower learns so at the
        // leader's next tick (no entry was left to carry the news sooner)
        assertEquals(11, leader.node.commitIndex());
        assertTrue(toFollower.isEmpty(), "a commit index alone waits for the tick: " + toFollower);
        leader.tick(1);
        leader.drain().of(MessageType.APPEND, 2).forEach(follower::step);
        assertEquals(11, follower.node.commitIndex());
        assertEquals(11, follower.node.log().lastIndex());
    }

    /**
     * Figure 8: the leader of term 4 finds its entry of term 2 on a majority. Counting replicas must not commit it,
     * because a server whose last entry is of term 3 can still be elected and overwrite it; it commits only with
     * the leader's own entry of term 4.
     */
    @Test
    void figure8_aPriorTermEntryIsNotCommittedByCountingReplicas()
    {
        final RaftFixture leader = RaftFixture.leader(1, 5, MemoryRaftLog.ofTerms(1, 2), 3);
        assertEquals(4, leader.node.term());
        assertEquals(3, leader.node.log().lastIndex(), "the no-op of term 4");

        leader.step(appendResponse(2, 1, 4, 2));
        leader.step(appendResponse(3, 1, 4, 2));
        assertEquals(0, leader.node.commitIndex(), "index 2 is on servers 1, 2 and 3, yet not committed");

        leader.step(appendResponse(2, 1, 4, 3));
        assertEquals(0, leader.node.commitIndex(), "index 3 is on two servers of five");
        leader.step(appendResponse(3, 1, 4, 3));
        assertEquals(3, leader.node.commitIndex(), "an entry of term 4 commits, and with it those before it");
    }

    /** Figure 8 (d): why the rule above is needed. The entry of term 2 on a majority is overwritten. */
    @Test
    void figure8_aPriorTermEntryOnAMajorityCanStillBeOverwritten()
    {
        final RaftFixture s3 = RaftFixture.of(3, 5, MemoryRaftLog.ofTerms(1, 2), 4);
        final MemoryRaftLog s5Log = MemoryRaftLog.ofTerms(1, 3);
        s3.step(vote(5, 3, 5, 2, 3));
        assertFalse(s3.drain().only(MessageType.VOTE_RESPONSE, 5).reject, "term 3 beats term 2 at the last entry");
        s3.step(RaftFixture.append(5, 3, 5, s5Log, 1, 1, 0));
        assertArrayEquals(new long[]{1, 3}, s3.logTerms());
    }

    @Test
    void section5_3_theCommitIndexIsTheMajorityThHighestMatchIndex()
    {
        final RaftFixture leader = RaftFixture.leader(1, 5, new MemoryRaftLog(), 0);
        for (int i = 0; i < 7; i++)
        {
            leader.propose("x" + i);
        }
        leader.drain();
        assertEquals(8, leader.node.log().lastIndex());
        leader.step(appendResponse(2, 1, 1, 3));
        assertEquals(0, leader.node.commitIndex(), "matches 8,3,0,0,0");
        leader.step(appendResponse(3, 1, 1, 5));
        assertEquals(3, leader.node.commitIndex(), "matches 8,5,3,0,0");
        leader.step(appendResponse(4, 1, 1, 6));
        assertEquals(5, leader.node.commitIndex(), "matches 8,6,5,3,0");
        leader.step(appendResponse(5, 1, 1, 8));
        assertEquals(6, leader.node.commitIndex(), "matches 8,8,6,5,3");
        leader.step(appendResponse(2, 1, 1, 2));
        assertEquals(6, leader.node.commitIndex(), "an old acknowledgement changes nothing");
    }

    @Test
    void section8_aNewLeaderAppendsANoOpOfItsTermAndSendsIt()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 1, 2), 2);
        final MemoryRaftLog log = leader.log;
        assertEquals(4, log.lastIndex());
        assertEquals(3, log.term(4));
        assertEquals(EntryType.NOOP, log.type(4));
        assertEquals(0, log.payloadLength(4));
        assertEquals(io.raftline.core.replication.Progress.State.REPLICATE, leader.node.progress(1).state(),
            "the leader's own progress follows its disk, no probing");
        assertEquals(4, leader.node.progress(1).matchIndex());
        for (final int follower : new int[]{2, 3})
        {
            final RaftMessage probe = leader.elected.only(MessageType.APPEND, follower);
            assertEquals(3, probe.index, "nextIndex starts after the leader's log as it was (§5.3)");
            assertEquals(2, probe.logTerm);
            assertEquals(1, probe.entryCount);
            assertEquals(3, probe.entries.term(0));
            assertEquals(EntryType.NOOP, probe.entries.type(0));
            assertEquals(3, probe.term);
        }
        leader.step(appendResponse(2, 1, 3, 4));
        assertEquals(4, leader.node.commitIndex(), "the no-op commits the earlier entries");
    }

    @Test
    void thesis10_2_1_theLeadersOwnWriteCountsOnlyOnceItIsDurable()
    {
        final RaftFixture single = RaftFixture.leader(1, 1, new MemoryRaftLog(), 0);
        assertEquals(1, single.node.commitIndex());
        final long index = single.propose("x");
        final Ready ready = single.node.ready();
        assertEquals(1, ready.commitIndex());
        assertTrue(ready.mustPersistEntries());
        assertEquals(index, ready.persistFromIndex());
        assertEquals(index, ready.lastIndex());
        single.log.sync();
        single.node.advance(index);
        assertEquals(index, single.node.commitIndex());

        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.propose("y");
        leader.step(appendResponse(2, 1, 1, 2));
        assertEquals(1, leader.node.commitIndex(), "the leader's disk holds only the no-op");
        leader.drain();
        assertEquals(2, leader.node.commitIndex());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.1, thesis §10.2.1: persist before sending what depends on it

    @Test
    void section5_1_responsesThatPromiseDurabilityLeaveOnlyAfterPersisting()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 0);
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1);
        follower.step(RaftFixture.append(1, 2, 1, leaderLog, 0, 2, 0));
        Ready ready = follower.node.ready();
        assertTrue(ready.hardStateChanged(), "term 1 must be persisted");
        assertEquals(1, ready.term());
        assertTrue(ready.mustPersistEntries());
        assertEquals(1, ready.persistFromIndex());
        assertEquals(2, ready.lastIndex());
        assertEquals(0, ready.messages().size());
        assertEquals(1, ready.messagesAfterPersist().size());
        assertEquals(MessageType.APPEND_RESPONSE, ready.messagesAfterPersist().get(0).type);
        assertEquals(2, ready.messagesAfterPersist().get(0).index);
        assertEquals(2, ready.logWrites().count(), "the received entries, to write before persisting");
        assertEquals(1, ready.logWrites().firstIndex());
        ready.logWrites().writeTo(follower.log);
        follower.log.sync();
        follower.node.advance(2);
        assertEquals(2, follower.node.durableIndex());
        ready = follower.node.ready();
        assertFalse(ready.mustPersistEntries());
        assertEquals(3, ready.persistFromIndex());
        assertFalse(ready.hardStateChanged());
        assertEquals(0, ready.messagesAfterPersist().size(), "advance() cleared what was done");
        follower.node.advance(2);
        assertFalse(follower.node.hasReady());

        follower.step(message(MessageType.HEARTBEAT, 1, 2, 1));
        final Output heartbeat = follower.drain();
        assertNone(heartbeat.beforePersist, MessageType.HEARTBEAT_RESPONSE);
        assertEquals(1, heartbeat.of(MessageType.HEARTBEAT_RESPONSE, 1).size());

        final RaftMessage transfer = vote(3, 2, 2, 2, 1);
        transfer.transfer = true; // the leader was heard from: only a transfer gets a vote now
        follower.step(transfer);
        final Output voted = follower.drain();
        assertNone(voted.beforePersist, MessageType.VOTE_RESPONSE);
        assertTrue(voted.hardStateChanged);
        assertEquals(1, voted.of(MessageType.VOTE_RESPONSE, 3).size());
    }

    @Test
    void thesis10_2_1_theLeaderSendsEntriesBeforeItsOwnDiskHasThem()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.step(appendResponse(2, 1, 1, 1));
        leader.step(appendResponse(3, 1, 1, 1));
        leader.drain();
        leader.propose("x");
        final Ready ready = leader.node.ready();
        assertTrue(ready.mustPersistEntries());
        assertEquals(2, ready.messages().size());
        for (int i = 0; i < 2; i++)
        {
            assertEquals(MessageType.APPEND, ready.messages().get(i).type);
        }
        assertEquals(0, ready.messagesAfterPersist().size());
        assertEquals(Role.LEADER, ready.role());
        assertEquals(1, ready.leaderId());
        assertEquals(1, ready.votedFor());
    }

    @Test
    void advanceBeyondTheLogIsAProgrammingError()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        assertThrows(IllegalArgumentException.class, () -> follower.node.advance(3));
        follower.node.advance(2);
        follower.node.advance(1);
        assertEquals(2, follower.node.durableIndex(), "the durable index never goes back");
    }

    @Test
    void readyReportsRoleLeaderAndCommitChangesOnce()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        follower.drain();
        assertFalse(follower.node.hasReady());
        follower.step(message(MessageType.HEARTBEAT, 1, 2, 1));
        assertTrue(follower.node.hasReady(), "a new leader and a new response");
        follower.drain();
        follower.step(append(1, 2, 1, MemoryRaftLog.ofTerms(1, 1), 2, 0, 2));
        final Ready ready = follower.node.ready();
        assertEquals(2, ready.commitIndex());
        assertEquals(1, ready.leaderId());
        assertEquals(Role.FOLLOWER, ready.role());
        follower.node.advance(2);
        assertFalse(follower.node.hasReady());
        follower.node.tick();
        assertFalse(follower.node.hasReady(), "a tick that starts nothing asks for nothing");
    }

    @Test
    void constructorRejectsANegativeTermOrVote()
    {
        assertThrows(IllegalArgumentException.class, () -> RaftFixture.of(1, 3, new MemoryRaftLog(), -1));
        assertThrows(IllegalArgumentException.class, () -> new RaftFixture(LocalCluster.options(1),
            new MemoryRaftLog(), 0, -1, io.raftline.core.quorum.Configuration.of(1, 2, 3)));
    }

    @Test
    void misaddressedMessagesAreIgnored()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        follower.step(message(MessageType.HEARTBEAT, 1, 3, 5));
        follower.step(message(MessageType.HEARTBEAT, 2, 2, 5));
        assertEquals(1, follower.node.term());
        assertTrue(follower.drain().all().isEmpty());
    }

    @Test
    void toStringDescribesTheNode()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1), 1);
        assertEquals("node 1 LEADER term=2 vote=1 leader=1 commit=0 last=2 durable=2 configuration@0: " +
            "voters=[1, 2, 3]", leader.node.toString());
    }
}
