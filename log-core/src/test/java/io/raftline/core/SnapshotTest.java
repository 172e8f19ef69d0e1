package io.raftline.core;

import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.replication.Progress;
import org.junit.jupiter.api.Test;

import static io.raftline.core.RaftFixture.T;
import static io.raftline.core.RaftFixture.appendResponse;
import static io.raftline.core.RaftFixture.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots, log compaction and InstallSnapshot (Raft §7, thesis ch. 5) in the core. */
class SnapshotTest
{
    private static final Configuration THREE = Configuration.of(1, 2, 3);

    /**
     * Leader 1 of term 2: twelve entries of term 1 and its no-op at 13, committed by node 2, which says it holds a
     * snapshot at {@code followerSnapshot}; the leader snapshots at 10 and compacts below 11.
     */
    private static RaftFixture compactedLeader(final long followerSnapshot)
    {
        final MemoryRaftLog log = MemoryRaftLog.ofTerms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        final RaftFixture leader = RaftFixture.leader(1, 3, log, 1);
        final RaftMessage ack = appendResponse(2, 1, 2, 13);
        ack.snapshotIndex = followerSnapshot;
        ack.sentAt = leader.node.clock(); // it answers what the leader has just sent
        leader.step(ack);
        leader.drain();
        assertEquals(13, leader.node.commitIndex());
        leader.node.snapshotTaken(10, 1);
        log.compactTo(11);
        return leader;
    }

    /** Node 3 answers the leader's first probe (after entry 12) that its log ends at 4. */
    private static RaftMessage behind()
    {
        final RaftMessage reject = appendResponse(3, 1, 2, 12);
        reject.reject = true;
        reject.rejectHintIndex = 5;
        return reject;
    }

    private static RaftMessage install(final long index, final long term, final int source)
    {
        final RaftMessage install = message(MessageType.INSTALL_SNAPSHOT, 1, 2, 2);
        install.index = index;
        install.logTerm = term;
        install.commitIndex = index;
        install.context = source;
        return install;
    }

