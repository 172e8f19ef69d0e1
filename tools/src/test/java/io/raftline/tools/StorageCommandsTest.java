package io.raftline.tools;

import io.raftline.core.EntryType;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.protocol.config.Durability;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StorageCommandsTest
{
    @TempDir
    Path dir;

    @Test
    void helpExitsZeroAndListsTheCommands()
    {
        final Cli result = Cli.run("--help");
        assertEquals(0, result.exitCode());
        assertTrue(result.out().contains("inspect") && result.out().contains("verify") && result.out().contains("dump"),
            result.out());
        assertEquals(0, Cli.run("dump", "--help").exitCode());
    }

    @Test
    void unknownCommandOrFlagSaysSoInOneLineOnStderrAndExitsTwo()
    {
        final Cli unknownCommand = Cli.run("frobnicate");
        assertEquals(2, unknownCommand.exitCode());
        assertTrue(unknownCommand.err().contains("frobnicate") && unknownCommand.err().contains("raftline --help"),
            unknownCommand.err());
        final Cli unknownFlag = Cli.run("inspect", dir.toString(), "--bogus");
        assertEquals(2, unknownFlag.exitCode());
        assertTrue(unknownFlag.err().contains("--bogus") && unknownFlag.err().contains("raftline inspect --help"),
            unknownFlag.err());
        final Cli misspelt = Cli.run("inspekt");
        assertEquals(2, misspelt.exitCode());
        assertTrue(misspelt.err().contains("did you mean inspect"), misspelt.err());
        assertEquals(1, misspelt.err().strip().lines().count(), misspelt.err());
        assertEquals(2, Cli.run().exitCode());
        assertEquals(2, Cli.run("dump", dir.toString(), "--format", "xml").exitCode());
    }

    @Test
    void failureIsOneLineOnStderrWithExitOne()
    {
        final Cli result = Cli.run("inspect", dir.resolve("missing").toString());
        assertEquals(1, result.exitCode());
        assertEquals(1, result.err().strip().lines().count(), result.err());
        assertFalse(result.err().contains("at io."), result.err());
    }

    @Test
    void inspectPrintsJsonWithSegmentsAndMetadata()
    {
        writeLog(10);
        final Cli result = Cli.run("inspect", dir.toString(), "--json");
        assertEquals(0, result.exitCode(), result.err());
        final String json = result.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertTrue(json.contains("\"firstIndex\":1"), json);
        assertTrue(json.contains("\"lastIndex\":10"), json);
        assertTrue(json.contains("\"lastTerm\":2"), json);
        assertTrue(json.contains("\"currentTerm\":2"), json);
        assertTrue(json.contains("\"votedFor\":3"), json);
        assertTrue(json.contains("\"segments\":[{\"file\":\""), json);
        assertTrue(json.contains("\"state\":\"active\""), json);
        final Cli text = Cli.run("inspect", dir.toString());
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("last 10"), text.out());
    }

    @Test
    void dumpPrintsTheContractsJsonLines()
    {
        writeLog(10);
        final Cli result = Cli.run("dump", dir.toString(), "--from", "2", "--to", "4", "--format", "json");
        assertEquals(0, result.exitCode(), result.err());
        final List<String> lines = result.out().strip().lines().toList();
        assertEquals(3, lines.size(), result.out());
        assertEquals("{\"index\":2,\"term\":1,\"producer\":\"7\",\"seq\":2,\"payload_b64\":\"" +
            Base64.getEncoder().encodeToString("p7-2".getBytes(StandardCharsets.US_ASCII)) + "\"}", lines.get(0));
        assertEquals("{\"index\":3,\"term\":1,\"type\":\"noop\"}", lines.get(1));
        final Cli all = Cli.run("dump", dir.toString());
        assertEquals(10, all.out().strip().lines().count(), all.out());
        assertTrue(all.out().startsWith("1 1 7 1 p7-1\n"), "the text format of tail: " + all.out());
    }

    @Test
    void verifyPassesThenFindsAFlippedByteNamingTheIndex() throws IOException
    {
        writeLog(10);
        final Cli clean = Cli.run("verify", dir.toString());
        assertEquals(0, clean.exitCode(), clean.err());
        assertTrue(clean.out().startsWith("ok: 10 entries"), clean.out());
        flip("p7-6".getBytes(StandardCharsets.US_ASCII));
        final Cli corrupt = Cli.run("verify", dir.toString());
        assertEquals(1, corrupt.exitCode());
        assertEquals(1, corrupt.err().strip().lines().count(), corrupt.err());
        assertTrue(corrupt.err().contains("index 6"), corrupt.err());
        assertTrue(corrupt.err().contains(".cq4"), corrupt.err());
    }

    @Test
    void commandsReadWhileANodeHoldsTheDirectory()
    {
        writeLog(5);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertEquals(0, Cli.run("verify", dir.toString()).exitCode());
            final Cli inspect = Cli.run("inspect", dir.toString(), "--json");
            assertTrue(inspect.out().contains("\"lockHolderAlive\":true"), inspect.out());
            assertEquals(5, Cli.run("dump", dir.toString()).out().strip().lines().count());
            log.truncateFrom(5); // still writable: the tool took no lock
        }
    }

    /** Entries 1..count: term 1 for the first five, 2 after; index 3 is a no-op; payload "p7-INDEX". */
    private void writeLog(final int count)
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (long index = 1; index <= count; index++)
            {
                final byte[] payload = ("p7-" + index).getBytes(StandardCharsets.US_ASCII);
                final int type = index == 3 ? EntryType.NOOP : EntryType.NORMAL;
                log.append(index <= 5 ? 1 : 2, type, 7, index, new UnsafeBuffer(payload), 0,
                    type == EntryType.NOOP ? 0 : payload.length);
            }
            log.sync();
            log.metadata().store(2, 3);
        }
    }

    private void flip(final byte[] needle) throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve("log")))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".cq4")).toList())
            {
                final byte[] content = Files.readAllBytes(file);
                for (int i = 0; i + needle.length <= content.length; i++)
                {
                    if (new String(content, i, needle.length, StandardCharsets.ISO_8859_1)
                        .equals(new String(needle, StandardCharsets.ISO_8859_1)))
                    {
                        content[i + 1] ^= 0x01;
                        Files.write(file, content);
                        return;
                    }
                }
            }
        }
        throw new AssertionError("payload not found");
    }
}
