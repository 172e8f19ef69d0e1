package io.raftline.core.quorum;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigurationCodecTest
{
    private static byte[] encode(final Configuration configuration)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(configuration)]);
        assertEquals(buffer.capacity(), ConfigurationCodec.encode(configuration, buffer, 0));
        return buffer.byteArray();
    }

    private static Configuration decode(final byte[] bytes)
    {
        return ConfigurationCodec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Test
    void everyKindOfMemberRoundTripsWithItsIdentityAndEndpoint()
    {
        final Configuration joint = Configuration.joint(new int[]{1, 4}, new int[]{1, 2}, new int[]{7})
            .withMember(1, 11, "10.0.0.1:9000").withMember(2, 22, "10.0.0.2:9000").withMember(4, 44, null)
            .withMember(7, 0, "h7:1");
        final Configuration decoded = decode(encode(joint));
        assertEquals(joint, decoded);
        assertArrayEquals(new int[]{1, 4}, decoded.voters());
        assertArrayEquals(new int[]{1, 2}, decoded.outgoingVoters());
        assertEquals(44, decoded.identity(4));
        assertEquals("10.0.0.2:9000", decoded.endpoint(2));
        assertEquals(null, decoded.endpoint(4));
        assertArrayEquals(encode(joint), encode(decoded), "equal configurations, equal bytes");
        assertSame(Configuration.NONE, decode(encode(Configuration.NONE)));
    }

    @Test
    void payloadsNoEncoderWritesAreRefused()
    {
        final byte[] good = encode(Configuration.of(1, 2).withMember(2, 5, "h:2"));
        final byte[] version = good.clone();
        version[0] = 2;
        assertThrows(IllegalArgumentException.class, () -> decode(version));
        final byte[] roles = good.clone();
        roles[4 + 4] = 3 | 4;
        assertThrows(IllegalArgumentException.class, () -> decode(roles), "a voter and a learner at once");
        final byte[] noRole = good.clone();
        noRole[4 + 4] = 0;
        assertThrows(IllegalArgumentException.class, () -> decode(noRole));
        assertThrows(IllegalArgumentException.class, () -> decode(java.util.Arrays.copyOf(good, good.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> decode(java.util.Arrays.copyOf(good, good.length + 1)));
        final byte[] count = good.clone();
        count[2] = (byte)255;
        count[3] = 1;
        assertThrows(IllegalArgumentException.class, () -> decode(count), "more members than a configuration has");
        assertThrows(IllegalArgumentException.class, () -> decode(new byte[2]));
        final byte[] learnerOnly = encode(Configuration.withLearners(new int[]{1}, new int[]{2}));
        learnerOnly[4 + 4] = 4; // node 1 a learner too: no voter left
        assertThrows(IllegalArgumentException.class, () -> decode(learnerOnly));
    }

    @Test
    void theLargestConfigurationRoundTripsAndOneMoreMemberOrEndpointByteIsRefused()
    {
        final String longest = "h".repeat(ConfigurationCodec.MAX_ENDPOINT_BYTES);
        final int[] ids = new int[Configuration.MAX_MEMBERS];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        Configuration largest = Configuration.of(ids);
        for (final int id : ids)
        {
            largest = largest.withMember(id, 1000 + id, longest);
        }
        final Configuration decoded = decode(encode(largest));
        assertEquals(largest, decoded);
        assertEquals(longest, decoded.endpoint(Configuration.MAX_MEMBERS));

        final Configuration tooLong = Configuration.of(1).withMember(1, 0, longest + "h");
        assertThrows(IllegalArgumentException.class, () -> ConfigurationCodec.encodedLength(tooLong));
        final byte[] atMost = encode(Configuration.of(1).withMember(1, 0, longest));
        final byte[] oneByteMore = java.util.Arrays.copyOf(atMost, atMost.length + 1);
        oneByteMore[4 + 6] = 0; // endpoint length 256, and the bytes are there
        oneByteMore[4 + 7] = 1;
        oneByteMore[atMost.length] = 'h';
        assertThrows(IllegalArgumentException.class, () -> decode(oneByteMore));
    }

    @Test
    void aConfigurationIsEncodedAtAnyOffsetOverWhateverTheBufferHeld()
    {
        final Configuration configuration = Configuration.joint(new int[]{1, 3}, new int[]{1, 2}, new int[]{4})
            .withMember(3, 33, "h:3");
        final int length = ConfigurationCodec.encodedLength(configuration);
        final byte[] dirty = new byte[8 + length];
        java.util.Arrays.fill(dirty, (byte)0xFF);
        final UnsafeBuffer buffer = new UnsafeBuffer(dirty);
        assertEquals(length, ConfigurationCodec.encode(configuration, buffer, 8));
        assertEquals(configuration, ConfigurationCodec.decode(buffer, 8, length));
        assertArrayEquals(encode(configuration), java.util.Arrays.copyOfRange(dirty, 8, 8 + length),
            "equal configurations, equal bytes, whatever was there before");
    }

    @Test
    void aRefusedPayloadIsNamedForWhatIsWrongWithIt()
    {
        final byte[] one = encode(Configuration.of(1));
        final byte[] twoAnnounced = one.clone();
        twoAnnounced[2] = 2;
        final IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
            () -> decode(twoAnnounced));
        assertEquals("member 2 of 2 is cut short", cut.getMessage());
        final IllegalArgumentException after = assertThrows(IllegalArgumentException.class,
            () -> decode(java.util.Arrays.copyOf(one, one.length + 3)));
        assertEquals("3 bytes after the last member", after.getMessage());
    }
}
