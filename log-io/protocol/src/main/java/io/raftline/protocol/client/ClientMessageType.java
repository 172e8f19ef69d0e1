package io.raftline.protocol.client;

/**
 * Frame types of the client protocol, spoken between producers, consumers and tools on one side and nodes on the
 * other. Codes 32..63 of the common frame header; sent on the wire: never reuse one.
 */
public final class ClientMessageType
{
    /** Client → node: here is where to send my replies. */
    public static final int CONNECT = 32;
    /** Node → client: the node's view of the cluster (leader, term, commit index, ...). */
    public static final int CONNECTED = 33;
    /** Producer → leader: open a session under a name. */
    public static final int OPEN_SESSION = 34;
    public static final int SESSION_OPENED = 35;
    /** Producer → leader: entries of one session, consecutive sequences. */
    public static final int APPEND = 36;
    /** Leader → producer: these sequences are committed at these indexes. */
    public static final int APPEND_ACK = 37;
    /** Node → producer: an append or request was refused (not leader, out of order, unknown session...). */
    public static final int REJECT = 38;
    /** Client → node: what is committed as of now? (ReadIndex, Raft thesis §6.4). */
    public static final int READ_INDEX = 39;
    public static final int READ_INDEX_RESULT = 40;
    /** Consumer → node: stream committed entries from an index, with this much credit. */
    public static final int TAIL = 41;
    /** Node → consumer: committed entries, in index order. */
    public static final int TAIL_ENTRIES = 42;
    /** Consumer → node: more credit. */
    public static final int TAIL_CREDIT = 43;
    /** Node → consumer: the name of a session, sent before its first entry in a stream. */
    public static final int SESSION_NAME = 44;
    /** Producer → leader: the session is finished. */
    public static final int CLOSE_SESSION = 45;
    /** Client → node: forget me. */
    public static final int DISCONNECT = 46;
    /** Operator → leader (or any node, to list members): change the configuration, hand over leadership. */
    public static final int ADMIN_REQUEST = 47;
    /** Node → operator: how the request ended, with the configuration in force. */
    public static final int ADMIN_RESULT = 48;

    public static final int MIN = CONNECT;
    public static final int MAX = ADMIN_RESULT;

    private ClientMessageType()
    {
    }

    /** Whether clients send this type to nodes (every such frame starts with the client's id). */
    public static boolean isRequest(final int type)
    {
        return switch (type)
        {
            case CONNECT, OPEN_SESSION, APPEND, READ_INDEX, TAIL, TAIL_CREDIT, CLOSE_SESSION, DISCONNECT, ADMIN_REQUEST ->
                true;
            default -> false;
        };
    }

    public static boolean isClientType(final int type)
    {
        return type >= MIN && type <= MAX;
    }
}
