package io.raftline.io.node;

import io.raftline.io.transport.TransportCounters;
import io.raftline.protocol.client.ConnectFrame;
import io.raftline.protocol.security.ClientCredential;
import io.raftline.protocol.security.ClusterKeys;
import io.raftline.protocol.security.FrameAuthenticator;
import org.agrona.DirectBuffer;

/**
 * Who sent a client frame, with authentication on: a CONNECT names a credential (name, rights, the cluster key it
 * was made under), whose secret this node derives from that key and checks the frame's code with; the connection
 * keeps that checker, and every later frame of the client must pass it (its code, and a stamp newer than the last:
 * a frame cannot be replayed into the connection). A frame that fails is dropped and counted, and not answered:
 * an answer would make the node a reflector for forged frames.
 */
final class ClientGate
{
    private final ClusterKeys keys;
    private final TransportCounters counters;

    ClientGate(final ClusterKeys keys, final TransportCounters counters)
    {
        this.keys = keys;
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
        else
        {
            checker = connect.credential().isEmpty() ? null :
                ClientCredential.checker(keys, connect.keyId(), connect.credential(), connect.rights());
        }
        if (checker == null || checker.verify(buffer, offset, signedLength) != FrameAuthenticator.OK)
        {
            counters.onUnauthenticated();
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
