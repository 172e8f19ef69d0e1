package io.raftline.client;

import io.raftline.core.quorum.Configuration;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.AdminOperation;
import io.raftline.protocol.client.AdminRequestFrame;
import io.raftline.protocol.client.AdminResultFrame;
import io.raftline.protocol.client.AdminStatus;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.ConnectedFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import org.agrona.DirectBuffer;

import java.util.concurrent.TimeUnit;

/**
 * An operator's link to the cluster: lists members, changes the configuration, hands over leadership. Each
 * request goes to the leader (learned from the nodes, followed when a node names another) and is repeated under
 * the same correlation id until answered, which the leader carries out once. Blocking; one thread.
 */
public final class AdminClient implements AutoCloseable
{
    private static final long RESEND_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How long past its deadline a request waits for the leader's answer (a promotion fails at the deadline). */
    private static final long ANSWER_GRACE_NS = TimeUnit.SECONDS.toNanos(2);
    /** How often the configuration is asked for while a deposed leader's change settles. */
    private static final long SETTLE_POLL_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** How a request ended, its value if it has one, and the configuration in force as the answering node knew it. */
    public record Result(
        AdminStatus status,
        String message,
        Configuration configuration,
        long configurationIndex,
        long commitIndex,
        long value,
        int leaderId,
        int answeredBy)
    {
        /** Whether the configuration the result carries is committed. */
        public boolean isConfigurationCommitted()
        {
            return configurationIndex <= commitIndex;
        }
    }

    private final ClientTransport transport;
    private final boolean ownsTransport;
    private final ClientTransport.Listener frames = this::onFrame;
    private final ConnectedFrame connected = new ConnectedFrame();
    private final AdminResultFrame resultFrame = new AdminResultFrame();
    private final RejectFrame reject = new RejectFrame();
    private RaftlineClientException refused;
    private boolean closed;    // the cluster refused the request to this client's credential
    private long awaited;
    private Result result;
    private int leaderId;
    private long leaderTerm;

    /** On {@code transport}: a {@link RaftlineClient}'s, shared, or one of its own, closed with it when {@code owns}. */
    AdminClient(final ClientTransport transport, final boolean owns)
    {
        this.transport = transport;
        this.ownsTransport = owns;
        transport.addListener(frames);
    }

    /** An admin client with a connection of its own. */
    public static AdminClient open(final ClusterConfig config, final String bind)
    {
        return new AdminClient(ClientTransport.withOwnDriver(config, bind), true);
    }

    /** The configuration in force, from the leader if one answers within {@code timeout}, else from any node. */
    public Result listMembers(final java.time.Duration timeout)
    {
        return listMembers(timeout.toNanos());
    }

    /** As {@link #listMembers(java.time.Duration)}. */
    public Result listMembers(final long timeoutNs)
    {
        return request(AdminOperation.LIST_MEMBERS, 0, "", timeoutNs);
    }

    /**
     * Asks the leader to carry out {@code operation} on node {@code nodeId} ({@code endpoint}: for ADD_LEARNER)
     * and waits for the outcome. The leader is given {@code timeoutNs} (a promotion whose learner has not caught
     * up by then fails, and says how far behind it is), and its answer a little longer to arrive. If that leader is
     * deposed before the change completes, the next leader settles it: done if the configuration it commits holds the
     * change, asked again within the same time if not ({@link AdminStatus#LEADER_CHANGED} only when time ran out).
     *
     * @throws RaftlineClientException when no node answers in time
     */
    public Result request(
        final AdminOperation operation, final int nodeId, final String endpoint, final java.time.Duration timeout)
    {
        return request(operation, nodeId, endpoint, timeout.toNanos());
    }

    /** As {@link #request(AdminOperation, int, String, java.time.Duration)}. */
    public Result request(
        final AdminOperation operation, final int nodeId, final String endpoint, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (true)
        {
            final Result result = requestOnce(operation, nodeId, endpoint, deadlineNs);
            if (result.status() != AdminStatus.LEADER_CHANGED)
            {
                return result;
            }
            // the leader that took it was deposed first: the change may have committed, may yet, or may be gone
            final Result settled = settled(deadlineNs);
            if (settled == null || System.nanoTime() - deadlineNs >= 0)
            {
                return result; // no time left to find out, or to ask again
            }
            if (isMade(operation, nodeId, settled.configuration()))
            {
                return new Result(AdminStatus.DONE, "", settled.configuration(), settled.configurationIndex(),
                    settled.commitIndex(), 0, settled.leaderId(), settled.answeredBy());
            }
        }
    }

