package io.raftline.client;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Idle sessions close after session.timeout.ms (3 s here), but only when their producer is gone: a producer that
 * is connected and quiet keeps its session, and its next append is committed; every gone producer's session is
 * closed, however many expire at once.
 */
@Timeout(120)
class SessionExpiryTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long QUIET_NS = TimeUnit.SECONDS.toNanos(7);
    private static final String EXPIRED = "session expired or unknown to the leader";

    @TempDir
    Path dir;
    private final List<String> failures = new ArrayList<>();
    private int committed;

    @Test
    void aConnectedProducerKeepsItsSessionThroughASilenceLongerThanTheTimeoutAndGoneOnesLoseTheirs()
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[32]);
        try (InProcessCluster cluster =
                new InProcessCluster(dir, "session-expiry", 22440, "session.timeout.ms", "3000");
            Producer quiet = Producer.open(cluster.config, null, "quiet", 8, listener(), TIMEOUT_NS);
            Producer goneA = Producer.open(cluster.config, null, "gone-a", 8, listener(), TIMEOUT_NS);
            Producer goneB = Producer.open(cluster.config, null, "gone-b", 8, listener(), TIMEOUT_NS))
        {
            for (final Producer producer : List.of(quiet, goneA, goneB))
            {
                Appends.appendAndAwait(producer, 1, seq -> entry, TIMEOUT_NS);
            }
            assertEquals(3, committed);
            // "quiet" polls (its connection stays alive) but appends nothing; the gone ones are not polled at all
            final long endNs = System.nanoTime() + QUIET_NS;
            while (System.nanoTime() < endNs)
            {
                quiet.poll();
            }
            Appends.appendAndAwait(quiet, 1, seq -> entry, TIMEOUT_NS);
            assertEquals(4, committed, "the quiet producer's append was committed: " + failures);
            assertEquals(List.of(), failures);

            for (final Producer gone : List.of(goneA, goneB))
            {
                gone.offer(entry, 0, entry.capacity());
                final int failuresBefore = failures.size();
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (failures.size() == failuresBefore && System.nanoTime() < deadlineNs)
                {
                    gone.poll();
                }
            }
            assertEquals(List.of(EXPIRED, EXPIRED), failures, "both gone producers' sessions were closed");
            assertEquals(4, committed);
        }
    }

    private ProducerListener listener()
    {
        return new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                committed++;
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                assertEquals(RaftlineClientException.Reason.SESSION_EXPIRED, reason.reason(), reason.message());
                failures.add(reason.message());
            }
        };
    }

    @Test
    void aQuietProducerKeepsItsSessionAcrossALeaderChange() throws Exception
    {
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[32]);
        try (InProcessCluster cluster =
                new InProcessCluster(dir, "session-failover", 22480, "session.timeout.ms", "3000");
            Producer quiet = Producer.open(cluster.config, null, "quiet", 8, listener(), TIMEOUT_NS))
        {
            Appends.appendAndAwait(quiet, 1, seq -> entry, TIMEOUT_NS);
            final int leader = cluster.awaitLeader();
            cluster.nodes[leader - 1].close(); // the next leader has never heard from this producer but its keep-alives
            final long endNs = System.nanoTime() + QUIET_NS;
            while (System.nanoTime() < endNs)
            {
                quiet.poll();
            }
            Appends.appendAndAwait(quiet, 1, seq -> entry, TIMEOUT_NS);
            assertEquals(List.of(), failures);
            assertEquals(2, committed, "the quiet producer's session outlived the leader change");
        }
    }
}
