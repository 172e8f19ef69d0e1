package io.raftline.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lease-based reads (Raft thesis §6.4.1), off by default. */
class ReadLeaseTest
{
    private static LocalCluster cluster(final boolean lease)
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.readLease(lease));
        cluster.campaign(1);
        cluster.tickAll(); // heartbeats answered: the leader has heard from a majority this tick
        return cluster;
    }

    @Test
    void aLeaderWithALeaseAnswersAtOnceWithoutAHeartbeatRound()
    {
        final LocalCluster cluster = cluster(true);
        final RaftNode leader = cluster.node(1);
        leader.readIndex(7);
        cluster.collect(); // what the node asks now, nothing delivered
        assertEquals(1, cluster.readStates(1).size());
        assertArrayEquals(new long[]{ 7, leader.commitIndex() }, cluster.readStates(1).get(0));
    }

    @Test
    void withoutTheLeaseOptionTheLeaderConfirmsWithARound()
    {
        final LocalCluster cluster = cluster(false);
        cluster.node(1).readIndex(7);
        cluster.collect();
        assertTrue(cluster.readStates(1).isEmpty(), "not before a majority confirmed the leadership");
        cluster.deliverAll();
        assertEquals(1, cluster.readStates(1).size());
        assertEquals(7, cluster.readStates(1).get(0)[0]);
    }

    @Test
    void theLeaseLapsesHalfAnElectionTimeoutAfterTheMajorityWasLastHeard()
    {
        final LocalCluster cluster = cluster(true);
        cluster.isolate(2);
        cluster.isolate(3);
        for (int i = 0; i < LocalCluster.ELECTION_TIMEOUT_TICKS / 2; i++)
        {
            cluster.node(1).tick();
            cluster.collect();
        }
        cluster.node(1).readIndex(9);
        cluster.collect();
        final List<long[]> answered = cluster.readStates(1);
        assertTrue(answered.isEmpty(), "a silent majority ends the lease: the read waits for a round");
    }

    @Test
    void aFollowersForwardedReadIsAnsweredFromTheLease()
    {
        final LocalCluster cluster = cluster(true);
        cluster.node(2).readIndex(5);
        cluster.deliverAll();
        assertEquals(1, cluster.readStates(2).size());
        assertArrayEquals(new long[]{ 5, cluster.node(1).commitIndex() }, cluster.readStates(2).get(0));
    }

    @Test
    void theLeaseNeedsCheckQuorum()
    {
        final RaftOptions options = new RaftOptions().nodeId(1).electionTimeoutTicks(10).heartbeatIntervalTicks(1)
            .random(new SplittableRandom(1)).checkQuorum(false).readLease(true);
        assertThrows(IllegalArgumentException.class, options::conclude);
    }
}
