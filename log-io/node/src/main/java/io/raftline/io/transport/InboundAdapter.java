package io.raftline.io.transport;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.core.message.RaftMessage;
import io.raftline.protocol.client.ClientMessageType;
import io.raftline.protocol.DecodeResult;
import io.raftline.protocol.FrameHeader;
import io.raftline.protocol.security.FrameAuthenticator;
import io.raftline.io.transport.codec.RaftMessageDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Polls the node's one inbound subscription, reassembles fragmented frames, validates and decodes them in place,
 * and hands Raft messages addressed to this node to it, and client frames to its client side. A malformed frame,
 * or one from another cluster or for another node, is dropped and counted, and logged at most once per
 * {@link #LOG_INTERVAL_NS}. With authentication on, a frame of another node that does not carry a valid code and a
 * fresh stamp under the cluster's keys is refused and counted before anything else of it is read (clients'
 * frames have their own rules). Whether a message's sender belongs to the cluster is the core's rule, not this one's.
 */
public final class InboundAdapter implements FragmentHandler, AutoCloseable
{
    /** What the adapter delivers. */
    public interface Listener
    {
        /** A valid message from a member, addressed to this node; an APPEND's entries are valid during the call. */
        void onRaftMessage(RaftMessage message);

        /**
         * A client protocol frame whose header is valid; its body is checked by the receiver's flyweight. Returns
         * false when the body is malformed, and the frame is counted as such.
         */
        boolean onClientFrame(int type, DirectBuffer buffer, int offset, int length, boolean signed);

        /**
         * A snapshot transfer frame (a chunk, or a request for one) whose header is valid. Returns false when the
         * body is malformed or not addressed to this node, and the frame is counted as such.
         */
        boolean onSnapshotFrame(int type, DirectBuffer buffer, int offset, int length);
    }

    /** Makes the adapter once its listener exists. */
    @FunctionalInterface
    public interface Factory
    {
        InboundAdapter create(Listener listener);
    }

    private static final Logger LOG = LoggerFactory.getLogger(InboundAdapter.class);
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);

    private final int selfId;
    private final long clusterHash;
    private final Subscription subscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this);
    private final RaftMessageDecoder decoder;
    private final RaftMessage message = new RaftMessage();
    private final TransportCounters counters;
    private final Listener listener;
    private final FrameAuthenticator authenticator;     // null: authentication off
    private long lastLogNs = Long.MIN_VALUE / 2;
    private long malformedAtLastLog;
    private long lastAuthLogNs = Long.MIN_VALUE / 2;
    private long refusedAtLastLog;

    public InboundAdapter(
        final int selfId,
        final long clusterHash,
        final Subscription subscription,
        final TransportCounters counters,
        final FrameAuthenticator authenticator,
        final Listener listener)
    {
        this.selfId = selfId;
        this.authenticator = authenticator;
        this.decoder = new RaftMessageDecoder(RaftMessageDecoder.DEFAULT_INDEXED_ENTRIES_MAX, authenticator != null);
        this.clusterHash = clusterHash;
        this.subscription = subscription;
        this.counters = counters;
        this.listener = listener;
    }

    public int poll(final int fragmentLimit)
    {
        return subscription.poll(assembler, fragmentLimit);
    }

    @Override
    public void onFragment(final DirectBuffer buffer, final int offset, final int received, final Header header)
    {
        final int type = received >= FrameHeader.LENGTH ? FrameHeader.type(buffer, offset) : 0;
        final boolean client = ClientMessageType.isClientType(type);
        int length = received;
        if (authenticator != null && !client)
        {
            // a node's frame: nothing of it is read before its code and stamp are checked
            final int verdict = authenticator.verify(buffer, offset, received);
            if (verdict != FrameAuthenticator.OK)
            {
                onRefused(verdict, received);
                return;
            }
            length = received - FrameAuthenticator.TRAILER_LENGTH;
        }
        // a client's frame signed with its credential: its trailer follows, checked by the client side
        final boolean clientSigned = client && received >= FrameHeader.LENGTH + FrameAuthenticator.TRAILER_LENGTH &&
            (FrameHeader.flags(buffer, offset) & FrameHeader.AUTHENTICATED) != 0;
        if (clientSigned)
        {
            length = received - FrameAuthenticator.TRAILER_LENGTH;
        }
        if (client || (type >= FrameHeader.SNAPSHOT_TYPE_MIN && type <= FrameHeader.SNAPSHOT_TYPE_MAX))
        {
            final int headerResult = FrameHeader.validate(buffer, offset, length, clusterHash,
                client ? clientSigned : authenticator != null);
            if (headerResult != FrameHeader.VALID)
            {
                onMalformed(DecodeResult.describe(headerResult), length);
                return;
            }
            if (client ? !listener.onClientFrame(type, buffer, offset, length, clientSigned) :
                !listener.onSnapshotFrame(type, buffer, offset, length))
            {
                onMalformed("malformed " + (client ? "client" : "snapshot") + " frame of type " + type, length);
            }
            return;
        }
        final int result = decoder.decode(buffer, offset, length, clusterHash, message.reset());
        if (result != DecodeResult.OK)
        {
            onMalformed(DecodeResult.describe(result), length);
            return;
        }
        if (message.from == selfId)
        {
            onMalformed("sent by this node itself", length);
            return;
        }
        if (message.to != selfId)
        {
            onMalformed("addressed to node " + message.to, length);
            return;
        }
        counters.onReceived(message.type, message.entryCount, length);
        listener.onRaftMessage(message);
    }

    private void onRefused(final int verdict, final int length)
    {
        final long total = counters.onUnauthenticated();
        final long nowNs = System.nanoTime();
        if (nowNs - lastAuthLogNs >= LOG_INTERVAL_NS)
        {
            LOG.warn("refused a frame of {} bytes: {} ({} refused since the last report, {} in all)",
                length, FrameAuthenticator.describe(verdict), total - refusedAtLastLog, total);
            lastAuthLogNs = nowNs;
            refusedAtLastLog = total;
        }
    }

    private void onMalformed(final String reason, final int length)
    {
        final long total = counters.onMalformed();
        final long nowNs = System.nanoTime();
        if (nowNs - lastLogNs >= LOG_INTERVAL_NS)
        {
            LOG.warn("dropped a frame of {} bytes: {} ({} dropped since the last report, {} in all)",
                length, reason, total - malformedAtLastLog, total);
            lastLogNs = nowNs;
            malformedAtLastLog = total;
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(subscription);
    }
}
