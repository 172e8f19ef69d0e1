package io.raftline.io.node;

import io.raftline.core.ChangeResult;
import io.raftline.core.RaftNode;
import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.client.AdminOperation;
import io.raftline.protocol.client.AdminRequestFrame;
import io.raftline.protocol.client.AdminResultFrame;
import io.raftline.protocol.client.AdminStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Operators' requests (membership changes, leadership transfer, the member list, a snapshot now). The leader starts
 * a change in the core and answers once the outcome is known: the change committed, a promotion that could not catch up, a
 * transfer abandoned, or the leadership lost before the change completed. A request repeated with the same
 * correlation id is the same request, carried out once and answered again from what is remembered. Off the hot
 * path: a request's bookkeeping allocates.
 */
final class AdminService
{
    private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
    private static final int PENDING_MAX = 16;
    private static final int REMEMBERED = 64;
    private static final long PENDING_TIMEOUT_NS = TimeUnit.MINUTES.toNanos(5);

    /** A request under way. */
    private record Pending(long clientId, long correlationId, AdminOperation operation, int nodeId,
        long startedNs, long transferTimeoutNs)
    {
    }

    /** An answer given, for a repeated request. */
    private record Answer(long clientId, long correlationId, AdminStatus status, long value, String message)
    {
    }

    private final RaftNode node;
    private final ClientConnections clients;
    private final long clusterHash;
    private final int nodeId;
    private final long electionTimeoutNs;
    private final long tickNs;
    private final SnapshotTaker snapshots;
    private final List<Pending> pending = new ArrayList<>();
    private final Deque<Answer> answered = new ArrayDeque<>();
    private final UnsafeBuffer frame = new UnsafeBuffer(new byte[AdminResultFrame.maxLength()]);

    AdminService(
        final RaftNode node,
        final ClientConnections clients,
        final long clusterHash,
        final int nodeId,
        final long electionTimeoutNs,
        final long tickNs,
        final SnapshotTaker snapshots)
    {
        this.tickNs = tickNs;
        this.snapshots = snapshots;
        this.node = node;
        this.clients = clients;
        this.clusterHash = clusterHash;
        this.nodeId = nodeId;
        this.electionTimeoutNs = electionTimeoutNs;
    }

    void onRequest(final ClientConnection client, final AdminRequestFrame request, final long nowNs)
    {
        final long correlationId = request.correlationId();
        for (final Answer answer : answered)
        {
            if (answer.clientId() == client.clientId && answer.correlationId() == correlationId)
            {
                reply(client.clientId, correlationId, answer.status(), answer.value(), answer.message());
                return;
            }
        }
        for (final Pending under : pending)
        {
            if (under.clientId() == client.clientId && under.correlationId() == correlationId)
            {
                reply(client.clientId, correlationId, AdminStatus.IN_PROGRESS, 0, "");
                return;
            }
        }
        final AdminOperation operation = request.operation();
        if (operation == AdminOperation.LIST_MEMBERS)
        {
            // a leader's configuration is final once it has committed an entry of its term; asked again until then
            reply(client.clientId, correlationId, node.isLeader() && !node.hasCommittedInTerm() ?
                AdminStatus.IN_PROGRESS : AdminStatus.DONE, 0, "");
            return;
        }
        if (operation == AdminOperation.SNAPSHOT)
        {
            takeSnapshot(client.clientId, correlationId, nowNs);
            return;
        }
        if (!node.isLeader())
        {
            reply(client.clientId, correlationId, AdminStatus.NOT_LEADER, 0, node.leaderId() == 0 ?
                "no leader is known" : "node " + node.leaderId() + " leads");
            return;
        }
        if (pending.size() == PENDING_MAX)
        {
            finish(client.clientId, correlationId, AdminStatus.REFUSED, 0, "too many requests under way");
            return;
        }
        start(client.clientId, correlationId, operation, request.nodeId(), request.endpoint(), request.timeoutMs(),
            nowNs);
    }

    private void start(
        final long clientId,
        final long correlationId,
        final AdminOperation operation,
        final int target,
        final String endpoint,
        final int timeoutMs,
        final long nowNs)
    {
        final ChangeResult result = switch (operation)
        {
            case ADD_LEARNER -> endpoint == null ? null : node.addLearner(target, endpoint);
            case PROMOTE -> timeoutMs == 0 ? node.promote(target) :
                node.promote(target, Math.max(1, TimeUnit.MILLISECONDS.toNanos(timeoutMs) / tickNs));
            case REMOVE -> node.removeMember(target);
            case TRANSFER_LEADERSHIP -> node.transferLeadership(target) ? ChangeResult.STARTED : ChangeResult.NOT_A_VOTER;
            default -> throw new IllegalStateException("not a change: " + operation);
        };
        if (result == null)
        {
            finish(clientId, correlationId, AdminStatus.REFUSED, 0, "node " + target + " needs an endpoint");
        }
        else if (result == ChangeResult.NOT_READY)
        {
            // a new leader commits its first entry within a heartbeat or two: the client asks again shortly
            reply(clientId, correlationId, AdminStatus.IN_PROGRESS, 0, "");
        }
        else if (result != ChangeResult.STARTED)
        {
            finish(clientId, correlationId, AdminStatus.REFUSED, 0, refusal(operation, target, result));
        }
        else
        {
            final int transferTarget = operation == AdminOperation.TRANSFER_LEADERSHIP ? node.leadTransferee() : target;
            pending.add(new Pending(clientId, correlationId, operation, transferTarget, nowNs, electionTimeoutNs));
            reply(clientId, correlationId, AdminStatus.IN_PROGRESS, 0, "");
        }
    }

