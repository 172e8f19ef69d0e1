package io.raftline.core;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.replication.Progress;
import org.junit.jupiter.api.Test;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.append;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static io.raftline.core.RaftFixture.preVote;
import static io.raftline.core.RaftFixture.vote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose log was cut at a damaged entry (see {@link RaftOptions#repairFloor}): it may have helped commit
 * entries it no longer holds, so it votes only for a log as up to date as the one it had and campaigns only once a
 * leader has sent its log back; the leader, told that its log went back, probes below the match index it had.
 */
class LogRepairTest
{
    /** Entries 1..3 of term 1, then 4..6 of term 2: what node 2 held before entry 4 was found damaged. */
    private static final long[] BEFORE = {1, 1, 1, 2, 2, 2};

    private static RaftFixture repairing(final long floorIndex, final long floorTerm)
    {
        final MemoryRaftLog cut = MemoryRaftLog.ofTerms(1, 1, 1);
        return RaftFixture.of(2, 3, cut, 2, options -> options.repairFloor(floorIndex, floorTerm));
    }

    @Test
    void votesOnlyForALogAsUpToDateAsTheOneItHadAndNeverCampaignsWhileShortOfIt()
    {
        final RaftFixture node = repairing(6, 2);
        assertTrue(node.node.isRepairing());
        // candidate 3 lacks entries 4..6, which node 2 may have helped commit: with its log cut, node 2 would vote
        node.step(preVote(3, 2, 3, 5, 2));
        node.step(vote(3, 2, 3, 5, 2));
        for (final RaftMessage response : node.drain().all())
        {
            assertTrue(response.reject, "granted while repairing: " + response);
        }
        // a candidate that holds all it had may win with its vote
        node.step(vote(3, 2, 4, 6, 2));
        assertFalse(node.drain().only(MessageType.VOTE_RESPONSE, 3).reject);

        final RaftFixture idle = repairing(6, 2);
        idle.tick(3 * T);
        assertEquals(Role.FOLLOWER, idle.node.role());
        RaftFixture.assertNone(idle.drain().all(), MessageType.PRE_VOTE);
        idle.step(message(MessageType.TIMEOUT_NOW, 1, 2, 2));
        assertEquals(Role.FOLLOWER, idle.node.role());
    }

    @Test
    void votesAgainOnceItsLogIsAsUpToDateAsBefore()
    {
        final RaftFixture node = repairing(6, 2);
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(BEFORE);
        node.step(append(1, 2, 2, leaderLog, 3, 2, 0));
        node.drain();
        assertTrue(node.node.isRepairing(), "holds 5 of 6");
        node.step(append(1, 2, 2, leaderLog, 5, 1, 0));
        node.drain();
        assertFalse(node.node.isRepairing());
        node.tick(T); // out of the leader's lease
        node.step(vote(3, 2, 3, 6, 2));
        assertFalse(node.drain().only(MessageType.VOTE_RESPONSE, 3).reject);
    }

    @Test
    void anEntryOfALaterTermEndsTheRepairSooner()
    {
        // the entries it lost were never committed if a later leader's log has another entry there: that leader
        // holds every committed one (§5.4), so a log ending in its term is as up to date as the old one was
        final RaftFixture node = repairing(6, 2);
        final MemoryRaftLog leaderLog = MemoryRaftLog.ofTerms(1, 1, 1, 3);
        node.step(append(1, 2, 3, leaderLog, 3, 1, 0));
        node.drain();
        assertFalse(node.node.isRepairing());
    }

    @Test
    void itsRejectionsSayItsLogWentBack()
    {
        final RaftFixture node = repairing(6, 2);
        node.step(append(1, 2, 2, MemoryRaftLog.ofTerms(BEFORE), 5, 1, 0));
        final RaftMessage rejection = node.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertTrue(rejection.reject);
        assertTrue(rejection.regressed);
        assertEquals(4, rejection.rejectHintIndex);

        final RaftFixture healthy = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 2);
        healthy.step(append(1, 2, 2, MemoryRaftLog.ofTerms(BEFORE), 5, 1, 0));
        assertFalse(healthy.drain().only(MessageType.APPEND_RESPONSE, 1).regressed);
    }

    @Test
    void aHeartbeatFromALeaderThatBelievesItHoldsMoreIsAnsweredWithItsLogWentBack()
    {
        // an idle leader sends only heartbeats, and with no entries to send would never hear of the cut
        final RaftFixture node = repairing(6, 2);
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 2);
        heartbeat.commitIndex = 6; // at most the leader's match index for it
        node.step(heartbeat);
        final RaftMessage notice = node.drain().only(MessageType.APPEND_RESPONSE, 1);
        assertTrue(notice.reject && notice.regressed);
        assertEquals(4, notice.rejectHintIndex);

        final RaftMessage current = message(MessageType.HEARTBEAT, 1, 2, 2);
        current.commitIndex = 3; // the leader knows where its log ends
        node.step(current);
        RaftFixture.assertNone(node.drain().all(), MessageType.APPEND_RESPONSE);
    }

    @Test
    void itTellsAStaleLeaderItsTermEvenWithoutPreVoteOrCheckQuorum()
    {
        // it cannot campaign, so a leader of an older term would never hear of the newer one and never reach it
        final RaftFixture node = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 4,
            options -> options.repairFloor(6, 2).preVote(false).checkQuorum(false));
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 3);
        node.step(heartbeat);
        assertEquals(4, node.drain().only(MessageType.APPEND_RESPONSE, 1).term);
    }

    @Test
    void theLeaderProbesBelowTheMatchIndexOfAFollowerWhoseLogWentBack()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 1, 1, 1, 1), 1);
        final long last = leader.node.log().lastIndex();
        leader.step(appendResponse(2, 1, leader.node.term(), last));
        leader.drain();
        assertEquals(last, leader.node.progress(2).matchIndex());

        final RaftMessage plain = appendResponse(2, 1, leader.node.term(), last);
        plain.reject = true;
        plain.rejectHintIndex = 3;
        leader.step(plain);
        assertEquals(last, leader.node.progress(2).matchIndex(), "a rejection below the match index is stale");

        final RaftMessage regressed = appendResponse(2, 1, leader.node.term(), last);
        regressed.reject = true;
        regressed.regressed = true;
        regressed.rejectHintIndex = 3;
        leader.step(regressed);
        final Progress progress = leader.node.progress(2);
        assertEquals(2, progress.matchIndex());
        assertEquals(3, progress.nextIndex());
        final RaftMessage probe = leader.drain().only(MessageType.APPEND, 2);
        assertEquals(2, probe.index, "entries from 3 on go to it again");
    }
}
