package io.raftline.client;

import io.raftline.io.node.NodeCounter;
import io.raftline.protocol.client.AppendFrame;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.CloseSessionFrame;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.ClusterKeys;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients prove a credential: one without, or with a forged one, is not answered at all; one whose credential
 * lacks a right is told which, and does nothing else.
 */
@Timeout(120)
class ClientAuthenticationTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;
    private InProcessCluster cluster;

    @AfterEach
    void stop()
    {
        CloseHelper.quietClose(cluster);
    }

    @Test
    void aCredentialDoesWhatItsRightsAllowAndNothingElse() throws Exception
    {
        cluster = new InProcessCluster(dir, "rights", 22680);
        final ClusterKeys keys = ClusterKeys.load(cluster.config.clusterKeyFile());
        final Path reader = dir.resolve("reader.credentials");
        ClientCredential.create(keys, "reader", ClientCredential.CONSUME, reader);
        try (RaftlineClient admin = RaftlineClient.connect(context()))
        {
            Appends.appendAndAwait(admin.producer("writer", 16, null), 20, seq -> text("e" + seq), TIMEOUT_NS);
        }
        final List<String> read = new ArrayList<>();
        try (RaftlineClient client = RaftlineClient.connect(context().credentials(reader)))
        {
            final RaftlineClientException.UnauthorisedException noProduce = assertThrows(
                RaftlineClientException.UnauthorisedException.class, () -> client.producer("sneaky", 16, null));
            assertTrue(noProduce.getMessage().contains("'reader' lacks the produce right"), noProduce.getMessage());
            final RaftlineClientException.UnauthorisedException noAdmin = assertThrows(
                RaftlineClientException.UnauthorisedException.class,
                () -> client.admin().listMembers(Duration.ofSeconds(10)));
            assertTrue(noAdmin.getMessage().contains("admin"), noAdmin.getMessage());
            final Consumer consumer = client.consumer(Consumer.FIRST, entry -> read.add(entry.text()));
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (read.size() < 20 && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
        }
        assertEquals(20, read.size(), "the reader reads: " + read);
        // the produce refusal on the leader, the admin refusal wherever the request went
        long refused = 0;
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (refused < 2 && System.nanoTime() < deadlineNs)
        {
            refused = 0;
            for (int id = 1; id <= 3; id++)
            {
                refused += cluster.status(id).value(NodeCounter.UNAUTHORISED);
            }
            Thread.sleep(10);
        }
        assertTrue(refused >= 2, "refusals are counted: " + refused);
    }

    @Test
    void aClientWithoutACredentialOrWithAForgedOneIsNotAnswered() throws Exception
    {
        cluster = new InProcessCluster(dir, "strangers", 22690);
        cluster.awaitLeader();
        final Path otherDir = dir.resolve("elsewhere");
        java.nio.file.Files.createDirectories(otherDir);
        final Path otherKey = otherDir.resolve("cluster.key");
        ClusterKeys.create(otherKey);
        final Path forged = otherDir.resolve("admin.credentials");
        ClientCredential.create(ClusterKeys.load(otherKey), "admin", ClientCredential.ALL, forged);
        for (final RaftlineClient.Context stranger : List.of(endpointsOnly(), context().credentials(forged)))
        {
            final long startNs = System.nanoTime();
            try (RaftlineClient client = RaftlineClient.connect(stranger.openTimeout(Duration.ofSeconds(1))))
            {
                assertThrows(RaftlineClientException.ClusterUnavailableException.class,
                    () -> client.producer("stranger", 16, null));
            }
            assertTrue(System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10));
        }
        long refused = 0;
        for (int id = 1; id <= 3; id++)
        {
            refused += cluster.status(id).value(NodeCounter.UNAUTHENTICATED);
        }
        assertTrue(refused > 0, "their frames were refused and counted");
    }

    @Test
    void aSessionIsItsOwnersOnlyAnotherCredentialCannotResumeAppendToOrCloseIt() throws Exception
    {
        cluster = new InProcessCluster(dir, "owners", 22700);
        final int leader = cluster.awaitLeader();
        final ClusterKeys keys = ClusterKeys.load(cluster.config.clusterKeyFile());
        final Path otherFile = dir.resolve("other.credentials");
        final ClientCredential other = ClientCredential.create(keys, "other", ClientCredential.ALL, otherFile);
        try (RaftlineClient owner = RaftlineClient.connect(context()))
        {
            final Producer producer = owner.producer("orders", 16, null);
            producer.append(text("mine-1"), 0, 6);
            final long sessionId = producer.sessionId();
            try (RaftlineClient stranger = RaftlineClient.connect(context().credentials(otherFile)))
            {
                assertThrows(RaftlineClientException.SessionExpiredException.class,
                    () -> stranger.resumeProducer("orders", sessionId, 16, null), "not its session to resume");
            }
            // frames as a client of another credential would send them, naming the owner's session
            final List<RejectReason> refusals = new ArrayList<>();
            final RejectFrame reject = new RejectFrame();
            try (ClientTransport raw = new ClientTransport(cluster.config, null, null, other))
            {
                raw.addListener((from, type, buffer, offset, length) ->
                {
                    if (type == ClientMessageType.REJECT && reject.wrap(buffer, offset, length))
                    {
                        refusals.add(reject.reason());
                    }
                });
                final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
                while (!raw.isConnected(leader) && System.nanoTime() < deadlineNs)
                {
                    raw.poll(System.nanoTime(), 16);
                }
                int length = AppendFrame.encodeHeader(raw.frame(), 0, raw.clusterHash(), raw.clientId(), sessionId);
                length = AppendFrame.encodeEntry(raw.frame(), length, 2, text("hijack"), 0, 6);
                AppendFrame.finish(raw.frame(), 0, length, 1);
                assertTrue(raw.send(leader, length));
                raw.send(leader, CloseSessionFrame.encode(raw.frame(), 0, raw.clusterHash(), raw.clientId(), sessionId));
                while (refusals.isEmpty() && System.nanoTime() < deadlineNs)
                {
                    raw.poll(System.nanoTime(), 16);
                }
            }
            assertEquals(List.of(RejectReason.NOT_OWNER), refusals);
            // a CONNECT under the owner's client id, signed with another credential: it does not take the id over
            try (ClientTransport raw = new ClientTransport(cluster.config, null, null, other))
            {
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    raw.poll(System.nanoTime(), 16);
                    final int length = ConnectFrame.encode(raw.frame(), 0, raw.clusterHash(),
                        owner.transport().clientId(), 0, 0, other.rights(), other.keyId(), other.name(),
                        raw.replyEndpoint());
                    while (!raw.isConnected(leader))
                    {
                        raw.poll(System.nanoTime(), 16);
                    }
                    raw.send(leader, length);
                    raw.poll(System.nanoTime(), 16);
                }
            }
            assertEquals(2, producer.append(text("mine-2"), 0, 6).sequence(),
                "the owner goes on: the session is open and its sequence its own");
            final List<String> read = new ArrayList<>();
            final Consumer consumer = owner.consumer(Consumer.FIRST, entry -> read.add(entry.text()));
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (read.size() < 2 && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            consumer.poll(Duration.ofMillis(300));
            assertEquals(List.of("mine-1", "mine-2"), read, "nothing of the stranger's in the log");
        }
    }

    /** The fixture's cluster file, as a user has it: its admin credential named in it. */
    private RaftlineClient.Context context()
    {
        return endpointsOnly().credentials(cluster.config.clientCredentialsFile());
    }

    private RaftlineClient.Context endpointsOnly()
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
}
