package io.raftline.client;

import io.aeron.ExclusivePublication;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.io.node.NodeCounter;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.FrameHeader;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames between nodes are authenticated: a stranger who knows the cluster id and the frame format, or holds a
 * captured frame, changes nothing. The frame used is one that would matter: a heartbeat answer in a much later term
 * from a member, which makes any node that believes it step down and take that term (shown without authentication).
 */
@Timeout(120)
class PeerAuthenticationTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    private InProcessCluster cluster;
    private AeronRuntime stranger;
    private final List<ExclusivePublication> toNodes = new ArrayList<>();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);

    @AfterEach
    void stop()
    {
        CloseHelper.quietCloseAll(toNodes);
        CloseHelper.quietClose(stranger);
        CloseHelper.quietClose(cluster);
    }

    @Test
    void forgedStaleAndReplayedFramesAreRefusedAndCountedWhileAProducerRuns() throws Exception
    {
        cluster = new InProcessCluster(dir, "guarded", 22640);
        final int leader = cluster.awaitLeader();
        final long term = cluster.status(leader).value(NodeCounter.TERM);
        connectStranger();
        final ClusterKeys otherKey = keyFile("other.key");
        final ClusterKeys clusterKey = ClusterKeys.load(cluster.config.clusterKeyFile());
        final long twoMinutesAgo = System.currentTimeMillis() * 1_000_000L - TimeUnit.MINUTES.toNanos(2);
        try (RaftlineClient client = RaftlineClient.connect(new RaftlineClient.Context()
            .clusterFile(writeClusterFile())))
        {
            final Producer producer = client.producer("steady", 64, null);
            Appends.appendAndAwait(producer, 500, seq -> text("before-" + seq), TIMEOUT_NS);
            for (int id = 1; id <= 3; id++)
            {
                final int from = id == 1 ? 2 : 1;
                send(id, forged(from, id, term + 100), null);                                 // no code at all
                send(id, forged(from, id, term + 100), new FrameAuthenticator(otherKey));      // another key
                send(id, forged(from, id, term + 100),                                         // a capture, later
                    new FrameAuthenticator(clusterKey, () -> twoMinutesAgo));
                // a valid frame of no consequence (from no member), then the same bytes again: a replay
                final int length = new FrameAuthenticator(clusterKey).sign(frame, 0, forged(9, id, 1));
                offer(id, length);
                offer(id, length);
            }
            Appends.appendAndAwait(producer, 500, seq -> text("after-" + seq), TIMEOUT_NS);
        }
        awaitRefusals(4);
        for (int id = 1; id <= 3; id++)
        {
            assertEquals(term, cluster.status(id).value(NodeCounter.TERM), "node " + id + " kept its term");
            assertEquals(leader, cluster.status(id).value(NodeCounter.LEADER), "node " + id + " kept its leader");
            assertEquals(1, cluster.status(id).value(NodeCounter.AUTHENTICATION));
        }
    }

    @Test
    void withoutAuthenticationTheSameForgeryTakesOverTheTerm() throws Exception
    {
        cluster = new InProcessCluster(dir, "open", 22650, ClusterConfig.AUTHENTICATION, "off");
        final int leader = cluster.awaitLeader();
        final long term = cluster.status(leader).value(NodeCounter.TERM);
        connectStranger();
        send(leader, forged(leader == 1 ? 2 : 1, leader, term + 100), null);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (cluster.status(leader).value(NodeCounter.TERM) < term + 100 && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(20);
        }
        assertTrue(cluster.status(leader).value(NodeCounter.TERM) >= term + 100,
            "the control: an unauthenticated cluster believes the forged frame");
        assertEquals(0, cluster.status(leader).value(NodeCounter.AUTHENTICATION), "and says it is open");
    }

    @Test
    void aKeyRotatedNodeByNodeLosesNothingWhileAProducerRuns() throws Exception
    {
        cluster = new InProcessCluster(dir, "rotating", 22660);
        cluster.awaitLeader();
        final Path keyFile = cluster.config.clusterKeyFile();
        final String oldKey = Files.readAllLines(keyFile).stream().filter(line -> line.startsWith("key.1=")).findFirst()
            .orElseThrow();
        final Path fresh = dir.resolve("fresh.key");
        ClusterKeys.create(fresh);
        final String newKey = Files.readAllLines(fresh).stream().filter(line -> line.startsWith("key.1="))
            .findFirst().orElseThrow().replace("key.1=", "key.2=");
        final List<String> read = new ArrayList<>();
        RaftlineClient client = RaftlineClient.connect(new RaftlineClient.Context().clusterFile(writeClusterFile())
            .ackTimeout(java.time.Duration.ofSeconds(30)));
        try
        {
            Producer producer = client.producer("rotating", 256, null);
            int sent = 0;
            // the three steps, each on every node in turn: accept the new key, sign with it, drop the old one
            final List<String> steps = List.of(oldKey + "\n" + newKey + "\nsign.with=1\n",
                oldKey + "\n" + newKey + "\nsign.with=2\n", newKey + "\nsign.with=2\n");
            for (int step = 0; step < steps.size(); step++)
            {
                if (step == 2)
                {
                    // credentials made under the old key end with it: the client takes one made under the new
                    // key, and carries its session on
                    final Path renewed = dir.resolve("renewed.credentials");
                    ClientCredential.create(ClusterKeys.load(keyFile), "admin", ClientCredential.ALL, renewed);
                    final long sessionId = producer.sessionId();
                    producer.abandon();
                    client.close();
                    client = RaftlineClient.connect(new RaftlineClient.Context().clusterFile(writeClusterFile())
                        .credentials(renewed).ackTimeout(java.time.Duration.ofSeconds(30)));
                    producer = client.resumeProducer("rotating", sessionId, 256, null);
                    assertEquals(sent + 1, producer.nextSequence(), "every entry so far committed");
                }
                Files.writeString(keyFile, steps.get(step));
                for (int id = 1; id <= 3; id++)
                {
                    for (int i = 0; i < 100; i++)
                    {
                        final byte[] entry = ("e" + ++sent).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        while (producer.offer(new UnsafeBuffer(entry), 0, entry.length) == Producer.BACK_PRESSURED)
                        {
                            producer.poll();
                        }
                    }
                    producer.poll();
                    cluster.restart(id); // with entries in flight
                    assertTrue(producer.flush(java.time.Duration.ofSeconds(30)), "flushed after restarting " + id);
                    assertTrue(!producer.isClosed(), "the producer goes on: " + producer.failure());
                }
            }
            assertEquals(0, cluster.status(cluster.awaitLeader()).value(NodeCounter.UNAUTHENTICATED),
                "the leader refused none of its peers' frames");
            final Consumer consumer = client.consumer(Consumer.FIRST, entry -> read.add(entry.text()));
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (read.size() < sent && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            final List<String> expected = new ArrayList<>();
            for (int i = 1; i <= sent; i++)
            {
                expected.add("e" + i);
            }
            assertEquals(expected, read, "every entry once, in order, through the rotation");
        }
        finally
        {
            client.close();
        }
    }

    /** A heartbeat answer from {@code from} to {@code to} in {@code term}; returns its length in {@link #frame}. */
    private int forged(final int from, final int to, final long term)
    {
        final RaftMessage message = new RaftMessage();
        message.type = MessageType.HEARTBEAT_RESPONSE;
        message.from = from;
        message.to = to;
        message.term = term;
        return new RaftMessageEncoder(from).encode(message, FrameHeader.clusterHash(cluster.config.clusterId()),
            frame, 0);
    }

    private void send(final int node, final int length, final FrameAuthenticator signer)
    {
        offer(node, signer == null ? length : signer.sign(frame, 0, length));
    }

    private void offer(final int node, final int length)
    {
        final ExclusivePublication publication = toNodes.get(node - 1);
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (publication.offer(frame, 0, length) < 0)
        {
            assertTrue(System.nanoTime() < deadlineNs, "node " + node + " takes the frame");
            stranger.invoke();
        }
        stranger.invoke();
    }

    private void connectStranger()
    {
        stranger = AeronRuntime.embedded(dir.resolve("stranger").toString(), cluster.config.mtuBytes(),
            cluster.config.socketBufferBytes());
        for (int id = 1; id <= 3; id++)
        {
            final ExclusivePublication publication = stranger.aeron().addExclusivePublication(
                AeronRuntime.publicationChannel(cluster.config.member(id).endpoint(), cluster.config.mtuBytes(),
                    cluster.config.termLengthBytes(), cluster.config.socketBufferBytes()), AeronRuntime.STREAM_ID);
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (!publication.isConnected())
            {
                assertTrue(System.nanoTime() < deadlineNs, "connected to node " + id);
                stranger.invoke();
            }
            toNodes.add(publication);
        }
    }

    private void awaitRefusals(final long perNode) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        for (int id = 1; id <= 3; id++)
        {
            while (cluster.status(id).value(NodeCounter.UNAUTHENTICATED) < perNode && System.nanoTime() < deadlineNs)
            {
                stranger.invoke();
                Thread.sleep(10);
            }
            assertEquals(perNode, cluster.status(id).value(NodeCounter.UNAUTHENTICATED), "node " + id + " refused");
        }
    }

    private ClusterKeys keyFile(final String name)
    {
        final Path file = dir.resolve(name);
        ClusterKeys.create(file);
        return ClusterKeys.load(file);
    }

    /** The cluster's file, for the client, as a user would have it. */
    private Path writeClusterFile() throws java.io.IOException
    {
        final StringBuilder text = new StringBuilder("cluster.id=" + cluster.config.clusterId() + "\n" +
            ClusterConfig.CLIENT_CREDENTIALS_FILE + "=" + cluster.config.clientCredentialsFile() + "\n");
        for (final ClusterConfig.Member member : cluster.config.members().values())
        {
            text.append("node.").append(member.id()).append('=').append(member.endpoint()).append('\n');
        }
        final Path file = dir.resolve("client.properties");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static UnsafeBuffer text(final String text)
    {
        return new UnsafeBuffer(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
