package io.raftline.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest
{
    @Test
    void threeNodesElectAndCommit()
    {
        final LocalCluster cluster = new LocalCluster(3);
        final RaftNode leader = cluster.campaign(1);
        assertEquals(Role.LEADER, leader.role());
        final long index = cluster.propose(1, "hello");
        cluster.deliverAll();
        assertEquals(index, leader.commitIndex());
        cluster.tickAll();
        assertEquals(index, cluster.node(2).commitIndex());
        assertEquals(index, cluster.node(3).commitIndex());
    }
}
