package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.protocol.config.Durability;
import io.raftline.io.storage.ChronicleLog;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only commands on damaged stores: each gets exit 1 and one line naming the file, no stack trace, and
 * nothing is changed or deleted.
 */
class DamagedStoreTest
{
    /** Ways a data directory is found damaged. */
    enum Damage
    {
        RANDOM_SEGMENT, TRUNCATED_TO_10_BYTES, TRUNCATED_IN_THE_HEADER, TRUNCATED_IN_THE_ENTRIES, TRUNCATED_HALF,
        MISSING_METADATA, EXTRA_GARBAGE_SEGMENT, CORRUPT_HEADER_IN_THE_MIDDLE
    }

    @TempDir
    Path dir;

    private void writeLog()
    {
        // small segments: several files, so that one in the middle can be damaged
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, 600))
        {
            for (long index = 1; index <= 30; index++)
            {
                final byte[] payload = ("p7-" + index).getBytes(StandardCharsets.US_ASCII);
                log.append(1, EntryType.NORMAL, 7, index, new UnsafeBuffer(payload), 0, payload.length);
            }
            log.sync();
        }
    }

    private Path[] segments() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("log")))
        {
            return files.filter(f -> f.toString().endsWith(".cq4")).sorted().toArray(Path[]::new);
        }
    }

    private void damage(final Damage damage) throws IOException
    {
        final Path[] segments = segments();
        assertTrue(segments.length >= 3, "several segments: " + segments.length);
        final Path middle = segments[segments.length / 2];
        final Random random = new Random(damage.ordinal());
        switch (damage)
        {
            case RANDOM_SEGMENT ->
            {
                final byte[] garbage = new byte[(int)Files.size(middle)];
                random.nextBytes(garbage);
                Files.write(middle, garbage);
            }
            case TRUNCATED_TO_10_BYTES -> truncate(middle, 10);
            case TRUNCATED_IN_THE_HEADER -> truncate(middle, 100);
            case TRUNCATED_IN_THE_ENTRIES -> truncate(middle, firstPayloadAt(middle) + 2);
            case TRUNCATED_HALF -> truncate(middle, firstPayloadAt(middle) / 2);
            case MISSING_METADATA -> Files.delete(dir.resolve("log").resolve("metadata.cq4t"));
            case EXTRA_GARBAGE_SEGMENT ->
            {
                final byte[] garbage = new byte[100_000];
                random.nextBytes(garbage);
                Files.write(dir.resolve("log").resolve("19800101F.cq4"), garbage);
            }
            case CORRUPT_HEADER_IN_THE_MIDDLE ->
            {
                final byte[] content = Files.readAllBytes(middle);
                for (int i = 0; i < 16; i++)
                {
                    content[i] ^= 0x5A;
                }
                Files.write(middle, content);
            }
            default -> throw new AssertionError(damage);
        }
    }

    /** Where the file's first payload is: its entries start just before. */
    private static long firstPayloadAt(final Path file) throws IOException
    {
        final byte[] content = Files.readAllBytes(file);
        final byte[] needle = "p7-".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + needle.length <= content.length; i++)
        {
            if (content[i] == needle[0] && content[i + 1] == needle[1] && content[i + 2] == needle[2])
            {
                return i;
            }
        }
        throw new AssertionError("no payload in " + file);
    }

    private static void truncate(final Path file, final long length) throws IOException
    {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(length);
        }
    }

    /** Every file of the directory with its size and content hash. */
    private Map<String, String> contents() throws IOException
    {
        final Map<String, String> contents = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                if (!file.getFileName().toString().equals("raftline.lock"))
                {
                    contents.put(dir.relativize(file).toString(), Files.size(file) + ":" +
                        java.util.Arrays.hashCode(Files.readAllBytes(file)));
                }
            }
        }
        return contents;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void everyReadOnlyCommandSaysWhatIsWrongInOneLineAndChangesNothing(final Damage damage) throws IOException
    {
        writeLog();
        damage(damage);
        final Map<String, String> before = contents();
        for (final String[] command : new String[][]{
            { "verify", dir.toString() }, { "inspect", dir.toString() }, { "inspect", dir.toString(), "--json" },
            { "dump", dir.toString() } })
        {
            final Cli result = Cli.run(command);
            final String what = damage + ": " + String.join(" ", command) + " -> " + result;
            assertEquals(1, result.exitCode(), what);
            assertEquals(1, result.err().strip().lines().count(), what);
            assertTrue(result.err().contains("log") || result.err().contains(".cq4"), "names the file: " + what);
            assertFalse(result.err().contains("Exception") || result.err().contains("Error:") ||
                result.err().contains("\tat "), "no stack trace or exception name: " + what);
        }
        assertEquals(before, contents(), damage + ": nothing changed or deleted");
    }
}
