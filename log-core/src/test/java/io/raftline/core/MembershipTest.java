package io.raftline.core;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.quorum.ConfigurationHistory;
import io.raftline.core.replication.CatchUp;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static io.raftline.core.RaftFixture.vote;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void aLeaderThatHasNotCommittedAnEntryOfItsTermIsNotReadyRatherThanBusy()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0); // its no-op not committed yet
        assertEquals(ChangeResult.NOT_READY, leader.node.addLearner(4, "host:4"),
            "no change is under way: the runtime asks again once the no-op commits");
        assertEquals(ChangeResult.NOT_READY, leader.node.removeMember(3));
        assertFalse(leader.node.hasCommittedInTerm(), "its configuration is not final: an admin list waits");
        leader.step(appendResponse(2, 1, leader.node.term(), 1));
        assertTrue(leader.node.hasCommittedInTerm());
        assertEquals(ChangeResult.STARTED, leader.node.addLearner(4, "host:4"));
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
        assertNotNull(cluster.node(1).changeFailure());
        assertTrue(cluster.node(1).changeFailure().contains("node 4"), cluster.node(1).changeFailure());
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

    /** An answer from {@code from} on disk {@code identity}, holding the log up to {@code index}, sent now. */
    private static RaftMessage answerFromDisk(final int from, final long identity, final long term, final long index)
    {
        final RaftMessage answer = answerNow(from, term, index);
        answer.identity = identity;
        return answer;
    }

    @Test
    void aJointChangeWhoseNewVotersStopWorkingIsAbandonedForTheOldVoters()
    {
        // simulator seed 868499: a learner promoted as its disk was replaced left a joint configuration that could
        // neither commit nor elect a leader once this one stepped down
        final RaftFixture leader = boundLeader();
        final long term = leader.node.term();
        leader.step(answerFromDisk(2, 102, term, leader.node.log().lastIndex()));
        assertEquals(ChangeResult.STARTED, leader.node.addLearner(4, "host:4"));
        final long added = leader.node.log().lastIndex();
        leader.step(answerFromDisk(2, 102, term, added));
        leader.step(answerFromDisk(4, 104, term, added));
        leader.drain();
        assertEquals(added, leader.node.commitIndex());
        assertEquals(ChangeResult.STARTED, leader.node.changeVoters(new int[]{1, 4}));
        leader.tick(1);
        leader.drain();
        final Configuration joint = leader.node.configuration();
        assertTrue(joint.isJoint(), joint.toString());
        final long jointIndex = leader.node.log().lastIndex();
        for (int i = 0; i < T; i++) // 4 answers from a new, empty disk; 2 holds the joint entry, which needs 4 too
        {
            leader.step(answerFromDisk(2, 102, term, jointIndex));
            leader.step(answerFromDisk(4, 999, term, 0));
            leader.tick(1);
            leader.drain();
        }
        assertEquals(Role.LEADER, leader.node.role());
        final Configuration back = leader.node.configuration();
        assertArrayEquals(new int[]{1, 2, 3}, back.voters(), back.toString());
        assertArrayEquals(new int[]{4}, back.learners(), back.toString());
        assertTrue(leader.node.changeFailure().contains("abandoned"), leader.node.changeFailure());
        leader.step(answerFromDisk(2, 102, term, leader.node.log().lastIndex()));
        leader.drain();
        assertEquals(leader.node.log().lastIndex(), leader.node.commitIndex(), "1 and 2 of 1..3 commit it");
        assertFalse(leader.node.isConfigurationChanging(), "another change may start");

        // caught up on its new disk, 4 is promoted with that disk, not the one it lost
        final long now = leader.node.log().lastIndex();
        leader.step(answerFromDisk(4, 999, term, now));
        leader.drain();
        assertEquals(ChangeResult.STARTED, leader.node.promote(4));
        leader.tick(1);
        leader.drain();
        assertTrue(leader.node.configuration().isJoint(), leader.node.configuration().toString());
        assertEquals(999, leader.node.configuration().identity(4));
    }

    @Test
    void aJointChangeAnEarlierLeaderAppendedIsNeverAbandoned()
    {
        // the earlier leader may have committed it and appended C_new [1, 4] elsewhere: back at [1, 2, 3], this one
        // could commit with 2 and 3 while 1 and 4 elect another (seed 843691, against an earlier version of the fix)
        final Configuration joint = Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4})
            .enterJoint(new int[]{1, 4});
        final MemoryRaftLog log = new MemoryRaftLog();
        appendConfiguration(log, 1, joint);
        final ConfigurationHistory history = new ConfigurationHistory(Configuration.withLearners(new int[]{1, 2, 3},
            new int[]{4}));
        history.add(1, 1, joint);
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1), log, 1, 0, history);
        leader.elect();
        assertEquals(Role.LEADER, leader.node.role());
        final long term = leader.node.term();
        for (int i = 0; i < 3 * T && leader.node.role() == Role.LEADER; i++) // 4 is silent; 2 holds everything
        {
            leader.step(answerNow(2, term, leader.node.log().lastIndex()));
            leader.tick(1);
            leader.drain();
        }
        assertEquals(1, leader.node.configurationIndex(), "no configuration appended: " + leader.node.configuration());
        assertEquals(joint, leader.node.configuration());
        assertNull(leader.node.changeFailure());
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

    // ---------------------------------------------------------------------------------------------------------
    // Asking for a change

    @Test
    void aChangeIsRefusedWithItsReasonWhicheverWayItIsAsked()
    {
        final LocalCluster cluster = cluster();
        final RaftNode follower = cluster.node(2);
        assertEquals(ChangeResult.NOT_LEADER, follower.changeVoters(new int[]{1, 2}));
        assertEquals(ChangeResult.NOT_LEADER, follower.promote(3));
        assertEquals(ChangeResult.NOT_LEADER, follower.promote(3, T));
        assertEquals(ChangeResult.NOT_A_MEMBER, cluster.node(1).changeVoters(new int[]{1, 2, 9}),
            "node 9 was never added");
        assertFalse(cluster.node(1).isConfigurationChanging());
        final Set<String> descriptions = new HashSet<>();
        for (final ChangeResult result : ChangeResult.values())
        {
            assertFalse(result.description().isBlank(), result.name());
            assertTrue(descriptions.add(result.description()), "said once: " + result.description());
        }
    }

    @Test
    void thesis4_2_1_aLearnerIsRemovedInOneStep()
    {
        final LocalCluster cluster = cluster();
        final RaftNode leader = cluster.node(1);
        leader.addLearner(4, "host:4");
        run(cluster, 2, 1);
        assertEquals(ChangeResult.STARTED, leader.removeMember(4));
        assertFalse(leader.configuration().isMember(4), "no joint step: a learner counts for nothing");
        assertFalse(leader.configuration().isJoint());
        run(cluster, 2, 1);
        assertFalse(leader.isConfigurationChanging());
        assertFalse(cluster.node(2).configuration().isMember(4));
        assertArrayEquals(new int[]{1, 2, 3}, cluster.node(2).configuration().voters());
    }

    @Test
    void section6_severalLearnersArePromotedInOneJointStep()
    {
        final LocalCluster cluster = cluster();
        final RaftNode leader = cluster.node(1);
        leader.addLearner(4, "host:4");
        run(cluster, 2, 1);
        leader.addLearner(5, "host:5");
        run(cluster, 2, 1);
        assertEquals(ChangeResult.STARTED, leader.changeVoters(new int[]{1, 2, 3, 4, 5}));
        assertTrue(leader.isCatchingUp(4));
        assertTrue(leader.isCatchingUp(5));
        assertFalse(leader.isCatchingUp(3), "a voter already");
        run(cluster, 10, 1);
        final Configuration promoted = leader.configuration();
        assertArrayEquals(new int[]{1, 2, 3, 4, 5}, promoted.voters());
        assertFalse(promoted.isJoint());
        assertEquals(104, promoted.identity(4));
        assertEquals(105, promoted.identity(5));
        assertFalse(leader.isCatchingUp(4), "caught up and promoted");
    }

    /** Learner 4 kept behind while node 1 starts promoting it with {@code promotion}; returns the leader. */
    private static RaftNode promoteWhileBehind(final LocalCluster cluster,
        final Function<RaftNode, ChangeResult> promotion)
    {
        final RaftNode leader = cluster.node(1);
        leader.addLearner(4, "host:4");
        run(cluster, 2, 1);
        cluster.isolate(4);
        cluster.propose(1, "more than the learner has");
        run(cluster, 1, 1);
        assertEquals(ChangeResult.STARTED, promotion.apply(leader));
        return leader;
    }

    @Test
    void thesis4_2_1_aLearnerThatIsBehindIsPromotedOnceItCatchesUp()
    {
        for (final long catchUpTicks : new long[]{Long.MAX_VALUE, 10 * T})
        {
            final LocalCluster cluster = cluster();
            final RaftNode leader = promoteWhileBehind(cluster, node -> catchUpTicks == Long.MAX_VALUE ?
                node.promote(4) : node.promote(4, catchUpTicks));
            run(cluster, 3, 1);
            assertNull(leader.changeFailure(), "it has time: " + catchUpTicks);
            assertTrue(leader.isCatchingUp(4));
            cluster.heal();
            run(cluster, 10, 1);
            assertTrue(leader.configuration().isVoter(4), "promoted: " + leader.configuration());
            assertFalse(leader.configuration().isJoint());
        }
    }

    @Test
    void thesis4_2_1_aPromotionFailsOnceTheLearnerMissesItsDeadline()
    {
        final LocalCluster cluster = cluster();
        final RaftNode leader = promoteWhileBehind(cluster, node -> node.promote(4, 5));
        run(cluster, 5, 1);
        assertNull(leader.changeFailure(), "the deadline's own tick is still in time");
        run(cluster, 1, 1);
        assertNotNull(leader.changeFailure());
        assertTrue(leader.changeFailure().contains("node 4 did not catch up in time"), leader.changeFailure());
        assertTrue(leader.configuration().isLearner(4));
        assertFalse(leader.isConfigurationChanging(), "long before it would have been given up as stalled");
    }

    @Test
    void aPromotionEndsWithTheLeadershipThatStartedIt()
    {
        final LocalCluster cluster = cluster();
        final RaftNode leader = promoteWhileBehind(cluster, node -> node.promote(4));
        leader.step(message(MessageType.HEARTBEAT, 2, 1, leader.term() + 1));
        assertEquals(Role.FOLLOWER, leader.role());
        assertFalse(leader.isCatchingUp(4));
        assertNotNull(leader.changeFailure());
        assertTrue(leader.changeFailure().contains("leadership"), leader.changeFailure());
    }

    // ---------------------------------------------------------------------------------------------------------
    // A configuration in force

    /** A leader of voters 1..3 whose no-op is committed, so that changes may start. */
    private static RaftFixture committedLeader()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.step(appendResponse(2, 1, leader.node.term(), 1));
        leader.drain();
        assertEquals(1, leader.node.commitIndex());
        return leader;
    }

    @Test
    void section5_3_aNewMemberIsProbedFromJustAfterTheLeadersLastEntry()
    {
        final RaftFixture leader = committedLeader();
        assertEquals(0, leader.node.configurationIndex(), "the configuration it started with");
        leader.node.addLearner(4, "host:4");
        final long index = leader.node.log().lastIndex();
        assertEquals(index, leader.node.configurationIndex());
        final Ready ready = leader.node.ready();
        assertTrue(ready.configurationChanged(), "the runtime connects to the new member");
        assertTrue(ready.configuration().isLearner(4));
        final RaftMessage probe = leader.drain().only(MessageType.APPEND, 4);
        assertEquals(index, probe.index);
        assertEquals(0, probe.entryCount);
        assertFalse(leader.node.ready().configurationChanged(), "said once");
    }

    @Test
    void thesis4_2_2_aRemovedLeaderStepsDownTheMomentItsRemovalCommits()
    {
        final RaftFixture leader = committedLeader();
        final long term = leader.node.term();
        leader.step(answerNow(2, term, 1)); // both voters left behind work (see the working majority)
        leader.step(answerNow(3, term, 1));
        assertEquals(ChangeResult.STARTED, leader.node.removeMember(1));
        leader.drain();
        final long joint = leader.node.log().lastIndex();
        leader.step(appendResponse(2, 1, term, joint));
        leader.step(appendResponse(3, 1, term, joint));
        leader.drain();
        final long removal = leader.node.log().lastIndex();
        assertEquals(joint + 1, removal, "C_new follows C_old,new");
        leader.step(appendResponse(2, 1, term, removal));
        assertEquals(Role.LEADER, leader.node.role(), "C_new needs both of its voters");
        leader.step(appendResponse(3, 1, term, removal));
        assertEquals(removal, leader.node.commitIndex());
        assertEquals(Role.LEARNER, leader.node.role(), "a follower outside its configuration");
        assertEquals(term, leader.node.term());
        assertEquals(1, leader.drain().of(MessageType.TIMEOUT_NOW).size(), "and a successor campaigns at once");
    }

    // ---------------------------------------------------------------------------------------------------------
    // A change must leave voters that can elect a leader once this one is gone (etcd's strict reconfiguration)

    /** A follower's acknowledgement of what the leader sent just now (a later send time reads as its clock's). */
    private static RaftMessage answerNow(final int from, final long term, final long index)
    {
        final RaftMessage answer = appendResponse(from, 1, term, index);
        answer.sentAt = Long.MAX_VALUE;
        return answer;
    }

    /** A leader of 1..5 that has committed its no-op with 2 and 3 (now); 4 and 5 have never answered. */
    private static RaftFixture leaderOfFive()
    {
        final RaftFixture leader = RaftFixture.leader(1, 5, new MemoryRaftLog(), 0);
        leader.step(answerNow(2, leader.node.term(), 1));
        leader.step(answerNow(3, leader.node.term(), 1));
        leader.drain();
        assertEquals(1, leader.node.commitIndex());
        return leader;
    }

    @Test
    void aChangeThatLeavesMostVotersSilentIsRefusedUntilTheyAnswer()
    {
        final RaftFixture leader = leaderOfFive();
        assertEquals(ChangeResult.STARTED, leader.node.removeMember(5), "1, 2 and 3 of 1..4 work");
        leader.drain();

        final RaftFixture alone = leaderOfFive();
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, alone.node.removeMember(1),
            "without the leader only 2 and 3 of 2..5 would work: a tie elects nobody");
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, alone.node.changeVoters(new int[]{1, 4, 5}));
        assertEquals(1, alone.node.log().lastIndex(), "nothing proposed");
        alone.step(answerNow(4, alone.node.term(), 1));
        assertEquals(ChangeResult.STARTED, alone.node.removeMember(1));
    }

    @Test
    void aLearnerToPromoteCountsAsWorkingSinceThePromotionWaitsForItToCatchUp()
    {
        final RaftFixture leader = committedLeader(); // 3 has never answered
        leader.node.addLearner(4, "host:4");
        final long added = leader.node.log().lastIndex();
        leader.step(answerNow(2, leader.node.term(), added));
        leader.drain();
        assertEquals(added, leader.node.commitIndex());
        assertEquals(ChangeResult.STARTED, leader.node.promote(4), "1, 2 and the caught-up 4 of 1..4");
        assertTrue(leader.node.isCatchingUp(4));
    }

    @Test
    void aLearnerThatCaughtUpAndFellSilentIsNotPromotedPastTheWorkingMajority()
    {
        final RaftFixture leader = committedLeader(); // 3 has never answered
        final long term = leader.node.term();
        leader.node.addLearner(4, "host:4");
        final long added = leader.node.log().lastIndex();
        leader.step(answerNow(2, term, added));
        leader.step(answerNow(4, term, added)); // 4 holds everything, then stops
        leader.drain();
        for (int i = 0; i <= T; i++)
        {
            leader.tick(1);
            leader.step(answerNow(2, term, added));
            leader.drain();
        }
        assertEquals(ChangeResult.STARTED, leader.node.promote(4), "it may yet answer while it catches up");
        leader.tick(1);
        leader.drain();
        assertEquals(added, leader.node.log().lastIndex(), "1 and 2 of 1..4 could not elect a leader");
        assertFalse(leader.node.isCatchingUp(4));
        assertFalse(leader.node.isConfigurationChanging());
        assertTrue(leader.node.changeFailure().contains("fewer than a majority"), leader.node.changeFailure());
        leader.step(answerNow(4, term, added));
        assertEquals(ChangeResult.STARTED, leader.node.promote(4), "4 answers again");
        leader.tick(1);
        leader.drain();
        assertTrue(leader.node.configuration().isJoint(), "the joint configuration is proposed");
    }

    @Test
    void aVoterNamedTwiceIsRefused()
    {
        final RaftFixture leader = committedLeader();
        leader.step(answerNow(2, leader.node.term(), 1));
        assertEquals(ChangeResult.DUPLICATE_VOTER, leader.node.changeVoters(new int[]{1, 2, 2}));
        assertFalse(leader.node.isConfigurationChanging());
    }

    @Test
    void aVoterStopsCountingAsWorkingAnElectionTimeoutAfterItLastAnswered()
    {
        final RaftFixture leader = leaderOfFive();
        final long term = leader.node.term();
        RaftFixture.tick(leader.node, T / 2);
        final RaftMessage heartbeat = leader.drain().of(MessageType.HEARTBEAT).get(0);
        final RaftMessage answer = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, term);
        answer.sentAt = heartbeat.sentAt;
        leader.step(answer);
        final RaftMessage third = message(MessageType.HEARTBEAT_RESPONSE, 3, 1, term);
        third.sentAt = heartbeat.sentAt;
        leader.step(third);
        RaftFixture.tick(leader.node, T - 1);
        leader.step(answerNow(2, term, 1)); // 2 answers on; 3 has been silent for an election timeout
        leader.drain();
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, leader.node.removeMember(5), "1 and 2 of 1..4");
    }

    @Test
    void aVoterOnAnotherDiskDoesNotCountAsWorking()
    {
        final RaftFixture leader = boundLeader();
        final long term = leader.node.term();
        final RaftMessage fromItsDisk = answerNow(2, term, 1);
        fromItsDisk.identity = 102;
        leader.step(fromItsDisk);
        final RaftMessage fromNewDisk = answerNow(3, term, 1);
        fromNewDisk.identity = 999;
        leader.step(fromNewDisk);
        leader.drain();
        assertEquals(1, leader.node.commitIndex());
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, leader.node.removeMember(1),
            "2 and 3 would be left, and 3 lost its disk");
        final RaftMessage fromItsOwnDisk = answerNow(3, term, 1);
        fromItsOwnDisk.identity = 103;
        leader.step(fromItsOwnDisk);
        assertEquals(ChangeResult.STARTED, leader.node.removeMember(1));
    }

    @Test
    void aVoterRepairingItsLogDoesNotCountAsWorkingUntilItHoldsTheLeadersLog()
    {
        final RaftFixture leader = leaderOfFive();
        final long term = leader.node.term();
        leader.step(answerNow(4, term, 1));
        leader.propose("x");
        leader.drain();
        final long last = leader.node.log().lastIndex();
        final RaftMessage regressed = answerNow(4, term, 1);
        regressed.reject = true;
        regressed.regressed = true;
        regressed.rejectHintIndex = 1; // it cut its whole log
        leader.step(regressed);
        leader.drain();
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, leader.node.removeMember(1),
            "2 and 3 of 2..5: 4 can neither vote nor campaign until it is repaired");
        leader.step(answerNow(4, term, last - 1));
        assertEquals(ChangeResult.NO_WORKING_MAJORITY, leader.node.removeMember(1), "not yet");
        leader.step(answerNow(4, term, last));
        assertEquals(ChangeResult.STARTED, leader.node.removeMember(1));
    }

    /** A leader of C_old,new with C_old = {1, 2, 4} and C_new = {1, 2, 3}; its no-op is not committed yet. */
    private static RaftFixture jointLeader()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 2, 3}, new int[]{1, 2, 4}, new int[0]);
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1), new MemoryRaftLog(), 0, 0, joint);
        leader.elect();
        return leader;
    }

    @Test
    void thesis3_10_aTransferToAVoterThatTheChangeRemovesIsAbandoned()
    {
        final RaftFixture leader = jointLeader();
        assertTrue(leader.node.transferLeadership(4));
        leader.step(appendResponse(2, 1, leader.node.term(), 1)); // commits the no-op, and C_old,new with it
        assertFalse(leader.node.configuration().isVoter(4), "C_new is in force");
        assertEquals(0, leader.node.leadTransferee(), "node 4 can no longer be elected");
        assertTrue(leader.propose("x") > 0, "proposals go on at once");
    }

    @Test
    void thesis3_10_aTransferToAVoterThatTheChangeKeepsGoesOn()
    {
        final RaftFixture leader = jointLeader();
        assertTrue(leader.node.transferLeadership(3));
        leader.step(appendResponse(2, 1, leader.node.term(), 1));
        assertFalse(leader.node.configuration().isJoint(), "C_new is in force");
        assertEquals(3, leader.node.leadTransferee());
        assertEquals(RaftNode.TRANSFERRING, leader.propose("x"));
    }

    @Test
    void thesis4_2_3_aServerOutsideTheConfigurationCannotRaiseTheTermWithAnAnswer()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        final long term = leader.node.term();
        leader.step(appendResponse(9, 1, term + 5, 1));
        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 9, 1, term + 5));
        leader.step(message(MessageType.VOTE_RESPONSE, 9, 1, term + 5));
        assertEquals(Role.LEADER, leader.node.role());
        assertEquals(term, leader.node.term());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Disk identity, as the leader learns it

    /** A leader of 1..3 (unbound) holding entry 2, which node 3 acknowledged from directory 103. */
    private static RaftFixture leaderHeardFrom3()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.propose("x");
        leader.drain();
        final RaftMessage ack = appendResponse(3, 1, leader.node.term(), 2);
        ack.identity = 103;
        leader.step(ack);
        assertEquals(2, leader.node.progress(3).matchIndex());
        return leader;
    }

    @Test
    void aFollowerThatAnswersAHeartbeatFromAnotherDiskIsProbedFromScratch()
    {
        final RaftFixture leader = leaderHeardFrom3();
        final RaftMessage fromNewDisk = message(MessageType.HEARTBEAT_RESPONSE, 3, 1, leader.node.term());
        fromNewDisk.identity = 999;
        leader.step(fromNewDisk);
        assertEquals(0, leader.node.progress(3).matchIndex(), "what it acknowledged was on the disk it lost");
        assertEquals(leader.node.log().lastIndex() + 1, leader.node.progress(3).nextIndex(),
            "probed as a new leader probes (Raft §5.3)");
    }

    @Test
    void aFollowerThatAnswersAnAppendFromAnotherDiskIsProbedFromScratch()
    {
        final RaftFixture leader = leaderHeardFrom3();
        final RaftMessage fromNewDisk = appendResponse(3, 1, leader.node.term(), 0);
        fromNewDisk.reject = true;
        fromNewDisk.rejectHintIndex = 1;
        fromNewDisk.identity = 999;
        leader.step(fromNewDisk);
        assertEquals(0, leader.node.progress(3).matchIndex(), "what it acknowledged was on the disk it lost");
    }

    @Test
    void aLeaderBindsAVoterToTheDiskItVotedFrom()
    {
        final RaftFixture candidate = new RaftFixture(LocalCluster.options(1).identity(101).preVote(false),
            new MemoryRaftLog(), 0, 0, Configuration.of(1, 2, 3));
        RaftFixture.tick(candidate.node, 2 * T);
        final long term = candidate.node.term();
        final RaftMessage granted = message(MessageType.VOTE_RESPONSE, 2, 1, term);
        granted.identity = 102;
        candidate.step(granted);
        assertEquals(Role.LEADER, candidate.node.role());
        candidate.drain();
        final RaftMessage ack = appendResponse(3, 1, term, 1);
        ack.identity = 103;
        candidate.step(ack);
        final Configuration bound = candidate.node.configuration();
        assertEquals(101, bound.identity(1));
        assertEquals(102, bound.identity(2), "node 2 has only voted so far");
        assertEquals(103, bound.identity(3));
    }

    @Test
    void aDirectoryMadeLaterDoesNotActAsAnUnboundVoter()
    {
        final RaftFixture later = new RaftFixture(LocalCluster.options(3).identity(103).firstMember(false),
            new MemoryRaftLog(), 0, 0, Configuration.of(1, 2, 3));
        RaftFixture.tick(later.node, 4 * T);
        assertEquals(Role.FOLLOWER, later.node.role(), "it waits for a configuration that records its directory");
        final RaftMessage request = vote(1, 3, 1, 0, 0);
        later.step(request);
        assertTrue(later.drain().only(MessageType.VOTE_RESPONSE, 1).reject);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Configuration entries in the log

    private static void appendConfiguration(final MemoryRaftLog log, final long term,
        final Configuration configuration)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(configuration)]);
        final int length = ConfigurationCodec.encode(configuration, payload, 0);
        log.append(term, EntryType.CONFIG, 0, 0, payload, 0, length);
        log.sync();
    }

    @Test
    void theHistoryKeepsNoEntryThatACommittedOneSupersedes()
    {
        final Configuration base = Configuration.of(1, 2, 3);
        final ConfigurationHistory leaderHistory = new ConfigurationHistory(base);
        final RaftFixture leader = new RaftFixture(LocalCluster.options(1), new MemoryRaftLog(), 0, 0, leaderHistory);
        leader.elect();
        leader.step(appendResponse(2, 1, leader.node.term(), 1));
        assertEquals(ChangeResult.STARTED, leader.node.addLearner(4, "host:4"));
        leader.drain();
        final long index = leader.node.log().lastIndex();
        leader.step(appendResponse(2, 1, leader.node.term(), index));
        assertEquals(index, leader.node.commitIndex());
        assertEquals(1, leaderHistory.entries().size(), leaderHistory.entries().toString());
        assertEquals(index, leaderHistory.entries().get(0).index());

        final ConfigurationHistory followerHistory = new ConfigurationHistory(base);
        final RaftFixture follower = new RaftFixture(LocalCluster.options(2), new MemoryRaftLog(), 0, 0,
            followerHistory);
        final MemoryRaftLog leaderLog = new MemoryRaftLog();
        appendConfiguration(leaderLog, 1, base.addLearner(4, "host:4"));
        follower.step(RaftFixture.append(1, 2, 1, leaderLog, 0, 1, 1));
        assertEquals(1, follower.node.commitIndex());
        assertEquals(1, followerHistory.entries().size(), followerHistory.entries().toString());
        assertEquals(1, followerHistory.entries().get(0).index());
    }

    @Test
    void thesis4_1_aRestartKeepsTheConfigurationEntriesItsLogStillHoldsAsRecorded()
    {
        final Configuration base = Configuration.of(1, 2, 3);
        final Configuration one = base.addLearner(4, "host:4");
        final Configuration two = one.addLearner(5, "host:5");
        final MemoryRaftLog both = new MemoryRaftLog();
        appendConfiguration(both, 1, one);
        appendConfiguration(both, 1, two);
        assertEquals(two, restarted(both, base, one, two).configuration(), "both held");

        final MemoryRaftLog first = new MemoryRaftLog();
        appendConfiguration(first, 1, one);
        final RaftNode lostTail = restarted(first, base, one, two);
        assertEquals(one, lostTail.configuration(), "entry 2 is no longer in the log");
        assertEquals(1, lostTail.configurationIndex());

        final MemoryRaftLog other = new MemoryRaftLog();
        appendConfiguration(other, 2, one);
        assertEquals(base, restarted(other, base, one).configuration(), "entry 1 is of another term now");
    }

    /** Node 3 restarting on {@code log} with configuration entries {@code entries} at indexes 1, 2..., of term 1. */
    private static RaftNode restarted(final MemoryRaftLog log, final Configuration base,
        final Configuration... entries)
    {
        final ConfigurationHistory history = new ConfigurationHistory(base);
        for (int i = 0; i < entries.length; i++)
        {
            history.add(i + 1, 1, entries[i]);
        }
        return new RaftNode(LocalCluster.options(3), log, 1, 0, history);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Thesis §4.2.2: a voter that the newest configuration leaves out

    /** C_old,new from {1, 2, 3} to {1, 2} at index 1, committed, then C_new at index 2, not yet committed. */
    private static RaftMessage removalOf3(final Configuration old)
    {
        final Configuration joint = old.enterJoint(new int[]{1, 2});
        final MemoryRaftLog leaderLog = new MemoryRaftLog();
        appendConfiguration(leaderLog, 1, joint);
        appendConfiguration(leaderLog, 1, joint.leaveJoint());
        return RaftFixture.append(1, 3, 1, leaderLog, 0, 2, 1);
    }

    @Test
    void thesis4_2_2_aVoterThatAnUncommittedConfigurationRemovesStillCampaigns()
    {
        final RaftFixture removed = RaftFixture.of(3, 3, new MemoryRaftLog(), 1);
        removed.step(removalOf3(Configuration.of(1, 2, 3)));
        assertFalse(removed.node.configuration().isMember(3));
        RaftFixture.tick(removed.node, 2 * T);
        assertEquals(Role.PRE_CANDIDATE, removed.node.role(), "C_old,new may need it to elect a leader");
        final List<RaftMessage> requests = removed.drain().of(MessageType.PRE_VOTE);
        assertEquals(2, requests.size(), "to the voters of its configuration: " + requests);

        final RaftMessage committed = message(MessageType.HEARTBEAT, 1, 3, 1);
        committed.commitIndex = 2;
        removed.step(committed);
        RaftFixture.tick(removed.node, 4 * T);
        assertEquals(Role.LEARNER, removed.node.role(), "once it knows C_new committed it never campaigns");
    }

    @Test
    void thesis4_2_2_aRemovedVoterOnAnotherDiskDoesNotCampaign()
    {
        final Configuration old = Configuration.of(1, 2, 3).withMember(3, 103, null);
        final RaftFixture removed = new RaftFixture(LocalCluster.options(3).identity(555), new MemoryRaftLog(), 1, 0,
            old);
        removed.step(removalOf3(old));
        RaftFixture.tick(removed.node, 4 * T);
        assertEquals(Role.LEARNER, removed.node.role());
    }

    @Test
    void thesis4_2_2_aVoterRestartedFromASnapshotThatHoldsItsRemovalDoesNotCampaign()
    {
        final Configuration old = Configuration.of(1, 2, 3);
        final Configuration joint = old.enterJoint(new int[]{1, 2});
        final ConfigurationHistory history = new ConfigurationHistory(old);
        history.add(1, 1, joint);
        history.add(2, 1, joint.leaveJoint());
        final RaftNode removed = new RaftNode(LocalCluster.options(3), new SnapshotLog(2, 1), 1, 0, history);
        assertEquals(2, removed.commitIndex(), "a snapshot holds only committed entries");
        RaftFixture.tick(removed, 4 * T);
        assertEquals(Role.LEARNER, removed.role());
    }
}
