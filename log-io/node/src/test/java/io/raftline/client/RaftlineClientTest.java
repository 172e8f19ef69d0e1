package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client as an application builds it: a Context in code, one runtime for its producers and consumers. */
@Timeout(120)
class RaftlineClientTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    private InProcessCluster cluster;
    private final List<String> read = new ArrayList<>();
    private long lastCommitted;

    @AfterEach
    void stopCluster()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void producersAndConsumersOfOneClientShareOneDriverAndSeeEveryEntry()
    {
        cluster = new InProcessCluster(dir, "library", 22520);
        final RaftlineClient.Context context = contextOf(cluster);
        final ProducerListener listener = new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                lastCommitted = Math.max(lastCommitted, index);
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure failure)
            {
                throw new AssertionError(failure.message());
            }
        };
        final int before = clientDirectories();
        try (RaftlineClient client = RaftlineClient.connect(context))
        {
            final Producer first = client.producer("first", 64, listener);
            final Producer second = client.producer("second", 64, listener);
            final Consumer consumer = client.consumer(2, Consumer.FIRST,
                entry -> read.add(entry.producer() + ":" + entry.text()));
            assertEquals(before + 1, clientDirectories(), "one embedded driver for the client");
            Appends.appendAndAwait(first, 100, seq -> text("a" + seq), TIMEOUT_NS);
            Appends.appendAndAwait(second, 100, seq -> text("b" + seq), TIMEOUT_NS);
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (consumer.lastScanned() < lastCommitted && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
        }
        assertEquals(before, clientDirectories(), "the driver's folder removed on close");
        assertEquals(200, read.size());
        assertEquals("first:a1", read.get(0));
        assertEquals("second:b100", read.get(199));
    }

    @Test
    void aBlockingAppendReturnsWhereItsEntryIsAndFailsWithAReasonWhenTheClusterGoes()
    {
        cluster = new InProcessCluster(dir, "blocking", 22530);
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster).ackTimeout(Duration.ofSeconds(2))))
        {
            final Producer producer = client.producer("blocking", 8, null);
            final Producer.Committed first = producer.append(text("one"), 0, 3);
            final Producer.Committed second = producer.append(text("two"), 0, 3);
            assertEquals(1, first.sequence());
            assertEquals(first.index() + 1, second.index(), "committed one after the other");
            producer.offer(text("three"), 0, 5);
            assertTrue(producer.flush(Duration.ofSeconds(10)), "flushed");
            assertEquals(0, producer.inFlight());

            CloseHelper.closeAll(cluster.nodes); // the whole cluster goes away
            final long startNs = System.nanoTime();
            final RaftlineClientException gone = assertThrows(RaftlineClientException.class,
                () -> producer.append(text("four"), 0, 4));
            assertEquals(RaftlineClientException.Reason.TIMEOUT, gone.reason(), gone.getMessage());
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10), "within the ack timeout");
            assertThrows(RaftlineClientException.ClosedException.class, () -> producer.append(text("five"), 0, 4));
            assertEquals(RaftlineClientException.Reason.TIMEOUT, producer.failureReason());
        }
    }

    @Test
    void anAsyncProducerTakesAppendsFromManyThreadsAndCompletesEachFutureOnce() throws Exception
    {
        cluster = new InProcessCluster(dir, "async", 22540);
        final int threads = 4;
        final int perThread = 500;
        final java.util.Map<Long, String> committed = new java.util.concurrent.ConcurrentHashMap<>();
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster).clientThread()))
        {
            assertThrows(IllegalStateException.class, () -> client.producer("duty-cycle", 8, null));
            final AsyncProducer producer = client.asyncProducer("async", 256);
            final List<Thread> appenders = new ArrayList<>();
            final List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                appenders.add(new Thread(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        final String payload = thread + "-" + i;
                        producer.append(payload.getBytes(StandardCharsets.US_ASCII)).whenComplete((where, failure) ->
                        {
                            if (failure != null)
                            {
                                failures.add(failure);
                            }
                            else if (committed.put(where.index(), payload) != null)
                            {
                                failures.add(new AssertionError("index " + where.index() + " twice"));
                            }
                        });
                    }
                }));
            }
            appenders.forEach(Thread::start);
            for (final Thread appender : appenders)
            {
                appender.join();
            }
            assertTrue(producer.flush(Duration.ofSeconds(30)), "every future settled");
            assertEquals(List.of(), failures);
            final Producer.Committed last = producer.appendAndWait("last".getBytes(StandardCharsets.US_ASCII));
            assertTrue(last.index() > 0);
            assertTrue(producer.close(Duration.ofSeconds(5)));
            final RaftlineClientException closed = assertThrows(RaftlineClientException.class,
                () -> producer.appendAndWait(new byte[1]));
            assertEquals(RaftlineClientException.Reason.CLOSED, closed.reason());
        }
        assertEquals(threads * perThread, committed.size(), "each append committed once");
    }

    @Test
    void aConsumerSeeksBackAndWaitsForEntriesWithABlockingPoll()
    {
        cluster = new InProcessCluster(dir, "seek", 22560);
        final List<Long> indexes = new ArrayList<>();
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster)))
        {
            final Producer producer = client.producer("p", 16, null);
            final long first = producer.append(text("one"), 0, 3).index();
            final long second = producer.append(text("two"), 0, 3).index();
            final Consumer consumer = client.consumer(first, entry -> indexes.add(entry.index()));
            while (indexes.size() < 2)
            {
                assertTrue(consumer.poll(Duration.ofSeconds(10)) > 0, "entries within 10 s");
            }
            assertTrue(consumer.isConnected());
            assertEquals(List.of(first, second), indexes);
            assertEquals(0, consumer.poll(Duration.ofMillis(200)), "nothing new: returns after the timeout");

            consumer.seek(second); // back: delivered again from there
            while (indexes.size() < 3)
            {
                assertTrue(consumer.poll(Duration.ofSeconds(10)) > 0, "entries within 10 s");
            }
            assertEquals(List.of(first, second, second), indexes);
        }
    }

    @Test
    void aProducerSaysAtOnceThatItLostItsLeaderNotAfterTheAcknowledgementTimeout()
    {
        cluster = new InProcessCluster(dir, "connection", 22570);
        final List<String> changes = new ArrayList<>();
        final ProducerListener listener = new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure failure)
            {
                changes.add("failed " + sequence + ": " + failure.reason());
            }

            @Override
            public void onConnectionChanged(final boolean connected, final int leaderId)
            {
                changes.add(connected ? "connected to " + leaderId : "lost the leader");
            }
        };
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster).ackTimeout(Duration.ofSeconds(60))))
        {
            final Producer producer = client.producer("p", 16, listener);
            assertTrue(producer.isConnected());
            producer.append(text("one"), 0, 3);
            CloseHelper.closeAll(cluster.nodes);
            producer.offer(text("two"), 0, 3);
            final long startNs = System.nanoTime();
            while (producer.isConnected() && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
            {
                producer.poll();
            }
            final long tookNs = System.nanoTime() - startNs;
            assertTrue(!producer.isConnected(), "still connected after " + tookNs / 1_000_000 + " ms");
            assertTrue(tookNs < TimeUnit.SECONDS.toNanos(5), "said so within 5 s, not after the 60 s ack timeout");
            assertEquals(List.of("lost the leader"), changes, "and the entry waits");
            assertEquals(1, producer.inFlight());
        }
    }

    @Test
    void aClientUsesAnExternalMediaDriverAndMakesNoDriverOfItsOwn()
    {
        cluster = new InProcessCluster(dir, "external", 22590);
        final int before = clientDirectories();
        try (io.aeron.driver.MediaDriver driver = io.aeron.driver.MediaDriver.launch(new io.aeron.driver.MediaDriver
            .Context().aeronDirectoryName(dir.resolve("aeron").toString()).dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true).threadingMode(io.aeron.driver.ThreadingMode.SHARED));
            RaftlineClient client = RaftlineClient.connect(contextOf(cluster)
                .aeronDirectory(driver.aeronDirectoryName())))
        {
            assertEquals(before, clientDirectories(), "no embedded driver");
            final Producer producer = client.producer("external", 8, null);
            assertTrue(producer.append(text("through the external driver"), 0, 27).index() > 0);
        }
    }

    @Test
    void settingsAreCheckedWhenTheClientConnects()
    {
        final IllegalArgumentException noEndpoints = assertThrows(IllegalArgumentException.class,
            () -> RaftlineClient.connect(new RaftlineClient.Context().clusterId("x")));
        assertTrue(noEndpoints.getMessage().contains("endpoint"), noEndpoints.getMessage());
        final IllegalArgumentException badTimeout = assertThrows(IllegalArgumentException.class,
            () -> RaftlineClient.connect(new RaftlineClient.Context().clusterId("x").endpoint(1, "127.0.0.1:22529")
                .ackTimeout(Duration.ZERO)));
        assertTrue(badTimeout.getMessage().contains("ackTimeout"), badTimeout.getMessage());
        final IllegalArgumentException badEndpoint = assertThrows(IllegalArgumentException.class,
            () -> RaftlineClient.connect(new RaftlineClient.Context().clusterId("x").endpoint(1, "nowhere")));
        assertTrue(badEndpoint.getMessage().contains("node.1"), badEndpoint.getMessage());
    }

    @Test
    void aProducerOfAClusterThatIsDownFailsWithinTheOpenTimeout()
    {
        final long startNs = System.nanoTime();
        try (RaftlineClient client = RaftlineClient.connect(new RaftlineClient.Context().clusterId("down")
            .endpoint(1, "127.0.0.1:22528").openTimeout(Duration.ofMillis(500))))
        {
            final RaftlineClientException down = assertThrows(RaftlineClientException.ClusterUnavailableException.class,
                () -> client.producer("p", 8, null));
            assertEquals(RaftlineClientException.Reason.CLUSTER_UNAVAILABLE, down.reason());
        }
        assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(5), "within the open timeout");
    }

    /** A context naming the cluster's nodes in code, as an application does. */
    private static RaftlineClient.Context contextOf(final InProcessCluster cluster)
    {
        final RaftlineClient.Context context = new RaftlineClient.Context().clusterId(cluster.config.clusterId());
        for (final ClusterConfig.Member member : cluster.config.members().values())
        {
            context.endpoint(member.id(), member.endpoint());
        }
        return context;
    }

    private static UnsafeBuffer text(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** This process's embedded client drivers' folders. */
    private static int clientDirectories()
    {
        final File[] folders = ClientDirectories.forThisProcess(0).getParentFile().listFiles(
            (parent, name) -> name.startsWith("raftline-client-" + ProcessHandle.current().pid() + "-"));
        return folders == null ? 0 : folders.length;
    }
}
