package io.raftline.core;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.replication.CatchUp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static io.raftline.core.RaftFixture.vote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Membership change (Raft §6, thesis ch. 4): learners, joint consensus, removal of the leader, disk identity. */
class MembershipTest
{
    /** Voters 1..3 and spare 4 and 5, node 1 leading with its term's entry committed. */
    private static LocalCluster cluster()
    {
        final LocalCluster cluster = LocalCluster.withSpares(3, 2);
        cluster.campaign(1);
        assertEquals(Role.LEADER, cluster.node(1).role());
        cluster.deliverAll();
        return cluster;
    }

    /** Ticks and delivers until {@code done}, at most {@code ticks} times; returns the configurations node 1 had. */
    private static List<Configuration> run(final LocalCluster cluster, final int ticks, final int watched)
    {
        final List<Configuration> seen = new ArrayList<>();
        for (int i = 0; i < ticks; i++)
        {
            cluster.tickAll();
            final Configuration now = cluster.node(watched).configuration();
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(now))
            {
                seen.add(now);
            }
        }
        return seen;
    }

    @Test
    void thesis4_2_1_aLearnerReceivesTheLogButCountsForNothing()
    {
        final LocalCluster cluster = cluster();
        assertEquals(Role.LEARNER, cluster.node(4).role(), "a spare belongs to no configuration yet");
        assertEquals(ChangeResult.STARTED, cluster.node(1).addLearner(4, "host:4"));
        run(cluster, 3, 1);
        assertTrue(cluster.node(4).configuration().isLearner(4), "it learns the configuration from the log");
        assertEquals("host:4", cluster.node(4).configuration().endpoint(4));
        assertEquals(cluster.node(1).log().lastIndex(), cluster.node(4).log().lastIndex());
        assertEquals(Role.LEARNER, cluster.node(4).role());

        cluster.isolate(2);
        cluster.isolate(3);
        final long index = cluster.propose(1, "needs a voter");
        run(cluster, 3, 1);
        assertEquals(index, cluster.node(4).log().lastIndex(), "replicated to the learner");
        assertTrue(cluster.node(1).commitIndex() < index, "but a learner's copy does not commit it");
    }

    @Test
    void section6_aLearnerIsPromotedThroughAJointConfigurationOnceCaughtUp()
    {
        final LocalCluster cluster = cluster();
        cluster.node(1).addLearner(4, "host:4");
        run(cluster, 2, 1);
        final int before = configurationsIn(cluster.log(1)).size();
        assertEquals(ChangeResult.STARTED, cluster.node(1).promote(4));
        assertTrue(cluster.node(1).isCatchingUp(4));
        run(cluster, 10, 1);
        final List<Configuration> appended = configurationsIn(cluster.log(1));
        assertEquals(before + 2, appended.size(), "C_old,new then C_new: " + appended);
        final Configuration joint = appended.get(before);
        assertTrue(joint.isJoint());
        assertArrayEquals(new int[]{1, 2, 3, 4}, joint.voters());
        assertArrayEquals(new int[]{1, 2, 3}, joint.outgoingVoters());
        final Configuration promoted = appended.get(before + 1);
        assertArrayEquals(new int[]{1, 2, 3, 4}, promoted.voters());
        assertFalse(promoted.isJoint());
        assertEquals(104, promoted.identity(4), "promoted with the disk it caught up on");
        assertEquals(promoted, cluster.node(4).configuration());
        assertFalse(cluster.node(1).isConfigurationChanging());
        assertEquals(Role.FOLLOWER, cluster.node(4).role());
    }

    /** The configurations of a log's configuration entries, in log order. */
    private static List<Configuration> configurationsIn(final MemoryRaftLog log)
    {
        final List<Configuration> configurations = new ArrayList<>();
        for (long index = 1; index <= log.lastIndex(); index++)
        {
            final MemoryRaftLog.Entry entry = log.entry(index);
            if (entry.type() == EntryType.CONFIG)
            {
                configurations.add(ConfigurationCodec.decode(new UnsafeBuffer(entry.payload()), 0,
                    entry.payload().length));
            }
        }
        return configurations;
    }

    @Test
    void section6_whileJointACommitNeedsAMajorityOfBothVoterSets()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 4, 5}, new int[]{1, 2, 3}, new int[0]);
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1), new MemoryRaftLog(), 0, 0, joint);
        leader.elect();
        leader.propose("x");
        leader.drain();
        leader.step(appendResponse(2, 1, leader.node.term(), 2));
        leader.step(appendResponse(3, 1, leader.node.term(), 2));
        assertEquals(0, leader.node.commitIndex(), "a majority of C_old alone is not enough");
        leader.step(appendResponse(4, 1, leader.node.term(), 2));
        assertEquals(2, leader.node.commitIndex(), "with a majority of C_new too it commits");
    }

    @Test
    void section6_whileJointAnElectionNeedsAMajorityOfBothVoterSets()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 4, 5}, new int[]{1, 2, 3}, new int[0]);
        final RaftFixture candidate = new RaftFixture(LocalCluster.options(1).preVote(false), new MemoryRaftLog(), 0,
            0, joint);
        RaftFixture.tick(candidate.node, 2 * T);
        assertEquals(Role.CANDIDATE, candidate.node.role());
        final long term = candidate.node.term();
        candidate.step(message(MessageType.VOTE_RESPONSE, 2, 1, term));
        candidate.step(message(MessageType.VOTE_RESPONSE, 3, 1, term));
        assertEquals(Role.CANDIDATE, candidate.node.role(), "C_old's votes alone do not elect");
        candidate.step(message(MessageType.VOTE_RESPONSE, 4, 1, term));
        assertEquals(Role.LEADER, candidate.node.role());
    }

    @Test
    void thesis4_2_2_aRemovedLeaderLeadsUntilTheChangeCommitsThenHandsOver()
    {
        final LocalCluster cluster = cluster();
        assertEquals(ChangeResult.STARTED, cluster.node(1).removeMember(1));
        assertTrue(cluster.node(1).configuration().isJoint());
        assertEquals(Role.LEADER, cluster.node(1).role(), "it leads the joint step");
        final List<Configuration> seen = run(cluster, 4, 2);
        final Configuration last = seen.get(seen.size() - 1);
        assertArrayEquals(new int[]{2, 3}, last.voters());
        assertFalse(last.isJoint());
        assertNotEquals(Role.LEADER, cluster.node(1).role());
        final boolean handedOver = cluster.node(2).role() == Role.LEADER || cluster.node(3).role() == Role.LEADER;
        assertTrue(handedOver, "TimeoutNow made the most up-to-date voter leader at once");
        assertTrue(cluster.delivered().stream().anyMatch(m -> m.type == MessageType.TIMEOUT_NOW && m.from == 1));
        run(cluster, 3 * T, 2);
        // a removed server does not campaign
        assertNotEquals(Role.CANDIDATE, cluster.node(1).role());
        assertNotEquals(Role.PRE_CANDIDATE, cluster.node(1).role());
    }

    private static void assertNotEquals(final Role unexpected, final Role actual)
    {
        assertFalse(unexpected == actual, "not " + unexpected);
    }

    @Test
    void oneChangeAtATime()
    {
        final LocalCluster cluster = cluster();
        final RaftNode leader = cluster.node(1);
        assertEquals(ChangeResult.STARTED, leader.addLearner(4, "host:4"));
        assertEquals(ChangeResult.IN_PROGRESS, leader.addLearner(5, "host:5"), "the first is not committed yet");
        run(cluster, 2, 1);
        assertEquals(ChangeResult.ALREADY_MEMBER, leader.addLearner(4, "host:4"));
        assertEquals(ChangeResult.NOT_A_LEARNER, leader.promote(2));
        assertEquals(ChangeResult.NOT_A_MEMBER, leader.removeMember(9));
        assertEquals(ChangeResult.NO_VOTER_LEFT, leader.changeVoters(new int[0]));
        assertEquals(ChangeResult.NOT_LEADER, cluster.node(2).addLearner(5, "host:5"));
        assertEquals(ChangeResult.STARTED, leader.promote(4));
        assertEquals(ChangeResult.IN_PROGRESS, leader.removeMember(2), "a promotion is under way");
    }

    @Test
    void thesis4_1_aTruncatedConfigurationEntryTakesItsConfigurationWithIt()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, new MemoryRaftLog(), 1);
        final MemoryRaftLog oldLeaderLog = new MemoryRaftLog();
        final Configuration withLearner = Configuration.of(1, 2, 3).addLearner(4, "host:4");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(withLearner)]);
        final int length = ConfigurationCodec.encode(withLearner, payload, 0);
        oldLeaderLog.append(1, EntryType.CONFIG, 0, 0, payload, 0, length);
        follower.step(RaftFixture.append(1, 2, 1, oldLeaderLog, 0, 1, 0));
        assertTrue(follower.node.configuration().isLearner(4), "in force from the moment it is in the log");

        follower.step(RaftFixture.append(3, 2, 2, MemoryRaftLog.ofTerms(2), 0, 1, 0));
        assertFalse(follower.node.configuration().isMember(4), "a newer leader's entry replaced it");
        assertEquals(Configuration.of(1, 2, 3), follower.node.configuration());
    }

    @Test
    void thesis4_2_1_aPromotionThatCannotCatchUpFailsAndLeavesTheLearnerALearner()
    {
        final LocalCluster cluster = cluster();
        cluster.node(1).addLearner(4, "host:4");
        run(cluster, 2, 1);
        cluster.isolate(4);
        cluster.propose(1, "more than the learner has");
        run(cluster, 1, 1);
        assertEquals(ChangeResult.STARTED, cluster.node(1).promote(4));
        run(cluster, (CatchUp.STALL_TIMEOUTS + 1) * T, 1);
        assertNotNull(cluster.node(1).catchUpFailure());
        assertTrue(cluster.node(1).catchUpFailure().contains("node 4"), cluster.node(1).catchUpFailure());
        assertTrue(cluster.node(1).configuration().isLearner(4));
        assertFalse(cluster.node(1).isConfigurationChanging(), "another change may start");
    }

    @Test
    void aLeaderBindsItsVotersToTheDisksTheySpeakFrom()
    {
        final LocalCluster cluster = cluster();
        run(cluster, 2, 1);
        final Configuration configuration = cluster.node(1).configuration();
        assertFalse(configuration.hasUnboundVoter(), configuration.toString());
        assertEquals(101, configuration.identity(1));
        assertEquals(102, configuration.identity(2));
        assertEquals(103, configuration.identity(3));
        assertEquals(configuration, cluster.node(3).configuration());
    }

    /** A leader of 1..3 whose configuration binds 1, 2 and 3 to directories 101..103. */
    private static RaftFixture boundLeader()
    {
        Configuration bound = Configuration.of(1, 2, 3);
        for (int id = 1; id <= 3; id++)
        {
            bound = bound.withMember(id, 100 + id, null);
        }
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1).identity(101).preVote(false),
            new MemoryRaftLog(), 0, 0, bound);
        RaftFixture.tick(leader.node, 2 * T);
        final long term = leader.node.term();
        final RaftMessage granted = message(MessageType.VOTE_RESPONSE, 2, 1, term);
        granted.identity = 102;
        leader.step(granted);
        assertEquals(Role.LEADER, leader.node.role());
        leader.drain();
        return leader;
    }

    @Test
    void aVoterSpeakingFromAnotherDiskIsNotCounted()
    {
        final RaftFixture leader = boundLeader();
        leader.propose("x");
        leader.drain();
        final RaftMessage fromNewDisk = appendResponse(3, 1, leader.node.term(), 2);
        fromNewDisk.identity = 999;
        leader.step(fromNewDisk);
        assertEquals(0, leader.node.commitIndex(), "node 3 lost its disk: its acknowledgement promises nothing");
        final RaftMessage fromItsDisk = appendResponse(2, 1, leader.node.term(), 2);
        fromItsDisk.identity = 102;
        leader.step(fromItsDisk);
        assertEquals(2, leader.node.commitIndex());
    }

    @Test
    void aCandidateDoesNotCountAVoteFromAnotherDisk()
    {
        Configuration bound = Configuration.of(1, 2, 3);
        for (int id = 1; id <= 3; id++)
        {
            bound = bound.withMember(id, 100 + id, null);
        }
        final RaftFixture candidate = new RaftFixture(LocalCluster.options(1).identity(101).preVote(false),
            new MemoryRaftLog(), 0, 0, bound);
        RaftFixture.tick(candidate.node, 2 * T);
        final RaftMessage fromNewDisk = message(MessageType.VOTE_RESPONSE, 2, 1, candidate.node.term());
        fromNewDisk.identity = 999;
        candidate.step(fromNewDisk);
        assertEquals(Role.CANDIDATE, candidate.node.role());
    }

    @Test
    void aServerOnAnotherDiskNeitherCampaignsNorVotesUntilItIsAddedAgain()
    {
        Configuration bound = Configuration.of(1, 2, 3);
        for (int id = 1; id <= 3; id++)
        {
            bound = bound.withMember(id, 100 + id, null);
        }
        final RaftFixture replaced = new RaftFixture(LocalCluster.options(2).identity(555), new MemoryRaftLog(), 0, 0,
            bound);
        assertTrue(replaced.node.isVoterOnAnotherDisk(), "it knows, and can say so");
        RaftFixture.tick(replaced.node, 4 * T);
        assertEquals(Role.FOLLOWER, replaced.node.role(), "it does not campaign");
        final RaftMessage request = vote(1, 2, 1, 0, 0);
        request.identity = 101;
        replaced.step(request);
        assertTrue(replaced.drain().only(MessageType.VOTE_RESPONSE, 1).reject, "nor vote");

        final RaftFixture stranger = new RaftFixture(LocalCluster.options(4).identity(104).firstMember(false),
            new MemoryRaftLog(), 0, 0, Configuration.NONE);
        final RaftMessage toStranger = vote(1, 4, 1, 0, 0);
        toStranger.identity = 101;
        stranger.step(toStranger);
        assertTrue(stranger.drain().only(MessageType.VOTE_RESPONSE, 1).reject, "one that knows no cluster either");
        assertFalse(stranger.node.isVoterOnAnotherDisk(), "a node that is no voter is on no one's disk");
        final RaftFixture original = new RaftFixture(LocalCluster.options(2).identity(102), new MemoryRaftLog(), 0, 0,
            bound);
        assertFalse(original.node.isVoterOnAnotherDisk());
    }

    @Test
    void thesis3_10_withNoTargetLeadershipGoesToTheMostUpToDateVoter()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.propose("a");
        leader.drain();
        leader.step(appendResponse(2, 1, leader.node.term(), 1));
        leader.step(appendResponse(3, 1, leader.node.term(), 2));
        leader.drain();
        assertTrue(leader.node.transferLeadership(0));
        assertEquals(3, leader.node.leadTransferee());
        assertEquals(1, leader.drain().of(MessageType.TIMEOUT_NOW, 3).size(), "it is up to date: campaign now");
    }
}
