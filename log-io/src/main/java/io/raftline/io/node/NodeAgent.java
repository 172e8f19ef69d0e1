package io.raftline.io.node;

import io.raftline.core.RaftNode;
import io.raftline.core.Ready;
import io.raftline.core.Role;
import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.RaftMessage;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.MetadataStore;
import io.raftline.io.transport.AeronRuntime;
import io.raftline.io.transport.InboundAdapter;
import io.raftline.io.transport.PeerPublisher;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;

/**
 * The one thread of a node: it owns the {@link RaftNode} and does all of its I/O. Each duty cycle drives the
 * embedded Aeron driver, polls inbound frames into the core, ticks the core from the clock, and carries out what
 * the core asks in the order {@link Ready} gives: send the leader's traffic, persist (forcing when the durability
 * mode says so, once for the whole batch), send what promised durability, and report what is durable.
 */
final class NodeAgent implements Agent, InboundAdapter.Listener
{
    private static final int FRAGMENT_LIMIT = 64;
    private static final long COUNTER_INTERVAL_NS = 1_000_000;

    private final RaftNode node;
    private final ChronicleLog log;
    private final MetadataStore metadata;
    private final AeronRuntime aeron;
    private final InboundAdapter inbound;
    private final PeerPublisher[] publishers;
    private final int[] peerIds;
    private final NodeCounters counters;
    private final ClientService clients;
    private final NanoClock clock;
    private final long tickNs;
    private final String roleName;
    private long nextTickNs;
    private long nextCountersNs;
    private final AutoCloseable[] resources;
    private Role lastRole;
    private volatile Throwable failure;

    NodeAgent(
        final RaftNode node,
        final ChronicleLog log,
        final AeronRuntime aeron,
        final InboundAdapter.Factory inbound,
        final PeerPublisher[] publishersById,
        final int[] peerIds,
        final NodeCounters counters,
        final ClientService clients,
        final NanoClock clock,
        final long tickNs,
        final AutoCloseable... resources)
    {
        this.node = node;
        this.log = log;
        this.metadata = log.metadata();
        this.aeron = aeron;
        this.inbound = inbound.create(this);
        this.resources = new AutoCloseable[resources.length + 2];
        this.resources[0] = this.inbound;
        this.resources[1] = clients;
        System.arraycopy(resources, 0, this.resources, 2, resources.length);
        this.publishers = publishersById;
        this.peerIds = peerIds;
        this.counters = counters;
        this.clients = clients;
        this.clock = clock;
        this.tickNs = tickNs;
        this.roleName = "raftline-node-" + node.id();
        this.nextTickNs = clock.nanoTime() + tickNs;
    }

    @Override
    public int doWork()
    {
        try
        {
            return doDutyCycle();
        }
        catch (final RuntimeException | Error ex)
        {
            // a failed write or a broken invariant stops the node: serving on could lose acknowledged entries
            failure = ex;
            throw new AgentTerminationException(ex);
        }
    }

    /** Closes what the node owns on the thread that used it, after its last duty cycle. */
    @Override
    public void onClose()
    {
        CloseHelper.quietCloseAll(resources);
    }

    Throwable failure()
    {
        return failure;
    }

    private int doDutyCycle()
    {
        final long nowNs = clock.nanoTime();
        int work = aeron.invoke();
        work += inbound.poll(FRAGMENT_LIMIT);
        work += tick(nowNs);
        work += retryPending();
        if (node.hasReady())
        {
            flush(node.ready());
            work++;
        }
        work += clients.doWork(nowNs);
        if (work > 0)
        {
            // the embedded driver sends only when invoked: push out what this cycle offered now, not after an idle
            aeron.invoke();
        }
        if (nowNs >= nextCountersNs)
        {
            updateCounters(nowNs);
        }
        return work;
    }

    @Override
    public void onRaftMessage(final RaftMessage message)
    {
        node.step(message);
    }

    @Override
    public void onClientFrame(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        clients.onFrame(type, buffer, offset, length);
    }

    private int tick(final long nowNs)
    {
        if (nowNs < nextTickNs)
        {
            return 0;
        }
        node.tick();
        // after a stall (GC, SIGSTOP) tick once, not once per missed period: a burst of ticks would start an
        // election that the stall, not the leader, deserved
        nextTickNs = Math.max(nextTickNs + tickNs, nowNs + tickNs / 2);
        return 1;
    }

    private int retryPending()
    {
        final long leaderTerm = node.role() == Role.LEADER ? node.term() : -1;
        int work = 0;
        for (final int peerId : peerIds)
        {
            final PeerPublisher publisher = publishers[peerId];
            if (publisher.pendingCount() > 0)
            {
                work += publisher.retry(leaderTerm);
            }
        }
        return work;
    }

    private void flush(final Ready ready)
    {
        send(ready.messages());
        if (ready.hardStateChanged())
        {
            metadata.store(ready.term(), ready.votedFor());
        }
        final long durableIndex = ready.mustPersistEntries() ? log.sync() : ready.lastIndex();
        send(ready.messagesAfterPersist());
        if (ready.readStates().size() > 0)
        {
            clients.onReadStates(ready.readStates());
        }
        if (ready.role() != lastRole)
        {
            counters.onRole(ready.role(), lastRole);
            clients.onRoleChange(ready.role());
            lastRole = ready.role();
        }
        node.advance(durableIndex);
    }

    private void send(final MessageQueue messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            final RaftMessage message = messages.get(i);
            final PeerPublisher publisher = message.to < publishers.length ? publishers[message.to] : null;
            if (publisher != null)
            {
                publisher.send(message);
            }
        }
    }

    private void updateCounters(final long nowNs)
    {
        nextCountersNs = nowNs + COUNTER_INTERVAL_NS;
        counters.update(node.term(), node.leaderId(), node.commitIndex(), log.lastIndex(), node.durableIndex());
        counters.appliedIndex(clients.appliedIndex());
        counters.heartbeat(nowNs);
        if (node.role() == Role.LEADER)
        {
            for (final int peerId : peerIds)
            {
                counters.matchIndex(peerId, node.progress(peerId).matchIndex());
            }
        }
    }

    @Override
    public String roleName()
    {
        return roleName;
    }
}
