package io.raftline.protocol.client;

import io.raftline.core.quorum.ConfigurationCodec;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * ADMIN_REQUEST, operator → leader: change the configuration, hand over leadership, or (any node) list members.
 * A request repeated with the same correlation id is the same request: it is carried out once.
 * <pre>
 * | clientId i64 | correlationId i64 | operation i32 | nodeId i32 | timeout ms i32 | pad i32 |
 * | endpoint length i32 | pad i32 | endpoint (ASCII), padded to 8 |
 * </pre>
 * The timeout bounds how long a promotion may wait for its learner to catch up (0: the leader's own bound).
 */
public final class AdminRequestFrame extends ClientFrame
{
    private static final int CLIENT_ID = BODY;
    private static final int CORRELATION_ID = BODY + 8;
    private static final int OPERATION = BODY + 16;
    private static final int NODE_ID = BODY + 20;
    private static final int TIMEOUT_MS = BODY + 24;
    private static final int ENDPOINT = BODY + 32;

    /** {@code endpoint} may be empty: only ADD_LEARNER needs one. */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final AdminOperation operation, final int nodeId, final int timeoutMs,
        final String endpoint)
    {
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putInt(offset + OPERATION, operation.code(), ORDER);
        buffer.putInt(offset + NODE_ID, nodeId, ORDER);
        buffer.putInt(offset + TIMEOUT_MS, timeoutMs, ORDER);
        buffer.putInt(offset + TIMEOUT_MS + 4, 0, ORDER);
        final int length = putString(buffer, offset + ENDPOINT, endpoint.getBytes(StandardCharsets.US_ASCII)) - offset;
        header(buffer, offset, ClientMessageType.ADMIN_REQUEST, clusterHash, 0, length);
        return length;
    }

    public long clientId()
    {
        return longAt(CLIENT_ID);
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    /** The operation, or null for a code this build does not know. */
    public AdminOperation operation()
    {
        return AdminOperation.ofCode(intAt(OPERATION));
    }

    public int nodeId()
    {
        return intAt(NODE_ID);
    }

    /** How long a promotion may wait for its learner, in milliseconds; 0: no bound but the leader's. */
    public int timeoutMs()
    {
        return intAt(TIMEOUT_MS);
    }

    /** The endpoint given, or null when none was. */
    public String endpoint()
    {
        return intAt(ENDPOINT) == 0 ? null : stringAt(ENDPOINT);
    }

    @Override
    protected int minLength()
    {
        return ENDPOINT + 8;
    }

    @Override
    protected boolean isBodyValid()
    {
        return operation() != null && nodeId() >= 0 && timeoutMs() >= 0 &&
            (intAt(ENDPOINT) == 0 || isStringValid(ENDPOINT, ConfigurationCodec.MAX_ENDPOINT_BYTES));
    }
}
