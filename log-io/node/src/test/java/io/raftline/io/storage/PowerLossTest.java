package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power loss, which SIGKILL cannot show (the page cache survives a killed process): the disk afterwards holds each
 * file as of its last force. The test keeps that disk as an image, a copy of each file taken right after each force
 * of it, and opens the image as a log at random points: everything {@code sync} called durable, and the last term and
 * vote stored, must be there. Taking the force out of {@code sync} or out of a metadata write fails it. Directory
 * forces (a new segment file's name) are not modelled: a copied file is taken to be in its directory.
 */
class PowerLossTest
{
    @TempDir
    Path dir;

    @Test
    void whatSyncCalledDurableAndTheLastVoteOutliveAPowerLoss()
    {
        final Path live = dir.resolve("live");
        final Path image = dir.resolve("image");
        final SplittableRandom random = new SplittableRandom(42);
        int losses = 0;
        try (ChronicleLog log = ChronicleLog.open(live, Durability.FSYNC, 4096))
        {
            copyTree(live, image); // a new directory: what open made is the disk's starting state
            log.observeForces(file -> copy(file, image.resolve(live.relativize(file))));
            long term = 1;
            int votedFor = 0;
            log.metadata().store(term, votedFor);
            for (int round = 1; round <= 80; round++)
            {
                if (random.nextInt(10) == 0)
                {
                    term++;
                    votedFor = 1 + random.nextInt(3);
                    log.metadata().store(term, votedFor);
                }
                for (int i = random.nextInt(1, 12); i > 0; i--)
                {
                    TestEntries.append(log, term);
                }
                final long durable = log.sync(); // what a node acknowledges
                for (int i = random.nextInt(4); i > 0; i--)
                {
                    TestEntries.append(log, term); // written, never called durable: may be lost
                }
                if (random.nextInt(10) == 0)
                {
                    losePower(image, dir.resolve("after-loss-" + ++losses), durable, term, votedFor);
                }
            }
            losePower(image, dir.resolve("after-loss-" + ++losses), log.sync(), term, votedFor);
        }
        assertTrue(losses > 5, "power lost " + losses + " times");
    }

    /** Opens a copy of the image as the disk after a power loss and checks what must have survived. */
    private static void losePower(
        final Path image, final Path disk, final long durable, final long term, final int votedFor)
    {
        copyTree(image, disk);
        try (ChronicleLog recovered = ChronicleLog.open(disk, Durability.FSYNC, 4096))
        {
            assertTrue(recovered.lastIndex() >= durable,
                "entries up to " + durable + " were called durable; after the power loss the log ends at " +
                    recovered.lastIndex());
            try (LogCursor cursor = recovered.newCursor())
            {
                TestEntries.checkEntries(cursor, 1, durable, index -> recovered.term(index));
            }
            assertEquals(term, recovered.metadata().currentTerm(), "the last term stored");
            assertEquals(votedFor, recovered.metadata().votedFor(), "the last vote stored");
        }
    }

    private static void copy(final Path file, final Path to)
    {
        try
        {
            Files.createDirectories(to.getParent());
            Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void copyTree(final Path from, final Path to)
    {
        try (Stream<Path> files = Files.walk(from))
        {
            files.filter(Files::isRegularFile).filter(file -> !file.getFileName().toString().endsWith(".lock"))
                .forEach(file -> copy(file, to.resolve(from.relativize(file))));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
