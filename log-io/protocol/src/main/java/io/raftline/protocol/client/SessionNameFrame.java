package io.raftline.protocol.client;

import io.raftline.core.session.SessionTable;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * SESSION_NAME, node → consumer: the name of a session, sent before its first entry in a stream.
 * <pre>
 * | sessionId i64 | name length i32 | pad i32 | name (UTF-8), padded to 8 |
 * </pre>
 */
public final class SessionNameFrame extends ClientFrame
{
    /** The longest frame: a name of the most bytes a session name may take. */
    public static final int MAX_LENGTH = BODY + 16 + SessionTable.MAX_NAME_BYTES;
    private static final int SESSION_ID = BODY;
    private static final int NAME = BODY + 8;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final int nodeId,
        final long sessionId, final String name)
    {
        buffer.putLong(offset + SESSION_ID, sessionId, ORDER);
        final int length = putString(buffer, offset + NAME, name.getBytes(StandardCharsets.UTF_8)) - offset;
        header(buffer, offset, ClientMessageType.SESSION_NAME, clusterHash, nodeId, length);
        return length;
    }

    public long sessionId()
    {
        return longAt(SESSION_ID);
    }

    public String name()
    {
        return stringAt(NAME);
    }

    @Override
    protected int minLength()
    {
        return NAME + 16;
    }

    @Override
    protected boolean isBodyValid()
    {
        return isStringValid(NAME, SessionTable.MAX_NAME_BYTES);
    }
}
