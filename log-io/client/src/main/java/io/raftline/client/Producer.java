package io.raftline.client;

import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.client.AckFrame;
import io.raftline.protocol.client.AppendFrame;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.client.CloseSessionFrame;
import io.raftline.protocol.client.ConnectedFrame;
import io.raftline.protocol.client.OpenSessionFrame;
import io.raftline.protocol.client.ReadIndexFrame;
import io.raftline.protocol.client.ReadIndexResultFrame;
import io.raftline.protocol.client.RejectFrame;
import io.raftline.protocol.client.RejectReason;
import io.raftline.protocol.client.SessionOpenedFrame;
import io.raftline.protocol.security.ClientCredential;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.concurrent.TimeUnit;


/**
 * Appends entries to the log through the leader, each acknowledged once committed.
 *
 * <p>A producer owns one session (id, sequence): sequences run 1, 2, 3... and the leader commits each at most
 * once, so resending after a timeout or a leader change is safe. Up to {@code window} entries are in flight;
 * {@link #offer} refuses more (back-pressure) until acknowledgements free the window. Entries are batched on the
 * wire: each {@link #poll} sends what was offered since the last one in as few frames as fit.
 *
 * <p>Single-threaded and allocation-free per entry: offer and poll from one thread; outcomes reach the
 * {@link ProducerListener} from {@link #poll}.
 */
public final class Producer implements AutoCloseable
{
    /** {@link #offer} result when the window is full. */
    public static final long BACK_PRESSURED = -1;

    private static final long READ_FAILED = ReadIndexResultFrame.FAILED;
    private static final long GAP_RESEND_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long NOT_READY_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Silence from the leader after which the producer counts itself disconnected: nodes answer every 2 s. */
    private static final long SILENCE_NS = TimeUnit.SECONDS.toNanos(3);

    private final ClientTransport transport;
    private final boolean ownsTransport;
    private final ClientTransport.Listener frames;
    private final ProducerListener listener;
    private final int window;
    private final int maxEntryBytes;
    private final long retryTimeoutNs;
    private final long giveUpTimeoutNs;
    private final EntryWindow pending;
    private final SessionOpenedFrame sessionOpened = new SessionOpenedFrame();
    private final AckFrame ack = new AckFrame();
    private final ReadIndexResultFrame readIndexResult = new ReadIndexResultFrame();
    private final RejectFrame reject = new RejectFrame();
    private final ConnectedFrame connected = new ConnectedFrame();
    private long sessionId;
    private long leaderTerm;
    private long awaitedOpen;
    private RejectReason openRefusal;   // a refusal that asking again will not change
    private long openRefusalLimit;
    private RejectReason lastRefusal;   // why the leader last held entries back, for the message if they time out
    private boolean redirected;
    private int leaderId;
    private int nextGuess;
    private long nextSequence = 1;
    private long ackedSequence;
    private long sentSequence;
    private long lastProgressNs;
    private long resendAtNs = Long.MAX_VALUE;
    private long lastSendNs;
    private long lastGapResendNs;
    private long awaitedRead;
    private long readResult;
    private boolean closed;
    private boolean detached;
    private String failure;
    private long awaitedSequence;                       // append(...): the entry it waits for, and its outcome
    private long awaitedIndex;
    private long awaitedTerm;
    private ProducerListener.Failure awaitedFailure;
    private RaftlineClientException.Reason failureReason;
    private long lastHeardFromLeaderNs;
    private boolean leaderAnswers;       // as last reported to the listener

    private Producer(
        final ClientTransport transport,
        final boolean ownsTransport,
        final FrameFilter filter,
        final ProducerListener listener,
        final int window,
        final long retryTimeoutNs,
        final long giveUpTimeoutNs)
    {
        this.transport = transport;
        this.ownsTransport = ownsTransport;
        this.frames = (nodeId, type, buffer, offset, length) ->
        {
            if (filter.accept(type))
            {
                onFrame(nodeId, type, buffer, offset, length);
            }
        };
        this.listener = listener;
        this.window = window;
        this.maxEntryBytes = transport.config().maxEntryBytes();
        this.retryTimeoutNs = retryTimeoutNs;
        this.giveUpTimeoutNs = giveUpTimeoutNs;
        // starts at 64 KiB and grows with the bytes really in flight, up to the window of the largest entries
        this.pending = new EntryWindow(window, 64 * 1024,
            (int)Math.min(1L << 30, Math.max(1L << 16, (long)window * (maxEntryBytes + 8))));
        transport.addListener(frames);
    }

