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
    void oneConnectionCarriesEveryProducerAndConsumerOfAClientAndKeepsAQuietSessionAliveAcrossLeaders()
        throws InterruptedException
    {
        cluster = new InProcessCluster(dir, "shared", 22620, ClusterConfig.SESSION_TIMEOUT_MS, "3000");
        final int leader = cluster.awaitLeader();
        final int[] others = java.util.stream.IntStream.rangeClosed(1, 3).filter(id -> id != leader).toArray();
        final List<String> viaFirst = new ArrayList<>();
        final List<String> viaSecond = new ArrayList<>();
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster)))
        {
            final Producer busy = client.producer("busy", 64, null);
            final Producer quiet = client.producer("quiet", 64, null);
            final Consumer first = client.consumer(others[0], Consumer.FIRST,
                entry -> viaFirst.add(entry.producer() + ":" + entry.text()));
            final Consumer second = client.consumer(others[1], Consumer.FIRST,
                entry -> viaSecond.add(entry.producer() + ":" + entry.text()));
            Appends.appendAndAwait(busy, 50, seq -> text("a" + seq), TIMEOUT_NS);
            Appends.appendAndAwait(quiet, 50, seq -> text("b" + seq), TIMEOUT_NS);
            final long readDeadlineNs = System.nanoTime() + TIMEOUT_NS;
            while ((viaFirst.size() < 100 || viaSecond.size() < 100) && System.nanoTime() < readDeadlineNs)
            {
                first.poll();  // each consumer asks for its stream and credit in its own poll; any poll delivers
                second.poll();
            }
            for (int id = 1; id <= 3; id++)
            {
                assertEquals(1, cluster.status(id).value(io.raftline.io.node.NodeCounter.CLIENTS),
                    "node " + id + " answers one connection");
            }
            first.close();
            cluster.nodes[leader - 1].close(); // a new leader, which has not heard from the quiet session
            final long quietUntilNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
            while (System.nanoTime() < quietUntilNs)
            {
                busy.poll();
                second.poll();
                Thread.onSpinWait();
            }
            assertTrue(quiet.append(text("b51"), 0, 3).index() > 0, "the quiet session outlived its timeout");
            Appends.appendAndAwait(busy, 10, seq -> text("a" + (50 + seq)), TIMEOUT_NS);
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (viaSecond.size() < 111 && System.nanoTime() < deadlineNs)
            {
                second.poll();
            }
        }
        assertEquals(100, viaFirst.size(), "a closed consumer hears nothing more");
        assertEquals(111, viaSecond.size(), viaSecond.toString());
        assertEquals("busy:a1", viaSecond.get(0));
        assertEquals("quiet:b51", viaSecond.get(100));
        assertEquals("busy:a60", viaSecond.get(110));
    }

    @Test
    void aProducerRestartedMidStreamResumesItsSessionAndCommitsEachEntryOnce()
    {
        cluster = new InProcessCluster(dir, "resume", 22630);
        final long sessionId;
        try (RaftlineClient before = RaftlineClient.connect(contextOf(cluster)))
        {
            final Producer producer = before.producer("orders", 16, null);
            sessionId = producer.sessionId();
            for (int i = 1; i <= 10; i++)
            {
                producer.append(text("e" + i), 0, ("e" + i).length());
            }
            for (int i = 11; i <= 15; i++)
            {
                producer.offer(text("e" + i), 0, ("e" + i).length());
            }
            producer.poll(); // sent, perhaps committed, never acknowledged: then the process dies
            producer.abandon();
        }
        try (RaftlineClient after = RaftlineClient.connect(contextOf(cluster)))
        {
            final Producer producer = after.resumeProducer("orders", sessionId, 16, null);
            final long next = producer.nextSequence();
            assertTrue(next >= 11 && next <= 16, "carries on after the last committed entry: " + next);
            for (long i = next; i <= 20; i++)
            {
                final Producer.Committed committed = producer.append(text("e" + i), 0, ("e" + i).length());
                assertEquals(i, committed.sequence());
            }
            assertThrows(RaftlineClientException.SessionExpiredException.class,
                () -> after.resumeProducer("payments", sessionId, 16, null), "not a session of that name");
            assertThrows(RaftlineClientException.SessionExpiredException.class,
                () -> after.resumeProducer("orders", 999_999, 16, null), "no such session");
            final Consumer consumer = after.consumer(Consumer.FIRST, entry -> read.add(entry.text()));
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (read.size() < 20 && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            consumer.poll(Duration.ofMillis(200)); // nothing more
        }
        final List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++)
        {
            expected.add("e" + i);
        }
        assertEquals(expected, read, "each entry once, in order, across the restart");
    }

    @Test
    void theClientsPollMovesEveryProducerAndAHandlersExceptionComesOutOfPollWithTheEntryDeliveredAgain()
    {
        cluster = new InProcessCluster(dir, "polls", 22670);
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster)))
        {
            final Producer first = client.producer("first", 64, null);
            final Producer second = client.producer("second", 64, null);
            for (int i = 1; i <= 50; i++)
            {
                first.offer(text("a" + i), 0, ("a" + i).length());
                second.offer(text("b" + i), 0, ("b" + i).length());
            }
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while ((first.inFlight() > 0 || second.inFlight() > 0) && System.nanoTime() < deadlineNs)
            {
                client.poll(); // not first.poll() alone: each producer sends in its own poll
            }
            assertEquals(0, first.inFlight() + second.inFlight(), "both producers' entries committed");

            final boolean[] thrown = new boolean[1];
            client.consumer(Consumer.FIRST, entry ->
            {
                if (entry.text().equals("a3") && !thrown[0])
                {
                    thrown[0] = true;
                    throw new IllegalStateException("the application failed on a3");
                }
                read.add(entry.text());
            });
            IllegalStateException failure = null;
            while (read.size() < 100 && System.nanoTime() < deadlineNs)
            {
                try
                {
                    client.poll();
                }
                catch (final IllegalStateException ex)
                {
                    failure = ex;
                }
            }
            assertTrue(failure != null && failure.getMessage().contains("a3"), "the handler's exception came out");
            assertEquals(100, read.size(), read.toString());
            assertEquals(100, read.stream().distinct().count(), "no entry twice, no gap: " + read);
            final List<String> firsts = read.stream().filter(text -> text.startsWith("a")).toList();
            assertEquals("a1", firsts.get(0));
            assertEquals("a3", firsts.get(2), "a3 delivered again, in its place");
            assertEquals("a50", firsts.get(49));
        }
    }

    @Test
    void aBlockingAppendReturnsWhereItsEntryIsAndFailsWithAReasonWhenTheClusterGoes()
    {
        cluster = new InProcessCluster(dir, "blocking", 22530);
        final long[] idled = new long[1];
        final org.agrona.concurrent.IdleStrategy counting = new org.agrona.concurrent.IdleStrategy()
        {
            public void idle(final int workCount)
            {
                idled[0] += workCount == 0 ? 1 : 0;
            }

            public void idle()
            {
                idled[0]++;
            }

            public void reset()
            {
            }
        };
        try (RaftlineClient client = RaftlineClient.connect(contextOf(cluster).ackTimeout(Duration.ofSeconds(2))
            .idleStrategy(counting)))
        {
            final Producer producer = client.producer("blocking", 8, null);
            final Producer.Committed first = producer.append(text("one"), 0, 3);
            assertTrue(idled[0] > 0, "the blocking calls wait by the context's idle strategy");
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
        final RaftlineClient.Context context = new RaftlineClient.Context().clusterId(cluster.config.clusterId())
            .credentials(cluster.config.clientCredentialsFile());
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
