package io.raftline.io.transport.codec;

import io.raftline.protocol.FrameHeader;

/**
 * The layout of a Raft peer frame: a {@link FrameHeader} whose type is the
 * {@link io.raftline.core.message.MessageType} code and whose sender is {@code RaftMessage.from}, then one fixed
 * body for every type (fields a type does not use are zero), then, for APPEND only, the entries. Little-endian.
 * One body for all types costs a heartbeat some 50 bytes but keeps one encoder, one decoder and one test matrix.
 *
 * <pre>
 *   0                               4                               8
 *   +-------------------------------+-------------------------------+
 *   |                 frame header (see FrameHeader)                |  0
 *   |                                                               |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   | term                                                          | 24
 *   +---------------------------------------------------------------+
 *   | index: APPEND prevLogIndex; votes lastLogIndex;               | 32
 *   |        APPEND_RESPONSE match or rejected index                |
 *   +---------------------------------------------------------------+
 *   | logTerm: APPEND prevLogTerm; votes lastLogTerm                | 40
 *   +---------------------------------------------------------------+
 *   | commitIndex: APPEND, HEARTBEAT leader commit;                 | 48
 *   |              READ_INDEX_RESPONSE read index (-1 on reject)    |
 *   +---------------------------------------------------------------+
 *   | rejectHintTerm                                                | 56
 *   +---------------------------------------------------------------+
 *   | rejectHintIndex                                               | 64
 *   +---------------------------------------------------------------+
 *   | context: ReadIndex round or request id (any value)            | 72
 *   +-------------------------------+-------------------------------+
 *   | to (receiver node id)         | entryCount (APPEND only)      | 80
 *   +-------+-------+---------------+-------------------------------+
 *   |reject |transf.|regr.  | zero  | zero (u32)                    | 88   reject, transfer, regressed: 0 or 1
 *   +-------+-------+---------------+-------------------------------+
 *   | identity of the sender's data directory                       | 96   a voter counts only from its own
 *   +---------------------------------------------------------------+
 *   | snapshotIndex: the sender's newest snapshot (0: none)         | 104  a laggard may fetch it there
 *   +---------------------------------------------------------------+
 *   | sentAt: a leader's clock when it sent; echoed in answers      | 112  the leader's read lease starts there
 *   +---------------------------------------------------------------+ 120  = MESSAGE_LENGTH = APPEND_HEADER_LENGTH
 *
 *   INSTALL_SNAPSHOT: index and logTerm are the snapshot's, context the node to fetch it from.
 *   APPEND: entryCount entries follow at 120, back to back:
 *   +---------------------------------------------------------------+
 *   | term                                                          | +0
 *   +---------------------------------------------------------------+
 *   | sessionId                                                     | +8
 *   +---------------------------------------------------------------+
 *   | sequence                                                      | +16
 *   +-------------------------------+-------------------------------+
 *   | type (EntryType)              | payload length                | +24
 *   +-------------------------------+-------------------------------+
 *   | payload (payload length bytes) ...                            | +32 = ENTRY_HEADER_LENGTH
 *   +---------------------------------------------------------------+
 *   the next entry starts right after the payload: no padding.
 * </pre>
 *
 * Entries are not padded to 8 bytes so that an APPEND's length depends only on its entry count and total payload
 * ({@link RaftMessageEncoder#appendFrameLength}): the sender must know it before claiming space in the
 * publication, without a second pass over the entries. Unaligned reads cost nothing measurable on x86-64 and
 * AArch64.
 */
public final class RaftMessageLayout
{
    public static final int TERM_OFFSET = FrameHeader.LENGTH;
    public static final int INDEX_OFFSET = TERM_OFFSET + 8;
    public static final int LOG_TERM_OFFSET = INDEX_OFFSET + 8;
    public static final int COMMIT_INDEX_OFFSET = LOG_TERM_OFFSET + 8;
    public static final int HINT_TERM_OFFSET = COMMIT_INDEX_OFFSET + 8;
    public static final int HINT_INDEX_OFFSET = HINT_TERM_OFFSET + 8;
    public static final int CONTEXT_OFFSET = HINT_INDEX_OFFSET + 8;
    public static final int TO_OFFSET = CONTEXT_OFFSET + 8;
    public static final int ENTRY_COUNT_OFFSET = TO_OFFSET + 4;
    public static final int REJECT_OFFSET = ENTRY_COUNT_OFFSET + 4;
    public static final int TRANSFER_OFFSET = REJECT_OFFSET + 1;
    /** APPEND_RESPONSE rejections only: the follower's log went back below what it acknowledged. */
    public static final int REGRESSED_OFFSET = TRANSFER_OFFSET + 1;
    /** A zero byte then four, keeping the entries 8-byte aligned from the frame start. */
    public static final int PADDING_BYTE_OFFSET = REGRESSED_OFFSET + 1;
    public static final int PADDING_INT_OFFSET = PADDING_BYTE_OFFSET + 1;
    /** The identity of the data directory the sender speaks from. */
    public static final int IDENTITY_OFFSET = PADDING_INT_OFFSET + 4;
    /** The sender's newest snapshot index. */
    public static final int SNAPSHOT_INDEX_OFFSET = IDENTITY_OFFSET + 8;
    /** A leader's clock when it sent the message, or the latest of those its answer echoes. */
    public static final int SENT_AT_OFFSET = SNAPSHOT_INDEX_OFFSET + 8;
    /** The whole frame of every message but APPEND; APPEND's entries start here. */
    public static final int MESSAGE_LENGTH = SENT_AT_OFFSET + 8;

    public static final int ENTRY_TERM_OFFSET = 0;
    public static final int ENTRY_SESSION_OFFSET = 8;
    public static final int ENTRY_SEQUENCE_OFFSET = 16;
    public static final int ENTRY_TYPE_OFFSET = 24;
    public static final int ENTRY_LENGTH_OFFSET = 28;
    public static final int ENTRY_HEADER_LENGTH = 32;

    private RaftMessageLayout()
    {
    }
}
