package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a read lease (thesis §6.4.1) may rest on: answers from a majority within half an election timeout, the
 * leader counting itself, and voters keeping their promise not to elect anyone else meanwhile, which a leadership
 * transfer breaks on purpose.
 */
class ReadLeaseSafetyTest
{
    private static RaftFixture leaseLeader()
    {
        return RaftFixture.leader(1, 3, new MemoryRaftLog(), 0, options -> options.readLease(true));
    }

    /** A follower's answer to what the leader sent just now. */
    private static RaftMessage answerNow(final RaftFixture leader, final RaftMessage answer)
    {
        answer.sentAt = leader.node.clock();
        return answer;
    }

    @Test
    void anAcknowledgedAppendRenewsTheLease()
    {
        final RaftFixture leader = leaseLeader();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        leader.drain();
        leader.node.readIndex(5);
        final Output out = leader.drain();
        assertEquals(1, out.readStates.size(), "the leader and follower 2 are a majority, heard just now");
        assertArrayEquals(new long[]{5, 1}, out.readStates.get(0));
        assertTrue(out.of(MessageType.HEARTBEAT).isEmpty(), "no round needed");
    }

    @Test
    void aHeartbeatAnswerRenewsTheLease()
    {
        final RaftFixture leader = leaseLeader();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        leader.tick(T / 2 + 1);
        leader.drain();
        leader.step(answerNow(leader, message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 1)));
        leader.drain();
        leader.node.readIndex(6);
        final Output out = leader.drain();
        assertEquals(1, out.readStates.size(), "renewed by the heartbeat answer");
        assertArrayEquals(new long[]{6, 1}, out.readStates.get(0));
    }

    @Test
    void aLateAnswerRenewsTheLeaseOnlyFromWhenItsHeartbeatWasSent()
    {
        final RaftFixture leader = leaseLeader();
        final long sentAt = leader.node.clock();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        leader.tick(T / 2);
        leader.drain();
        final RaftMessage late = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 1);
        late.sentAt = sentAt; // answered at once, but it took half an election timeout to arrive
        leader.step(late);
        leader.drain();
        leader.node.readIndex(9);
        final Output out = leader.drain();
        assertTrue(out.readStates.isEmpty(), "the follower may elect another leader half a timeout from now");
        assertEquals(1, out.of(MessageType.HEARTBEAT, 2).size(), "a round confirms the read instead");
    }

    @Test
    void aLeaderStalledPastItsLeaseServesNoReadFromItBeforeItTicksAgain()
    {
        final RaftFixture leader = leaseLeader();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        leader.drain();
        // a GC pause or SIGSTOP: the clock moved on by an election timeout, the timeouts have not ticked yet
        leader.node.advanceClock(leader.node.clock() + T);
        leader.node.readIndex(10);
        final Output out = leader.drain();
        assertTrue(out.readStates.isEmpty(), "a read that queued during the stall is not served from the lease");
        assertEquals(1, out.of(MessageType.HEARTBEAT, 2).size());
    }

    @Test
    void aLeaseThatWasNotRenewedLapses()
    {
        final RaftFixture leader = leaseLeader();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        leader.tick(T / 2);
        leader.drain();
        leader.node.readIndex(7);
        assertTrue(leader.drain().readStates.isEmpty(), "half an election timeout without an answer");
    }

    @Test
    void thesis3_10_aLeaderThatHandsOverLeadershipNoLongerReadsFromItsLease()
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.readLease(true));
        cluster.campaign(1);
        cluster.tickAll();
        assertTrue(cluster.node(1).transferLeadership(2));
        final List<RaftMessage> sent = cluster.takeInFlight();
        final RaftMessage timeoutNow = sent.stream().filter(m -> m.type == MessageType.TIMEOUT_NOW).findFirst()
            .orElseThrow();
        // node 1 is cut off just after telling node 2 to campaign: 2 and 3 go on without it
        cluster.isolate(1);
        cluster.deliver(timeoutNow);
        cluster.deliverAll();
        assertEquals(Role.LEADER, cluster.node(2).role(), "node 3 voted although node 1's lease was running");
        final long written = cluster.propose(2, "written after the transfer");
        cluster.deliverAll();
        assertEquals(written, cluster.node(2).commitIndex());

        assertEquals(Role.LEADER, cluster.node(1).role(), "node 1 has not heard of it");
        cluster.node(1).readIndex(99);
        cluster.collect();
        for (final long[] read : cluster.readStates(1))
        {
            assertTrue(read[1] == ReadStates.FAILED || read[1] >= written,
                "stale read: index " + read[1] + " misses committed entry " + written);
        }
    }

    @Test
    void thesis3_10_evenAnAbandonedTransferEndsLeaseReadsForTheTerm()
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.readLease(true));
        cluster.campaign(1);
        cluster.tickAll();
        assertTrue(cluster.node(1).transferLeadership(2));
        final RaftMessage delayed = cluster.takeInFlight().stream().filter(m -> m.type == MessageType.TIMEOUT_NOW)
            .findFirst().orElseThrow();
        for (int i = 0; i < T; i++)
        {
            cluster.node(1).tick();
            cluster.deliverAll();
        }
        assertEquals(0, cluster.node(1).leadTransferee(), "abandoned, and the lease renewed by heartbeats");
        cluster.isolate(1);
        cluster.deliver(delayed);
        cluster.deliverAll();
        assertEquals(Role.LEADER, cluster.node(2).role());
        final long written = cluster.propose(2, "written after the transfer");
        cluster.deliverAll();
        assertEquals(written, cluster.node(2).commitIndex());

        cluster.node(1).readIndex(99);
        cluster.collect();
        for (final long[] read : cluster.readStates(1))
        {
            assertTrue(read[1] == ReadStates.FAILED || read[1] >= written,
                "stale read: index " + read[1] + " misses committed entry " + written);
        }
    }

    @Test
    void aNewTermStartsWithLeaseReadsAllowedAgain()
    {
        final RaftFixture leader = leaseLeader();
        leader.step(answerNow(leader, appendResponse(2, 1, 1, 1)));
        assertTrue(leader.node.transferLeadership(2));
        assertEquals(1, leader.drain().of(MessageType.TIMEOUT_NOW, 2).size());
        leader.step(message(MessageType.HEARTBEAT, 2, 1, 2));
        leader.drain();
        leader.elect();
        assertEquals(3, leader.node.term(), "its own election: the lease counts again");
        leader.step(answerNow(leader, appendResponse(2, 1, leader.node.term(), leader.node.log().lastIndex())));
        leader.drain();
        leader.node.readIndex(8);
        assertEquals(1, leader.drain().readStates.size());
    }

    @Test
    void aRestartedVoterKeepsItsPromiseForAnElectionTimeoutUnlessAskedForATransfer()
    {
        final RaftFixture restarted = RaftFixture.of(2, 3, new MemoryRaftLog(), 3, options -> options.restarted(true));
        restarted.step(RaftFixture.vote(3, 2, 4, 0, 0));
        assertTrue(restarted.drain().of(MessageType.VOTE_RESPONSE).isEmpty(),
            "ignored: a leader's lease may still count on what it answered before it went down");
        final RaftMessage transfer = RaftFixture.vote(1, 2, 4, 0, 0);
        transfer.transfer = true;
        restarted.step(transfer);
        final List<RaftMessage> toTransfer = restarted.drain().of(MessageType.VOTE_RESPONSE);
        assertEquals(1, toTransfer.size());
        assertTrue(!toTransfer.get(0).reject, "a leadership transfer ends leases on purpose");

        final RaftFixture later = RaftFixture.of(2, 3, new MemoryRaftLog(), 3, options -> options.restarted(true));
        later.tick(T);
        later.drain();
        later.step(RaftFixture.vote(3, 2, 5, 0, 0));
        final List<RaftMessage> answered = later.drain().of(MessageType.VOTE_RESPONSE);
        assertEquals(1, answered.size(), "an election timeout later the promise has run out");
        assertTrue(!answered.get(0).reject);
    }
}
