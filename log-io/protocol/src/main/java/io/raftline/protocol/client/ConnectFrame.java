package io.raftline.protocol.client;

import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * CONNECT, client → node: here is where to send my replies, and the credential I sign my frames with. Repeated
 * until answered, then as a keep-alive, which also keeps the client's producer session (0: none) from being taken
 * for idle on a leader it has sent nothing to.
 * <pre>
 * | clientId i64 | correlationId i64 | sessionId i64 | rights i32 | key id i32 |
 * | credential name length i32 | pad i32 | name (UTF-8, none without a credential), padded to 8 |
 * | endpoint length i32 | pad i32 | endpoint (ASCII), padded to 8 |
 * </pre>
 */
public final class ConnectFrame extends ClientFrame
{
    public static final int MAX_ENDPOINT_BYTES = 64;
    public static final int MAX_NAME_BYTES = 64;
    private static final int CLIENT_ID = BODY;
    private static final int CORRELATION_ID = BODY + 8;
    private static final int SESSION_ID = BODY + 16;
    private static final int RIGHTS = BODY + 24;
    private static final int KEY_ID = BODY + 28;
    private static final int NAME = BODY + 32;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final long sessionId, final int rights, final int keyId, final String credential,
        final String endpoint)
    {
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        buffer.putInt(offset + RIGHTS, rights, ORDER);
        buffer.putInt(offset + KEY_ID, keyId, ORDER);
        final int endpointAt = putString(buffer, offset + NAME, credential.getBytes(StandardCharsets.UTF_8));
        final int length = putString(buffer, endpointAt, endpoint.getBytes(StandardCharsets.US_ASCII)) - offset;
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

    /** The rights the credential claims (its secret proves them). */
    public int rights()
    {
        return intAt(RIGHTS);
    }

    /** The cluster key the credential was made under. */
    public int keyId()
    {
        return intAt(KEY_ID);
    }

    /** The credential's name, or "" for a client without one. */
    public String credential()
    {
        return intAt(NAME) == 0 ? "" : stringAt(NAME);
    }

    public String endpoint()
    {
        return stringAt(endpointField());
    }

    private int endpointField()
    {
        return NAME + 8 + padded(intAt(NAME));
    }

    @Override
    protected int minLength()
    {
        return NAME + 8 + 16;
    }

    @Override
    protected boolean isBodyValid()
    {
        final int nameBytes = intAt(NAME);
        return clientId() != 0 && nameBytes >= 0 && nameBytes <= MAX_NAME_BYTES &&
            endpointField() + 16L <= length && isStringValid(endpointField(), MAX_ENDPOINT_BYTES);
    }
}
