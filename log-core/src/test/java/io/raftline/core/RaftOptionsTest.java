package io.raftline.core;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RaftOptionsTest
{
    private static RaftOptions valid()
    {
        return new RaftOptions().nodeId(1).random(new SplittableRandom(1));
    }

    private static void assertRefused(final UnaryOperator<RaftOptions> change, final String named)
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> change.apply(valid()).conclude());
        assertTrue(error.getMessage().startsWith(named), error.getMessage());
    }

    @Test
    void defaults()
    {
        final RaftOptions options = valid();
        assertSame(options, options.conclude());
        assertEquals(1, options.nodeId());
        assertEquals(50, options.electionTimeoutTicks());
        assertEquals(5, options.heartbeatIntervalTicks());
        assertEquals(64 * 1024, options.maxBatchBytes());
        assertEquals(256, options.maxInflightAppends());
        assertEquals(32L * 1024 * 1024, options.maxInflightBytes());
        assertEquals(48, options.entryOverheadBytes());
        assertEquals(4096, options.maxPendingReads());
        assertTrue(options.preVote());
        assertTrue(options.checkQuorum());
    }

    @Test
    void settersSetWhatTheyName()
    {
        final SplittableRandom random = new SplittableRandom(9);
        final RaftOptions options = new RaftOptions()
            .nodeId(7)
            .electionTimeoutTicks(20)
            .heartbeatIntervalTicks(5)
            .maxBatchBytes(100)
            .maxInflightAppends(3)
            .maxInflightBytes(1_000)
            .entryOverheadBytes(0)
            .maxPendingReads(2)
            .preVote(false)
            .checkQuorum(false)
            .random(random)
            .conclude();
        assertEquals(7, options.nodeId());
        assertEquals(20, options.electionTimeoutTicks());
        assertEquals(5, options.heartbeatIntervalTicks());
        assertEquals(100, options.maxBatchBytes());
        assertEquals(3, options.maxInflightAppends());
        assertEquals(1_000, options.maxInflightBytes());
        assertEquals(0, options.entryOverheadBytes());
        assertEquals(2, options.maxPendingReads());
        assertEquals(false, options.preVote());
        assertEquals(false, options.checkQuorum());
        assertSame(random, options.random());
    }

    @Test
    void concludeNamesTheFirstBadSetting()
    {
        assertRefused(options -> options.nodeId(0), "nodeId");
        assertRefused(options -> options.electionTimeoutTicks(1), "electionTimeoutTicks");
        assertRefused(options -> options.heartbeatIntervalTicks(0), "heartbeatIntervalTicks");
        assertRefused(options -> options.heartbeatIntervalTicks(50), "heartbeatIntervalTicks");
        assertRefused(options -> options.maxBatchBytes(0), "maxBatchBytes");
        assertRefused(options -> options.maxInflightAppends(0), "maxInflightAppends");
        assertRefused(options -> options.maxInflightBytes(0), "maxInflightBytes");
        assertRefused(options -> options.entryOverheadBytes(-1), "entryOverheadBytes");
        assertRefused(options -> options.maxPendingReads(0), "maxPendingReads");
        assertRefused(options -> options.random(null), "random");
    }

    @Test
    void theSmallestValidSettingsAreAccepted()
    {
        valid().electionTimeoutTicks(2).heartbeatIntervalTicks(1).maxBatchBytes(1).maxInflightAppends(1)
            .maxInflightBytes(1).entryOverheadBytes(0).maxPendingReads(1).conclude();
        valid().electionTimeoutTicks(10).heartbeatIntervalTicks(9).conclude();
    }

    @Test
    void theNodeConcludesItsOptions()
    {
        assertThrows(IllegalArgumentException.class, () -> new RaftNode(new RaftOptions().nodeId(1),
            new MemoryRaftLog(), 0, 0, io.raftline.core.quorum.Configuration.of(1)));
    }
}