    /**
     * The leader's configuration once it is committed and not joint (a successor finishes or drops a change its
     * predecessor left under way), or null if that is not seen by the deadline.
     */
    private Result settled(final long deadlineNs)
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final Result members = requestOnce(AdminOperation.LIST_MEMBERS, 0, "", deadlineNs);
                if (members.answeredBy() == members.leaderId() && members.isConfigurationCommitted() &&
                    !members.configuration().isJoint())
                {
                    return members;
                }
            }
            catch (final RaftlineClientException ex)
            {
                return null; // nobody answered in time
            }
            final long askAgainNs = System.nanoTime() + SETTLE_POLL_NS;
            for (long nowNs = System.nanoTime(); nowNs - askAgainNs < 0; nowNs = System.nanoTime())
            {
                transport.idle(transport.poll(nowNs, 16));
            }
        }
        return null;
    }

    private static boolean isMade(final AdminOperation operation, final int nodeId, final Configuration configuration)
    {
        return switch (operation)
        {
            case ADD_LEARNER -> configuration.isMember(nodeId);
            case PROMOTE -> configuration.isVoter(nodeId);
            case REMOVE -> !configuration.isMember(nodeId);
            default -> false;
        };
    }

    /** One request, repeated under one correlation id to whichever node leads, until answered or the deadline. */
    private Result requestOnce(
        final AdminOperation operation, final int nodeId, final String endpoint, final long deadlineNs)
    {
        final long timeoutNs = deadlineNs - System.nanoTime();
        final long correlationId = transport.nextCorrelationId();
        awaited = correlationId;
        result = null;
        Result anyAnswer = null;
        boolean underWay = false;
        int takenBy = 0; // the node that last said it has the request under way
        long nextSendNs = 0;
        int guess = 0;
        int unanswered = 0;
        refused = null;
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (refused != null)
            {
                throw refused;
            }
            if (nowNs - deadlineNs > (underWay ? ANSWER_GRACE_NS : 0))
            {
                if (anyAnswer != null)
                {
                    return anyAnswer;
                }
                throw new RaftlineClientException(underWay ? RaftlineClientException.Reason.TIMEOUT :
                    RaftlineClientException.Reason.CLUSTER_UNAVAILABLE, underWay ? "the leader took the request but did not finish it " +
                    "within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms" : "no node answered within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms" + transport.unansweredHint());
            }
            if (result != null && result.status() == AdminStatus.IN_PROGRESS)
            {
                underWay = true;
                takenBy = result.answeredBy();
                result = null;
                unanswered = 0; // the leader has it: wait, repeating it now and then
            }
            if (result != null && result.status() == AdminStatus.LEADER_CHANGED && result.answeredBy() != takenBy)
            {
                result = null; // a deposed leader heard late: its successor has the request under way
            }
            if (result != null)
            {
                if (result.status() != AdminStatus.NOT_LEADER)
                {
                    if (operation != AdminOperation.LIST_MEMBERS || result.answeredBy() == result.leaderId())
                    {
                        return result;
                    }
                    anyAnswer = result; // a follower's view: good enough if no leader answers in time
                }
                if (result.leaderId() != 0)
                {
                    leaderId = result.leaderId();
                }
                else
                {
                    guess++;
                }
                result = null;
                nextSendNs = 0;
                unanswered = 0;
            }
            if (nowNs - nextSendNs >= 0)
            {
                if (unanswered == 2)
                {
                    leaderId = 0; // silent: down, or gone; ask the others
                    guess++;
                    unanswered = 0;
                }
                final int target = leaderId != 0 ? leaderId : transport.nodeIds()[guess % transport.nodeIds().length];
                if (transport.isConnected(target))
                {
                    transport.send(target, AdminRequestFrame.encode(transport.frame(), 0, transport.clusterHash(),
                        transport.clientId(), correlationId, operation, nodeId,
                        (int)Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(deadlineNs - nowNs))),
                        endpoint));
                    nextSendNs = nowNs + RESEND_NS;
                    unanswered++;
                }
                else if (leaderId == 0)
                {
                    guess++;
                }
            }
            transport.idle(transport.poll(nowNs, 16));
        }
    }

    /**
     * Asks node {@code nodeId} itself (any member, not only the leader) for a snapshot now and waits for it to be
     * on disk; the result's value is its index.
     *
     * @throws RaftlineClientException when the node does not answer in time
     */
    public Result snapshot(final int nodeId, final java.time.Duration timeout)
    {
        return snapshot(nodeId, timeout.toNanos());
    }

    /** As {@link #snapshot(int, java.time.Duration)}. */
    public Result snapshot(final int nodeId, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        final long correlationId = transport.nextCorrelationId();
        awaited = correlationId;
        result = null;
        boolean underWay = false;
        long nextSendNs = 0;
        refused = null;
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (refused != null)
            {
                throw refused;
            }
            if (result != null && result.status() != AdminStatus.IN_PROGRESS)
            {
                return result;
            }
            if (result != null)
            {
                underWay = true;
                result = null;
            }
            if (nowNs - deadlineNs > 0)
            {
                throw new RaftlineClientException(underWay ? RaftlineClientException.Reason.TIMEOUT :
                    RaftlineClientException.Reason.CLUSTER_UNAVAILABLE, underWay ? "node " + nodeId + " did not finish its snapshot within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms" : "node " + nodeId + " did not answer within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (is it running?)");
            }
            if (nowNs - nextSendNs >= 0 && transport.isConnected(nodeId))
            {
                transport.send(nodeId, AdminRequestFrame.encode(transport.frame(), 0, transport.clusterHash(),
                    transport.clientId(), correlationId, AdminOperation.SNAPSHOT, nodeId, 0, ""));
                nextSendNs = nowNs + RESEND_NS;
            }
            transport.idle(transport.poll(nowNs, 16));
        }
    }

    private void onFrame(final int nodeId, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == ClientMessageType.CONNECTED && connected.wrap(buffer, offset, length))
        {
            if (connected.leaderId() != 0 && connected.term() >= leaderTerm)
            {
                leaderId = connected.leaderId();
                leaderTerm = connected.term();
            }
        }
        else if (type == ClientMessageType.ADMIN_RESULT && resultFrame.wrap(buffer, offset, length) &&
            resultFrame.correlationId() == awaited)
        {
            result = new Result(resultFrame.status(), resultFrame.message(), resultFrame.configuration(),
                resultFrame.configurationIndex(), resultFrame.commitIndex(), resultFrame.value(),
                resultFrame.leaderId(), nodeId);
        }
        else if (type == ClientMessageType.REJECT && reject.wrap(buffer, offset, length) &&
            reject.id() == awaited && reject.reason() == RejectReason.UNAUTHORISED)
        {
            refused = RaftlineClientException.UnauthorisedException.lacking(transport, reject.expectedSequence());
        }
    }

    public boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        closed = true;
        transport.removeListener(frames);
        if (ownsTransport)
        {
            transport.close();
        }
    }
}
