package io.raftline.client;

import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.OpenSessionFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A producer window the leader could not answer retries for is refused when the session opens, never later. */
@Timeout(120)
class ProducerWindowTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    private final RejectFrame reject = new RejectFrame();
    private RejectReason refusal;
    private long largestWindow;

    @Test
    void aWindowLargerThanTheLeaderCanReacknowledgeIsRefusedAtOpen()
    {
        try (InProcessCluster cluster = new InProcessCluster(dir, "windows", 22450))
        {
            final IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> Producer.open(cluster.config, null, "big", OpenSessionFrame.MAX_WINDOW + 1, null, TIMEOUT_NS));
            assertEquals("window 4097: 1 to 4096 entries in flight (a leader answers retries of at most that many)",
                tooLarge.getMessage());
            try (Producer largest = Producer.open(cluster.config, null, "largest", OpenSessionFrame.MAX_WINDOW,
                null, TIMEOUT_NS))
            {
                assertTrue(largest.sessionId() > 0);
            }

            // a client that does not check: every node refuses, the leader because of the window
            try (ClientTransport raw = new ClientTransport(cluster.config, null, this::onFrame))
            {
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (refusal != RejectReason.WINDOW_TOO_LARGE && System.nanoTime() < deadlineNs)
                {
                    for (final int node : raw.nodeIds())
                    {
                        if (raw.isConnected(node))
                        {
                            raw.send(node, OpenSessionFrame.encode(raw.frame(), 0, raw.clusterHash(), raw.clientId(),
                                1, 0, "raw", 5_000));
                        }
                    }
                    final long pollUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                    while (System.nanoTime() < pollUntilNs)
                    {
                        raw.poll(System.nanoTime(), 16);
                    }
                }
            }
            assertEquals(RejectReason.WINDOW_TOO_LARGE, refusal);
            assertEquals(OpenSessionFrame.MAX_WINDOW, largestWindow);
        }
    }

    private void onFrame(final int from, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == ClientMessageType.REJECT && reject.wrap(buffer, offset, length) &&
            reject.reason() == RejectReason.WINDOW_TOO_LARGE)
        {
            refusal = reject.reason();
            largestWindow = reject.sequence();
        }
    }
}
