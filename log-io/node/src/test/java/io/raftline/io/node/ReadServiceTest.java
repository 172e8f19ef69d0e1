package io.raftline.io.node;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.raftline.core.LogView;
import io.raftline.core.RaftNode;
import io.raftline.core.RaftOptions;
import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.AeronRuntime;
import io.raftline.io.transport.LoopbackPorts;
import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.ReadIndexResultFrame;
import io.raftline.protocol.FrameHeader;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A read forwarded to a leader that never answers is answered FAILED after the timeout, and forgotten. */
@Timeout(60)
class ReadServiceTest
{
    private static final long CLUSTER = FrameHeader.clusterHash("reads");
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final LogView EMPTY_LOG = new LogView()
    {
        @Override
        public long firstIndex()
        {
            return 1;
        }

        @Override
        public long lastIndex()
        {
            return 0;
        }

        @Override
        public long term(final long index)
        {
            return 0;
        }

        @Override
        public int type(final long index)
        {
            throw new IndexOutOfBoundsException();
        }

        @Override
        public int payloadLength(final long index)
        {
            throw new IndexOutOfBoundsException();
        }
    };

    private AeronRuntime aeron;
    private Subscription replies;
    private ClientConnections clients;
    private final Map<Long, Long> answers = new HashMap<>();

    @BeforeEach
    void start() throws IOException
    {
        final File dir = Files.createTempDirectory("reads-aeron").toFile();
        aeron = AeronRuntime.embedded(dir.getPath(), 8192, 1 << 20);
        final String endpoint = "127.0.0.1:" + LoopbackPorts.freeBase(1);
        replies = aeron.aeron().addSubscription(AeronRuntime.subscriptionChannel(endpoint, 1 << 20),
            AeronRuntime.STREAM_ID);
        final CountersManager manager = new CountersManager(new UnsafeBuffer(new byte[64 * 1024]),
            new UnsafeBuffer(new byte[8 * 1024]));
        final AtomicCounter[] counters = new AtomicCounter[12];
        for (int i = 0; i < counters.length; i++)
        {
            counters[i] = manager.newCounter("c" + i);
        }
        clients = new ClientConnections(aeron.aeron(), 8192, 1 << 16, 1 << 20, new TransportCounters(counters[0],
            counters[1], counters[2], counters[3], counters[4], counters[5], counters[6], counters[7], counters[8],
            counters[9], counters[10], counters[11]));
        assertNull(clients.connect(77, endpoint, ClientConnections.Admitted.OPEN, 0, 0), "its publication is being made");
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (clients.get(77) == null && System.nanoTime() < deadlineNs)
        {
            aeron.invoke();
            clients.completePending(0, (connected, correlationId) -> { });
        }
        final ClientConnection client = clients.get(77);
        while (!client.publication.isConnected() && System.nanoTime() < deadlineNs)
        {
            aeron.invoke();
        }
    }

    @AfterEach
    void stop()
    {
        clients.close();
        replies.close();
        aeron.close();
    }

    /** Follower 1 of voters 1, 2 that has heard from leader 2. */
    private static RaftNode follower()
    {
        final RaftNode node = new RaftNode(new RaftOptions().nodeId(1).random(new SplittableRandom(1)),
            EMPTY_LOG, 0, 0, Configuration.of(1, 2));
        final RaftMessage heartbeat = new RaftMessage();
        heartbeat.type = MessageType.HEARTBEAT;
        heartbeat.from = 2;
        heartbeat.to = 1;
        heartbeat.term = 1;
        node.step(heartbeat);
        return node;
    }

    private void awaitAnswers(final int count)
    {
        final ReadIndexResultFrame result = new ReadIndexResultFrame();
        final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
        {
            if (FrameHeader.type(buffer, offset) == ClientMessageType.READ_INDEX_RESULT &&
                result.wrap(buffer, offset, length))
            {
                answers.put(result.correlationId(), result.index());
            }
        });
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (answers.size() < count && System.nanoTime() < deadlineNs)
        {
            aeron.invoke();
            replies.poll(assembler, 16);
        }
        assertEquals(count, answers.size(), "answers: " + answers);
    }

    @Test
    void aReadTheLeaderNeverAnswersFailsAfterTheTimeout()
    {
        final RaftNode node = follower();
        final ReadService reads = new ReadService(node, clients, CLUSTER, 1, 4, TIMEOUT_NS,
            new CoreClock(new SystemNanoClock(), TimeUnit.MILLISECONDS.toNanos(10)));
        final ClientConnection client = clients.get(77);
        reads.onReadIndex(client, 500, 1_000);
        final MessageQueue toLeader = node.ready().messagesAfterPersist();
        assertEquals(MessageType.READ_INDEX, toLeader.get(toLeader.size() - 1).type, "forwarded to the leader");
        reads.expire(1_000 + TIMEOUT_NS - 1);
        assertEquals(1, reads.pendingCount(), "not yet");
        reads.expire(1_000 + TIMEOUT_NS);
        assertEquals(0, reads.pendingCount());
        awaitAnswers(1);
        assertEquals(ReadIndexResultFrame.FAILED, answers.get(500L));
    }

    @Test
    void readsBeyondTheCapacityFailAtOnceAndAnswersFreeTheirSlots()
    {
        final RaftNode node = follower();
        final ReadService reads = new ReadService(node, clients, CLUSTER, 1, 2, TIMEOUT_NS,
            new CoreClock(new SystemNanoClock(), TimeUnit.MILLISECONDS.toNanos(10)));
        final ClientConnection client = clients.get(77);
        reads.onReadIndex(client, 1, 0);
        reads.onReadIndex(client, 2, 0);
        reads.onReadIndex(client, 3, 0);
        assertEquals(2, reads.pendingCount());
        final RaftMessage answer = new RaftMessage();
        answer.type = MessageType.READ_INDEX_RESPONSE;
        answer.from = 2;
        answer.to = 1;
        answer.term = 1;
        answer.context = 1; // the first request's id
        answer.commitIndex = 9;
        node.step(answer);
        reads.onReadStates(node.ready().readStates());
        assertEquals(1, reads.pendingCount());
        reads.onReadIndex(client, 4, 0);
        assertEquals(2, reads.pendingCount(), "the answered request's slot is free again");
        awaitAnswers(2);
        assertEquals(ReadIndexResultFrame.FAILED, answers.get(3L));
        assertEquals(9, answers.get(1L));
    }
}
