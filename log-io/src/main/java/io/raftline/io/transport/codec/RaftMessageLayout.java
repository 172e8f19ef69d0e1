package io.raftline.io.transport.codec;

/**
 * The body of every Raft peer message, after the {@link FrameHeader}. Little-endian; the header's type is the
 * {@link io.raftline.core.message.MessageType} code. Fields a type does not use are zero.
 *
 * <pre>
 *  offset (from the frame start)
 *   24 | term                 i64 |
 *   32 | index                i64 |  APPEND: prevLogIndex; votes: lastLogIndex; APPEND_RESPONSE: match/rejected
 *   40 | logTerm              i64 |  APPEND: prevLogTerm; votes: lastLogTerm
 *   48 | commitIndex          i64 |  APPEND, HEARTBEAT: leader commit; READ_INDEX_RESPONSE: read index
 *   56 | rejectHintTerm       i64 |
 *   64 | rejectHintIndex      i64 |
 *   72 | context              i64 |  ReadIndex round or request id
 *   80 | flags                i32 |  bit 0: reject, bit 1: transfer
 *   84 | entryCount           i32 |  APPEND only
 *   88 | entries (APPEND only), each:
 *        +0  term      i64
 *        +8  sessionId i64
 *        +16 sequence  i64
 *        +24 type      i32
 *        +28 length    i32
 *        +32 payload   (length bytes, no padding: the next entry follows at once)
 * </pre>
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
    public static final int FLAGS_OFFSET = CONTEXT_OFFSET + 8;
    public static final int ENTRY_COUNT_OFFSET = FLAGS_OFFSET + 4;
    /** The whole frame of every message but APPEND; APPEND's entries start here. */
    public static final int MESSAGE_LENGTH = ENTRY_COUNT_OFFSET + 4;

    public static final int FLAG_REJECT = 1;
    public static final int FLAG_TRANSFER = 2;

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
