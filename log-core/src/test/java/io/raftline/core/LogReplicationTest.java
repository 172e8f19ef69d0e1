package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.replication.Progress;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.append;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raft §5.3 (log replication) as the follower and the leader each see it, and the leader's flow control. */
class LogReplicationTest
{
    private static final int OVERHEAD = 48;   // RaftOptions' default entryOverheadBytes

    /** A leader of 1..3 whose followers 2 and 3 answered its first probe, so that both are replicating. */
    private static RaftFixture replicatingLeader(final UnaryOperator<RaftOptions> tuning)
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0, tuning);
        leader.step(appendResponse(2, 1, 1, 1));
        leader.step(appendResponse(3, 1, 1, 1));
        leader.drain();
        assertEquals(Progress.State.REPLICATE, leader.node.progress(2).state());
        return leader;
    }

    private static String payload(final int bytes)
    {
        return "x".repeat(bytes);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Follower side

    @Test
    void section5_3_aFollowerRejectsAnAppendWhosePreviousEntryItDoesNotHoldAndHintsWhereToLook()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 2, 2), 2);
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 3, 3, 3, 3);

        follower.step(append(1, 2, 3, leaderLog, 6, 0, 0));
        RaftMessage answer = follower.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertTrue(answer.reject);
        assertEquals(6, answer.index);
        assertEquals(0, answer.rejectHintTerm, "nothing at index 6");
        assertEquals(5, answer.rejectHintIndex, "its log ends at 4");
        assertEquals(3, answer.term);

        follower.step(append(1, 2, 3, leaderLog, 4, 2, 0));
        answer = follower.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertTrue(answer.reject);
        assertEquals(4, answer.index);
        assertEquals(2, answer.rejectHintTerm, "its entry at 4 is of term 2");
        assertEquals(3, answer.rejectHintIndex, "the first entry of term 2");
        assertArrayEquals(new long[]{1, 1, 2, 2}, follower.logTerms(), "nothing changes on a rejection");
        assertEquals(1, follower.node.leaderId());
    }

    @Test
    void section5_3_theRejectionHintSearchesNoLowerThanTheCommitIndex()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(2, 2, 2, 2, 2), 2);
        follower.step(append(1, 2, 3, MemoryRaftLog.ofTerms(2, 2, 2), 3, 0, 3));
        assertEquals(3, follower.node.commitIndex());
        follower.drain();
        follower.step(append(1, 2, 3, MemoryRaftLog.ofTerms(2, 2, 2, 2, 3), 5, 0, 3));
        final RaftMessage answer = follower.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertTrue(answer.reject);
        assertEquals(2, answer.rejectHintTerm);
        assertEquals(4, answer.rejectHintIndex, "entries up to the commit index are known to match");
    }

    @Test
    void section5_3_aConflictingEntryAndAllThatFollowItAreReplaced()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 2, 2), 2);
        follower.drain();
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 3, 3, 3);
        follower.step(append(1, 2, 3, leaderLog, 2, 3, 0));
        assertArrayEquals(new long[]{1, 1, 3, 3, 3}, follower.logTerms());
        assertEquals(2, follower.node.durableIndex(), "what replaced the truncated entries is not durable yet");
        final Output out = follower.drain();
        final RaftMessage answer = out.only(MessageType.APPEND_RESPONSE, 1);
        assertFalse(answer.reject);
        assertEquals(5, answer.index);
        assertEquals(leaderLog.chain(5), follower.log.chain(5));
    }

    @Test
    void section5_3_entriesAlreadyHeldAreKeptWhenAnOldAppendArrivesLate()
    {
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 1, 1);
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        follower.step(append(1, 2, 1, leaderLog, 0, 4, 0));
        follower.drain();
        follower.step(append(1, 2, 1, leaderLog, 0, 2, 0));
        assertEquals(4, follower.log.lastIndex(), "matching entries are not truncated");
        assertEquals(2, follower.drain().only(MessageType.APPEND_RESPONSE, 1).index,
            "the answer covers what that message proved, no more");
        follower.step(append(1, 2, 1, leaderLog, 1, 3, 0));
        assertEquals(4, follower.log.lastIndex());
        assertEquals(4, follower.drain().only(MessageType.APPEND_RESPONSE, 1).index);
    }

    @Test
    void section5_3_aFollowerCommitsNoFurtherThanTheLastEntryTheAppendProved()
    {
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 1, 1, 1);
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1, 1, 1), 1);
        follower.step(append(1, 2, 1, leaderLog, 2, 1, 5));
        assertEquals(3, follower.node.commitIndex(), "min(leaderCommit 5, last new entry 3)");
        follower.step(append(1, 2, 1, leaderLog, 3, 0, 2));
        assertEquals(3, follower.node.commitIndex(), "never goes back");
        follower.drain();
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 1);
        heartbeat.commitIndex = 9;
        follower.step(heartbeat);
        assertEquals(3, follower.node.commitIndex(), "a heartbeat commits no further than an append proved");
        assertTrue(follower.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject, "and asks for one");
        follower.step(append(1, 2, 1, leaderLog, 5, 0, 9));
        assertEquals(5, follower.node.commitIndex());
        follower.drain();
        follower.step(heartbeat);
        assertFalse(follower.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject, "all it holds is proved");
    }

    @Test
    void aFollowerThatLostItsDiskCommitsNothingOnAHeartbeatThatTheLeaderBoundedByItsOldLog()
    {
        // back on an empty disk, it took entries 1..5 from a leader of term 2 that has since been replaced; the
        // leader of term 3 last heard from its old disk, which held its own entries, and bounds commit by those
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(2, 2, 2, 2, 2), 2);
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(2, 2, 3, 3, 3);
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 3);
        heartbeat.commitIndex = 5;
        follower.step(heartbeat);
        assertEquals(0, follower.node.commitIndex(), "its entries 3..5 are not the leader's");
        assertTrue(follower.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject);
        follower.step(append(1, 2, 3, leaderLog, 5, 0, 5));
        assertTrue(follower.drain().only(MessageType.APPEND_RESPONSE, 1).reject);
        assertEquals(0, follower.node.commitIndex());
        follower.step(append(1, 2, 3, leaderLog, 2, 3, 5));
        assertEquals(5, follower.node.commitIndex());
        assertEquals(3, follower.node.log().term(3), "the leader's entries replaced the old leader's");
    }

    @Test
    void aFollowerRestartedOnItsOwnDiskCommitsOnAHeartbeatOnlyOnceAnAppendProvedItsLogAgain()
    {
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 1, 1, 1);
        final RaftFixture before = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        before.step(append(1, 2, 1, leaderLog, 0, 5, 3));
        before.drain();
        assertEquals(3, before.node.commitIndex());
        final RaftFixture restarted = RaftFixture.of(2, 3, before.log, 1); // its entries, not its memory
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 1);
        heartbeat.commitIndex = 5;
        restarted.step(heartbeat);
        assertTrue(restarted.node.commitIndex() < 5, "nothing proves its entries 4 and 5 are this leader's");
        assertTrue(restarted.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject, "it asks for an append");
        restarted.step(append(1, 2, 1, leaderLog, 5, 0, 5));
        assertEquals(5, restarted.node.commitIndex(), "an empty append that matches at 5 proves 1..5");
        restarted.drain();
        restarted.step(heartbeat);
        assertFalse(restarted.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject);
    }

    @Test
    void section5_3_anAppendBelowTheCommitIndexIsAnsweredWithTheCommitIndex()
    {
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 1, 1);
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 1);
        follower.step(append(1, 2, 1, leaderLog, 3, 0, 3));
        follower.drain();
        assertEquals(3, follower.node.commitIndex());
        follower.step(append(1, 2, 1, leaderLog, 1, 3, 3));
        final RaftMessage answer = follower.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertFalse(answer.reject);
        assertEquals(3, answer.index);
        assertEquals(3, follower.log.lastIndex(), "nothing appended from a message that old");
    }

    @Test
    void section5_3_aTruncationWithdrawsAcknowledgementsNotYetSent()
    {
        final RaftFixture follower = RaftFixture.of(3, 3, new MemoryRaftLog(), 2);
        final MemoryRaftLog oldLeaderLog = MemoryRaftLog.ofTerms(2, 2);
        final MemoryRaftLog newLeaderLog = MemoryRaftLog.ofTerms(2, 3);
        follower.step(append(1, 3, 2, oldLeaderLog, 0, 1, 0));
        follower.step(append(1, 3, 2, oldLeaderLog, 1, 1, 0));
        follower.step(append(2, 3, 3, newLeaderLog, 1, 1, 0));
        final Output out = follower.drain();
        final List<RaftMessage> toOld = out.of(MessageType.APPEND_RESPONSE, 1);
        assertEquals(1, toOld.size(), "the ack of index 2 promised an entry that is gone: " + toOld);
        assertEquals(1, toOld.get(0).index);
        assertEquals(2, out.only(MessageType.APPEND_RESPONSE, 2).index);
        assertArrayEquals(new long[]{2, 3}, follower.logTerms());
    }

    @Test
    void section5_3_aRejectionIsNotWithdrawnByATruncation()
    {
        final RaftFixture follower = RaftFixture.of(3, 3, MemoryRaftLog.ofTerms(2, 2), 2);
        follower.step(append(1, 3, 2, MemoryRaftLog.ofTerms(2, 2, 2, 2), 4, 0, 0));
        follower.step(append(2, 3, 3, MemoryRaftLog.ofTerms(2, 3), 1, 1, 0));
        final Output out = follower.drain();
        assertTrue(out.only(MessageType.APPEND_RESPONSE, 1).reject);
        assertFalse(out.only(MessageType.APPEND_RESPONSE, 2).reject);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Leader side: probe and replicate

    @Test
    void section5_3_aProbedFollowerGetsOneAppendAtATimeThenEntriesArePipelined()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0,
            options -> options.maxSmallAppendsInFlight(4)); // pipelining, not the small batches' rule
        assertEquals(1, leader.elected.of(MessageType.APPEND, 2).size());
        assertEquals(Progress.State.PROBE, leader.node.progress(2).state());
        leader.propose("a");
        leader.propose("b");
        assertTrue(leader.drain().of(MessageType.APPEND).isEmpty(), "both followers have a probe out");

        leader.step(appendResponse(2, 1, 1, 1));
        final Progress progress = leader.node.progress(2);
        assertEquals(Progress.State.REPLICATE, progress.state());
        assertEquals(1, progress.matchIndex());
        final RaftMessage catchUp = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(1, catchUp.index);
        assertEquals(2, catchUp.entryCount);
        assertEquals(4, progress.nextIndex(), "optimistically past what was sent");

        leader.propose("c");
        final RaftMessage next = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(3, next.index, "sent without waiting for the previous answer");
        assertEquals(1, next.entryCount);
        assertEquals(2, progress.inflights().count());
        assertTrue(leader.drain().of(MessageType.APPEND, 3).isEmpty(), "follower 3 is still probed");
    }

    @Test
    void section5_3_aRejectionSendsAReplicatingFollowerBackToProbingAndStaleOnesAreIgnored()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose("a");
        leader.propose("b");
        leader.drain();
        final Progress progress = leader.node.progress(2);
        assertEquals(4, progress.nextIndex());

        final RaftMessage stale = appendResponse(2, 1, 1, 1);
        stale.reject = true;
        leader.step(stale);
        assertEquals(Progress.State.REPLICATE, progress.state(), "index 1 is known to match");
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty());

        final RaftMessage rejection = appendResponse(2, 1, 1, 3);
        rejection.reject = true;
        rejection.rejectHintIndex = 2;
        leader.step(rejection);
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(2, progress.nextIndex());
        final RaftMessage probe = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(1, probe.index);
        assertEquals(2, probe.entryCount);
    }

    @Test
    void section5_3_inProbeOnlyTheAnswerToTheLatestProbeCounts()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 1, 1, 1), 1);
        final Progress progress = leader.node.progress(2);
        assertEquals(5, progress.nextIndex(), "the probe asked about index 4");
        final RaftMessage old = appendResponse(2, 1, 2, 3);
        old.reject = true;
        old.rejectHintIndex = 1;
        leader.step(old);
        assertEquals(5, progress.nextIndex(), "an answer to a probe the leader has moved past");
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty());
    }

    @Test
    void theLeaderUsesItsOwnLogToSkipAConflictingTermItAlsoHas()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 2, 2, 2, 4), 4);
        final RaftMessage rejection = appendResponse(2, 1, 5, 5);
        rejection.reject = true;
        rejection.rejectHintTerm = 2;
        rejection.rejectHintIndex = 2;
        leader.step(rejection);
        assertEquals(5, leader.node.progress(2).nextIndex(), "after the leader's last entry of term 2");

        final RaftMessage beyond = appendResponse(3, 1, 5, 5);
        beyond.reject = true;
        beyond.rejectHintTerm = 3;
        beyond.rejectHintIndex = 3;
        leader.step(beyond);
        assertEquals(3, leader.node.progress(3).nextIndex(), "the leader has no term 3: the follower's hint");
    }

    @Test
    void theLeaderFindsItsOwnLastEntryOfTheHintedTermEvenAtTheStartOfItsLog()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 3, 3), 3);
        final RaftMessage rejection = appendResponse(2, 1, 4, 3);
        rejection.reject = true;
        rejection.rejectHintTerm = 1;
        rejection.rejectHintIndex = 1;
        leader.step(rejection);
        assertEquals(2, leader.node.progress(2).nextIndex(), "index 1 (term 1) is where the logs agree");
    }

    @Test
    void theInflightWindowIsBoundedInMessages()
    {
        final RaftFixture leader = replicatingLeader(options -> options.maxInflightAppends(2).maxSmallAppendsInFlight(4));
        for (int i = 0; i < 4; i++)
        {
            leader.propose("e" + i);
            leader.drain();
        }
        final Progress progress = leader.node.progress(2);
        assertEquals(2, progress.inflights().count());
        assertTrue(progress.isPaused());
        assertEquals(4, progress.nextIndex(), "entries 4 and 5 wait");
        leader.step(appendResponse(2, 1, 1, 2));
        final RaftMessage resumed = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(3, resumed.index);
        assertEquals(2, resumed.entryCount, "what waited goes out in one message");
    }

    @Test
    void theInflightWindowIsBoundedInBytes()
    {
        final RaftFixture leader = replicatingLeader(options -> options.maxInflightBytes(2 * (OVERHEAD + 10))
            .maxSmallAppendsInFlight(4));
        final Progress progress = leader.node.progress(2);
        leader.propose(payload(10));
        leader.drain();
        assertFalse(progress.isPaused());
        leader.propose(payload(10));
        assertEquals(1, leader.drain().of(MessageType.APPEND, 2).size());
        assertEquals(2 * (OVERHEAD + 10), progress.inflights().bytes());
        assertTrue(progress.isPaused());
        leader.propose(payload(10));
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty());
    }

    @Test
    void appendsAreBatchedUpToMaxBatchBytesButCarryAtLeastOneEntry()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0,
            options -> options.maxBatchBytes(3 * (OVERHEAD + 10)).maxSmallAppendsInFlight(4));
        for (int i = 0; i < 7; i++)
        {
            leader.propose(payload(10));
        }
        leader.propose(payload(500));
        leader.propose(payload(10));
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 1));
        final List<RaftMessage> appends = new ArrayList<>(leader.drain().of(MessageType.APPEND, 2));
        assertEquals(List.of(3, 3, 1, 1), appends.stream().map(m -> m.entryCount).toList());
        leader.step(appendResponse(2, 1, 1, 4)); // the last, small, waited for an answer: four were in flight
        appends.addAll(leader.drain().of(MessageType.APPEND, 2));
        assertEquals(List.of(3, 3, 1, 1, 1), appends.stream().map(m -> m.entryCount).toList());
        assertEquals(List.of(1L, 4L, 7L, 8L, 9L), appends.stream().map(m -> m.index).toList());
        for (final RaftMessage append : appends)
        {
            assertEquals(leader.log.term(append.index), append.logTerm);
            assertEquals(1, append.term);
        }
    }

    @Test
    void aFollowerFarBehindIsSentAFewBatchesPerReadyUntilItHasEverything()
    {
        final int batches = RaftNode.BATCHES_PER_FLUSH + 3;
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0,
            options -> options.maxBatchBytes(2 * (OVERHEAD + 10)));
        for (int i = 0; i < 2 * batches - 1; i++)
        {
            leader.propose(payload(10)); // with the leader's no-op: 2 * batches entries
        }
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 1)); // follower 2 holds only the no-op: it replicates from index 2

        assertEquals(RaftNode.BATCHES_PER_FLUSH, appendsTo(2, leader.node.ready()),
            "one ready() reads and encodes a few batches, not the whole window");
        leader.node.advance(leader.log.lastIndex());
        assertTrue(leader.node.hasReady(), "the rest is pending");
        assertEquals(batches - RaftNode.BATCHES_PER_FLUSH, appendsTo(2, leader.node.ready()));
        leader.node.advance(leader.log.lastIndex());
        assertEquals(2L * batches + 1, leader.node.progress(2).nextIndex(), "every entry is on its way");
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty());
        assertFalse(leader.node.hasReady());
    }

    @Test
    void largeBatchesAreSentUpToAByteBudgetPerReadyButOneAlwaysGoes()
    {
        final int entryBytes = (int)(RaftNode.BYTES_PER_FLUSH / 3) + 1; // each alone in its batch: three pass the budget
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0, UnaryOperator.identity());
        for (int i = 0; i < 5; i++)
        {
            leader.propose(payload(entryBytes));
        }
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 1));

        assertEquals(3, appendsTo(2, leader.node.ready()));
        leader.node.advance(leader.log.lastIndex());
        assertEquals(2, appendsTo(2, leader.node.ready()));
        leader.node.advance(leader.log.lastIndex());
        assertEquals(7, leader.node.progress(2).nextIndex());
    }

    private static int appendsTo(final int follower, final Ready ready)
    {
        int count = 0;
        for (int i = 0; i < ready.messages().size(); i++)
        {
            count += ready.messages().get(i).type == MessageType.APPEND && ready.messages().get(i).to == follower ? 1 : 0;
        }
        return count;
    }

    @Test
    void smallBatchesWaitWhileSomeAreInFlightAndLeaveTogetherOnTheNextAnswer()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        for (int i = 0; i < RaftOptions.DEFAULT_MAX_SMALL_APPENDS_IN_FLIGHT; i++)
        {
            leader.propose(payload(10));
            assertEquals(1, leader.drain().of(MessageType.APPEND, 2).size(), "one small batch each while few fly");
        }
        for (int i = 0; i < 5; i++)
        {
            leader.propose(payload(10));
            assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty(), "it waits: a small batch would queue");
        }
        leader.step(appendResponse(2, 1, 1, 2)); // the first answered
        final RaftMessage together = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(5, together.entryCount);
        assertEquals(1 + RaftOptions.DEFAULT_MAX_SMALL_APPENDS_IN_FLIGHT, together.index);
    }

    @Test
    void aFullBatchIsNotHeldBackByTheSmallBatchRule()
    {
        final RaftFixture leader = replicatingLeader(options -> options.maxBatchBytes(4 * (OVERHEAD + 10)));
        for (int i = 0; i < RaftOptions.DEFAULT_MAX_SMALL_APPENDS_IN_FLIGHT; i++)
        {
            leader.propose(payload(10));
            leader.drain();
        }
        for (int i = 0; i < 5; i++)
        {
            leader.propose(payload(10));
        }
        final List<RaftMessage> appends = leader.drain().of(MessageType.APPEND, 2);
        assertEquals(List.of(4), appends.stream().map(m -> m.entryCount).toList(),
            "a full batch of four leaves at once; the fifth entry, a small batch, waits");
    }

    @Test
    void anAppendCarriesWhatItsEntriesTakeOnTheWireSoTheTransportNeedNotMeasureThemAgain()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose(payload(10));
        leader.propose(payload(30));
        final RaftMessage append = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(2, append.entryCount);
        assertEquals(2 * OVERHEAD + 40, append.batchBytes);
    }

    @Test
    void anAppendHeldBackByTheTransportStaysCurrentOnlyWhileItsLeadershipAndItsRangeLast()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose("a");
        final RaftMessage append = new RaftMessage().copyFrom(leader.drain().only(MessageType.APPEND, 2));
        assertTrue(leader.node.isAppendCurrent(append));
        final RaftMessage stale = new RaftMessage().copyFrom(append);
        stale.logTerm = append.logTerm + 1;
        assertFalse(leader.node.isAppendCurrent(stale), "the log there changed");
        stale.copyFrom(append);
        stale.entryCount = 5;
        assertFalse(leader.node.isAppendCurrent(stale), "entries the log does not hold");
        stale.copyFrom(append);
        stale.term = append.term - 1;
        assertFalse(leader.node.isAppendCurrent(stale), "built in an earlier leadership");
        leader.step(message(MessageType.HEARTBEAT, 2, 1, 5));
        assertFalse(leader.node.isAppendCurrent(append), "no longer the leader");
    }

    @Test
    void anAppendAfterTheSnapshotIsCurrentButNotOneBeforeIt()
    {
        final RaftNode leader = new RaftNode(LocalCluster.options(1).preVote(false),
            new SnapshotLog(5, 2), 2, 0, Configuration.of(1));
        RaftFixture.tick(leader, 2 * T);
        assertEquals(Role.LEADER, leader.role());
        assertEquals(6, leader.log().firstIndex());
        final RaftMessage append = message(MessageType.APPEND, 1, 2, leader.term());
        append.index = 5;
        append.logTerm = 2;
        append.entryCount = 1;
        assertTrue(leader.isAppendCurrent(append), "the entry before the first is still known by its term");
        append.index = 4;
        assertFalse(leader.isAppendCurrent(append), "compacted away: only a snapshot can bring it");
    }

    @Test
    void aReplicatingFollowerHearsOfANewCommitIndexAtTheNextTickWhenNoEntryCarriesIt()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        assertEquals(1, leader.node.commitIndex());
        leader.propose("a");
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 2));
        assertTrue(leader.drain().of(MessageType.APPEND).isEmpty(), "a commit index alone waits for the tick");
        assertEquals(2, leader.node.commitIndex());

        leader.tick(1);
        final Output out = leader.drain();
        for (final int follower : new int[]{2, 3})
        {
            final RaftMessage news = out.only(MessageType.APPEND, follower);
            assertEquals(0, news.entryCount);
            assertEquals(2, news.commitIndex);
        }
        leader.step(appendResponse(3, 1, 1, 2));
        leader.tick(1);
        assertTrue(leader.drain().of(MessageType.APPEND).isEmpty(), "nothing new to say to anyone");
    }

    @Test
    void aNewCommitIndexRidesOnTheNextEntriesWithoutAMessageOfItsOwn()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose("a");
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 2));
        leader.step(appendResponse(3, 1, 1, 2)); // else "b" waits for it: one small batch in flight at a time
        leader.propose("b");
        final Output out = leader.drain();
        for (final int follower : new int[]{2, 3})
        {
            final RaftMessage append = out.only(MessageType.APPEND, follower);
            assertEquals(1, append.entryCount);
            assertEquals(2, append.commitIndex, "entry 3 carries the commit of entry 2");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Heartbeats

    @Test
    void section5_2_theLeaderSendsHeartbeatsEveryIntervalBeforePersistingAnything()
    {
        final RaftFixture leader = replicatingLeader(options -> options.heartbeatIntervalTicks(3));
        leader.tick(2);
        assertTrue(leader.drain().of(MessageType.HEARTBEAT).isEmpty());
        leader.tick(1);
        final Ready ready = leader.node.ready();
        assertEquals(2, ready.messages().size());
        assertEquals(MessageType.HEARTBEAT, ready.messages().get(0).type);
        assertEquals(MessageType.HEARTBEAT, ready.messages().get(1).type);
        leader.node.advance(leader.log.lastIndex());
        leader.tick(2);
        assertTrue(leader.drain().of(MessageType.HEARTBEAT).isEmpty());
        leader.tick(1);
        assertEquals(2, leader.drain().of(MessageType.HEARTBEAT).size());
    }

    @Test
    void aHeartbeatCommitsNoFurtherThanTheFollowersMatchIndex()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.propose("a");
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 1));
        assertEquals(1, leader.node.commitIndex());
        leader.drain();
        leader.tick(1);
        final Output out = leader.drain();
        assertEquals(1, out.only(MessageType.HEARTBEAT, 2).commitIndex);
        assertEquals(0, out.only(MessageType.HEARTBEAT, 3).commitIndex, "3 may hold other uncommitted entries");
    }

    @Test
    void section5_2_heartbeatsKeepAFollowerFromCampaigning()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        for (int i = 0; i < 10; i++)
        {
            follower.tick(T - 1);
            follower.step(message(MessageType.HEARTBEAT, 1, 2, 1));
        }
        assertEquals(Role.FOLLOWER, follower.node.role());
        assertEquals(1, follower.node.leaderId());
        follower.tick(2 * T);
        assertEquals(Role.PRE_CANDIDATE, follower.node.role());
    }

    @Test
    void aHeartbeatAnswerFromALaggingFollowerMakesTheLeaderResendWhatWasLost()
    {
        final RaftFixture leader = replicatingLeader(options -> options.maxInflightAppends(1));
        leader.propose("a");
        assertEquals(1, leader.drain().of(MessageType.APPEND, 2).size());  // lost on the way
        leader.propose("b");
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty(), "the window is full");

        final RaftMessage answer = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 1);
        leader.step(answer);
        final RaftMessage resend = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(2, resend.index, "past the lost message: the follower will reject it and be probed");

        leader.step(appendResponse(3, 1, 1, 3));
        leader.drain();
        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 1));
        assertTrue(leader.drain().of(MessageType.APPEND, 3).isEmpty(), "an up-to-date follower needs nothing");
        final RaftMessage unproved = message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 1);
        unproved.reject = true; // it restarted: it takes no commit index on a heartbeat's word
        leader.step(unproved);
        assertEquals(0, leader.drain().only(MessageType.APPEND, 3).entryCount, "an empty append proves its log");
    }

    @Test
    void aHeartbeatAnswerMakesTheLeaderSendAnEmptyAppendWhenItsLastEntriesWereLost()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose("a");
        assertEquals(1, leader.drain().of(MessageType.APPEND, 2).size()); // lost on the way; nothing new follows

        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 1));
        final RaftMessage resend = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(2, resend.index, "after the lost entry: the follower's rejection starts a probe");
        assertEquals(0, resend.entryCount);
    }

    @Test
    void aProbeLostOnTheWayIsRetriedAfterAHeartbeatAnswer()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.propose("a");
        assertTrue(leader.drain().of(MessageType.APPEND, 2).isEmpty());
        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 1));
        final RaftMessage probe = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(0, probe.index);
        assertEquals(2, probe.entryCount);
    }

    @Test
    void aLeaderThatStepsDownWithdrawsAppendsNotYetSent()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.propose("a");
        final Ready ready = leader.node.ready();
        assertEquals(2, ready.messages().size());
        leader.step(message(MessageType.HEARTBEAT, 2, 1, 5));
        assertEquals(Role.FOLLOWER, leader.node.role());
        for (int i = 0; i < ready.messages().size(); i++)
        {
            assertTrue(ready.messages().get(i).type != MessageType.APPEND, "the entry may be truncated soon");
        }
        assertNull(leader.node.progress(2), "only a leader tracks progress");
    }

    @Test
    void responsesFromNonMembersAndToNonLeadersAreIgnored()
    {
        final RaftFixture leader = replicatingLeader(UnaryOperator.identity());
        leader.step(appendResponse(7, 1, 1, 1));
        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 7, 1, 1));
        assertTrue(leader.drain().all().isEmpty());
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        follower.step(appendResponse(3, 2, 1, 1));
        follower.step(message(MessageType.HEARTBEAT_RESPONSE, 3, 2, 1));
        assertTrue(follower.drain().all().isEmpty());
    }

    @Test
    void proposalsAreAppendedOnlyOnTheLeaderAndOnlyOfKnownTypes()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        assertEquals(RaftNode.NOT_LEADER, follower.propose("a"));
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> leader.node.propose(EntryType.NOOP, buffer, 0, 4, 0, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> leader.node.propose(EntryType.CONFIG, buffer, 0, 4, 0, 0));
        assertEquals(2, leader.node.propose(EntryType.SESSION, buffer, 0, 4, 0, 0));
        assertEquals(3, leader.node.propose(buffer, 0, 4, 9, 7));
        leader.writeLog();
        assertEquals(EntryType.SESSION, leader.log.type(2));
        assertEquals(9, leader.log.entry(3).sessionId());
        assertEquals(7, leader.log.entry(3).sequence());
        assertEquals(EntryType.NORMAL, leader.log.type(3));
        assertEquals(1, leader.log.term(3));
    }
}
