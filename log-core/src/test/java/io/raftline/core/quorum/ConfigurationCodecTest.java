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
}
