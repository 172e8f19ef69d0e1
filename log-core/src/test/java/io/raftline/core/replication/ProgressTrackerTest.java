package io.raftline.core.replication;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.VoteResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressTrackerTest
{
    @Test
    void everyMemberHasAProgressInIdOrder()
    {
        final ProgressTracker tracker = new ProgressTracker(
            Configuration.withLearners(new int[]{3, 1, 2}, new int[]{4}), 2, 100);
        assertEquals(4, tracker.size());
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i + 1, tracker.at(i).nodeId());
            assertEquals(1, tracker.at(i).nextIndex());
        }
        assertSame(tracker.at(2), tracker.progress(3));
        assertSame(tracker.at(3), tracker.find(4));
        assertNull(tracker.find(5));
        assertThrows(IllegalArgumentException.class, () -> tracker.progress(5));
    }

    @Test
    void theWindowLimitsReachEachProgress()
    {
        final ProgressTracker tracker = new ProgressTracker(Configuration.of(1, 2), 2, 100);
        final Progress progress = tracker.progress(2);
        progress.becomeReplicate();
        progress.onSent(1, 10, 1, 0);
        progress.onSent(2, 10, 1, 0);
        assertTrue(progress.isPaused(), "two messages");
        final ProgressTracker bytes = new ProgressTracker(Configuration.of(1, 2), 10, 20);
        final Progress other = bytes.progress(2);
        other.becomeReplicate();
        other.onSent(1, 19, 1, 0);
        assertFalse(other.isPaused());
        other.onSent(2, 1, 1, 0);
        assertTrue(other.isPaused(), "twenty bytes");
    }

    @Test
    void reconfiguringKeepsWhatIsKnownOfMembersThatStay()
    {
        final ProgressTracker tracker = new ProgressTracker(Configuration.of(1, 2, 3), 2, 100);
        final Progress two = tracker.progress(2);
        two.maybeUpdate(7);
        tracker.configure(Configuration.of(2, 3, 4), 9);
        assertEquals(Configuration.of(2, 3, 4), tracker.configuration());
        assertEquals(3, tracker.size());
        assertSame(two, tracker.progress(2));
        assertEquals(7, tracker.progress(2).matchIndex());
        assertEquals(9, tracker.progress(4).nextIndex());
        assertNull(tracker.find(1));
        assertNotSame(two, tracker.progress(4));
    }

    @Test
    void section5_3_theCommittedIndexIsWhatAMajorityOfVotersHas()
    {
        final ProgressTracker tracker = new ProgressTracker(
            Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}), 2, 100);
        tracker.progress(1).maybeUpdate(9);
        tracker.progress(4).maybeUpdate(9);
        assertEquals(0, tracker.committedIndex(), "a learner does not count");
        tracker.progress(3).maybeUpdate(4);
        assertEquals(4, tracker.committedIndex());
    }

    @Test
    void theConfirmedReadRoundIsWhatAMajorityAcknowledged()
    {
        final ProgressTracker tracker = new ProgressTracker(Configuration.of(1, 2, 3), 2, 100);
        tracker.progress(1).onReadAck(5);
        assertEquals(0, tracker.confirmedReadRound());
        tracker.progress(2).onReadAck(3);
        assertEquals(3, tracker.confirmedReadRound());
    }

    @Test
    void thesis6_2_theQuorumIsActiveWhenAMajorityWasHeardFrom()
    {
        final ProgressTracker tracker = new ProgressTracker(Configuration.of(1, 2, 3, 4, 5), 2, 100);
        tracker.progress(1).setRecentActive(true);
        tracker.progress(2).setRecentActive(true);
        assertFalse(tracker.isQuorumActive());
        tracker.progress(5).setRecentActive(true);
        assertTrue(tracker.isQuorumActive());
    }

    @Test
    void section5_2_votesAreTalliedOncePerVoter()
    {
        final ProgressTracker tracker = new ProgressTracker(
            Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}), 2, 100);
        assertEquals(VoteResult.PENDING, tracker.recordVote(1, true));
        assertEquals(VoteResult.PENDING, tracker.recordVote(4, true), "a learner's vote is not counted");
        assertEquals(VoteResult.PENDING, tracker.recordVote(2, false));
        assertEquals(VoteResult.PENDING, tracker.recordVote(2, true), "the first answer stands");
        assertEquals(VoteResult.PENDING, tracker.recordVote(9, true), "a stranger");
        assertEquals(VoteResult.WON, tracker.recordVote(3, true));
        tracker.resetVotes();
        assertEquals(VoteResult.PENDING, tracker.recordVote(2, false));
        assertEquals(VoteResult.LOST, tracker.recordVote(3, false));
    }
}
