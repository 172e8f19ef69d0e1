package io.raftline.core;

import io.raftline.core.RaftFixture.Output;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.assertNone;
import static io.raftline.core.RaftFixture.message;
import static io.raftline.core.RaftFixture.preVote;
import static io.raftline.core.RaftFixture.vote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raft §5.2 (leader election), §5.4.1 (election restriction), thesis §9.6 (pre-vote) and §6.2 (check quorum). */
class LeaderElectionTest
{
    private static RaftFixture follower(final int id, final int voters, final long term, final boolean preVote)
    {
        return RaftFixture.of(id, voters, new MemoryRaftLog(), term, options -> options.preVote(preVote));
    }

    private static int ticksUntilRoleChanges(final RaftNode node)
    {
        final Role before = node.role();
        int ticks = 0;
        while (node.role() == before && ticks < 3 * T)
        {
            node.tick();
            ticks++;
        }
        return ticks;
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.2: timeouts

    @Test
    void section5_2_electionTimeoutIsRandomInTTo2T()
    {
        final Set<Integer> first = new TreeSet<>();
        final Set<Integer> again = new TreeSet<>();
        for (int seed = 1; seed <= 300; seed++)
        {
            final RaftFixture node = new RaftFixture(
                LocalCluster.options(1).random(new SplittableRandom(seed)).preVote(false),
                new MemoryRaftLog(), 0, 0, Configuration.of(1, 2, 3));
            first.add(ticksUntilRoleChanges(node.node));
            assertEquals(Role.CANDIDATE, node.node.role());
            assertEquals(1, node.node.term());
            // a candidate that neither wins nor loses campaigns again after a new random timeout
            int ticks = 0;
            while (node.node.term() == 1 && ticks < 3 * T)
            {
                node.node.tick();
                ticks++;
            }
            assertEquals(2, node.node.term());
            again.add(ticks);
        }
        final Set<Integer> expected = IntStream.range(T, 2 * T).boxed().collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, first);
        assertEquals(expected, again);
    }

    @Test
    void section5_2_aSingleVoterElectsItselfAfterItsTimeout()
    {
        final RaftFixture node = RaftFixture.of(1, 1, new MemoryRaftLog(), 0);
        final int ticks = ticksUntilRoleChanges(node.node);
        assertTrue(ticks >= T && ticks < 2 * T, "ticks " + ticks);
        assertEquals(Role.LEADER, node.node.role());
        assertEquals(1, node.node.term());
        assertEquals(1, node.node.votedFor());
        assertEquals(1, node.node.leaderId());
    }

    @Test
    void section4_2_1_aLearnerNeverCampaigns()
    {
        final RaftFixture learner = new RaftFixture(LocalCluster.options(3), new MemoryRaftLog(), 0, 0,
            Configuration.withLearners(new int[]{1, 2}, new int[]{3}));
        assertEquals(Role.LEARNER, learner.node.role());
        assertEquals(Configuration.withLearners(new int[]{1, 2}, new int[]{3}), learner.node.configuration());
        learner.tick(10 * T);
        assertEquals(Role.LEARNER, learner.node.role());
        assertEquals(0, learner.node.term());
        assertTrue(learner.drain().all().isEmpty());
        learner.step(message(MessageType.TIMEOUT_NOW, 1, 3, 0));
        assertEquals(Role.LEARNER, learner.node.role());
        assertEquals(0, learner.node.term());
    }

