package io.raftline.core.quorum;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QuorumTest
{
    private final Quorum quorum = new Quorum();

    private long committed(final Configuration configuration, final Map<Integer, Long> matchIndexes)
    {
        return quorum.committedIndex(configuration, id -> matchIndexes.getOrDefault(id, 0L));
    }

    private static VoteResult poll(final Configuration configuration, final Map<Integer, Integer> answers)
    {
        return Quorum.poll(configuration, id -> answers.getOrDefault(id, Quorum.UNKNOWN));
    }

    @Test
    void section5_3_oneVoterCommitsWhatItHas()
    {
        assertEquals(5, committed(Configuration.of(1), Map.of(1, 5L)));
    }

    @Test
    void section5_3_threeVotersCommitTheSecondHighest()
    {
        assertEquals(5, committed(Configuration.of(1, 2, 3), Map.of(1, 5L, 2, 3L, 3, 9L)));
        assertEquals(3, committed(Configuration.of(1, 2, 3), Map.of(1, 3L, 2, 3L, 3, 9L)));
        assertEquals(0, committed(Configuration.of(1, 2, 3), Map.of(1, 9L)));
    }

    @Test
    void section5_3_fiveVotersCommitTheThirdHighest()
    {
        assertEquals(4, committed(Configuration.of(1, 2, 3, 4, 5), Map.of(1, 1L, 2, 7L, 3, 4L, 4, 2L, 5, 9L)));
    }

    @Test
    void section5_3_sevenVotersCommitTheFourthHighest()
    {
        final Configuration seven = Configuration.of(1, 2, 3, 4, 5, 6, 7);
        assertEquals(5, committed(seven, Map.of(1, 10L, 2, 1L, 3, 5L, 4, 8L, 5, 2L, 6, 6L, 7, 3L)));
    }

    @Test
    void fourVotersNeedThree()
    {
        assertEquals(2, committed(Configuration.of(1, 2, 3, 4), Map.of(1, 9L, 2, 8L, 3, 2L, 4, 1L)));
    }

    @Test
    void nineVotersGrowTheScratchArrayAndSmallerSetsStillWork()
    {
        final Configuration nine = Configuration.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(5, committed(nine,
            Map.of(1, 1L, 2, 2L, 3, 3L, 4, 4L, 5, 5L, 6, 6L, 7, 7L, 8, 8L, 9, 9L)));
        assertEquals(2, committed(Configuration.of(1, 2, 3), Map.of(1, 1L, 2, 2L, 3, 3L)));
    }

    @Test
    void section6_aJointConfigurationCommitsTheLowerOfItsTwoMajorities()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 2, 3}, new int[]{3, 4, 5}, new int[0]);
        assertEquals(4, committed(joint, Map.of(1, 9L, 2, 8L, 3, 4L, 4, 2L, 5, 7L)), "min(8, 4)");
        assertEquals(3, committed(joint, Map.of(1, 1L, 2, 3L, 3, 4L, 4, 9L, 5, 9L)), "min(3, 9)");
    }

    @Test
    void learnersNeverCount()
    {
        final Configuration withLearner = Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4});
        assertEquals(1, committed(withLearner, Map.of(1, 9L, 2, 1L, 3, 0L, 4, 9L)));
        assertEquals(VoteResult.PENDING, poll(withLearner, Map.of(1, Quorum.YES, 4, Quorum.YES)));
    }

    @Test
    void section5_2_votesOfThree()
    {
        final Configuration three = Configuration.of(1, 2, 3);
        assertEquals(VoteResult.WON, poll(three, Map.of(1, Quorum.YES, 2, Quorum.YES)));
        assertEquals(VoteResult.PENDING, poll(three, Map.of(1, Quorum.YES)));
        assertEquals(VoteResult.PENDING, poll(three, Map.of(1, Quorum.YES, 2, Quorum.NO)));
        assertEquals(VoteResult.LOST, poll(three, Map.of(1, Quorum.YES, 2, Quorum.NO, 3, Quorum.NO)));
        assertEquals(VoteResult.LOST, poll(three, Map.of(2, Quorum.NO, 3, Quorum.NO)));
        assertEquals(VoteResult.WON, poll(three, Map.of(1, Quorum.YES, 2, Quorum.YES, 3, Quorum.NO)));
    }

    @Test
    void section5_2_votesOfOneAndFour()
    {
        assertEquals(VoteResult.WON, poll(Configuration.of(1), Map.of(1, Quorum.YES)));
        assertEquals(VoteResult.PENDING, poll(Configuration.of(1), Map.of()));
        assertEquals(VoteResult.LOST, poll(Configuration.of(1), Map.of(1, Quorum.NO)));
        final Configuration four = Configuration.of(1, 2, 3, 4);
        assertEquals(VoteResult.PENDING, poll(four, Map.of(1, Quorum.YES, 2, Quorum.YES, 3, Quorum.NO)));
        assertEquals(VoteResult.LOST, poll(four, Map.of(1, Quorum.YES, 2, Quorum.YES, 3, Quorum.NO, 4, Quorum.NO)));
        assertEquals(VoteResult.WON, poll(four, Map.of(1, Quorum.YES, 2, Quorum.YES, 3, Quorum.YES)));
    }

    @Test
    void section6_aJointPollNeedsBothMajorities()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 2, 3}, new int[]{4, 5, 6}, new int[0]);
        assertEquals(VoteResult.WON, poll(joint, Map.of(1, Quorum.YES, 2, Quorum.YES, 4, Quorum.YES, 5, Quorum.YES)));
        assertEquals(VoteResult.PENDING, poll(joint, Map.of(1, Quorum.YES, 2, Quorum.YES, 4, Quorum.YES)));
        assertEquals(VoteResult.PENDING, poll(joint, Map.of(1, Quorum.YES, 4, Quorum.YES, 5, Quorum.YES)));
        assertEquals(VoteResult.LOST, poll(joint,
            Map.of(1, Quorum.YES, 2, Quorum.YES, 4, Quorum.NO, 5, Quorum.NO)), "the outgoing set says no");
        assertEquals(VoteResult.LOST, poll(joint,
            Map.of(1, Quorum.NO, 2, Quorum.NO, 4, Quorum.YES, 5, Quorum.YES)), "the incoming set says no");
    }
}
