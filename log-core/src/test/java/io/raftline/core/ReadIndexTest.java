package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raft thesis §6.4: linearizable reads without writing to the log. */
class ReadIndexTest
{
    private static RaftFixture committedLeader(final UnaryOperator<RaftOptions> tuning)
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0, tuning);
        leader.step(appendResponse(2, 1, 1, 1));
        leader.step(appendResponse(3, 1, 1, 1));
        leader.drain();
        assertEquals(1, leader.node.commitIndex());
        return leader;
    }

    private static RaftMessage heartbeatAnswer(final int from, final long round)
    {
        return heartbeatAnswer(from, round, 1);
    }

    private static RaftMessage heartbeatAnswer(final int from, final long round, final long term)
    {
        final RaftMessage answer = message(MessageType.HEARTBEAT_RESPONSE, from, 1, term);
        answer.context = round;
        return answer;
    }

    private static void assertReads(final List<long[]> reads, final long[]... expected)
    {
        assertEquals(expected.length, reads.size());
        for (int i = 0; i < expected.length; i++)
        {
            assertArrayEquals(expected[i], reads.get(i));
        }
    }

    @Test
    void thesis6_4_theLeaderAnswersAfterAMajorityConfirmsAHeartbeatRoundStartedAfterTheRead()
    {
        final RaftFixture leader = committedLeader(UnaryOperator.identity());
        leader.node.readIndex(42);
        final Output out = leader.drain();
        assertTrue(out.readStates.isEmpty());
        for (final int follower : new int[]{2, 3})
        {
            final RaftMessage heartbeat = out.only(MessageType.HEARTBEAT, follower);
            assertEquals(1, heartbeat.context, "round 1");
        }
        leader.step(heartbeatAnswer(2, 0));
        assertTrue(leader.drain().readStates.isEmpty(), "an answer to an earlier round proves nothing");
        leader.step(heartbeatAnswer(2, 1));
        assertReads(leader.drain().readStates, new long[]{42, 1});
        leader.step(heartbeatAnswer(3, 1));
        assertTrue(leader.drain().readStates.isEmpty(), "answered once");
    }

    @Test
    void thesis6_4_aReadIsServedAtTheCommitIndexOfItsArrivalInOrder()
    {
        final RaftFixture leader = committedLeader(UnaryOperator.identity());
        leader.node.readIndex(1);
        leader.propose("a");
        leader.drain();
        leader.step(appendResponse(2, 1, 1, 2));
        leader.drain();
        assertEquals(2, leader.node.commitIndex());
        leader.node.readIndex(2);
        final Output out = leader.drain();
        assertEquals(2, out.only(MessageType.HEARTBEAT, 3).context, "round 2");
        leader.step(heartbeatAnswer(3, 2));
        assertReads(leader.drain().readStates, new long[]{1, 1}, new long[]{2, 2});
    }

    @Test
    void thesis6_4_aNewLeaderAnswersReadsOnlyAfterCommittingAnEntryOfItsTerm()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        leader.node.readIndex(7);
        final Output waiting = leader.drain();
        assertTrue(waiting.of(MessageType.HEARTBEAT).isEmpty(), "no round until the commit index is known");
        leader.step(heartbeatAnswer(2, 0, 2));
        assertTrue(leader.drain().readStates.isEmpty());
        leader.step(appendResponse(2, 1, 2, 3));
        assertEquals(3, leader.node.commitIndex());
        final Output round = leader.drain();
        assertEquals(1, round.only(MessageType.HEARTBEAT, 2).context);
        assertTrue(round.readStates.isEmpty());
        leader.step(heartbeatAnswer(2, 1, 2));
        assertReads(leader.drain().readStates, new long[]{7, 3});
    }

    @Test
    void thesis6_4_aSingleVoterConfirmsAlone()
    {
        final RaftFixture leader = RaftFixture.leader(1, 1, new MemoryRaftLog(), 0);
        leader.node.readIndex(3);
        assertReads(leader.drain().readStates, new long[]{3, 1});
    }

    @Test
    void thesis6_4_aFollowerForwardsTheReadToItsLeader()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        cluster.propose(1, "a");
        cluster.deliverAll();
        cluster.node(2).readIndex(5);
        cluster.deliverAll();
        assertReads(cluster.readStates(2), new long[]{5, 2});

        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        follower.step(message(MessageType.HEARTBEAT, 1, 2, 1));
        follower.drain();
        follower.node.readIndex(6);
        final Output out = follower.drain();
        assertEquals(6, out.only(MessageType.READ_INDEX, 1).context);
        assertTrue(out.beforePersist.isEmpty());
    }

    @Test
    void thesis6_4_aFollowerPassesOnTheLeadersAnswer()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        final RaftMessage answer = message(MessageType.READ_INDEX_RESPONSE, 1, 2, 1);
        answer.context = 8;
        answer.commitIndex = 4;
        follower.step(answer);
        final RaftMessage refusal = message(MessageType.READ_INDEX_RESPONSE, 1, 2, 1);
        refusal.context = 9;
        refusal.commitIndex = 4;
        refusal.reject = true;
        follower.step(refusal);
        assertReads(follower.drain().readStates, new long[]{8, 4}, new long[]{9, ReadStates.FAILED});
    }

    @Test
    void thesis6_4_withNoKnownLeaderAReadFailsAtOnce()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        follower.node.readIndex(4);
        final Output out = follower.drain();
        assertReads(out.readStates, new long[]{4, ReadStates.FAILED});
        assertTrue(out.all().isEmpty());
    }

    @Test
    void thesis6_4_aNodeThatIsNotTheLeaderRefusesAForwardedRead()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        final RaftMessage request = message(MessageType.READ_INDEX, 3, 2, 1);
        request.context = 11;
        follower.step(request);
        final RaftMessage refusal = follower.drain().only(MessageType.READ_INDEX_RESPONSE, 3);
        assertTrue(refusal.reject);
        assertEquals(11, refusal.context);
        assertEquals(ReadStates.FAILED, refusal.commitIndex);
    }

    @Test
    void thesis6_4_pendingReadsFailWhenTheLeaderStepsDown()
    {
        final RaftFixture leader = committedLeader(UnaryOperator.identity());
        leader.node.readIndex(1);
        final RaftMessage forwarded = message(MessageType.READ_INDEX, 3, 1, 1);
        forwarded.context = 2;
        leader.step(forwarded);
        leader.drain();
        leader.step(message(MessageType.HEARTBEAT, 2, 1, 2));
        final Output out = leader.drain();
        assertReads(out.readStates, new long[]{1, ReadStates.FAILED});
        final RaftMessage refusal = out.only(MessageType.READ_INDEX_RESPONSE, 3);
        assertTrue(refusal.reject);
        assertEquals(2, refusal.context);
    }

    @Test
    void thesis6_4_aForwardedReadIsAnsweredToItsRequester()
    {
        final RaftFixture leader = committedLeader(UnaryOperator.identity());
        final RaftMessage forwarded = message(MessageType.READ_INDEX, 3, 1, 1);
        forwarded.context = 12;
        leader.step(forwarded);
        leader.drain();
        leader.step(heartbeatAnswer(2, 1));
        final Output out = leader.drain();
        assertTrue(out.readStates.isEmpty());
        final RaftMessage answer = out.only(MessageType.READ_INDEX_RESPONSE, 3);
        assertEquals(12, answer.context);
        assertEquals(1, answer.commitIndex);
        assertFalse(answer.reject);
    }

    @Test
    void thesis6_4_aReadIsAbandonedWhenCheckQuorumDeposesTheLeader()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        cluster.isolate(2);
        cluster.isolate(3);
        cluster.node(1).readIndex(77);
        for (int i = 0; i < 2 * T && cluster.node(1).role() == Role.LEADER; i++)
        {
            cluster.node(1).tick();
            cluster.deliverAll();
        }
        assertEquals(Role.FOLLOWER, cluster.node(1).role());
        assertReads(cluster.readStates(1), new long[]{77, ReadStates.FAILED});
    }

    @Test
    void thesis6_4_theQueueOfPendingReadsIsBounded()
    {
        final RaftFixture leader = committedLeader(options -> options.maxPendingReads(2));
        leader.node.readIndex(1);
        leader.node.readIndex(2);
        leader.node.readIndex(3);
        assertReads(leader.drain().readStates, new long[]{3, ReadStates.FAILED});
        leader.step(heartbeatAnswer(2, 2));
        assertReads(leader.drain().readStates, new long[]{1, 1}, new long[]{2, 1});
        leader.node.readIndex(4);
        assertTrue(leader.drain().readStates.isEmpty(), "room again");
    }
}
