package io.raftline.protocol.client;

/** Why a node refused a client's request: the REJECT frame's reason code. Sent on the wire: never reuse a code. */
public enum RejectReason
{
    /** This node does not lead; the frame names the leader it knows, if any. */
    NOT_LEADER(1, "not the leader"),
    /** A sequence beyond the next one the leader expects: the producer resends from the expected sequence. */
    OUT_OF_ORDER(2, "out of order"),
    /** The session is unknown to the leader: it expired or was closed. */
    UNKNOWN_SESSION(3, "unknown session"),
    /** The entry is larger than the cluster's {@code client.entry.max.bytes}. */
    TOO_LARGE(4, "entry too large"),
    /** The node does not know this client (it restarted): connect again. */
    NOT_CONNECTED(5, "client not connected"),
    /** Leadership is being handed over: retry shortly, at the new leader. */
    TRANSFERRING(6, "leadership transfer in progress"),
    /** A new leader that has not yet applied its log up to its own term: retry shortly. */
    NOT_READY(7, "leader not ready yet"),
    /**
     * A tail from an index the node no longer holds (a snapshot holds the state before its log's start): the
     * frame's sequence is the index asked for, its expected sequence the first index held.
     */
    COMPACTED(8, "compacted"),
    /** A producer window larger than the leader can answer retries for: its sequence field is the largest allowed. */
    WINDOW_TOO_LARGE(9, "producer window too large"),
    /** The leader's disk is below its reserve: retry; appends are taken again once space returns. */
    DISK_FULL(10, "the leader's disk is full"),
    /**
     * The client's credential lacks the right the request needs: its expected sequence field is the right's bit
     * ({@code ClientCredential.PRODUCE}, {@code CONSUME}, {@code ADMIN}).
     */
    UNAUTHORISED(11, "not allowed to the client's credential"),
    /** The session was opened by a client of another credential: only its own may append to it or close it. */
    NOT_OWNER(12, "the session belongs to another credential");

    private static final RejectReason[] BY_CODE = new RejectReason[13];

    static
    {
        for (final RejectReason reason : values())
        {
            BY_CODE[reason.code] = reason;
        }
    }

    private final int code;
    private final String description;

    RejectReason(final int code, final String description)
    {
        this.code = code;
        this.description = description;
    }

    public int code()
    {
        return code;
    }

    public String description()
    {
        return description;
    }

    /** The reason for a wire code, or null when the code is unknown. */
    public static RejectReason ofCode(final int code)
    {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Whether the request may succeed at the same or another node later. */
    public boolean isRetriable()
    {
        return this == NOT_LEADER || this == TRANSFERRING || this == NOT_READY || this == NOT_CONNECTED ||
            this == DISK_FULL;
    }
}
