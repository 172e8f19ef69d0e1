package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.assertNone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raft thesis §3.10: handing leadership to a chosen voter. */
class LeadershipTransferTest
{
    @Test
    void thesis3_10_aLaggingTargetIsBroughtUpToDateThenToldToCampaignAndWins()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final long term = cluster.node(1).term();
        cluster.isolate(3);
        for (int i = 0; i < 3; i++)
        {
            cluster.propose(1, "e" + i);
        }
        cluster.deliverAll();
        cluster.heal();
        final long last = cluster.node(1).log().lastIndex();
        assertTrue(cluster.node(3).log().lastIndex() < last);

        assertTrue(cluster.node(1).transferLeadership(3));
        assertEquals(3, cluster.node(1).leadTransferee());
        assertEquals(RaftNode.TRANSFERRING, cluster.propose(1, "refused"));
        cluster.delivered().clear();
        for (int i = 0; i < T && cluster.node(3).role() != Role.LEADER; i++)
        {
            cluster.tickAll();
        }
        assertEquals(Role.LEADER, cluster.node(3).role());
        assertEquals(term + 1, cluster.node(3).term(), "no pre-vote round, no split vote");
        assertEquals(Role.FOLLOWER, cluster.node(1).role());
        assertEquals(3, cluster.node(1).leaderId());
        assertEquals(0, cluster.node(1).leadTransferee());
        assertEquals(cluster.log(1).chain(last), cluster.log(3).chain(last), "the target had everything");

        final List<RaftMessage> timeoutNow = cluster.delivered().stream()
            .filter(m -> m.type == MessageType.TIMEOUT_NOW).toList();
        assertEquals(1, timeoutNow.size());
        assertEquals(1, timeoutNow.get(0).from);
        assertEquals(3, timeoutNow.get(0).to);
        final List<RaftMessage> votes = cluster.delivered().stream().filter(m -> m.type == MessageType.VOTE).toList();
        assertFalse(votes.isEmpty());
        assertTrue(votes.stream().allMatch(m -> m.transfer), "the voters are in their leader's lease");
        assertEquals(RaftNode.NOT_LEADER, cluster.propose(1, "late"));
    }

    @Test
    void thesis3_10_timeoutNowGoesOutOnlyOnceTheTargetMatchesTheLeadersLog()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.step(appendResponse(2, 1, 1, 1));
        leader.drain();
        leader.propose("a");
        leader.propose("b");
        leader.drain();
        assertTrue(leader.node.transferLeadership(2));
        assertNone(leader.drain().all(), MessageType.TIMEOUT_NOW);
        leader.step(appendResponse(2, 1, 1, 2));
        assertNone(leader.drain().all(), MessageType.TIMEOUT_NOW);
        leader.step(appendResponse(3, 1, 1, 3));
        assertNone(leader.drain().all(), MessageType.TIMEOUT_NOW);
        leader.step(appendResponse(2, 1, 1, 3));
        final Output out = leader.drain();
        final RaftMessage timeoutNow = out.only(MessageType.TIMEOUT_NOW, 2);
        assertEquals(1, timeoutNow.term);
        assertEquals(1, out.beforePersist.stream().filter(m -> m.type == MessageType.TIMEOUT_NOW).count(),
            "it promises nothing durable, so it need not wait for the disk");
    }

    @Test
    void thesis3_10_anUpToDateTargetIsToldAtOnceAndOnlyOnce()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final long term = cluster.node(1).term();
        assertTrue(cluster.node(1).transferLeadership(2));
        assertTrue(cluster.node(1).transferLeadership(2), "asking again is fine");
        final List<RaftMessage> sent = cluster.takeInFlight();
        assertEquals(1, sent.stream().filter(m -> m.type == MessageType.TIMEOUT_NOW && m.to == 2).count());
        sent.forEach(cluster::deliver);
        cluster.deliverAll();
        assertEquals(Role.LEADER, cluster.node(2).role());
        assertEquals(term + 1, cluster.node(2).term());
    }

    @Test
    void thesis3_10_aTransferThatDoesNotFinishWithinAnElectionTimeoutIsAbandoned()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        cluster.isolate(3);
        final RaftNode leader = cluster.node(1);
        assertTrue(leader.transferLeadership(3));
        for (int i = 0; i < T - 1; i++)
        {
            leader.tick();
            cluster.node(2).tick();
            cluster.deliverAll();
        }
        assertEquals(3, leader.leadTransferee());
        assertEquals(RaftNode.TRANSFERRING, cluster.propose(1, "wait"));
        leader.tick();
        assertEquals(0, leader.leadTransferee());
        assertEquals(Role.LEADER, leader.role());
        assertTrue(cluster.propose(1, "accepted") > 0);
    }

    @Test
    void thesis3_10_onlyALeaderTransfersAndOnlyToAnotherVoter()
    {
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1), new MemoryRaftLog(), 0, 0,
            Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}));
        leader.elect();
        assertFalse(leader.node.transferLeadership(1), "itself");
        assertFalse(leader.node.transferLeadership(4), "a learner");
        assertFalse(leader.node.transferLeadership(9), "a stranger");
        assertEquals(0, leader.node.leadTransferee());
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        assertFalse(follower.node.transferLeadership(3));
        assertEquals(0, follower.node.leadTransferee());
    }

    @Test
    void thesis3_10_aTransferEndsWhenTheLeaderStepsDown()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        assertTrue(leader.node.transferLeadership(2));
        leader.step(RaftFixture.message(MessageType.HEARTBEAT, 3, 1, 9));
        assertEquals(0, leader.node.leadTransferee());
    }
}
