package io.raftline.protocol;

import io.aeron.Subscription;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SocketWaitIdleStrategyTest
{
    private static final long LONG_WAIT_MS = 60_000;
    private static final long SEND_AFTER_MS = 200;

    @Test
    void aWaitEndsWhenADatagramReachesOneOfTheDriversSockets(@TempDir final Path dir) throws Exception
    {
        try (AeronRuntime runtime = AeronRuntime.embedded(dir.resolve("aeron").toString(), 8192, 1 << 20))
        {
            final int port = subscribe(runtime);
            final DriverSockets sockets = runtime.driverSockets();
            sockets.await(1); // nothing there: returns after a millisecond

            assertWakesWithin(() -> sockets.await(LONG_WAIT_MS), () -> sendGarbageTo(port));
        }
    }

    @Test
    void aSocketTheDriverOpensLaterIsWaitedOnToo(@TempDir final Path dir) throws Exception
    {
        try (AeronRuntime runtime = AeronRuntime.embedded(dir.resolve("aeron").toString(), 8192, 1 << 20))
        {
            subscribe(runtime);
            final DriverSockets sockets = runtime.driverSockets();
            sockets.await(1);
            final int later = subscribe(runtime);

            assertWakesWithin(() -> sockets.await(LONG_WAIT_MS), () -> sendGarbageTo(later));
        }
    }

    @Test
    void itBacksOffUntilItsThreadHasBeenQuietForTheGivenTimeThenWaitsOnTheSockets(@TempDir final Path dir)
    {
        try (AeronRuntime runtime = AeronRuntime.embedded(dir.resolve("aeron").toString(), 8192, 1 << 20))
        {
            final int[] backoffs = new int[1];
            final IdleStrategy counting = new IdleStrategy()
            {
                public void idle(final int workCount)
                {
                    backoffs[0]++;
                }

                public void idle()
                {
                    backoffs[0]++;
                }

                public void reset()
                {
                }
            };
            final long[] quietNs = {0};
            final IdleStrategy idle = runtime.socketWaitAfter(counting, 10, () -> quietNs[0]);
            idle.idle(0);
            idle.idle(0);
            assertEquals(2, backoffs[0], "quiet for less than the given time: the back-off");

            quietNs[0] = 10;
            idle.idle(0);
            idle.idle(0);
            assertEquals(2, backoffs[0], "quiet for the given time: waits on the sockets");

            idle.idle(1);
            assertEquals(2, backoffs[0], "work done: no wait at all");
        }
    }

    /** Runs {@code wait} while {@code wake} runs on another thread a moment later: the wait ends then, not before. */
    private static void assertWakesWithin(final Runnable wait, final Runnable wake) throws InterruptedException
    {
        final Thread waker = new Thread(() ->
        {
            sleep(SEND_AFTER_MS);
            wake.run();
        });
        waker.start();
        final long startNs = System.nanoTime();
        wait.run();
        final long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        waker.join();
        assertTrue(waitedMs >= SEND_AFTER_MS / 2 && waitedMs < LONG_WAIT_MS / 2, "waited " + waitedMs + " ms");
    }

    /** A subscription on a free port, once the driver has opened its socket; returns the port. */
    private static int subscribe(final AeronRuntime runtime) throws IOException
    {
        final int port;
        try (DatagramSocket probe = new DatagramSocket(0))
        {
            port = probe.getLocalPort();
        }
        final Subscription subscription = runtime.aeron().addSubscription(
            AeronRuntime.subscriptionChannel("localhost:" + port, 1 << 20), AeronRuntime.STREAM_ID);
        while (subscription.channelStatus() != io.aeron.status.ChannelEndpointStatus.ACTIVE)
        {
            runtime.invoke();
        }
        return port;
    }

    private static void sendGarbageTo(final int port)
    {
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), new InetSocketAddress("localhost", port));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
