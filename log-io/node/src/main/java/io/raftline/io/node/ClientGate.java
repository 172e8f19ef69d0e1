package io.raftline.io.node;

import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.security.CredentialChecker;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who sent a client frame, with authentication on: a CONNECT names a credential (name, rights, the cluster key it
 * was made under), whose secret this node derives from that key and checks the frame's code with; the connection
 * keeps that checker, and every later frame of the client must pass it (its code, and a stamp newer than the last:
 * a frame cannot be replayed into the connection). A frame that fails is dropped and counted, and not answered:
 * an answer would make the node a reflector for forged frames.
 */
final class ClientGate
{
    private static final Logger LOG = LoggerFactory.getLogger(ClientGate.class);
    private static final long LOG_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private final CredentialChecker credentials;
    private final TransportCounters counters;
    private long lastLogNs = Long.MIN_VALUE / 2;

    ClientGate(final ClusterKeys keys, final TransportCounters counters)
    {
        this.credentials = new CredentialChecker(keys);
        this.counters = counters;
    }

    /**
     * The credential a signed CONNECT of {@code signedLength} bytes (trailer included) proves, or null (counted).
     * A client already connected under the same credential goes on with its checker, so its stamps go on rising.
     */
    ClientConnections.Admitted admitConnect(
        final ConnectFrame connect, final DirectBuffer buffer, final int offset, final int signedLength,
        final ClientConnection existing)
    {
        final FrameAuthenticator checker;
        if (existing != null && existing.admitted.sameCredential(connect))
        {
            checker = existing.admitted.checker();
        }
        else if (existing != null)
        {
            // an id held under another credential is not taken over: it is free once its client goes silent
            counters.onUnauthenticated();
            return null;
        }
        else if (credentials.proves(connect.keyId(), connect.credential(), connect.rights(), buffer, offset,
            signedLength))
        {
            // only now the connection's own checker, its replay window starting at this frame
            checker = credentials.connectionChecker(connect.keyId(), connect.credential(), connect.rights());
        }
        else
        {
            checker = null;
        }
        if (checker == null || checker.verify(buffer, offset, signedLength) != FrameAuthenticator.OK)
        {
            counters.onUnauthenticated();
            final long nowNs = System.nanoTime();
            if (nowNs - lastLogNs >= LOG_INTERVAL_NS)
            {
                lastLogNs = nowNs;
                LOG.warn("refused a client's CONNECT under credential '{}' (key {}): {}", connect.credential(),
                    connect.keyId(), connect.credential().isEmpty() ? "it proves none" :
                    "its code does not check out (another cluster's credential, altered rights, or a key this node " +
                    "no longer holds)");
            }
            return null;
        }
        return new ClientConnections.Admitted(connect.credential(), connect.rights(), connect.keyId(), checker);
    }

    /** Whether a signed frame of {@code signedLength} bytes is genuinely the connected client's; counts if not. */
    boolean admit(final ClientConnection client, final DirectBuffer buffer, final int offset, final int signedLength)
    {
        final FrameAuthenticator checker = client.admitted.checker();
        if (checker == null || checker.verify(buffer, offset, signedLength) != FrameAuthenticator.OK)
        {
            counters.onUnauthenticated();
            return false;
        }
        return true;
    }

    /** An unsigned client frame where clients must sign theirs. */
    void refuseUnsigned()
    {
        counters.onUnauthenticated();
    }
}
