package io.raftline.protocol.client;

import io.raftline.core.session.SessionTable;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * OPEN_SESSION, producer → leader: open a session under a name, for a producer with this window (entries in flight;
 * 0 from producers that do not say); or, with a session id to resume, carry on that session (of that name) from
 * where the log has it, as a producer restarted after a crash does.
 * <pre>
 * | clientId i64 | correlationId i64 | resume sessionId i64 (0: a new session) | name length i32 | window i32 |
 * | name (UTF-8), padded to 8 |
 * </pre>
 */
public final class OpenSessionFrame extends ClientFrame
{
    /** The largest window a producer may have: a leader answers retries of that many entries in flight. */
    public static final int MAX_WINDOW = 4096;
    private static final int CLIENT_ID = BODY;
    private static final int CORRELATION_ID = BODY + 8;
    private static final int RESUME = BODY + 16;
    private static final int NAME = BODY + 24;
    private static final int WINDOW = NAME + 4;

    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final long clusterHash, final long clientId,
        final long correlationId, final long resumeSessionId, final String name, final int window)
    {
        buffer.putLong(offset + CLIENT_ID, clientId, ORDER);
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putLong(offset + RESUME, resumeSessionId, ORDER);
        final int length = putString(buffer, offset + NAME, name.getBytes(StandardCharsets.UTF_8)) - offset;
        buffer.putInt(offset + WINDOW, window, ORDER);
        header(buffer, offset, ClientMessageType.OPEN_SESSION, clusterHash, 0, length);
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

    /** The session to carry on, or 0 to open a new one. */
    public long resumeSessionId()
    {
        return longAt(RESUME);
    }

    public int window()
    {
        return intAt(WINDOW);
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
        return window() >= 0 && resumeSessionId() >= 0 && isStringValid(NAME, SessionTable.MAX_NAME_BYTES);
    }
}
