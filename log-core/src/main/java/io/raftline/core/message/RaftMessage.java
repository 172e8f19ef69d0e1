package io.raftline.core.message;

import io.raftline.core.EntryBatch;

/**
 * One Raft message, mutable and reused: the core fills the ones it sends from a pool, and the runtime fills one
 * per inbound frame. Field meaning depends on {@link #type}; unused fields are zero.
 *
 * <p>An outbound {@link MessageType#APPEND} carries no entry bytes: it names the range
 * {@code index + 1 .. index + entryCount} of the sender's log, and the runtime copies those entries from its log
 * straight into the transport. An inbound one carries them in {@link #entries}.
 */
public final class RaftMessage
{
    public MessageType type;
    public int from;
    public int to;
    /** The identity of the data directory the sender speaks from (a voter counts only from its own). */
    public long identity;
    public long term;
    /**
     * APPEND: prevLogIndex. VOTE, PRE_VOTE: lastLogIndex. APPEND_RESPONSE: match index, or the rejected index.
     * INSTALL_SNAPSHOT: the snapshot's index.
     */
    public long index;
    /** APPEND: prevLogTerm. VOTE, PRE_VOTE: lastLogTerm. INSTALL_SNAPSHOT: the term at the snapshot's index. */
    public long logTerm;
    /** APPEND, HEARTBEAT, INSTALL_SNAPSHOT: the leader's commit index. READ_INDEX_RESPONSE: the read index. */
    public long commitIndex;
    /** Responses: the request was refused. */
    public boolean reject;
    /**
     * APPEND_RESPONSE reject: the follower's log went back below entries it acknowledged (a damaged entry was cut
     * and awaits repair), so the leader's matchIndex for it no longer holds.
     */
    public boolean regressed;
    /** APPEND_RESPONSE reject: the follower's term at the rejected index (0 if it has no entry there). */
    public long rejectHintTerm;
    /** APPEND_RESPONSE reject: where the leader should look next (first index of rejectHintTerm, or lastIndex+1). */
    public long rejectHintIndex;
    /**
     * HEARTBEAT(_RESPONSE): the ReadIndex round. READ_INDEX(_RESPONSE): the request id. INSTALL_SNAPSHOT: the node
     * to fetch the snapshot from.
     */
    public long context;
    /** Every message: the index of the sender's newest snapshot (0: none), so a leader knows who can serve one. */
    public long snapshotIndex;
    /**
     * From a leader: its clock when it sent the message. To a leader: the latest such time of the leader's messages
     * the sender heard before answering, so that the leader's read lease starts when it sent, not when it heard back.
     */
    public long sentAt;
    /** VOTE, PRE_VOTE: sent on a leadership transfer, so a recently heard-from leader does not block it. */
    public boolean transfer;
    /** APPEND: the number of entries. */
    public int entryCount;
    /**
     * Outbound APPEND: what its entries take on the wire, payloads plus the transport's per-entry overhead, as the
     * core measured them against its batch limit; the transport sizes the frame from it.
     */
    public int batchBytes;
    /** Inbound APPEND only: the entries themselves, read in place. Null on outbound messages. */
    public EntryBatch entries;

    public RaftMessage reset()
    {
        type = null;
        from = 0;
        to = 0;
        identity = 0;
        term = 0;
        index = 0;
        logTerm = 0;
        commitIndex = 0;
        reject = false;
        regressed = false;
        rejectHintTerm = 0;
        rejectHintIndex = 0;
        context = 0;
        snapshotIndex = 0;
        sentAt = 0;
        transfer = false;
        entryCount = 0;
        batchBytes = 0;
        entries = null;
        return this;
    }

    /** Copies every field but the entries. */
    public RaftMessage copyFrom(final RaftMessage other)
    {
        type = other.type;
        from = other.from;
        to = other.to;
        identity = other.identity;
        term = other.term;
        index = other.index;
        logTerm = other.logTerm;
        commitIndex = other.commitIndex;
        reject = other.reject;
        regressed = other.regressed;
        rejectHintTerm = other.rejectHintTerm;
        rejectHintIndex = other.rejectHintIndex;
        context = other.context;
        snapshotIndex = other.snapshotIndex;
        sentAt = other.sentAt;
        transfer = other.transfer;
        entryCount = other.entryCount;
        batchBytes = other.batchBytes;
        entries = null;
        return this;
    }

    @Override
    public String toString()
    {
        return type + " " + from + "->" + to + " term=" + term + " index=" + index + " logTerm=" + logTerm +
            " commit=" + commitIndex + (reject ? " REJECT hint=" + rejectHintIndex + "/" + rejectHintTerm : "") +
            (regressed ? " regressed" : "") +
            (context != 0 ? " ctx=" + context : "") + (snapshotIndex != 0 ? " snapshot=" + snapshotIndex : "") +
            (sentAt != 0 ? " sentAt=" + sentAt : "") +
            (transfer ? " transfer" : "") +
            (entryCount != 0 ? " entries=" + entryCount : "");
    }
}
