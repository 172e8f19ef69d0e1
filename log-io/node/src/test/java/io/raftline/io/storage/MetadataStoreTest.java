package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records of {@code raft.meta} written without a force (the watermark at a segment roll with page-cache durability):
 * the kernel may write such a record back whole, torn or not at all before a power loss, so none may go over the
 * slot of the newest forced record, which holds the term and vote a power loss must keep.
 */
class MetadataStoreTest
{
    @TempDir
    Path dir;

    @Test
    void unforcedRecordsNeverGoOverTheNewestForcedOne() throws IOException
    {
        final MetadataStore store = MetadataStore.open(dir);
        store.store(5, 2);
        final long forcedWatermark = store.durableWatermark();
        final int forcedSlot = (int)(store.generation() & 1);
        final byte[] forced = slot(forcedSlot);
        for (long watermark = 100; watermark <= 300; watermark += 100)
        {
            store.raiseDurableWatermarkUnforced(watermark);
            assertArrayEquals(forced, slot(forcedSlot), "raising the watermark to " + watermark +
                " wrote over the slot of the forced record");
        }

        assertEquals(300, MetadataStore.read(dir).durableWatermark(), "a process crash keeps what was written");
        final Path afterLoss = dir.resolve("after-loss");
        Files.createDirectories(afterLoss);
        final byte[] disk = Files.readAllBytes(file());
        Arrays.fill(disk, (1 - forcedSlot) * MetadataStore.SLOT_LENGTH + 16,
            (1 - forcedSlot) * MetadataStore.SLOT_LENGTH + 40, (byte)0x5A); // the unforced record written back torn
        Files.write(afterLoss.resolve(MetadataStore.FILE_NAME), disk);
        final MetadataStore recovered = MetadataStore.read(afterLoss);
        assertEquals(5, recovered.currentTerm());
        assertEquals(2, recovered.votedFor());
        assertEquals(forcedWatermark, recovered.durableWatermark());
        store.close();
    }

    @Test
    void aForceAfterUnforcedRecordsLeavesThePreviousForcedRecordInPlace() throws IOException
    {
        final MetadataStore store = MetadataStore.open(dir);
        store.store(5, 2);
        final int forcedSlot = (int)(store.generation() & 1);
        final byte[] forced = slot(forcedSlot);
        store.raiseDurableWatermarkUnforced(100);
        store.store(6, 3); // torn by a power loss while it is written, the term 5 record must remain
        assertArrayEquals(forced, slot(forcedSlot));
        store.store(7, 1);
        final MetadataStore read = MetadataStore.read(dir);
        assertEquals(7, read.currentTerm());
        assertEquals(1, read.votedFor());
        assertEquals(100, read.durableWatermark());
        store.close();
    }

    @Test
    void aRollWithPageCacheDurabilityForcesNothingAndRaisesTheWatermark()
    {
        final List<Path> forced = new ArrayList<>();
        final long lastIndex;
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, 4096))
        {
            log.observeForces(forced::add);
            for (int i = 0; i < 200; i++)
            {
                TestEntries.append(log, 1);
                log.sync();
            }
            lastIndex = log.lastIndex();
            assertTrue(log.metadata().durableWatermark() > 100, "rolls raised the watermark to " +
                log.metadata().durableWatermark());
            assertEquals(List.of(), forced);
        }
        assertEquals(lastIndex, MetadataStore.read(dir).durableWatermark(), "close stores the watermark");
    }

    private Path file()
    {
        return dir.resolve(MetadataStore.FILE_NAME);
    }

    /** The bytes of a slot as far as the file holds them (a record does not fill its slot). */
    private byte[] slot(final int slot) throws IOException
    {
        final byte[] file = Files.readAllBytes(file());
        final int from = Math.min(file.length, slot * MetadataStore.SLOT_LENGTH);
        return Arrays.copyOfRange(file, from, Math.min(file.length, from + MetadataStore.SLOT_LENGTH));
    }
}
