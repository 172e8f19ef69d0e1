package io.raftline.protocol.client;

import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * ADMIN_RESULT, node → operator: how a request ended, and the configuration in force as the node knows it.
 * <pre>
 * | correlationId i64 | status i32 | leaderId i32 | configuration index i64 | commit index i64 | value i64 |
 * | message length i32 | configuration length i32 | message (UTF-8), padded to 8 | configuration, padded to 8 |
 * </pre>
 * The value is the operation's result where it has one (SNAPSHOT: the snapshot's index), else 0.
 * The configuration is a configuration entry's payload ({@link ConfigurationCodec}); it is committed when its index
 * is at or below the commit index.
 */
public final class AdminResultFrame extends ClientFrame
{
    private static final int MAX_MESSAGE_BYTES = 1024;
    private static final int CORRELATION_ID = BODY;
    private static final int STATUS = BODY + 8;
    private static final int LEADER_ID = BODY + 12;
    private static final int CONFIGURATION_INDEX = BODY + 16;
    private static final int COMMIT_INDEX = BODY + 24;
    private static final int VALUE = BODY + 32;
    private static final int MESSAGE_LENGTH = BODY + 40;
    private static final int CONFIGURATION_LENGTH = BODY + 44;
    private static final int MESSAGE = BODY + 48;

    /** The longest frame: a message of the most bytes kept and the largest configuration. */
    public static int maxLength()
    {
        return MESSAGE + MAX_MESSAGE_BYTES + 8 + 4 + Configuration.MAX_MEMBERS * (16 + 256);
    }

    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long clusterHash,
        final int nodeId,
        final long correlationId,
        final AdminStatus status,
        final int leaderId,
        final Configuration configuration,
        final long configurationIndex,
        final long commitIndex,
        final long value,
        final String message)
    {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_MESSAGE_BYTES)
        {
            text = java.util.Arrays.copyOf(text, MAX_MESSAGE_BYTES);
        }
        buffer.putLong(offset + CORRELATION_ID, correlationId, ORDER);
        buffer.putInt(offset + STATUS, status.code(), ORDER);
        buffer.putInt(offset + LEADER_ID, leaderId, ORDER);
        buffer.putLong(offset + CONFIGURATION_INDEX, configurationIndex, ORDER);
        buffer.putLong(offset + COMMIT_INDEX, commitIndex, ORDER);
        buffer.putLong(offset + VALUE, value, ORDER);
        buffer.putInt(offset + MESSAGE_LENGTH, text.length, ORDER);
        buffer.putBytes(offset + MESSAGE, text);
        zeroPad(buffer, offset + MESSAGE + text.length, padded(text.length) - text.length);
        final int configurationAt = offset + MESSAGE + padded(text.length);
        final int configurationLength = ConfigurationCodec.encode(configuration, buffer, configurationAt);
        buffer.putInt(offset + CONFIGURATION_LENGTH, configurationLength, ORDER);
        zeroPad(buffer, configurationAt + configurationLength, padded(configurationLength) - configurationLength);
        final int length = configurationAt + padded(configurationLength) - offset;
        header(buffer, offset, ClientMessageType.ADMIN_RESULT, clusterHash, nodeId, length);
        return length;
    }

    public long correlationId()
    {
        return longAt(CORRELATION_ID);
    }

    /** The status, or null for a code this build does not know. */
    public AdminStatus status()
    {
        return AdminStatus.ofCode(intAt(STATUS));
    }

    public int leaderId()
    {
        return intAt(LEADER_ID);
    }

    public long configurationIndex()
    {
        return longAt(CONFIGURATION_INDEX);
    }

    public long commitIndex()
    {
        return longAt(COMMIT_INDEX);
    }

    /** The operation's result, where it has one. */
    public long value()
    {
        return longAt(VALUE);
    }

    public String message()
    {
        final byte[] bytes = new byte[intAt(MESSAGE_LENGTH)];
        buffer.getBytes(offset + MESSAGE, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The configuration; throws IllegalArgumentException when it cannot be one (checked by {@link #wrap}). */
    public Configuration configuration()
    {
        final int at = offset + MESSAGE + padded(intAt(MESSAGE_LENGTH));
        final byte[] bytes = new byte[intAt(CONFIGURATION_LENGTH)];
        buffer.getBytes(at, bytes);
        return ConfigurationCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Override
    protected int minLength()
    {
        return MESSAGE;
    }

    @Override
    protected boolean isBodyValid()
    {
        final int messageLength = intAt(MESSAGE_LENGTH);
        final int configurationLength = intAt(CONFIGURATION_LENGTH);
        if (messageLength < 0 || messageLength > MAX_MESSAGE_BYTES || configurationLength < 0 ||
            MESSAGE + (long)padded(messageLength) + configurationLength > length || status() == null)
        {
            return false;
        }
        try
        {
            configuration();
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }
}
