package io.raftline.protocol.security;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;

/**
 * On a node: whether a client's signed CONNECT proves the credential it names, checked with reused digests, so that
 * a flood of forged CONNECTs costs hashing and nothing else; only a credential that checks out gets a checker of its
 * own for its connection ({@link #connectionChecker}). One thread.
 */
public final class CredentialChecker
{
    private final ClusterKeys keys;
    private final Int2ObjectHashMap<Hmac> derivers = new Int2ObjectHashMap<>();
    private final Hmac probe = new Hmac(new byte[Hmac.LENGTH]);
    private final byte[] secret = new byte[Hmac.LENGTH];
    private final byte[] digest = new byte[Hmac.LENGTH];
    private final byte[] code = new byte[Hmac.LENGTH];
    private final FrameAuthenticator.WallClock clock;

    public CredentialChecker(final ClusterKeys keys)
    {
        this(keys, () -> System.currentTimeMillis() * 1_000_000L);
    }

    CredentialChecker(final ClusterKeys keys, final FrameAuthenticator.WallClock clock)
    {
        this.keys = keys;
        this.clock = clock;
        for (final int id : keys.ids())
        {
            derivers.put(id, new Hmac(keys.key(id)));
        }
    }

    /**
     * Whether the signed frame of {@code signedLength} bytes (trailer included) carries the code of credential
     * ({@code name}, {@code rights}) made under key {@code keyId}, and a stamp within the window.
     */
    public boolean proves(
        final int keyId, final String name, final int rights, final DirectBuffer buffer, final int offset,
        final int signedLength)
    {
        final Hmac deriver = derivers.get(keyId);
        if (deriver == null || name.isEmpty())
        {
            return false;
        }
        derive(deriver, name, rights, secret);
        probe.rekey(secret);
        return FrameAuthenticator.checkCode(probe, buffer, offset, signedLength, digest, code, clock) ==
            FrameAuthenticator.OK;
    }

    /** The checker of a connection whose credential proved itself: its own replay window. */
    public FrameAuthenticator connectionChecker(final int keyId, final String name, final int rights)
    {
        return ClientCredential.checker(keys, keyId, name, rights);
    }

    /** A credential's secret: HMAC-SHA256 under the cluster key of {@code raftline-credential:NAME:RIGHTS}. */
    static void derive(final Hmac deriver, final String name, final int rights, final byte[] out)
    {
        final byte[] text = ("raftline-credential:" + name + ":" + rights).getBytes(StandardCharsets.UTF_8);
        deriver.start();
        deriver.update(text, 0, text.length);
        deriver.finish(out);
    }
}