    @Test
    void section5_2_candidateVotesForItselfAndAsksEveryVoterAfterPersisting()
    {
        final RaftFixture candidate = new RaftFixture(LocalCluster.options(1).preVote(false),
            MemoryRaftLog.ofTerms(1, 1, 2), 2, 0, Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}));
        ticksUntilRoleChanges(candidate.node);
        assertEquals(Role.CANDIDATE, candidate.node.role());
        final Output out = candidate.drain();
        assertTrue(out.hardStateChanged);
        assertEquals(3, out.term);
        assertEquals(1, out.votedFor);
        assertNone(out.beforePersist, MessageType.VOTE);
        final List<RaftMessage> requests = out.of(MessageType.VOTE);
        assertEquals(List.of(2, 3), requests.stream().map(m -> m.to).toList(), "voters only, not the learner");
        for (final RaftMessage request : requests)
        {
            assertEquals(3, request.term);
            assertEquals(3, request.index);
            assertEquals(2, request.logTerm);
            assertFalse(request.transfer);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.2: one vote per term

    @Test
    void section5_2_oneVotePerTermIsPersistedBeforeTheResponseLeaves()
    {
        final RaftFixture voter = follower(1, 3, 0, true);
        voter.step(vote(2, 1, 1, 0, 0));
        Output out = voter.drain();
        assertTrue(out.hardStateChanged);
        assertEquals(1, out.term);
        assertEquals(2, out.votedFor);
        assertNone(out.beforePersist, MessageType.VOTE_RESPONSE);
        RaftMessage response = out.only(MessageType.VOTE_RESPONSE, 2);
        assertFalse(response.reject);
        assertEquals(1, response.term);

        voter.step(vote(3, 1, 1, 0, 0));
        out = voter.drain();
        assertFalse(out.hardStateChanged);
        assertTrue(out.only(MessageType.VOTE_RESPONSE, 3).reject, "a second candidate in the same term");
        assertEquals(2, voter.node.votedFor());

        voter.step(vote(2, 1, 1, 0, 0));
        assertFalse(voter.drain().only(MessageType.VOTE_RESPONSE, 2).reject, "a retransmitted request");

        // what was persisted binds the node after a restart
        final RaftFixture restarted = new RaftFixture(LocalCluster.options(1), voter.log, 1, 2,
            Configuration.of(1, 2, 3));
        restarted.step(vote(3, 1, 1, 0, 0));
        assertTrue(restarted.drain().only(MessageType.VOTE_RESPONSE, 3).reject);
        restarted.step(vote(2, 1, 1, 0, 0));
        assertFalse(restarted.drain().only(MessageType.VOTE_RESPONSE, 2).reject);
        // a later term frees the vote
        restarted.step(vote(3, 1, 2, 0, 0));
        assertFalse(restarted.drain().only(MessageType.VOTE_RESPONSE, 3).reject);
        assertEquals(3, restarted.node.votedFor());
    }

    @Test
    void section5_2_aFollowerThatKnowsThisTermsLeaderVotesForNobodyElseInIt()
    {
        final RaftFixture follower = follower(1, 3, 2, true);
        follower.step(message(MessageType.HEARTBEAT, 2, 1, 2));
        follower.drain();
        assertEquals(2, follower.node.leaderId());
        follower.step(vote(3, 1, 2, 0, 0));
        assertTrue(follower.drain().only(MessageType.VOTE_RESPONSE, 3).reject);
        assertEquals(0, follower.node.votedFor());
    }

    @Test
    void section5_2_grantingAVoteRestartsTheElectionTimer()
    {
        // twins: same seed, so the same random timeout
        final RaftFixture twin = follower(1, 3, 1, false);
        final int timeout = ticksUntilRoleChanges(twin.node);
        final RaftFixture voter = follower(1, 3, 1, false);
        voter.tick(timeout - 1);
        voter.step(vote(2, 1, 1, 0, 0));
        assertEquals(2, voter.node.votedFor());
        voter.tick(timeout - 1);
        assertEquals(Role.FOLLOWER, voter.node.role());
        voter.tick(1);
        assertEquals(Role.CANDIDATE, voter.node.role());
    }

    @ParameterizedTest(name = "voter last (3, term 2), candidate last ({0}, term {1}) -> granted {2}")
    @CsvSource({
        "1, 3, true",    // a later last term wins even with a shorter log
        "10, 1, false",  // an earlier last term loses even with a longer log
        "2, 2, false",   // same last term: the shorter log loses
        "3, 2, true",    // same last term, same length
        "4, 2, true",    // same last term, longer
    })
    void section5_4_1_voteOnlyForACandidateWhoseLogIsAtLeastAsUpToDate(
        final long lastIndex, final long lastTerm, final boolean granted)
    {
        final RaftFixture voter = RaftFixture.of(1, 3, MemoryRaftLog.ofTerms(1, 1, 2), 2);
        voter.step(vote(2, 1, 3, lastIndex, lastTerm));
        final Output out = voter.drain();
        assertEquals(!granted, out.only(MessageType.VOTE_RESPONSE, 2).reject);
        assertEquals(granted ? 2 : 0, voter.node.votedFor());
        assertEquals(3, voter.node.term(), "the term is adopted either way");

        final RaftFixture preVoter = RaftFixture.of(1, 3, MemoryRaftLog.ofTerms(1, 1, 2), 2);
        preVoter.step(preVote(2, 1, 3, lastIndex, lastTerm));
        assertEquals(!granted, preVoter.drain().only(MessageType.PRE_VOTE_RESPONSE, 2).reject);
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.2: counting votes

    @Test
    void section5_2_aCandidateWinsWithAMajorityCountingEachVoterOnce()
    {
        final RaftFixture candidate = new RaftFixture(LocalCluster.options(1).preVote(false), new MemoryRaftLog(), 0,
            0, Configuration.withLearners(new int[]{1, 2, 3, 4, 5}, new int[]{6}));
        ticksUntilRoleChanges(candidate.node);
        candidate.drain();
        final RaftMessage grant = message(MessageType.VOTE_RESPONSE, 2, 1, 1);
        candidate.step(grant);
        candidate.step(grant);
        candidate.step(message(MessageType.VOTE_RESPONSE, 6, 1, 1));
        candidate.step(message(MessageType.PRE_VOTE_RESPONSE, 3, 1, 1));
        assertEquals(Role.CANDIDATE, candidate.node.role(), "a duplicate, a learner, a pre-vote: none counts");
        candidate.step(message(MessageType.VOTE_RESPONSE, 4, 1, 1));
        assertEquals(Role.LEADER, candidate.node.role());
        assertEquals(1, candidate.node.term());
    }

    @Test
    void section5_2_aCandidateThatLosesAMajorityReturnsToFollower()
    {
        final RaftFixture candidate = follower(1, 5, 0, false);
        ticksUntilRoleChanges(candidate.node);
        candidate.drain();
        for (int voter = 2; voter <= 4; voter++)
        {
            assertEquals(Role.CANDIDATE, candidate.node.role());
            final RaftMessage rejection = message(MessageType.VOTE_RESPONSE, voter, 1, 1);
            rejection.reject = true;
            candidate.step(rejection);
        }
        assertEquals(Role.FOLLOWER, candidate.node.role());
        assertEquals(1, candidate.node.term());
        assertEquals(1, candidate.node.votedFor(), "its own vote in term 1 stands");
    }

    @Test
    void section5_2_aCandidateThatHearsFromThisTermsLeaderBecomesItsFollower()
    {
        final RaftFixture candidate = follower(1, 3, 0, false);
        ticksUntilRoleChanges(candidate.node);
        candidate.step(message(MessageType.HEARTBEAT, 2, 1, 1));
        assertEquals(Role.FOLLOWER, candidate.node.role());
        assertEquals(2, candidate.node.leaderId());
        assertEquals(1, candidate.node.term());

        final RaftFixture preCandidate = follower(1, 3, 0, true);
        ticksUntilRoleChanges(preCandidate.node);
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role());
        preCandidate.step(RaftFixture.append(3, 1, 0, new MemoryRaftLog(), 0, 0, 0));
        assertEquals(Role.FOLLOWER, preCandidate.node.role());
        assertEquals(3, preCandidate.node.leaderId());
    }

    @Test
    void section5_1_aLaterTermTurnsAnyNodeIntoAFollowerOfThatTerm()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.step(RaftFixture.appendResponse(2, 1, 5, 0));
        assertEquals(Role.FOLLOWER, leader.node.role());
        assertEquals(5, leader.node.term());
        assertEquals(0, leader.node.leaderId(), "a response names no leader");
        assertEquals(0, leader.node.votedFor());
        assertTrue(leader.drain().hardStateChanged);

        leader.step(message(MessageType.HEARTBEAT, 3, 1, 6));
        assertEquals(6, leader.node.term());
        assertEquals(3, leader.node.leaderId(), "a heartbeat names its sender the leader");
    }

    @Test
    void section5_1_aStaleLeaderIsToldTheCurrentTermAndStaleVotesAreIgnored()
    {
        final RaftFixture follower = RaftFixture.of(1, 3, new MemoryRaftLog(), 5,
            options -> options.preVote(false).checkQuorum(true));
        follower.step(message(MessageType.APPEND, 2, 1, 4));
        final RaftMessage answer = follower.drain().only(MessageType.APPEND_RESPONSE, 2);
        assertEquals(5, answer.term);
        follower.step(vote(2, 1, 4, 0, 0));
        follower.step(message(MessageType.VOTE_RESPONSE, 2, 1, 4));
        assertTrue(follower.drain().all().isEmpty());

        final RaftFixture withPreVoteOnly = RaftFixture.of(1, 3, new MemoryRaftLog(), 5,
            options -> options.preVote(true).checkQuorum(false));
        withPreVoteOnly.step(message(MessageType.HEARTBEAT, 2, 1, 4));
        assertEquals(5, withPreVoteOnly.drain().only(MessageType.APPEND_RESPONSE, 2).term);
        withPreVoteOnly.step(preVote(3, 1, 4, 0, 0));
        final RaftMessage preVoteAnswer = withPreVoteOnly.drain().only(MessageType.PRE_VOTE_RESPONSE, 3);
        assertTrue(preVoteAnswer.reject);
        assertEquals(5, preVoteAnswer.term);

        // plain Raft too (Figure 2: the response carries currentTerm): a stale leader that this node's vote
        // requests do not reach, as when its configuration is older than the leader's, learns the term here only
        final RaftFixture plain = RaftFixture.of(1, 3, new MemoryRaftLog(), 5,
            options -> options.preVote(false).checkQuorum(false));
        plain.step(message(MessageType.APPEND, 2, 1, 4));
        assertEquals(5, plain.drain().only(MessageType.APPEND_RESPONSE, 2).term);
        plain.step(message(MessageType.HEARTBEAT, 2, 1, 4));
        assertEquals(5, plain.drain().only(MessageType.APPEND_RESPONSE, 2).term);
        assertEquals(5, plain.node.term());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Thesis §9.6: pre-vote

    @Test
    void thesis9_6_preVoteDoesNotRaiseAnyonesTerm()
    {
        final RaftFixture preCandidate = RaftFixture.of(1, 3, MemoryRaftLog.ofTerms(1, 2), 5);
        ticksUntilRoleChanges(preCandidate.node);
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role());
        assertEquals(5, preCandidate.node.term());
        assertEquals(0, preCandidate.node.votedFor());
        final Output out = preCandidate.drain();
        assertFalse(out.hardStateChanged);
        final RaftMessage request = out.only(MessageType.PRE_VOTE, 2);
        assertEquals(6, request.term, "the term it would campaign in");
        assertEquals(2, request.index);
        assertEquals(2, request.logTerm);
        assertEquals(1, out.of(MessageType.PRE_VOTE, 3).size());

        final RaftFixture voter = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 2), 5);
        voter.step(vote(3, 2, 5, 2, 2));
        voter.drain();
        assertEquals(3, voter.node.votedFor());
        voter.step(request);
        final Output answer = voter.drain();
        assertFalse(answer.hardStateChanged);
        final RaftMessage grant = answer.only(MessageType.PRE_VOTE_RESPONSE, 1);
        assertFalse(grant.reject, "a vote in the current term does not stop a pre-vote for the next");
        assertEquals(6, grant.term);
        assertEquals(5, voter.node.term());
        assertEquals(3, voter.node.votedFor());
        assertEquals(Role.FOLLOWER, voter.node.role());

        preCandidate.step(grant);
        assertEquals(Role.CANDIDATE, preCandidate.node.role());
        assertEquals(6, preCandidate.node.term());
        final Output campaign = preCandidate.drain();
        assertTrue(campaign.hardStateChanged);
        assertEquals(6, campaign.only(MessageType.VOTE, 2).term);
    }

    @Test
    void thesis9_6_aPreVoteInTheCurrentTermIsNotGrantedByANodeThatVoted()
    {
        final RaftFixture voter = RaftFixture.of(2, 3, new MemoryRaftLog(), 5);
        voter.step(vote(3, 2, 5, 0, 0));
        voter.drain();
        voter.step(preVote(1, 2, 5, 0, 0));
        assertTrue(voter.drain().only(MessageType.PRE_VOTE_RESPONSE, 1).reject);
    }

    @Test
    void thesis9_6_aPreCandidateGivesUpOnAMajorityOfRefusalsOrALaterTerm()
    {
        final RaftFixture preCandidate = follower(1, 3, 5, true);
        ticksUntilRoleChanges(preCandidate.node);
        preCandidate.drain();
        final RaftMessage refusal = message(MessageType.PRE_VOTE_RESPONSE, 2, 1, 5);
        refusal.reject = true;
        preCandidate.step(refusal);
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role());
        refusal.from = 3;
        preCandidate.step(refusal);
        assertEquals(Role.FOLLOWER, preCandidate.node.role());
        assertEquals(5, preCandidate.node.term());

        final RaftFixture other = follower(1, 3, 5, true);
        ticksUntilRoleChanges(other.node);
        final RaftMessage laterTerm = message(MessageType.PRE_VOTE_RESPONSE, 2, 1, 9);
        laterTerm.reject = true;
        other.step(laterTerm);
        assertEquals(Role.FOLLOWER, other.node.role());
        assertEquals(9, other.node.term());
    }

    @Test
    void thesis9_6_aPartitionedNodeRejoinsWithoutDisturbingTheLeader()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final long term = cluster.node(1).term();
        cluster.isolate(3);
        for (int i = 0; i < 10 * T; i++)
        {
            cluster.tickAll();
        }
        assertEquals(term, cluster.node(3).term(), "pre-votes only: the term did not move");
        cluster.heal();
        for (int i = 0; i < 3 * T; i++)
        {
            cluster.tickAll();
        }
        assertEquals(Role.LEADER, cluster.node(1).role());
        assertEquals(term, cluster.node(1).term());
        assertEquals(Role.FOLLOWER, cluster.node(3).role());
        assertEquals(1, cluster.node(3).leaderId());
    }

    @Test
    void withoutPreVoteAPartitionedNodeRaisesItsTermAndDisruptsTheLeaderWhenItRejoins()
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.preVote(false).checkQuorum(false));
        cluster.campaign(1);
        final long term = cluster.node(1).term();
        cluster.isolate(3);
        for (int i = 0; i < 10 * T; i++)
        {
            cluster.tickAll();
        }
        assertTrue(cluster.node(3).term() > term + 3);
        cluster.heal();
        for (int i = 0; i < 2 * T; i++)
        {
            cluster.tickAll();
        }
        assertTrue(cluster.node(1).term() > term, "the control case: this is what pre-vote prevents");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Thesis §6.2, §4.2.3: check quorum and leader leases

    @Test
    void thesis6_2_aLeaderThatHearsFromNoQuorumForAnElectionTimeoutStepsDown()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final RaftNode leader = cluster.node(1);
        for (int i = 0; i < 5 * T; i++)
        {
            cluster.tickAll();
        }
        assertEquals(Role.LEADER, leader.role(), "a leader that hears from a quorum stays");
        final long term = leader.term();
        cluster.isolate(2);
        cluster.isolate(3);
        // the check just ran (tick 5T) and the heartbeats of that tick were answered, so the period running now
        // counts as active: the leader steps down when the next period ends, 2T ticks from now
        for (int i = 0; i < 2 * T - 1; i++)
        {
            leader.tick();
            cluster.deliverAll();
        }
        assertEquals(Role.LEADER, leader.role());
        leader.tick();
        assertEquals(Role.FOLLOWER, leader.role());
        assertEquals(term, leader.term(), "stepping down does not change the term");
        assertEquals(0, leader.leaderId());
    }

    @Test
    void thesis6_2_oneLiveFollowerOfTwoIsAQuorumWithTheLeaderItself()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.isolate(3); // never heard from, not even in the election
        cluster.campaign(1);
        assertEquals(Role.LEADER, cluster.node(1).role());
        for (int i = 0; i < 5 * T; i++)
        {
            cluster.node(1).tick();
            cluster.node(2).tick();
            cluster.deliverAll();
        }
        assertEquals(Role.LEADER, cluster.node(1).role());
    }

    @Test
    void withoutCheckQuorumAnIsolatedLeaderKeepsLeading()
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.checkQuorum(false));
        cluster.campaign(1);
        cluster.isolate(2);
        cluster.isolate(3);
        for (int i = 0; i < 5 * T; i++)
        {
            cluster.node(1).tick();
        }
        assertEquals(Role.LEADER, cluster.node(1).role());
    }

    @Test
    void thesis4_2_3_aFollowerThatHeardFromALiveLeaderIgnoresVoteRequestsUnlessForATransfer()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final RaftNode follower = cluster.node(2);
        final long term = follower.term();
        final long last = follower.log().lastIndex();
        final long lastTerm = follower.log().lastTerm();

        follower.step(vote(3, 2, term + 1, last, lastTerm));
        follower.step(preVote(3, 2, term + 1, last, lastTerm));
        assertTrue(cluster.takeInFlight().isEmpty(), "no answer at all");
        assertEquals(term, follower.term());

        RaftFixture.tick(follower, T - 1);
        follower.step(vote(3, 2, term + 1, last, lastTerm));
        assertTrue(cluster.takeInFlight().isEmpty(), "still within the lease");

        final RaftMessage transfer = vote(3, 2, term + 1, last, lastTerm);
        transfer.transfer = true;
        follower.step(transfer);
        final List<RaftMessage> answers = cluster.takeInFlight();
        assertEquals(1, answers.size());
        assertEquals(MessageType.VOTE_RESPONSE, answers.get(0).type);
        assertFalse(answers.get(0).reject);
        assertEquals(term + 1, follower.term());
        assertEquals(3, follower.votedFor());
    }

    @Test
    void thesis4_2_3_theLeaseEndsAfterAnElectionTimeoutWithoutTheLeader()
    {
        final LocalCluster cluster = new LocalCluster(3);
        cluster.campaign(1);
        final RaftNode follower = cluster.node(2);
        final long term = follower.term();
        RaftFixture.tick(follower, T - 1);
        follower.step(preVote(3, 2, term + 1, follower.log().lastIndex(), follower.log().lastTerm()));
        assertTrue(cluster.takeInFlight().isEmpty());
        RaftFixture.tick(follower, 1);
        follower.step(preVote(3, 2, term + 1, follower.log().lastIndex(), follower.log().lastTerm()));
        final List<RaftMessage> answers = cluster.takeInFlight().stream()
            .filter(m -> m.type == MessageType.PRE_VOTE_RESPONSE).toList();
        assertEquals(1, answers.size());
        assertFalse(answers.get(0).reject);
    }

    @Test
    void withoutCheckQuorumThereIsNoLease()
    {
        final LocalCluster cluster = LocalCluster.of(3, options -> options.checkQuorum(false));
        cluster.campaign(1);
        final RaftNode follower = cluster.node(2);
        final long term = follower.term();
        follower.step(vote(3, 2, term + 1, follower.log().lastIndex(), follower.log().lastTerm()));
        assertEquals(term + 1, follower.term());
    }

    @Test
    void thesis3_10_timeoutNowStartsARealElectionAtOnceFlaggedAsATransfer()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1), 1);
        follower.step(message(MessageType.TIMEOUT_NOW, 1, 2, 1));
        assertEquals(Role.CANDIDATE, follower.node.role(), "no pre-vote on a transfer");
        assertEquals(2, follower.node.term());
        final RaftMessage request = follower.drain().only(MessageType.VOTE, 3);
        assertTrue(request.transfer);

        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        final long term = leader.node.term();
        leader.step(message(MessageType.TIMEOUT_NOW, 2, 1, term));
        assertEquals(Role.LEADER, leader.node.role());
        assertEquals(term, leader.node.term());
    }

    @Test
    void thesis6_2_anAcknowledgedAppendCountsAsHearingFromAFollower()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, new MemoryRaftLog(), 0);
        leader.step(RaftFixture.appendResponse(2, 1, 1, 1));
        leader.tick(T);
        assertEquals(Role.LEADER, leader.node.role(), "the leader and follower 2");
        leader.tick(T);
        assertEquals(Role.FOLLOWER, leader.node.role(), "nobody answered in the second period");
    }

    @Test
    void thesis9_6_aPreCandidateThatHearsNothingAsksAgainOnlyAfterANewRandomTimeout()
    {
        final RaftFixture preCandidate = follower(1, 3, 0, true);
        ticksUntilRoleChanges(preCandidate.node);
        assertEquals(2, preCandidate.drain().of(MessageType.PRE_VOTE).size());
        preCandidate.tick(T - 1);
        assertTrue(preCandidate.drain().all().isEmpty(), "the timer started again");
        preCandidate.tick(T);
        assertEquals(2, preCandidate.drain().of(MessageType.PRE_VOTE).size(), "within [T, 2T)");
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role());
        assertEquals(0, preCandidate.node.term());
    }

    @Test
    void thesis9_6_eachPreVoteRoundCountsItsOwnAnswersOnly()
    {
        final RaftFixture preCandidate = follower(1, 5, 0, true);
        ticksUntilRoleChanges(preCandidate.node);
        preCandidate.drain();
        preCandidate.step(message(MessageType.PRE_VOTE_RESPONSE, 2, 1, 1));
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role(), "two of five");
        int ticks = 0;
        while (preCandidate.drain().of(MessageType.PRE_VOTE).isEmpty() && ticks++ < 2 * T)
        {
            preCandidate.node.tick();
        }
        preCandidate.step(message(MessageType.PRE_VOTE_RESPONSE, 3, 1, 1));
        assertEquals(Role.PRE_CANDIDATE, preCandidate.node.role(), "node 2's answer was for the previous round");
        preCandidate.step(message(MessageType.PRE_VOTE_RESPONSE, 4, 1, 1));
        assertEquals(Role.CANDIDATE, preCandidate.node.role());
    }

    @Test
    void thesis4_2_3_aServerOutsideTheConfigurationCannotDisruptALiveCluster()
    {
        final RaftFixture voter = RaftFixture.of(2, 3, new MemoryRaftLog(), 5);
        voter.step(RaftFixture.append(1, 2, 5, MemoryRaftLog.ofTerms(5), 0, 1, 1));
        voter.drain();
        voter.step(preVote(9, 2, 8, 10, 5));
        voter.step(vote(9, 2, 8, 10, 5));
        assertEquals(5, voter.node.term(), "a removed server's term is not adopted while the leader lives");
        assertNone(voter.drain().all(), MessageType.VOTE_RESPONSE);
    }

    @Test
    void thesis4_1_aVoteRequestIsAnsweredWhateverTheConfigurationSaysOfTheCandidate()
    {
        // the candidate may be a voter this server has not heard of yet: it counts only the votes it may count
        final RaftFixture voter = RaftFixture.of(2, 3, new MemoryRaftLog(), 5);
        voter.step(vote(9, 2, 6, 10, 5));
        assertEquals(6, voter.node.term());
        assertFalse(voter.drain().only(MessageType.VOTE_RESPONSE, 9).reject);
    }

    @Test
    void aLeaderIsHeardEvenWhenThisServerDoesNotYetKnowItAsAMember()
    {
        final RaftFixture joining = RaftFixture.of(2, 3, new MemoryRaftLog(), 5);
        joining.step(RaftFixture.append(9, 2, 6, MemoryRaftLog.ofTerms(6), 0, 1, 1));
        assertEquals(6, joining.node.term());
        assertEquals(9, joining.node.leaderId());
        assertFalse(joining.drain().only(MessageType.APPEND_RESPONSE, 9).reject);
        assertEquals(1, joining.node.commitIndex());
    }
}
