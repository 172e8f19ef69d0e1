package io.raftline.core.quorum;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Configuration} as the payload of a {@code CONFIG} entry, little-endian:
 * <pre>
 * | version u8 = 1 | zero u8 | member count u16 |
 * member * count, in id order:
 * | id i32 | roles u8 | zero u8 | endpoint length u16 | identity i64 | endpoint (US-ASCII) |
 *   roles: 1 voter (of C_new), 2 outgoing voter (of C_old, while joint), 4 learner
 * </pre>
 * Equal configurations encode to equal bytes, so every node that writes the same configuration writes the same
 * entry. Decoding checks everything and refuses what no encoder writes.
 */
public final class ConfigurationCodec
{
    public static final int VERSION = 1;
    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final int HEADER_LENGTH = 4;
    private static final int MEMBER_HEADER_LENGTH = 16;
    private static final int VOTER = 1;
    private static final int OUTGOING = 2;
    private static final int LEARNER = 4;
    /** The longest endpoint a member may have. */
    public static final int MAX_ENDPOINT_BYTES = 255;

    private ConfigurationCodec()
    {
    }

    /** The payload's length for {@code configuration}. */
    public static int encodedLength(final Configuration configuration)
    {
        int length = HEADER_LENGTH;
        for (final int id : configuration.members())
        {
            length += MEMBER_HEADER_LENGTH + endpointBytes(configuration.endpoint(id)).length;
        }
        return length;
    }

    /** Writes the payload at {@code offset}; returns its length. */
    public static int encode(final Configuration configuration, final MutableDirectBuffer buffer, final int offset)
    {
        final int[] members = configuration.members();
        buffer.putByte(offset, (byte)VERSION);
        buffer.putByte(offset + 1, (byte)0);
        buffer.putShort(offset + 2, (short)members.length, ORDER);
        int position = offset + HEADER_LENGTH;
        for (final int id : members)
        {
            final byte[] endpoint = endpointBytes(configuration.endpoint(id));
            buffer.putInt(position, id, ORDER);
            buffer.putByte(position + 4, (byte)roles(configuration, id));
            buffer.putByte(position + 5, (byte)0);
            buffer.putShort(position + 6, (short)endpoint.length, ORDER);
            buffer.putLong(position + 8, configuration.identity(id), ORDER);
            buffer.putBytes(position + MEMBER_HEADER_LENGTH, endpoint);
            position += MEMBER_HEADER_LENGTH + endpoint.length;
        }
        return position - offset;
    }

    /** The configuration in a payload; throws {@link IllegalArgumentException} naming what is wrong with it. */
    public static Configuration decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || (buffer.getByte(offset) & 0xFF) != VERSION || buffer.getByte(offset + 1) != 0)
        {
            throw new IllegalArgumentException("not a configuration of version " + VERSION);
        }
        final int count = buffer.getShort(offset + 2, ORDER) & 0xFFFF;
        if (count > Configuration.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("a configuration of " + count + " members");
        }
        final int[] ids = new int[count];
        final int[] roles = new int[count];
        final long[] identities = new long[count];
        final String[] endpoints = new String[count];
        int position = offset + HEADER_LENGTH;
        final int end = offset + length;
        for (int i = 0; i < count; i++)
        {
            if (position + MEMBER_HEADER_LENGTH > end)
            {
                throw new IllegalArgumentException("member " + (i + 1) + " of " + count + " is cut short");
            }
            ids[i] = buffer.getInt(position, ORDER);
            roles[i] = buffer.getByte(position + 4) & 0xFF;
            final int endpointLength = buffer.getShort(position + 6, ORDER) & 0xFFFF;
            identities[i] = buffer.getLong(position + 8, ORDER);
            if (position + MEMBER_HEADER_LENGTH + endpointLength > end || endpointLength > MAX_ENDPOINT_BYTES)
            {
                throw new IllegalArgumentException("the endpoint of node " + ids[i] + " is cut short");
            }
            final boolean validRoles = roles[i] == LEARNER || (roles[i] >= VOTER && roles[i] <= (VOTER | OUTGOING));
            if (buffer.getByte(position + 5) != 0 || !validRoles)
            {
                throw new IllegalArgumentException("node " + ids[i] + " has roles " + roles[i]);
            }
            endpoints[i] = endpointLength == 0 ? null :
                buffer.getStringWithoutLengthAscii(position + MEMBER_HEADER_LENGTH, endpointLength);
            position += MEMBER_HEADER_LENGTH + endpointLength;
        }
        if (position != end)
        {
            throw new IllegalArgumentException((end - position) + " bytes after the last member");
        }
        if (count == 0)
        {
            return Configuration.NONE;
        }
        Configuration configuration = build(ids, roles);
        for (int i = 0; i < count; i++)
        {
            configuration = configuration.withMember(ids[i], identities[i], endpoints[i]);
        }
        return configuration;
    }

    private static Configuration build(final int[] ids, final int[] roles)
    {
        final int[] voters = select(ids, roles, VOTER);
        final int[] outgoing = select(ids, roles, OUTGOING);
        final int[] learners = select(ids, roles, LEARNER);
        return outgoing.length > 0 ? Configuration.joint(voters, outgoing, learners) :
            Configuration.withLearners(voters, learners);
    }

    private static int[] select(final int[] ids, final int[] roles, final int role)
    {
        int count = 0;
        for (final int r : roles)
        {
            count += (r & role) != 0 ? 1 : 0;
        }
        final int[] selected = new int[count];
        int i = 0;
        for (int m = 0; m < ids.length; m++)
        {
            if ((roles[m] & role) != 0)
            {
                selected[i++] = ids[m];
            }
        }
        return selected;
    }

    private static int roles(final Configuration configuration, final int id)
    {
        if (configuration.isLearner(id))
        {
            return LEARNER;
        }
        return (configuration.isIncomingVoter(id) ? VOTER : 0) | (configuration.isOutgoingVoter(id) ? OUTGOING : 0);
    }

    private static byte[] endpointBytes(final String endpoint)
    {
        final byte[] bytes = endpoint == null ? new byte[0] : endpoint.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_ENDPOINT_BYTES)
        {
            throw new IllegalArgumentException("endpoint longer than " + MAX_ENDPOINT_BYTES + " bytes: " + endpoint);
        }
        return bytes;
    }
}
