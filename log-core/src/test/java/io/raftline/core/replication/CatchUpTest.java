package io.raftline.core.replication;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Thesis §4.2.1: rounds of replication to a learner, each aimed at the leader's last index when it began. */
class CatchUpTest
{
    private static final int T = 10;

    @Test
    void aRoundFinishedWithinAnElectionTimeoutMeansCaughtUp()
    {
        final CatchUp catchUp = new CatchUp(4, 100, 0, T);
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(50, 120, 5));
        assertEquals(CatchUp.Status.CAUGHT_UP, catchUp.check(100, 130, T));
        assertNull(catchUp.failure());
        assertEquals(4, catchUp.learner());
    }

    @Test
    void aSlowRoundStartsAnotherAimedAtWhereTheLogIsNow()
    {
        final CatchUp catchUp = new CatchUp(4, 100, 0, T);
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(100, 500, T + 1));
        assertEquals(2, catchUp.round());
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(400, 600, T + 5));
        assertEquals(CatchUp.Status.CAUGHT_UP, catchUp.check(500, 600, 2 * T + 1), "the second round was short");
    }

    @Test
    void aLearnerThatNeedsTooManyRoundsFails()
    {
        final CatchUp catchUp = new CatchUp(4, 10, 0, T);
        long tick = 0;
        long target = 10;
        for (int round = 1; round < CatchUp.MAX_ROUNDS; round++)
        {
            tick += 2 * T;
            assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(target, target * 2, tick));
            target *= 2;
        }
        tick += 2 * T;
        assertEquals(CatchUp.Status.FAILED, catchUp.check(target, target * 2, tick));
        assertTrue(catchUp.failure().contains("rounds"), catchUp.failure());
        assertEquals(CatchUp.Status.FAILED, catchUp.check(target * 2, target * 2, tick + 1), "for good");
    }

    @Test
    void aLearnerThatReceivesNothingFails()
    {
        final CatchUp catchUp = new CatchUp(4, 10, 0, T);
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(3, 10, (long)CatchUp.STALL_TIMEOUTS * T));
        assertEquals(CatchUp.Status.FAILED, catchUp.check(3, 10, (long)CatchUp.STALL_TIMEOUTS * T + 1));
        assertTrue(catchUp.failure().contains("received nothing"), catchUp.failure());
    }

    @Test
    void aLearnerHasUntilItsDeadlineTickAndFailsAfterSayingHowFarBehindItWas()
    {
        final CatchUp catchUp = new CatchUp(4, 100, 0, T, 50);
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(40, 100, 10));
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(55, 100, 50), "the deadline's own tick");
        assertEquals(CatchUp.Status.FAILED, catchUp.check(60, 100, 51));
        assertEquals("node 4 did not catch up in time (it was 40 entries behind in round 1)", catchUp.failure());
    }

    @Test
    void aStallIsCountedFromTheLastProgressEvenTheFirstFromAnEmptyLog()
    {
        final CatchUp catchUp = new CatchUp(4, 100, 0, T);
        final long stall = (long)CatchUp.STALL_TIMEOUTS * T;
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(0, 100, 0), "where it stood: an empty log");
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(5, 100, 150));
        assertEquals(CatchUp.Status.CATCHING_UP, catchUp.check(5, 100, 150 + stall), "progress at tick 150");
        assertEquals(CatchUp.Status.FAILED, catchUp.check(5, 100, 150 + stall + 1));
        assertTrue(catchUp.failure().contains("received nothing"), catchUp.failure());
    }
}
