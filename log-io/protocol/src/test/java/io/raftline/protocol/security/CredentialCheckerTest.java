package io.raftline.protocol.security;

import io.raftline.protocol.FrameHeader;
import io.raftline.protocol.client.ConnectFrame;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CredentialCheckerTest
{
    @TempDir
    Path dir;

    @Test
    void aConnectProvesOnlyTheCredentialItWasSignedUnder()
    {
        ClusterKeys.create(dir.resolve("cluster.key"));
        final ClusterKeys keys = ClusterKeys.load(dir.resolve("cluster.key"));
        final ClientCredential reader = ClientCredential.create(keys, "reader", ClientCredential.CONSUME,
            dir.resolve("reader.credentials"));
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[512]);
        final int length = ConnectFrame.encode(frame, 0, FrameHeader.clusterHash("c"), 7, 0, 0, reader.rights(),
            reader.keyId(), reader.name(), "127.0.0.1:4000");
        final int signed = reader.authenticator().sign(frame, 0, length);
        final CredentialChecker checker = new CredentialChecker(keys);
        assertTrue(checker.proves(reader.keyId(), "reader", ClientCredential.CONSUME, frame, 0, signed));
        assertTrue(checker.proves(reader.keyId(), "reader", ClientCredential.CONSUME, frame, 0, signed),
            "again, with the same reused digests");
        assertFalse(checker.proves(reader.keyId(), "reader", ClientCredential.ALL, frame, 0, signed),
            "rights raised");
        assertFalse(checker.proves(reader.keyId(), "admin", ClientCredential.CONSUME, frame, 0, signed),
            "another name");
        assertFalse(checker.proves(reader.keyId() + 1, "reader", ClientCredential.CONSUME, frame, 0, signed),
            "a key the cluster does not hold");
        ClusterKeys.create(dir.resolve("other.key"));
        assertFalse(new CredentialChecker(ClusterKeys.load(dir.resolve("other.key"))).proves(reader.keyId(),
            "reader", ClientCredential.CONSUME, frame, 0, signed), "another cluster's key");
        assertEquals(FrameAuthenticator.OK, checker.connectionChecker(reader.keyId(), "reader",
            ClientCredential.CONSUME).verify(frame, 0, signed), "the connection's own checker agrees");
    }
}
