package io.raftline.io.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which cycle files a crash left unfinished (removed by the writer) and which are damage (never removed). */
class QueueFilesTest
{
    @TempDir
    Path dir;

    private Path file(final byte[] start, final int length) throws IOException
    {
        final byte[] content = new byte[length];
        System.arraycopy(start, 0, content, 0, Math.min(start.length, length));
        final Path file = dir.resolve("19700102F.cq4");
        Files.write(file, content);
        return file;
    }

    private static byte[] header(final int word, final boolean named)
    {
        final ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(word);
        if (named)
        {
            bytes.put(new byte[]{ (byte)0xB9, 0x06, 'h', 'e', 'a', 'd', 'e', 'r' });
        }
        return bytes.array();
    }

    @Test
    void aStoreHeaderBegunButNotCompleteOrNothingAtAllIsUnfinished() throws IOException
    {
        assertTrue(QueueFiles.isUnfinished(file(header(0x80000000 | 0x400000C1, true), 4096)));
        assertTrue(QueueFiles.isUnfinished(file(header(0x80000000 | 0x400000C1, false), 4096)));
        assertTrue(QueueFiles.isUnfinished(file(new byte[0], 4096)), "zeros: nothing written yet");
        assertTrue(QueueFiles.isUnfinished(file(new byte[0], 0)), "empty");
        // killed part way through the header's name (a node failed to start on such a file, CrashSafetyTest seed
        // 93665912916057 in a full build: "its header is not complete")
        final byte[] begun = header(0x80000000 | 0x400000C1, true);
        Arrays.fill(begun, 7, begun.length, (byte)0);
        assertTrue(QueueFiles.isUnfinished(file(begun, 4096)), "the name begun");
    }

    @Test
    void otherBytesAreNotUnfinishedSoNoOneDeletesThem() throws IOException
    {
        assertFalse(QueueFiles.isUnfinished(file(header(0x400000C1, true), 4096)), "a complete header");
        final byte[] random = header(0x9A7B3C1D, false);
        random[4] = 0x55;
        random[9] = 0x12;
        assertFalse(QueueFiles.isUnfinished(file(random, 4096)), "garbage whose first word has the high bit set");
    }
}
