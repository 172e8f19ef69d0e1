package io.raftline.core.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTest
{
    private static Progress replicating(final long matchIndex, final int window)
    {
        final Progress progress = new Progress(2, 1, window, 1_000);
        progress.maybeUpdate(matchIndex);
        progress.becomeReplicate();
        return progress;
    }

    @Test
    void aNewFollowerIsProbedFromTheGivenNextIndex()
    {
        final Progress progress = new Progress(2, 7, 4, 1_000);
        assertEquals(2, progress.nodeId());
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(0, progress.matchIndex());
        assertEquals(7, progress.nextIndex());
        assertFalse(progress.isPaused());
        assertFalse(progress.isRecentActive());
        assertEquals(0, progress.readAckedRound());
        assertEquals(0, progress.commitSent());
    }

    @Test
    void aProbeAtATime()
    {
        final Progress progress = new Progress(2, 7, 4, 1_000);
        progress.onSent(9, 100, 2, 3);
        assertTrue(progress.isPaused());
        assertEquals(7, progress.nextIndex(), "a probe does not move nextIndex");
        assertEquals(0, progress.inflights().count());
        assertEquals(3, progress.commitSent());
        assertFalse(progress.maybeUpdate(0), "no news");
        assertFalse(progress.isPaused(), "but the probe was answered");
    }

    @Test
    void anAcknowledgementMovesMatchAndNextIndexForwardOnly()
    {
        final Progress progress = new Progress(2, 3, 4, 1_000);
        assertTrue(progress.maybeUpdate(5));
        assertEquals(5, progress.matchIndex());
        assertEquals(6, progress.nextIndex());
        assertFalse(progress.maybeUpdate(5));
        assertFalse(progress.maybeUpdate(4));
        assertEquals(5, progress.matchIndex());
        final Progress ahead = new Progress(2, 10, 4, 1_000);
        assertTrue(ahead.maybeUpdate(5));
        assertEquals(10, ahead.nextIndex(), "nextIndex never goes back on an acknowledgement");
    }

    @Test
    void replicatingStreamsWithinTheWindowAndAcknowledgementsFreeIt()
    {
        final Progress progress = replicating(4, 2);
        assertEquals(Progress.State.REPLICATE, progress.state());
        assertEquals(5, progress.nextIndex());
        progress.onSent(6, 10, 2, 4);
        assertEquals(7, progress.nextIndex());
        assertFalse(progress.isPaused());
        progress.onSent(6, 0, 0, 5);
        assertEquals(1, progress.inflights().count(), "an empty message takes no slot");
        assertEquals(5, progress.commitSent());
        progress.onSent(8, 10, 2, 2);
        assertEquals(5, progress.commitSent(), "the highest commit sent");
        assertTrue(progress.isPaused());
        assertTrue(progress.maybeUpdate(6));
        assertEquals(1, progress.inflights().count());
        assertFalse(progress.isPaused());
    }

    @Test
    void becomingReplicateRestartsFromTheMatchIndex()
    {
        final Progress progress = new Progress(2, 9, 2, 1_000);
        progress.maybeUpdate(3);
        progress.onSent(9, 1, 1, 0);
        progress.becomeReplicate();
        assertEquals(4, progress.nextIndex());
        assertFalse(progress.isPaused());
    }

    @Test
    void becomingReplicateAgainForgetsWhatWasInFlight()
    {
        final Progress progress = replicating(2, 2);
        progress.onSent(4, 10, 2, 0);
        progress.onSent(6, 10, 2, 0);
        assertTrue(progress.isPaused());
        progress.becomeReplicate();
        assertEquals(0, progress.inflights().count());
        assertEquals(0, progress.inflights().bytes());
        assertEquals(3, progress.nextIndex());
        assertFalse(progress.isPaused());
    }

    @Test
    void aRejectionWhileReplicatingReturnsToProbeUnlessItIsStale()
    {
        final Progress progress = replicating(4, 4);
        progress.onSent(8, 10, 4, 0);
        assertFalse(progress.maybeDecrease(4, 2), "index 4 is known to match");
        assertEquals(Progress.State.REPLICATE, progress.state());
        assertEquals(9, progress.nextIndex());
        assertTrue(progress.maybeDecrease(6, 9));
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(6, progress.nextIndex(), "min(rejected, hint)");
        assertEquals(0, progress.inflights().count());
        assertFalse(progress.isPaused());
    }

    @Test
    void aRejectionNeverMovesNextIndexToOrBelowTheMatchIndex()
    {
        final Progress progress = replicating(4, 4);
        progress.onSent(8, 10, 4, 0);
        assertTrue(progress.maybeDecrease(7, 1));
        assertEquals(5, progress.nextIndex());
    }

    @Test
    void whileProbingOnlyTheAnswerToTheLatestProbeCounts()
    {
        final Progress progress = new Progress(2, 10, 4, 1_000);
        progress.onSent(12, 1, 2, 0);
        assertFalse(progress.maybeDecrease(5, 3));
        assertEquals(10, progress.nextIndex());
        assertTrue(progress.isPaused());
        assertTrue(progress.maybeDecrease(9, 4));
        assertEquals(4, progress.nextIndex());
        assertFalse(progress.isPaused());
        progress.onSent(4, 1, 1, 0);
        assertTrue(progress.maybeDecrease(3, 7));
        assertEquals(3, progress.nextIndex(), "the hint cannot move forward");
    }

    @Test
    void becomingProbeKeepsNextIndexAboveTheMatchIndex()
    {
        final Progress progress = replicating(4, 4);
        progress.onSent(6, 10, 2, 0);
        progress.becomeProbe();
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(7, progress.nextIndex());
        assertEquals(0, progress.inflights().count());
        final Progress behind = new Progress(2, 2, 4, 1_000);
        behind.maybeUpdate(5);
        behind.becomeProbe();
        assertEquals(6, behind.nextIndex());
    }

    @Test
    void aHeartbeatAnswerUnblocksAProbeOrOneSlotOfAFullWindow()
    {
        final Progress probing = new Progress(2, 3, 2, 1_000);
        probing.onSent(3, 1, 1, 0);
        probing.onHeartbeatResponse();
        assertFalse(probing.isPaused());

        final Progress full = replicating(1, 2);
        full.onSent(2, 1, 1, 0);
        full.onSent(3, 1, 1, 0);
        assertTrue(full.isPaused());
        full.onHeartbeatResponse();
        assertEquals(1, full.inflights().count());
        assertFalse(full.isPaused());

        final Progress notFull = replicating(1, 3);
        notFull.onSent(2, 1, 1, 0);
        notFull.onHeartbeatResponse();
        assertEquals(1, notFull.inflights().count(), "nothing freed when there is room");
    }

    @Test
    void resetStartsAgainForANewLeader()
    {
        final Progress progress = replicating(4, 4);
        progress.onSent(6, 10, 2, 3);
        progress.setRecentActive(true);
        progress.onReadAck(5);
        progress.reset(20);
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(0, progress.matchIndex());
        assertEquals(20, progress.nextIndex());
        assertFalse(progress.isRecentActive());
        assertEquals(0, progress.readAckedRound());
        assertEquals(0, progress.commitSent());
        assertEquals(0, progress.inflights().count());
    }

    @Test
    void flagsAndRounds()
    {
        final Progress progress = new Progress(2, 1, 1, 1);
        assertFalse(progress.takeResendRequest());
        progress.requestResend();
        assertTrue(progress.takeResendRequest());
        assertFalse(progress.takeResendRequest(), "taken once");
        progress.setRecentActive(true);
        assertTrue(progress.isRecentActive());
        progress.setRecentActive(false);
        assertFalse(progress.isRecentActive());
        progress.onReadAck(4);
        progress.onReadAck(2);
        assertEquals(4, progress.readAckedRound(), "rounds never go back");
    }

    @Test
    void toStringShowsTheState()
    {
        final Progress progress = new Progress(2, 3, 2, 100);
        progress.onSent(3, 1, 1, 0);
        assertEquals("node 2 PROBE match=0 next=3 inflight=0 paused", progress.toString());
        progress.maybeUpdate(3);
        progress.becomeReplicate();
        progress.onSent(5, 1, 2, 0);
        assertEquals("node 2 REPLICATE match=3 next=6 inflight=1", progress.toString());
    }

    @Test
    void aFollowerBeingSentASnapshotGetsNoAppendsUntilItReachesTheSnapshot()
    {
        final Progress progress = replicating(5, 4);
        progress.onSent(7, 10, 2, 0);
        assertEquals(1, progress.inflights().count());
        progress.becomeSnapshot(100, 7);
        assertEquals(0, progress.inflights().count(), "what was in flight is moot");
        assertEquals(Progress.State.SNAPSHOT, progress.state());
        assertEquals(100, progress.pendingSnapshot());
        assertTrue(progress.isPaused());
        assertTrue(progress.maybeUpdate(50));
        assertEquals(Progress.State.SNAPSHOT, progress.state(), "not yet at the snapshot");
        assertTrue(progress.maybeUpdate(100));
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(0, progress.pendingSnapshot());
        assertEquals(101, progress.nextIndex());
        assertFalse(progress.isPaused());
    }

    @Test
    void aFailedSnapshotIsFollowedByProbingFromWhereTheLogsMatched()
    {
        final Progress progress = replicating(5, 4);
        progress.becomeSnapshot(100, 7);
        progress.onSnapshotFailed();
        assertEquals(Progress.State.PROBE, progress.state());
        assertEquals(6, progress.nextIndex());
        assertEquals(0, progress.pendingSnapshot());
        progress.onSnapshotFailed();
        assertEquals(Progress.State.PROBE, progress.state(), "only a snapshot in flight can fail");
    }

    @Test
    void probingAfterAnInstalledSnapshotStartsPastIt()
    {
        final Progress progress = replicating(5, 4);
        progress.becomeSnapshot(100, 7);
        progress.becomeProbe();
        assertEquals(101, progress.nextIndex(), "the follower holds the snapshot's entries in effect");
    }
}
