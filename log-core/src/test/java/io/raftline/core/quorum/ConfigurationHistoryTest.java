package io.raftline.core.quorum;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigurationHistoryTest
{
    private final Configuration base = Configuration.of(1, 2, 3);
    private final Configuration withLearner = base.addLearner(4, "h:4");
    private final Configuration joint = withLearner.enterJoint(new int[]{1, 2, 3, 4});

    @Test
    void theNewestEntryIsInForceAndATruncationBringsTheOneBeforeBack()
    {
        final ConfigurationHistory history = new ConfigurationHistory(base);
        assertEquals(base, history.latest());
        assertNull(history.previous());
        history.add(5, 1, withLearner);
        assertEquals(base, history.previous());
        history.add(9, 2, joint);
        assertEquals(joint, history.latest());
        assertEquals(withLearner, history.previous());
        assertEquals(9, history.latestIndex());
        assertFalse(history.truncateFrom(10));
        assertTrue(history.truncateFrom(9));
        assertEquals(withLearner, history.latest());
        assertTrue(history.truncateFrom(1));
        assertEquals(base, history.latest());
        assertEquals(0, history.latestIndex());
        assertFalse(history.truncateFrom(0), "the base stays");
    }

    @Test
    void entriesACommittedOneSupersedesAreForgotten()
    {
        final ConfigurationHistory history = new ConfigurationHistory(base);
        history.add(5, 1, withLearner);
        history.add(9, 2, joint);
        history.compact(8);
        assertEquals(2, history.entries().size(), "the newest at or below the commit index stays");
        assertEquals(5, history.entries().get(0).index());
        history.compact(9);
        assertEquals(1, history.entries().size());
        assertEquals(joint, history.latest());
        assertThrows(IllegalArgumentException.class, () -> history.add(9, 2, base), "entries only grow");
    }

    @Test
    void anInstalledSnapshotsConfigurationReplacesEveryEntry()
    {
        final ConfigurationHistory history = new ConfigurationHistory(Configuration.of(1, 2, 3));
        history.add(5, 1, Configuration.of(1, 2, 3, 4));
        history.add(9, 2, Configuration.of(1, 2, 4));
        final Configuration inSnapshot = Configuration.of(2, 4, 5);
        history.reset(inSnapshot);
        assertEquals(inSnapshot, history.latest());
        assertNull(history.previous(), "nothing before it is kept");
        assertEquals(1, history.entries().size());
        assertEquals(0, history.latestIndex());
        assertFalse(history.truncateFrom(1), "it cannot be truncated away");
    }
}