    /**
     * Connects and opens a session named {@code name}, waiting up to {@code timeoutNs} for the cluster.
     *
     * @throws RaftlineClientException when no leader opens the session in time
     */
    public static Producer open(
        final ClusterConfig config,
        final String bind,
        final String name,
        final int window,
        final ProducerListener listener,
        final long timeoutNs)
    {
        return open(config, bind, name, window, listener, timeoutNs, type -> true);
    }

    static Producer open(
        final ClusterConfig config,
        final String bind,
        final String name,
        final int window,
        final ProducerListener listener,
        final long timeoutNs,
        final FrameFilter filter)
    {
        checkWindow(window);
        return open(ClientTransport.withOwnDriver(config, bind), true, name, 0, window, listener, timeoutNs,
            timeoutNs, filter);
    }

    /**
     * The one way producers are made: on {@code transport} (a {@link RaftlineClient}'s, shared, or one of its own,
     * closed with it when {@code ownsTransport}); the session (a new one, or session {@code resumeSessionId} carried
     * on) opens within {@code openTimeoutNs}, and an entry unacknowledged for {@code ackTimeoutNs} fails the producer.
     */
    static Producer open(
        final ClientTransport transport,
        final boolean ownsTransport,
        final String name,
        final long resumeSessionId,
        final int window,
        final ProducerListener listener,
        final long openTimeoutNs,
        final long ackTimeoutNs,
        final FrameFilter filter)
    {
        final Producer producer;
        try
        {
            checkWindow(window);
            producer = new Producer(transport, ownsTransport, filter, listener, window,
                Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(ackTimeoutNs / 4, 1)), Math.max(ackTimeoutNs, 1));
        }
        catch (final RuntimeException ex)
        {
            if (ownsTransport)
            {
                transport.close();
            }
            throw ex;
        }
        try
        {
            producer.openSession(name, resumeSessionId, openTimeoutNs);
        }
        catch (final RuntimeException ex)
        {
            producer.close();
            throw ex;
        }
        return producer;
    }

    private static void checkWindow(final int window)
    {
        if (window < 1 || window > OpenSessionFrame.MAX_WINDOW)
        {
            throw new IllegalArgumentException("window " + window + ": 1 to " + OpenSessionFrame.MAX_WINDOW +
                " entries in flight (a leader answers retries of at most that many)");
        }
    }

    private void openSession(final String name, final long resumeSessionId, final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long nextAttemptNs = 0;
        long correlationId = 0;
        while (sessionId == 0)
        {
            final long nowNs = System.nanoTime();
            if (openRefusal == RejectReason.UNKNOWN_SESSION)
            {
                throw new RaftlineClientException.SessionExpiredException("session " + resumeSessionId + " (" + name +
                    ") cannot be resumed: it expired, was closed, or is not of that name or not this credential's");
            }
            if (openRefusal == RejectReason.UNAUTHORISED)
            {
                throw RaftlineClientException.UnauthorisedException.lacking(transport, openRefusalLimit);
            }
            if (openRefusal == RejectReason.WINDOW_TOO_LARGE)
            {
                throw new IllegalArgumentException("window " + window + ": the cluster allows at most " +
                    openRefusalLimit + " for this session");
            }
            if (nowNs > deadlineNs)
            {
                throw new RaftlineClientException.ClusterUnavailableException(
                    "cluster unreachable: no leader opened a session within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms" + transport.unansweredHint());
            }
            if (nowNs >= nextAttemptNs)
            {
                final int target = target();
                if (transport.isConnected(target))
                {
                    correlationId = transport.nextCorrelationId();
                    awaitedOpen = correlationId;
                    transport.send(target, OpenSessionFrame.encode(
                        transport.frame(), 0, transport.clusterHash(), transport.clientId(), correlationId,
                        resumeSessionId, name, window));
                    nextAttemptNs = nowNs + retryTimeoutNs;
                }
            }
            final int work = transport.poll(nowNs, 16);
            if (work == 0 && redirected)
            {
                redirected = false;
                nextAttemptNs = 0; // told where the leader is: ask it at once
            }
            else
            {
                transport.idle(work);
            }
        }
        lastProgressNs = System.nanoTime();
        lastHeardFromLeaderNs = lastProgressNs;
        leaderAnswers = true;
    }

    /** The session's id: keep it to carry the session on after a restart ({@link RaftlineClient#resumeProducer}). */
    public long sessionId()
    {
        return sessionId;
    }

    /**
     * The sequence the next {@link #offer} gets. Of a resumed producer, before its first offer: the one after the
     * session's last committed entry, so an application that kept what it sent knows which of it is committed
     * (sequences below) and sends the rest again, in order, without committing anything twice.
     */
    public long nextSequence()
    {
        return nextSequence;
    }

    /** The node this producer sends to: the leader if known, else its next guess. */
    private int target()
    {
        if (leaderId != 0)
        {
            return leaderId;
        }
        final int[] nodeIds = transport.nodeIds();
        return nodeIds[nextGuess % nodeIds.length];
    }

    private void onLeaderUnknown()
    {
        leaderId = 0;
        nextGuess++;
    }

    /** Entries offered and not yet acknowledged or failed. */
    public int inFlight()
    {
        return pending.size();
    }

    /**
     * Appends an entry; returns its sequence, or {@link #BACK_PRESSURED} when the window is full (poll, then try
     * again). The bytes are copied: the caller may reuse its buffer at once.
     *
     * @throws RaftlineClientException when the producer is closed or failed, or the entry is too large
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            throw new RaftlineClientException.ClosedException(
                failure != null ? "producer failed: " + failure : "producer closed");
        }
        if (length > maxEntryBytes)
        {
            throw new RaftlineClientException.EntryTooLargeException(
                "entry too large: " + length + " bytes > " + maxEntryBytes);
        }
        if (inFlight() >= window)
        {
            return BACK_PRESSURED;
        }
        if (!pending.add(buffer, offset, length))
        {
            return BACK_PRESSURED;
        }
        final long sequence = nextSequence++;
        if (inFlight() == 1)
        {
            lastProgressNs = System.nanoTime();
        }
        return sequence;
    }

    /** Sends, receives and times out; returns the work done (0 lets the caller idle). */
    public int poll()
    {
        final long nowNs = System.nanoTime();
        int work = transport.poll(nowNs, 64);
        if (closed)
        {
            return work;
        }
        work += checkConnection(nowNs);
        if (nowNs >= resendAtNs)
        {
            resendAtNs = Long.MAX_VALUE;
            sentSequence = ackedSequence;
        }
        if (inFlight() > 0 && nowNs - lastProgressNs > giveUpTimeoutNs)
        {
            failAll(true, RaftlineClientException.Reason.TIMEOUT, "timeout: no acknowledgement for " +
                TimeUnit.NANOSECONDS.toMillis(giveUpTimeoutNs) + " ms" +
                (lastRefusal == RejectReason.DISK_FULL ? " (" + lastRefusal.description() + ")" : ""));
            return work + 1;
        }
        if (inFlight() > 0 && nowNs - lastProgressNs > retryTimeoutNs && sentSequence > ackedSequence &&
            nowNs - lastSendNs > retryTimeoutNs)
        {
            // no answer: the leader may be gone; ask the next node and resend all that is not acknowledged
            onLeaderUnknown();
            sentSequence = ackedSequence;
        }
        if (sentSequence < nextSequence - 1)
        {
            work += sendPending(nowNs);
        }
        return work;
    }

    /** Whether a leader answers this producer now (see {@link ProducerListener#onConnectionChanged}). */
    public boolean isConnected()
    {
        return leaderAnswers;
    }

    private int checkConnection(final long nowNs)
    {
        final boolean now = leaderId != 0 && transport.isConnected(leaderId) &&
            nowNs - lastHeardFromLeaderNs < SILENCE_NS;
        if (now == leaderAnswers)
        {
            return 0;
        }
        leaderAnswers = now;
        if (listener != null)
        {
            listener.onConnectionChanged(now, now ? leaderId : 0);
        }
        return 1;
    }

    private int sendPending(final long nowNs)
    {
        final int target = target();
        if (!transport.isConnected(target))
        {
            return 0;
        }
        final MutableDirectBuffer frame = transport.frame();
        final int limit = Math.min(transport.maxFramePayload(target), frame.capacity());
        final long before = sentSequence;
        long sequence = Math.max(sentSequence + 1, pending.firstSequence());
        while (sequence < nextSequence)
        {
            int length = AppendFrame.encodeHeader(frame, 0, transport.clusterHash(), transport.clientId(), sessionId);
            int count = 0;
            while (sequence < nextSequence &&
                (count == 0 || length + AppendFrame.entryLength(pending.length(sequence)) <= limit))
            {
                length = AppendFrame.encodeEntry(frame, length, sequence, pending.buffer(), pending.offset(sequence),
                    pending.length(sequence));
                count++;
                sequence++;
            }
            AppendFrame.finish(frame, 0, length, count);
            if (!transport.send(target, length))
            {
                break; // back-pressure or the node is away: the rest goes on the next poll
            }
            sentSequence = sequence - 1;
        }
        if (sentSequence != before)
        {
            lastSendNs = nowNs;
            return 1;
        }
        return 0;
    }

    private void onFrame(final int nodeId, final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        if (nodeId == leaderId)
        {
            lastHeardFromLeaderNs = System.nanoTime();
        }
        switch (type)
        {
            case ClientMessageType.SESSION_OPENED ->
            {
                if (sessionOpened.wrap(buffer, offset, length) && sessionId == 0 &&
                    sessionOpened.correlationId() == awaitedOpen)
                {
                    sessionId = sessionOpened.sessionId();
                    nextSequence = Math.max(1, sessionOpened.nextSequence());
                    ackedSequence = nextSequence - 1;
                    sentSequence = ackedSequence;
                    pending.startAt(nextSequence);
                    transport.addSession(sessionId);
                    leaderId = nodeId;
                }
            }
            case ClientMessageType.APPEND_ACK ->
            {
                if (ack.wrap(buffer, offset, length) && ack.sessionId() == sessionId)
                {
                    onAck();
                }
            }
            case ClientMessageType.READ_INDEX_RESULT ->
            {
                if (readIndexResult.wrap(buffer, offset, length) && readIndexResult.correlationId() == awaitedRead)
                {
                    readResult = readIndexResult.index();
                    if (readResult < 0)
                    {
                        onLeaderUnknown(); // that node could not serve it: ask another
                    }
                }
            }
            case ClientMessageType.REJECT ->
            {
                if (reject.wrap(buffer, offset, length))
                {
                    onReject(nodeId);
                }
            }
            case ClientMessageType.CONNECTED ->
            {
                if (connected.wrap(buffer, offset, length))
                {
                    onLeaderNews(nodeId, connected.leaderId(), connected.term());
                }
            }
            default ->
            {
                // frames for consumers and readers are not ours
            }
        }
    }

    /**
     * A node says who leads in its term (nodes say so as soon as they learn it): a newer leader than the one this
     * producer sends to gets what is not acknowledged at once, not after a timeout.
     */
    private void onLeaderNews(final int fromNode, final int leader, final long term)
    {
        if (term < leaderTerm)
        {
            return;
        }
        leaderTerm = term;
        if (leader != 0 && leader != leaderId)
        {
            leaderId = leader;
            lastHeardFromLeaderNs = System.nanoTime(); // a new leader gets as long to be heard
            sentSequence = Math.min(sentSequence, ackedSequence);
            redirected = true;
        }
        else if (leader == 0 && fromNode == leaderId)
        {
            onLeaderUnknown(); // the leader itself says it no longer leads
        }
    }

    private void onAck()
    {
        boolean gap = false;
        for (int i = 0, count = ack.count(); i < count; i++)
        {
            final long sequence = ack.sequence(i);
            gap |= sequence > ackedSequence + 1;
            if (sequence == ackedSequence + 1 && sequence < nextSequence)
            {
                pending.removeUpTo(sequence);
                ackedSequence = sequence;
                sentSequence = Math.max(sentSequence, sequence);
                lastProgressNs = System.nanoTime();
                lastRefusal = null;
                if (sequence == awaitedSequence)
                {
                    awaitedIndex = ack.index(i);
                    awaitedTerm = ack.term(i);
                }
                if (listener != null)
                {
                    listener.onCommitted(sequence, ack.index(i), ack.term(i));
                }
            }
        }
        final long nowNs = System.nanoTime();
        if (gap && nowNs - lastGapResendNs > GAP_RESEND_INTERVAL_NS)
        {
            // an acknowledgement was lost (the node drops them under back-pressure): sessions commit in order, so
            // what is unacknowledged below this one is committed; resend it and the leader acknowledges the retries
            lastGapResendNs = nowNs;
            sentSequence = Math.min(sentSequence, ackedSequence);
        }
    }

    private void onReject(final int nodeId)
    {
        final long id = reject.id();
        final long sequence = reject.sequence();
        final RejectReason reason = reject.reason();
        if (sessionId == 0)
        {
            if (id == awaitedOpen && (reason == RejectReason.UNKNOWN_SESSION || reason == RejectReason.WINDOW_TOO_LARGE))
            {
                openRefusal = reason;
                openRefusalLimit = sequence;
            }
            else if (id == awaitedOpen && reason == RejectReason.UNAUTHORISED)
            {
                openRefusal = reason;
                openRefusalLimit = reject.expectedSequence(); // the rights it lacks
            }
            else if (id == awaitedOpen)
            {
                redirectTo(nodeId, reject.leaderId(), reason);
            }
            return;
        }
        if (id != sessionId || reason == RejectReason.COMPACTED ||
            (reason == RejectReason.UNAUTHORISED && (reject.expectedSequence() & ClientCredential.PRODUCE) == 0))
        {
            return; // a consumer's stream of the same number: stream numbers and session ids may meet
        }
        if (reason == null)
        {
            failAll(sequence <= ackedSequence, RaftlineClientException.Reason.REJECTED,
                "rejected: unknown reason " + reject.reasonCode());
            return;
        }
        switch (reason)
        {
            case NOT_LEADER, TRANSFERRING, NOT_READY, DISK_FULL ->
            {
                lastRefusal = reason;
                if (sequence > ackedSequence)
                {
                    redirectTo(nodeId, reject.leaderId(), reason);
                    sentSequence = ackedSequence;
                    if (reason != RejectReason.NOT_LEADER)
                    {
                        resendAtNs = System.nanoTime() + NOT_READY_RETRY_NS;
                        sentSequence = Long.MAX_VALUE / 2; // hold until resendAtNs
                    }
                }
            }
            case OUT_OF_ORDER ->
            {
                // the leader holds everything below expected: resend from there
                final long expected = reject.expectedSequence();
                if (expected > ackedSequence)
                {
                    sentSequence = Math.min(sentSequence, expected - 1);
                }
            }
            case UNKNOWN_SESSION -> failAll(true, RaftlineClientException.Reason.SESSION_EXPIRED,
                "session expired or unknown to the leader");
            case NOT_OWNER -> failAll(false, RaftlineClientException.Reason.UNAUTHORISED, "session " + sessionId +
                " belongs to another credential than '" + transport.credentialName() + "'");
            case UNAUTHORISED -> failAll(false, RaftlineClientException.Reason.UNAUTHORISED,
                RaftlineClientException.UnauthorisedException.lacking(transport, reject.expectedSequence())
                    .getMessage());
            default -> failAll(sequence <= ackedSequence, RaftlineClientException.Reason.REJECTED,
                "rejected: " + reason.description());
        }
    }

    private void redirectTo(final int fromNode, final int leader, final RejectReason reason)
    {
        if (reason == RejectReason.NOT_LEADER)
        {
            if (leader != 0 && leader != fromNode)
            {
                leaderId = leader;
                lastHeardFromLeaderNs = System.nanoTime();
            }
            else
            {
                onLeaderUnknown();
            }
        }
        redirected = true;
    }

    private void failAll(final boolean maybeCommitted, final RaftlineClientException.Reason reason,
        final String message)
    {
        closed = true;
        failure = message;
        failureReason = reason;
        final ProducerListener.Failure why = new ProducerListener.Failure(reason, message);
        if (awaitedSequence > ackedSequence && awaitedSequence < nextSequence)
        {
            awaitedFailure = why;
        }
        for (long sequence = ackedSequence + 1; listener != null && sequence < nextSequence; sequence++)
        {
            listener.onFailed(sequence, maybeCommitted, why);
        }
        ackedSequence = nextSequence - 1;
        pending.removeUpTo(ackedSequence);
    }

    /**
     * A linearizable read point (ReadIndex, Raft thesis §6.4): an index at or above every entry acknowledged before
     * the call, confirmed by the leader with a heartbeat round. Polls while it waits, so acknowledgements flow.
     *
     * @throws RaftlineClientException when no leader answers within {@code timeoutNs}
     */
    public long readIndex(final java.time.Duration timeout)
    {
        return readIndex(timeout.toNanos());
    }

    /** As {@link #readIndex(java.time.Duration)}. */
    public long readIndex(final long timeoutNs)
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long nextAttemptNs = 0;
        readResult = Long.MIN_VALUE;
        while (readResult < 0)
        {
            final long nowNs = System.nanoTime();
            if (nowNs > deadlineNs)
            {
                throw new RaftlineClientException.ClusterUnavailableException(
                    "no read index within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                    " ms");
            }
            if (nowNs >= nextAttemptNs || readResult == READ_FAILED)
            {
                final int target = target();
                readResult = Long.MIN_VALUE;
                if (transport.isConnected(target))
                {
                    awaitedRead = transport.nextCorrelationId();
                    transport.send(target, ReadIndexFrame.encode(
                        transport.frame(), 0, transport.clusterHash(), transport.clientId(), awaitedRead));
                }
                nextAttemptNs = nowNs + retryTimeoutNs / 4;
            }
            transport.idle(poll());
        }
        return readResult;
    }

    /** Where a committed entry is: its sequence, index and term. */
    public record Committed(long sequence, long index, long term)
    {
    }

    /**
     * Appends an entry and waits until it is committed, polling meanwhile (so the listener, if any, hears of
     * earlier entries too): waits through back-pressure, then for the acknowledgement, at most the acknowledgement
     * timeout. The simple way for a caller that appends one entry at a time; {@link #offer} and {@link #poll}
     * pipeline many.
     *
     * @throws RaftlineClientException with the failure's reason ({@code TIMEOUT}: it may still be committed,
     *                                 {@code SESSION_EXPIRED}, {@code REJECTED}), or a {@link #offer} error
     */
    public Committed append(final DirectBuffer buffer, final int offset, final int length)
    {
        long sequence;
        final long offerDeadlineNs = System.nanoTime() + giveUpTimeoutNs;
        while ((sequence = offer(buffer, offset, length)) == BACK_PRESSURED)
        {
            if (System.nanoTime() > offerDeadlineNs)
            {
                throw new RaftlineClientException(RaftlineClientException.Reason.TIMEOUT, "the window stayed full for " +
                    TimeUnit.NANOSECONDS.toMillis(giveUpTimeoutNs) + " ms");
            }
            idle(poll());
        }
        awaitedSequence = sequence;
        awaitedFailure = null;
        while (ackedSequence < sequence && awaitedFailure == null && !closed)
        {
            idle(poll());
        }
        if (ackedSequence >= sequence && awaitedFailure == null)
        {
            return new Committed(sequence, awaitedIndex, awaitedTerm);
        }
        final ProducerListener.Failure why = awaitedFailure;
        throw why != null ? RaftlineClientException.of(why.reason(), why.message()) :
            new RaftlineClientException.ClosedException("producer closed while entry " + sequence + " was in flight");
    }

    /**
     * Polls until every entry offered so far is acknowledged or failed, or {@code timeout} passes; returns whether
     * none is left in flight.
     */
    public boolean flush(final java.time.Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (inFlight() > 0 && !closed && System.nanoTime() < deadlineNs)
        {
            idle(poll());
        }
        return inFlight() == 0;
    }

    /**
     * Waits up to {@code timeout} for the entries in flight ({@link #flush}), then closes; returns whether every
     * entry was acknowledged or failed before the close.
     */
    public boolean close(final java.time.Duration timeout)
    {
        final boolean flushed = flush(timeout);
        close();
        return flushed;
    }

    private void idle(final int work)
    {
        transport.idle(work);
    }

    /** Whether the producer stopped for good (closed, or failed with {@link #failure()}). */
    public boolean isClosed()
    {
        return closed;
    }

    public String failure()
    {
        return failure;
    }

    /** Why the producer failed ({@code TIMEOUT}, {@code SESSION_EXPIRED}, {@code REJECTED}), or null. */
    public RaftlineClientException.Reason failureReason()
    {
        return failureReason;
    }

    /**
     * Closes the session (the leader records it in the log) at once: entries in flight are neither waited for nor
     * failed (see {@link #close(java.time.Duration)}). The client's connection stays for its other users.
     */
    @Override
    public void close()
    {
        if (detached)
        {
            return;
        }
        if (sessionId != 0 && leaderId != 0)
        {
            transport.send(leaderId, CloseSessionFrame.encode(
                transport.frame(), 0, transport.clusterHash(), transport.clientId(), sessionId));
        }
        closed = true;
        detach();
    }

    /** Stops as a crash would: the session is left open on the cluster until it expires (tests resume it). */
    void abandon()
    {
        closed = true;
        detach();
    }

    /** Stops listening, and keeping the session alive; closes the connection if it is the producer's own. */
    private void detach()
    {
        detached = true;
        transport.removeListener(frames);
        transport.removeSession(sessionId);
        if (ownsTransport)
        {
            transport.close();
        }
    }
}
