package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * CONNECT, client → node: here is where to send my replies. Repeated until answered, then as a keep-alive, which
 * also keeps the client's producer session (0: none) from being taken for idle on a leader it has sent nothing to.
 * <pre>
 * | clientId i64 | correlationId i64 | sessionId i64 | endpoint length i32 | pad i32 | endpoint (ASCII), padded to 8 |
 * </pre>
 */
public final class ConnectFrame extends ClientFrame
{
    public static final int MAX_ENDPOINT_BYTES = 64;
    private static final int CLIENT_ID = BODY;
    private static final int CORRELATION_ID = BODY + 8;
    private static final int SESSION_ID = BODY + 16;
    private static final int ENDPOINT = BODY + 24;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final long sessionId, final String endpoint)
    {
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        final int length = putString(buffer, offset + ENDPOINT, endpoint.getBytes(StandardCharsets.US_ASCII)) - offset;
        header(buffer, offset, ClientMessageType.CONNECT, clusterHash, 0, length);
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

    public long sessionId()
    {
        return longAt(SESSION_ID);
    }

    public String endpoint()
    {
        return stringAt(ENDPOINT);
    }

    @Override
    protected int minLength()
    {
        return ENDPOINT + 16;
    }

    @Override
    protected boolean isBodyValid()
    {
        return clientId() != 0 && isStringValid(ENDPOINT, MAX_ENDPOINT_BYTES);
    }
}
