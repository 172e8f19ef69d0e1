package io.raftline.tools;

import io.raftline.io.node.NodeCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line with credentials: each command does what its credential allows, and says what it lacks. */
@Timeout(180)
class CredentialsProcessTest
{
    @Test
    void aConsumeOnlyCredentialTailsButCannotProduceOrAdministerAndSaysWhichRightItLacks(@TempDir final Path dir)
        throws Exception
    {
        try (ProcessCluster cluster = new ProcessCluster(dir, 3, 23501))
        {
            cluster.await("a leader", 30, s -> ProcessCluster.oneAgreedLeader(s, 3));
            final String file = cluster.clusterFile().toString();
            assertEquals(0, Cli.run("produce", "--cluster", file, "--count", "50").exitCode(), "the admin produces");

            final Path reader = dir.resolve("reader.credentials");
            final Cli created = Cli.run("credentials", "create", "--cluster", file, "--name", "reader", "--rights",
                "consume", "--out", reader.toString());
            assertEquals(0, created.exitCode(), created::toString);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(reader)));

            final Cli produce = Cli.run("produce", "--cluster", file, "--count", "5", "--credentials",
                reader.toString());
            assertEquals(1, produce.exitCode(), produce::toString);
            assertTrue(produce.err().contains("'reader' lacks the produce right"), produce::toString);
            assertEquals(1, produce.err().strip().lines().count(), produce::toString);

            final Cli transfer = Cli.run("leader", "transfer", "--cluster", file, "--credentials", reader.toString());
            assertEquals(1, transfer.exitCode(), transfer::toString);
            assertTrue(transfer.err().contains("lacks the admin right"), transfer::toString);

            final Cli tail = Cli.run("tail", "--cluster", file, "--to", "60", "--credentials", reader.toString());
            assertEquals(0, tail.exitCode(), tail::toString);
            assertEquals(50, tail.out().lines().count(), "the reader reads what the admin produced: " + tail);

            final Cli badRights = Cli.run("credentials", "create", "--cluster", file, "--rights", "write",
                "--out", dir.resolve("x").toString());
            assertEquals(2, badRights.exitCode(), badRights::toString);
            assertTrue(badRights.err().contains("unknown right 'write'"), badRights::toString);
            assertFalse(Files.exists(dir.resolve("x")));
            long refused = 0;
            for (final var status : cluster.statuses())
            {
                refused += status.value(NodeCounter.UNAUTHORISED);
            }
            assertTrue(refused >= 2, "refusals counted: " + refused);
        }
    }
}
