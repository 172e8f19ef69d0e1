package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

/**
 * TAIL, consumer → node: stream committed entries from an index, with this much credit.
 * <pre>
 * | clientId i64 | from index i64 | credit (entries) i64 | flags i32 | stream i32 | consumer i32 |
 * </pre>
 * {@code from}: {@link #FROM_FIRST}, {@link #FROM_NOW} or an index. {@code stream}: the client's number for this
 * request, echoed in every frame of the stream, so that frames of an earlier stream are told apart.
 * {@code consumer}: which of the client's consumers asks; its new stream replaces its earlier one, and
 * {@link #END} ends it.
 */
public final class TailFrame extends ClientFrame
{
    public static final int LENGTH = BODY + 36;
    /** {@link #fromIndex()}: the first entry the node still holds. */
    public static final long FROM_FIRST = 0;
    /** {@link #fromIndex()}: only entries committed from now on. */
    public static final long FROM_NOW = Long.MAX_VALUE;
    /** Flag: also stream Raft's own entries (no-ops, configurations, sessions). */
    public static final int ALL = 1;
    /** Flag: stop streaming to this consumer (it was closed); the other fields are ignored. */
    public static final int END = 2;
    private static final int CLIENT_ID = BODY;
    private static final int FROM = BODY + 8;
    private static final int CREDIT = BODY + 16;
    private static final int FLAGS = BODY + 24;
    private static final int STREAM = BODY + 28;
    private static final int CONSUMER = BODY + 32;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long fromIndex, final long credit, final int flags, final int stream, final int consumer)
    {
        header(buffer, offset, ClientMessageType.TAIL, clusterHash, 0, LENGTH);
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + FROM, fromIndex, ORDER);
        buffer.putLong(offset + CREDIT, credit, ORDER);
        buffer.putInt(offset + FLAGS, flags, ORDER);
        buffer.putInt(offset + STREAM, stream, ORDER);
        buffer.putInt(offset + CONSUMER, consumer, ORDER);
        return LENGTH;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    public long fromIndex()
    {
        return longAt(FROM);
    }

    public long credit()
    {
        return longAt(CREDIT);
    }

    public int stream()
    {
        return intAt(STREAM);
    }

    public int consumer()
    {
        return intAt(CONSUMER);
    }

    public boolean isEnd()
    {
        return (intAt(FLAGS) & END) != 0;
    }

    public boolean all()
    {
        return (intAt(FLAGS) & ALL) != 0;
    }

    @Override
    protected int minLength()
    {
        return LENGTH;
    }
}