    /** A snapshot of this node's state now, whatever its role; answered once it is on disk. */
    private void takeSnapshot(final long clientId, final long correlationId, final long nowNs)
    {
        pending.add(new Pending(clientId, correlationId, AdminOperation.SNAPSHOT, nodeId, nowNs, 0));
        reply(clientId, correlationId, AdminStatus.IN_PROGRESS, 0, "");
        snapshots.request((index, failure) ->
        {
            pending.removeIf(under -> under.clientId() == clientId && under.correlationId() == correlationId);
            if (failure == null)
            {
                finish(clientId, correlationId, AdminStatus.DONE, index, "");
            }
            else
            {
                finish(clientId, correlationId, AdminStatus.FAILED, 0, failure);
            }
        });
    }

    private String refusal(final AdminOperation operation, final int target, final ChangeResult result)
    {
        if (operation == AdminOperation.TRANSFER_LEADERSHIP)
        {
            return target == 0 ? "no other voter to hand leadership to" :
                "node " + target + " is not a voter that can lead (or is this leader)";
        }
        return "node " + target + ": " + result.description();
    }

    /** Answers the requests whose outcome is now known. */
    void doWork(final long nowNs)
    {
        if (pending.isEmpty())
        {
            return;
        }
        for (final Iterator<Pending> i = pending.iterator(); i.hasNext(); )
        {
            final Pending under = i.next();
            if (under.operation() == AdminOperation.SNAPSHOT)
            {
                continue; // answered by the snapshot taker
            }
            final String failure = failure(under, nowNs);
            if (isDone(under))
            {
                i.remove();
                finish(under.clientId(), under.correlationId(), AdminStatus.DONE, 0, "");
            }
            else if (failure != null)
            {
                i.remove();
                final boolean deposed = !node.isLeader() && under.operation() != AdminOperation.TRANSFER_LEADERSHIP;
                finish(under.clientId(), under.correlationId(), deposed ? AdminStatus.LEADER_CHANGED :
                    AdminStatus.FAILED, 0, failure);
            }
        }
    }

    private boolean isDone(final Pending under)
    {
        final Configuration configuration = node.configuration();
        final boolean committed = node.configurationIndex() <= node.commitIndex() && !configuration.isJoint();
        final int target = under.nodeId();
        return switch (under.operation())
        {
            case ADD_LEARNER -> committed && configuration.isMember(target);
            case PROMOTE -> committed && configuration.isIncomingVoter(target);
            case REMOVE -> committed && !configuration.isMember(target);
            case TRANSFER_LEADERSHIP -> node.leaderId() == target;
            default -> true;
        };
    }

    /** Why the request can no longer complete, or null while it may. */
    private String failure(final Pending under, final long nowNs)
    {
        if (under.operation() == AdminOperation.TRANSFER_LEADERSHIP)
        {
            final boolean abandoned = node.isLeader() && node.leadTransferee() != under.nodeId();
            return abandoned || nowNs - under.startedNs() > 2 * under.transferTimeoutNs() ?
                "leadership did not pass to node " + under.nodeId() + " within an election timeout; this node " +
                "accepts appends again" : null;
        }
        if (under.operation() == AdminOperation.PROMOTE && node.changeFailure() != null &&
            !node.isCatchingUp(under.nodeId()) && node.isLeader())
        {
            return node.changeFailure() + "; it stays a learner";
        }
        if (under.operation() == AdminOperation.REMOVE && node.changeFailure() != null && node.isLeader())
        {
            return node.changeFailure(); // a joint change given up
        }
        if (!node.isLeader())
        {
            return "the leadership changed before the change completed: see 'member list', then ask again";
        }
        return nowNs - under.startedNs() > PENDING_TIMEOUT_NS ? "no outcome within 5 minutes" : null;
    }

    private void finish(
        final long clientId, final long correlationId, final AdminStatus status, final long value, final String message)
    {
        if (status != AdminStatus.DONE)
        {
            LOG.info("node {}: admin request ended {}: {}", nodeId, status, message);
        }
        answered.addLast(new Answer(clientId, correlationId, status, value, message));
        if (answered.size() > REMEMBERED)
        {
            answered.removeFirst();
        }
        reply(clientId, correlationId, status, value, message);
    }

    private void reply(
        final long clientId, final long correlationId, final AdminStatus status, final long value, final String message)
    {
        final ClientConnection client = clients.get(clientId);
        if (client != null)
        {
            clients.reply(client, frame, AdminResultFrame.encode(frame, 0, clusterHash, nodeId, correlationId, status,
                node.leaderId(), node.configuration(), node.configurationIndex(), node.commitIndex(), value, message));
        }
    }
}
