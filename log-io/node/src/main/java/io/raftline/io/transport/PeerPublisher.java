package io.raftline.io.transport;

import io.aeron.Publication;
import io.aeron.logbuffer.BufferClaim;
import io.raftline.core.message.MessageType;
import io.raftline.core.message.RaftMessage;
import io.raftline.io.storage.LogCursor;
import io.raftline.io.transport.codec.RaftMessageEncoder;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Sends Raft messages to one peer over its Aeron publication. An AppendEntries is encoded in place: entries are
 * copied from the mapped log straight into the publication's term buffer ({@code tryClaim}), or, when another
 * follower was sent the same batch, copied as that one encoded them ({@link SharedBatches}); only a frame larger
 * than one Aeron frame is assembled apart and fragmented by {@code offer}. With authentication on, every frame is
 * signed where it was encoded (its trailer written after it) just before it is committed.
 *
 * <p>Back-pressure is not an error: the message waits in a bounded queue, in order, and {@link #retry} sends it
 * later. When the queue is full, or the peer is not connected, the message is dropped and counted; Raft recovers
 * from a lost message by itself (heartbeats and probes resend what is missing).
 */
public final class PeerPublisher implements AutoCloseable
{
    private final int peerId;
    private final Publication publication;
    private final RaftMessageEncoder encoder;
    private final long clusterHash;
    private final LogCursor cursor;
    private final TransportCounters counters;
    private final FrameAuthenticator signer;   // null: authentication off
    private final SharedBatches batches;       // shared with the other publishers of the node
    private final byte[] digest = new byte[FrameAuthenticator.DIGEST_LENGTH];
    private final int trailerLength;
    private final BufferClaim claim = new BufferClaim();
    private final ExpandableDirectByteBuffer largeFrame = new ExpandableDirectByteBuffer(64 * 1024);
    private final RaftMessage[] pending;
    private int pendingHead;
    private int pendingSize;

    public PeerPublisher(
        final int peerId,
        final Publication publication,
        final RaftMessageEncoder encoder,
        final long clusterHash,
        final LogCursor cursor,
        final TransportCounters counters,
        final FrameAuthenticator signer,
        final SharedBatches batches,
        final int maxPending)
    {
        this.signer = signer;
        this.batches = batches;
        this.trailerLength = signer == null ? 0 : FrameAuthenticator.TRAILER_LENGTH;
        this.peerId = peerId;
        this.publication = publication;
        this.encoder = encoder;
        this.clusterHash = clusterHash;
        this.cursor = cursor;
        this.counters = counters;
        this.pending = new RaftMessage[maxPending];
        for (int i = 0; i < maxPending; i++)
        {
            pending[i] = new RaftMessage();
        }
    }

    public int peerId()
    {
        return peerId;
    }

    public boolean isConnected()
    {
        return publication.isConnected();
    }

    /** Sends the message now, or queues it behind earlier ones that met back-pressure. */
    public void send(final RaftMessage message)
    {
        if (pendingSize > 0 || !trySend(message))
        {
            enqueue(message);
        }
    }

    /** Offers a frame (signed, if frames are), after nothing that waits; returns whether the publication took it. */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (pendingSize != 0)
        {
            return false;
        }
        if (signer == null)
        {
            return publication.offer(buffer, offset, length) > 0;
        }
        largeFrame.putBytes(0, buffer, offset, length);
        largeFrame.checkLimit(length + trailerLength);
        return publication.offer(largeFrame, 0, signer.sign(largeFrame, 0, length)) > 0;
    }

    /** Whether an AppendEntries that waited may still be sent: the core's judgement, not the transport's. */
    @FunctionalInterface
    public interface AppendValidity
    {
        boolean isCurrent(RaftMessage append);
    }

    /** Sends what waited, in order, while the publication takes it; AppendEntries the core no longer wants go. */
    public int retry(final AppendValidity validity)
    {
        int sent = 0;
        while (pendingSize > 0)
        {
            final RaftMessage message = pending[pendingHead];
            if (message.type == MessageType.APPEND && !validity.isCurrent(message))
            {
                counters.onDropped();
            }
            else if (!trySend(message))
            {
                break;
            }
            pendingHead = (pendingHead + 1) % pending.length;
            pendingSize--;
            sent++;
        }
        return sent;
    }

    public int pendingCount()
    {
        return pendingSize;
    }

    private void enqueue(final RaftMessage message)
    {
        if (pendingSize == pending.length)
        {
            counters.onDropped();
            return;
        }
        pending[(pendingHead + pendingSize) % pending.length].copyFrom(message);
        pendingSize++;
    }

    /** Returns false when the message must wait (back-pressure); true when it was sent or deliberately dropped. */
    private boolean trySend(final RaftMessage message)
    {
        final int length = message.type == MessageType.APPEND ? appendLength(message) : encoder.encodedLength(message);
        final long result;
        if (length + trailerLength <= publication.maxPayloadLength())
        {
            result = publication.tryClaim(length + trailerLength, claim);
            if (result > 0)
            {
                if (encodeInto(message, claim.buffer(), claim.offset()))
                {
                    sign(message, claim.buffer(), claim.offset(), length);
                    claim.commit();
                }
                else
                {
                    claim.abort();
                    counters.onDropped();
                    return true;
                }
            }
        }
        else
        {
            if (!encodeInto(message, largeFrame, 0))
            {
                counters.onDropped();
                return true;
            }
            largeFrame.checkLimit(length + trailerLength);
            sign(message, largeFrame, 0, length);
            result = publication.offer(largeFrame, 0, length + trailerLength);
        }
        return onResult(message, length + trailerLength, result);
    }

    /** Signs the encoded frame; a batch's entries are hashed once for all the followers it goes to. */
    private void sign(final RaftMessage message, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (signer == null)
        {
            return;
        }
        if (message.type != MessageType.APPEND || message.entryCount == 0)
        {
            signer.sign(buffer, offset, length);
            return;
        }
        final long firstIndex = message.index + 1;
        if (!batches.findDigest(message.term, firstIndex, message.entryCount, digest))
        {
            signer.bodyDigest(buffer, offset, length, digest);
            batches.putDigest(message.term, firstIndex, message.entryCount, digest);
        }
        signer.sign(buffer, offset, length, digest);
    }

    private boolean onResult(final RaftMessage message, final int length, final long result)
    {
        if (result > 0)
        {
            counters.onSent(message.type, message.entryCount, length);
            return true;
        }
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
        {
            counters.onBackPressure();
            return false;
        }
        // NOT_CONNECTED, CLOSED, MAX_POSITION_EXCEEDED: the peer is away; Raft resends once it is back
        counters.onNotConnected();
        return true;
    }

    /** The core measured the entries when it sized the batch: the frame is its header and those bytes. */
    private static int appendLength(final RaftMessage append)
    {
        return RaftMessageEncoder.APPEND_HEADER_LENGTH + append.batchBytes;
    }

    private boolean encodeInto(final RaftMessage message, final MutableDirectBuffer buffer, final int offset)
    {
        if (message.type != MessageType.APPEND)
        {
            encoder.encode(message, clusterHash, buffer, offset);
            return true;
        }
        final int end = offset + appendLength(message);
        if (buffer == largeFrame)
        {
            largeFrame.checkLimit(end);
        }
        final int entriesOffset = offset + encoder.encodeAppendHeader(message, clusterHash, buffer, offset);
        final long firstIndex = message.index + 1;
        if (message.entryCount > 0 && batches.copyEntries(message.term, firstIndex, message.entryCount, buffer,
            entriesOffset, end - entriesOffset))
        {
            encoder.finishAppend(buffer, offset, end - offset, message.entryCount);
            return true;
        }
        int position = entriesOffset;
        if (message.entryCount > 0 && !cursor.seek(firstIndex))
        {
            return false;
        }
        for (int i = 0; i < message.entryCount; i++)
        {
            if (!cursor.next())
            {
                return false;
            }
            if (position + RaftMessageEncoder.ENTRY_OVERHEAD + cursor.payloadLength() > end)
            {
                throw new IllegalStateException("AppendEntries to " + peerId + " outgrows the " + message.batchBytes +
                    " entry bytes the core measured: its entry overhead must be the encoder's");
            }
            position = encoder.encodeEntry(buffer, position, cursor.term(), cursor.type(), cursor.sessionId(),
                cursor.sequence(), cursor.buffer(), cursor.payloadOffset(), cursor.payloadLength());
        }
        if (position != end)
        {
            throw new IllegalStateException("AppendEntries to " + peerId + " took " + (position - offset) +
                " bytes, not the " + (end - offset) + " the core measured");
        }
        encoder.finishAppend(buffer, offset, position - offset, message.entryCount);
        if (message.entryCount > 0)
        {
            batches.keepEntries(message.term, firstIndex, message.entryCount, buffer, entriesOffset,
                position - entriesOffset);
        }
        return true;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(publication, cursor);
    }
}
