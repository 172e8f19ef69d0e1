package io.raftline.io.snapshot;

import io.raftline.core.quorum.Configuration;
import io.raftline.io.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshot files and the store that keeps them: written as streams, read back checked, damage found and named. */
class SnapshotStoreTest
{
    private static final Configuration MEMBERS = Configuration.withLearners(new int[]{ 1, 2, 3 }, new int[]{ 4 })
        .withMember(1, 77, "127.0.0.1:20001");

    @TempDir
    Path dir;

    /** Writes a snapshot whose replicated part is {@code state} and application part {@code application}. */
    private SnapshotStore.Snapshot write(final long index, final long term, final byte[] state, final byte[] application)
        throws IOException
    {
        final SnapshotWriter writer = SnapshotWriter.create(dir.resolve(SnapshotStore.DIRECTORY), index, term, MEMBERS);
        writer.write(state, 0, state.length);
        writer.markStateEnd();
        writer.write(application, 0, application.length);
        final SnapshotFile.Footer footer = writer.finish();
        return new SnapshotStore.Snapshot(dir.resolve(SnapshotStore.DIRECTORY).resolve(
            SnapshotFile.fileName(index, term)), footer);
    }

    private static byte[] random(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Reads both parts of a snapshot back. */
    private static byte[][] readBack(final SnapshotStore.Snapshot snapshot) throws IOException
    {
        final ByteArrayOutputStream state = new ByteArrayOutputStream();
        final ByteArrayOutputStream application = new ByteArrayOutputStream();
        SnapshotStore.read(snapshot, in -> in.transferTo(state), in -> in.transferTo(application));
        return new byte[][]{ state.toByteArray(), application.toByteArray() };
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw"))
        {
            raw.seek(position);
            final int b = raw.read();
            raw.seek(position);
            raw.write(b ^ 0x40);
        }
    }

    @Test
    void aSnapshotOfManyBlocksReadsBackPartByPartAndIsDescribedByItsFooter() throws IOException
    {
        final byte[] state = random(1000, 1);
        final byte[] application = random(5 * SnapshotFile.BLOCK_SIZE + 123, 2);
        final SnapshotStore.Snapshot written = write(4000, 7, state, application);
        final SnapshotFile.Footer footer = SnapshotFile.readFooter(written.file());
        assertEquals(4000, footer.index());
        assertEquals(7, footer.term());
        assertEquals(state.length, footer.stateLength());
        assertEquals(state.length + application.length, footer.bodyLength());
        assertEquals(MEMBERS, footer.configuration());
        assertEquals(MEMBERS.endpoint(1), footer.configuration().endpoint(1));
        assertEquals(6, footer.blockCrcs().length);
        assertEquals(Files.size(written.file()), footer.fileLength());
        assertNull(SnapshotFile.verifyBody(written.file(), footer));
        final byte[][] parts = readBack(new SnapshotStore.Snapshot(written.file(), footer));
        assertArrayEquals(state, parts[0]);
        assertArrayEquals(application, parts[1]);
    }

    @Test
    void theSameStateWritesTheSameBytes() throws IOException
    {
        final SnapshotStore.Snapshot first = write(10, 1, random(300, 3), random(70_000, 4));
        final byte[] firstBytes = Files.readAllBytes(first.file());
        Files.delete(first.file());
        final SnapshotStore.Snapshot second = write(10, 1, random(300, 3), random(70_000, 4));
        assertArrayEquals(firstBytes, Files.readAllBytes(second.file()), "a laggard may fetch it from any node");
    }

    @Test
    void aDamagedBlockIsNamedAndNeverHandedOut() throws IOException
    {
        final SnapshotStore.Snapshot snapshot = write(20, 2, random(100, 5), random(3 * SnapshotFile.BLOCK_SIZE, 6));
        flipByte(snapshot.file(), 2L * SnapshotFile.BLOCK_SIZE + 10);
        final String problem = SnapshotFile.verifyBody(snapshot.file(), snapshot.footer());
        assertTrue(problem != null && problem.startsWith("block 2 "), problem);
        final StorageException thrown = assertThrows(StorageException.class, () -> readBack(snapshot));
        assertTrue(thrown.getMessage().contains(snapshot.file().toString()) &&
            thrown.getMessage().contains("block 2"), thrown.getMessage());
        try (ChunkSource chunks = new ChunkSource(snapshot))
        {
            final byte[] chunk = new byte[SnapshotFile.BLOCK_SIZE];
            assertEquals(SnapshotFile.BLOCK_SIZE, chunks.read(1, chunk), "a good block is served");
            assertThrows(StorageException.class, () -> chunks.read(2, chunk), "a damaged one is not");
        }
    }

    @Test
    void aFileCutShortOrWithADamagedFooterIsNotASnapshot() throws IOException
    {
        final SnapshotStore.Snapshot snapshot = write(30, 3, random(10, 7), random(10_000, 8));
        final byte[] whole = Files.readAllBytes(snapshot.file());
        Files.write(snapshot.file(), java.util.Arrays.copyOf(whole, whole.length - 5));
        assertThrows(StorageException.class, () -> SnapshotFile.readFooter(snapshot.file()));
        Files.write(snapshot.file(), whole);
        flipByte(snapshot.file(), whole.length - 20);
        final StorageException thrown = assertThrows(StorageException.class,
            () -> SnapshotFile.readFooter(snapshot.file()));
        assertTrue(thrown.getMessage().contains("damaged"), thrown.getMessage());
        Files.write(snapshot.file(), new byte[3]);
        assertThrows(StorageException.class, () -> SnapshotFile.readFooter(snapshot.file()));
    }

    @Test
    void theStoreDeletesLeftoversSetsADamagedNewestAsideAndStartsFromTheOneBefore() throws IOException
    {
        final SnapshotStore.Snapshot older = write(100, 1, random(10, 9), random(100, 10));
        final SnapshotStore.Snapshot newer = write(200, 2, random(10, 11), random(100_000, 12));
        final Path folder = dir.resolve(SnapshotStore.DIRECTORY);
        Files.write(folder.resolve("snapshot-300-2.snap.tmp"), new byte[10]);
        Files.write(folder.resolve("snapshot-300-2.snap.part"), new byte[10]);
        flipByte(newer.file(), 70_000);

        final SnapshotStore store = SnapshotStore.open(dir);
        assertEquals(100, store.latest().index(), "the damaged newest is not used");
        assertTrue(Files.exists(folder.resolve(newer.file().getFileName() + ".damaged")), "it is set aside");
        assertFalse(Files.exists(folder.resolve("snapshot-300-2.snap.tmp")));
        assertFalse(Files.exists(folder.resolve("snapshot-300-2.snap.part")));
        assertEquals(older.file(), store.find(100, 1).file());
        assertNull(store.find(100, 2));
    }

    @Test
    void theStoreKeepsTheNewestTwoAndAdoptsAFetchedFileOnlyWhenItChecksOut() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(dir);
        for (int i = 1; i <= 3; i++)
        {
            store.add(write(i * 100L, 1, random(10, i), random(1000, i)));
            store.retain(2);
        }
        assertEquals(300, store.latest().index());
        assertEquals(200, store.previousIndex());
        assertEquals(2, SnapshotStore.list(dir).size(), "the oldest file is deleted");

        // a fetched copy of a snapshot from elsewhere, complete and good
        final SnapshotStore.Snapshot source = write(400, 2, random(10, 20), random(200_000, 21));
        final Path partial = store.partialFile(400, 2);
        Files.move(source.file(), partial);
        assertEquals(400, store.adopt(partial).index());
        assertEquals(400, store.latest().index());
        assertFalse(Files.exists(partial));

        final SnapshotStore.Snapshot bad = write(500, 2, random(10, 22), random(200_000, 23));
        final Path badPartial = store.partialFile(500, 2);
        Files.move(bad.file(), badPartial);
        flipByte(badPartial, 100_000);
        assertThrows(StorageException.class, () -> store.adopt(badPartial));
        assertFalse(Files.exists(badPartial), "a bad fetch is deleted");
        assertEquals(400, store.latest().index());
    }
}