    @Test
    void section7_aFollowerThatNeedsCompactedEntriesIsToldToFetchTheSnapshotFromAFollowerThatHoldsIt()
    {
        final RaftFixture leader = compactedLeader(10);
        leader.step(behind());
        final RaftMessage install = leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3);
        assertEquals(10, install.index);
        assertEquals(1, install.logTerm);
        assertEquals(13, install.commitIndex);
        assertEquals(2, install.context, "node 2 holds the same snapshot: it serves it, not the leader");
        assertEquals(Progress.State.SNAPSHOT, leader.node.progress(3).state());
        assertEquals(10, leader.node.progress(3).pendingSnapshot());
    }

    @Test
    void section7_aSourceThatAnsweredWithinAnElectionTimeoutIsNamedAlsoJustAfterTheCheckQuorumPeriodTurns()
    {
        final RaftFixture leader = compactedLeader(10);
        leader.tick(T - 1);
        final RaftMessage holds = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 2);
        holds.sentAt = leader.node.clock();
        holds.snapshotIndex = 10;
        leader.step(holds);
        leader.tick(1); // a new check-quorum period: node 2 has not answered in this one yet
        leader.drain();
        leader.step(behind());
        assertEquals(2, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).context,
            "node 2 answered a tick ago: it serves the snapshot, not the leader");
    }

    @Test
    void section7_withNoFollowerHoldingTheSnapshotTheLeaderServesIt()
    {
        final RaftFixture leader = compactedLeader(8);
        leader.step(behind());
        assertEquals(1, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).context);
    }

    @Test
    void section7_onceInstalledTheFollowerIsProbedFromTheSnapshotOn()
    {
        final RaftFixture leader = compactedLeader(0);
        leader.step(behind());
        leader.drain();
        leader.step(appendResponse(3, 1, 2, 10));
        final RaftMessage append = leader.drain().only(MessageType.APPEND, 3);
        assertEquals(10, append.index, "entries after the snapshot follow it");
        assertEquals(1, append.logTerm);
        assertEquals(3, append.entryCount);
    }

    @Test
    void section7_aSnapshotNotAcknowledgedWithinAnElectionTimeoutIsOfferedAgain()
    {
        final RaftFixture leader = compactedLeader(0);
        leader.step(behind());
        leader.drain();
        final RaftMessage heartbeatResponse = message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 2);
        leader.step(heartbeatResponse);
        assertTrue(leader.drain().of(MessageType.INSTALL_SNAPSHOT, 3).isEmpty(), "not at once");
        leader.tick(T);
        leader.drain();
        leader.step(heartbeatResponse);
        assertEquals(10, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).index, "lost, or the follower restarted");
    }

    @Test
    void section7_aFollowerFetchesASnapshotItLacksAndInstallsItInPlaceOfItsLog()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 1);
        follower.step(install(10, 2, 3));
        final RaftFixture.Output asked = follower.drain();
        assertEquals(new SnapshotFetch(10, 2, 3, 1), asked.snapshotToFetch);
        assertTrue(asked.of(MessageType.APPEND_RESPONSE).isEmpty(), "nothing to acknowledge before the install");

        final Configuration inSnapshot = Configuration.withLearners(new int[]{ 1, 2, 3 }, new int[]{ 4 });
        assertTrue(follower.node.installSnapshot(10, 2, inSnapshot));
        final RaftFixture.Output installed = follower.drain();
        assertEquals(10, installed.snapshotInstalled, "the runtime restores its state from it");
        assertEquals(11, follower.log.firstIndex());
        assertEquals(10, follower.log.lastIndex());
        assertEquals(2, follower.log.term(10));
        assertEquals(10, follower.node.commitIndex());
        assertEquals(10, follower.node.snapshotIndex());
        assertEquals(inSnapshot, follower.node.configuration());
        assertEquals(10, installed.only(MessageType.APPEND_RESPONSE, 1).index);
        assertEquals(10, installed.only(MessageType.APPEND_RESPONSE, 1).snapshotIndex, "it holds it now");
        assertNull(installed.snapshotToFetch, "done");
        assertTrue(installed.afterPersist.contains(installed.only(MessageType.APPEND_RESPONSE, 1)),
            "acknowledged after persisting, like any append");
    }

    @Test
    void section7_aSnapshotAtOrBelowTheCommitIndexIsAnsweredAtOnce()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 1);
        follower.step(RaftFixture.append(1, 2, 2, MemoryRaftLog.ofTerms(1, 1, 1), 3, 0, 3));
        follower.drain();
        assertEquals(3, follower.node.commitIndex());
        follower.step(install(2, 1, 3));
        final RaftFixture.Output out = follower.drain();
        assertEquals(3, out.only(MessageType.APPEND_RESPONSE, 1).index);
        assertNull(out.snapshotToFetch);
        assertFalse(follower.node.installSnapshot(2, 1, THREE), "never below the commit index");
        assertEquals(1, follower.log.firstIndex());
    }

    @Test
    void section7_aFollowerHoldingTheSnapshotsEntryCommitsToItInsteadOfFetching()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1, 1), 1);
        follower.step(install(3, 1, 3));
        final RaftFixture.Output out = follower.drain();
        assertEquals(3, out.only(MessageType.APPEND_RESPONSE, 1).index);
        assertNull(out.snapshotToFetch);
        assertEquals(3, follower.node.commitIndex());
        assertEquals(4, follower.log.lastIndex(), "§7: entries after the snapshot are kept");
    }

    @Test
    void aSnapshotOfferForAnEntryTheFollowerHoldsProvesItsLogUpToThatEntry()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1, 1), 1);
        follower.step(install(3, 1, 3));
        follower.drain();
        final RaftMessage heartbeat = message(MessageType.HEARTBEAT, 1, 2, 2);
        heartbeat.commitIndex = 3;
        follower.step(heartbeat);
        assertFalse(follower.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject, "1..3 are the leader's");
        heartbeat.commitIndex = 4;
        follower.step(heartbeat);
        assertEquals(3, follower.node.commitIndex(), "nothing of this leader's proved entry 4");
        assertTrue(follower.drain().only(MessageType.HEARTBEAT_RESPONSE, 1).reject);
    }

    @Test
    void section7_aFetchedSnapshotWhoseEntryTheLogNowHoldsIsNotInstalled()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        follower.step(install(3, 2, 3));
        follower.drain();
        // meanwhile the entries came by AppendEntries, and more after them
        follower.step(RaftFixture.append(1, 2, 2, MemoryRaftLog.ofTerms(1, 1, 2, 2), 2, 2, 2));
        follower.drain();
        assertFalse(follower.node.installSnapshot(3, 2, THREE), "the log holds it: resetting would lose entry 4");
        follower.drain();
        assertEquals(4, follower.log.lastIndex());
        assertEquals(1, follower.log.firstIndex());
        assertEquals(3, follower.node.commitIndex());
    }

    @Test
    void section7_aFailedFetchIsGivenUpUntilTheLeaderOffersOneAgain()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1), 1);
        follower.step(install(10, 2, 1));
        assertEquals(10, follower.drain().snapshotToFetch.index());
        follower.node.snapshotFetchFailed(9);
        assertFalse(follower.node.hasReady(), "another snapshot's failure changes nothing");
        follower.node.snapshotFetchFailed(10);
        assertTrue(follower.node.hasReady());
        assertNull(follower.drain().snapshotToFetch);
        follower.step(install(10, 2, 1));
        assertEquals(10, follower.drain().snapshotToFetch.index());
    }

    @Test
    void aLeaderHoldsEveryCommittedEntrySoNeverInstallsASnapshot()
    {
        final RaftFixture leader = RaftFixture.leader(1, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        assertFalse(leader.node.installSnapshot(10, 2, THREE));
        assertEquals(3, leader.log.lastIndex());
    }

    @Test
    void aSnapshotIsOfTheLogAndItsIndexIsCommittedAfterARestart()
    {
        final MemoryRaftLog log = MemoryRaftLog.ofTerms(1, 1, 1, 2, 2);
        log.compactTo(3);
        final RaftFixture restarted = new RaftFixture(LocalCluster.options(1), log, 2, 0, THREE);
        assertEquals(2, restarted.node.commitIndex(), "what was compacted was committed");
        assertThrows(IllegalArgumentException.class, () -> restarted.node.snapshotTaken(4, 1), "not that term");
        assertThrows(IllegalArgumentException.class, () -> restarted.node.snapshotTaken(6, 2), "past the log");
        assertThrows(IllegalArgumentException.class, () -> restarted.node.snapshotTaken(1, 1), "compacted");
        restarted.node.snapshotTaken(4, 2);
        assertEquals(4, restarted.node.commitIndex(), "only committed state is snapshotted");
        assertEquals(4, restarted.node.snapshotIndex());
        restarted.node.snapshotTaken(3, 1);
        assertEquals(4, restarted.node.snapshotIndex(), "an older one changes nothing");
    }

    @Test
    void section7_aSnapshotAtTheCommitIndexOrAtTheLastEntryHeldIsNotFetched()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 1), 1);
        follower.step(RaftFixture.append(1, 2, 2, MemoryRaftLog.ofTerms(1, 1, 1), 3, 0, 2));
        follower.drain();
        assertEquals(2, follower.node.commitIndex());
        follower.step(install(2, 1, 3));
        assertEquals(2, follower.drain().only(MessageType.APPEND_RESPONSE, 1).index, "at the commit index");
        follower.step(install(3, 1, 3));
        final RaftFixture.Output atLast = follower.drain();
        assertNull(atLast.snapshotToFetch, "the last entry held is the snapshot's");
        assertEquals(3, atLast.only(MessageType.APPEND_RESPONSE, 1).index);
        assertEquals(3, follower.node.commitIndex());
        assertFalse(follower.node.installSnapshot(3, 1, THREE), "at the commit index: nothing to install");
    }

    @Test
    void section7_aFetchedSnapshotWhoseEntryIsTheLastHeldCommitsInsteadOfReplacingTheLog()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1, 2), 1);
        follower.step(install(5, 2, 3));
        follower.drain();
        assertFalse(follower.node.installSnapshot(3, 2, THREE), "entry 3 of term 2 is the last held");
        assertEquals(3, follower.node.commitIndex());
        assertEquals(1, follower.log.firstIndex());
    }

    @Test
    void section7_theSameInstallOfferedAgainChangesNothingAndANewSourceIsTakenUp()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1), 1);
        follower.step(install(10, 2, 3));
        final SnapshotFetch first = follower.drain().snapshotToFetch;
        follower.step(install(10, 2, 3));
        assertFalse(follower.node.hasReady(), "the same fetch: nothing new to report");
        follower.step(install(10, 2, 1));
        assertEquals(new SnapshotFetch(10, 2, 1, 1), follower.drain().snapshotToFetch, "the source changed");
        follower.step(install(12, 2, 1));
        assertEquals(12, follower.drain().snapshotToFetch.index(), "a newer snapshot");
        follower.step(install(12, 3, 1));
        assertEquals(3, follower.drain().snapshotToFetch.term(), "the same index of another term");
        assertTrue(first.index() == 10);
    }

    @Test
    void section7_anInstallFromTheLeaderIsHeardFromTheLeader()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1), 1);
        follower.tick(T - 1);
        follower.step(install(10, 2, 3));
        follower.drain();
        assertEquals(1, follower.node.leaderId());
        follower.tick(T - 1);
        assertEquals(Role.FOLLOWER, follower.node.role(), "its election timer started again");
    }

    @Test
    void section7_aFollowerThatInstalledAnOlderSnapshotIsProbedIfTheLeaderStillHoldsWhatFollows()
    {
        final RaftFixture leader = compactedLeader(0);
        leader.node.snapshotTaken(12, 1);
        leader.step(behind());
        assertEquals(12, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).index);
        leader.step(appendResponse(3, 1, 2, 10)); // it had fetched the snapshot at 10 before
        assertTrue(leader.node.progress(3).state() != Progress.State.SNAPSHOT, "entries after 10 are held");
        assertEquals(1, leader.drain().of(MessageType.APPEND, 3).size(), "and sent");
    }

    @Test
    void section7_aSnapshotIsOfferedAgainExactlyOneElectionTimeoutAfter()
    {
        final RaftFixture leader = compactedLeader(0);
        leader.step(behind());
        leader.drain();
        final RaftMessage heartbeatResponse = message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 2);
        leader.tick(T - 1);
        leader.drain();
        leader.step(heartbeatResponse);
        assertTrue(leader.drain().of(MessageType.INSTALL_SNAPSHOT, 3).isEmpty(), "not before");
        leader.tick(1);
        leader.drain();
        leader.step(heartbeatResponse);
        assertEquals(1, leader.drain().of(MessageType.INSTALL_SNAPSHOT, 3).size(), "at one election timeout");
    }

    @Test
    void section7_aFollowerSilentForAnElectionTimeoutIsToldOfTheSnapshotWhenItAnswersWithTheSourceKnownThen()
    {
        final MemoryRaftLog log = MemoryRaftLog.ofTerms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        final RaftFixture leader = RaftFixture.leader(1, 3, log, 1);
        leader.step(appendResponse(2, 1, 2, 13));
        leader.step(appendResponse(3, 1, 2, 13));
        leader.drain();
        for (int i = 14; i <= 18; i++)
        {
            leader.propose("x"); // node 3 is sent 14-17, then 18 waits for it: node 3 never answers
            leader.drain();
        }
        leader.step(appendResponse(2, 1, 2, 18));
        for (int tick = 0; tick < T; tick++)
        {
            leader.tick(1);
            leader.step(message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 2));
        }
        leader.drain();
        leader.node.snapshotTaken(18, 2);
        log.compactTo(19);
        leader.propose("y");
        assertTrue(leader.drain().of(MessageType.INSTALL_SNAPSHOT, 3).isEmpty(), "node 3 does not answer");
        final RaftMessage holds = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 2);
        holds.snapshotIndex = 18;
        holds.sentAt = leader.node.clock();
        leader.step(holds);
        leader.drain();
        leader.step(message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 2));
        final RaftMessage install = leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3);
        assertEquals(18, install.index);
        assertEquals(2, install.context, "told when it answers, from the follower known then to hold the snapshot");
    }

    @Test
    void section7_aFollowersSnapshotIsLearntFromItsHeartbeatResponsesToo()
    {
        final RaftFixture leader = compactedLeader(0);
        final RaftMessage heartbeatResponse = message(MessageType.HEARTBEAT_RESPONSE, 2, 1, 2);
        heartbeatResponse.snapshotIndex = 10;
        heartbeatResponse.sentAt = leader.node.clock();
        leader.step(heartbeatResponse);
        leader.drain();
        leader.step(behind());
        assertEquals(2, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).context);
    }

    @Test
    void section7_noSnapshotIsOfferedBeforeTheRuntimeSaysItHoldsOne()
    {
        final MemoryRaftLog log = MemoryRaftLog.ofTerms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        final RaftFixture leader = RaftFixture.leader(1, 3, log, 1);
        leader.step(appendResponse(2, 1, 2, 13));
        leader.drain();
        log.compactTo(11); // as if the snapshot's notice were still on its way
        leader.step(behind());
        assertTrue(leader.drain().of(MessageType.INSTALL_SNAPSHOT, 3).isEmpty());
        assertTrue(leader.node.progress(3).state() != Progress.State.SNAPSHOT);
        leader.node.snapshotTaken(10, 1);
        leader.step(heartbeat3());
        assertEquals(10, leader.drain().only(MessageType.INSTALL_SNAPSHOT, 3).index, "once it does");
    }

    private static RaftMessage heartbeat3()
    {
        return message(MessageType.HEARTBEAT_RESPONSE, 3, 1, 2);
    }

    @Test
    void aSnapshotAtTheEntryBeforeTheLogsStartIsOfTheLog()
    {
        final MemoryRaftLog log = MemoryRaftLog.ofTerms(1, 1, 1, 2, 2);
        log.compactTo(3);
        final RaftFixture restarted = new RaftFixture(LocalCluster.options(1), log, 2, 0, THREE);
        restarted.node.snapshotTaken(2, 1);
        assertEquals(2, restarted.node.snapshotIndex());
    }

    @Test
    void section7_aFetchIsGivenUpWhenTheEntriesItStandsForArriveAfterAll()
    {
        final RaftFixture follower = RaftFixture.of(2, 3, MemoryRaftLog.ofTerms(1, 1), 1);
        follower.step(install(4, 2, 3));
        assertEquals(4, follower.drain().snapshotToFetch.index());
        follower.step(RaftFixture.append(1, 2, 2, MemoryRaftLog.ofTerms(1, 1, 2, 2), 2, 1, 2));
        assertEquals(4, follower.drain().snapshotToFetch.index(), "entry 4 is not in yet");
        follower.step(RaftFixture.append(1, 2, 2, MemoryRaftLog.ofTerms(1, 1, 2, 2, 2), 3, 2, 2));
        assertNull(follower.drain().snapshotToFetch, "entry 4 of term 2 arrived: no snapshot needed");
    }
}
