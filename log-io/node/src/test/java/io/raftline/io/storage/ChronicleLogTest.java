package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import io.raftline.core.EntryType;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChronicleLogTest
{
    private static final long SMALL_SEGMENT_BYTES = 1024;

    @TempDir
    Path dir;

    @Test
    void emptyLogStartsAtOneWithTermZero()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertEquals(1, log.firstIndex());
            assertEquals(0, log.lastIndex());
            assertEquals(0, log.term(0));
            assertEquals(0, log.lastTerm());
            assertEquals(0, log.sync());
            try (LogCursor cursor = log.newCursor())
            {
                assertFalse(cursor.seek(1));
                assertFalse(cursor.next());
            }
        }
    }

    @Test
    void appendedEntriesReadBackThroughEveryAccessor()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (int i = 1; i <= 1000; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            assertEquals(1000, log.sync());
            checkLog(log, 1, 1000, ChronicleLogTest::termAt);
        }
    }

    @Test
    void headersHeldInMemoryMatchTheFileAfterAppendTruncationAndRestart()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            for (int i = 1; i <= 100; i++)
            {
                TestEntries.append(log, 1);
            }
            log.truncateFrom(51);
            assertFalse(log.isRecent(51), "a truncated entry is not served from memory");
            for (int i = 51; i <= 120; i++)
            {
                TestEntries.append(log, 2);
            }
            checkRecentHeaders(log, 1, 120);
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            checkRecentHeaders(log, 1, 120); // recovery refills them from the last segment
        }
    }

    private static void checkRecentHeaders(final ChronicleLog log, final long from, final long to)
    {
        try (LogCursor cursor = log.newCursor())
        {
            assertTrue(cursor.seek(from));
            for (long index = from; index <= to; index++)
            {
                assertTrue(cursor.next());
                if (log.isRecent(index))
                {
                    assertEquals(cursor.type(), log.type(index), "type of " + index);
                    assertEquals(cursor.payloadLength(), log.payloadLength(index), "length of " + index);
                    assertEquals(cursor.sessionId(), log.recentSessionId(index), "session of " + index);
                    assertEquals(cursor.sequence(), log.recentSequence(index), "sequence of " + index);
                }
            }
            assertTrue(log.isRecent(to), "the tail is held in memory");
            assertFalse(log.isRecent(to + 1));
        }
    }

    @Test
    void appendsFromDirectBuffersInPlace()
    {
        final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        final UnsafeBuffer buffer = new UnsafeBuffer(direct);
        buffer.putStringWithoutLengthAscii(0, "direct-payload");
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            log.append(1, EntryType.NORMAL, 42, 1, buffer, 0, 14);
            log.append(2, EntryType.NORMAL, 7, 1, buffer, 7, 7); // "payload" inside "direct-payload"
            log.append(2, EntryType.CONFIG, 7, 2, buffer, 7, 0);
            assertEquals(3, log.lastIndex());
            try (LogCursor cursor = log.newCursor())
            {
                assertTrue(cursor.seek(1));
                assertTrue(cursor.next());
                assertEquals("direct-payload", cursor.buffer().getStringWithoutLengthAscii(cursor.payloadOffset(),
                    cursor.payloadLength()));
                assertTrue(cursor.next());
                assertEquals(2, cursor.term());
                assertEquals("payload", cursor.buffer().getStringWithoutLengthAscii(cursor.payloadOffset(),
                    cursor.payloadLength()));
                assertTrue(cursor.next());
                assertEquals(EntryType.CONFIG, cursor.type());
                assertEquals(0, cursor.payloadLength());
                assertFalse(cursor.next());
            }
        }
    }

    @Test
    void restartKeepsEverythingAcrossManySegments()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 300; i++)
            {
                TestEntries.append(log, termAt(i));
            }
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            assertTrue(inspector.segments().size() > 10, "small segments roll");
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            assertEquals(1, log.firstIndex());
            assertEquals(300, log.lastIndex());
            checkLog(log, 1, 300, ChronicleLogTest::termAt);
            for (int i = 301; i <= 400; i++)
            {
                TestEntries.append(log, termAt(i));
            }
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            checkLog(log, 1, 400, ChronicleLogTest::termAt);
        }
    }

    @Test
    void eachRollGoesOntoAFileMadeAheadAndOneNeverUsedIsRemovedOnOpen() throws IOException
    {
        final Path queueDir = dir.resolve(QueueFiles.QUEUE_DIRECTORY);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 120; i++)
            {
                TestEntries.append(log, termAt(i));
                final int segments;
                try (LogInspector inspector = LogInspector.open(dir))
                {
                    segments = headed(inspector);
                    assertTrue(inspector.verify().ok(), inspector.verify().toString());
                }
                awaitFileCount(queueDir, segments + 1); // the next one, made ahead and not yet used
            }
            log.truncateFrom(100); // a truncation's segment takes the file made ahead too
            TestEntries.append(log, 99);
            checkLog(log, 1, 100, index -> index == 100 ? 99 : termAt(index));
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            try (LogInspector inspector = LogInspector.open(dir))
            {
                assertEquals(headed(inspector), segmentFiles(queueDir), "the unused file is removed");
            }
            checkLog(log, 1, 100, index -> index == 100 ? 99 : termAt(index));
            TestEntries.append(log, 99);
            assertEquals(101, log.lastIndex());
        }
    }

    private static int headed(final LogInspector inspector)
    {
        return (int)inspector.segments().stream().filter(s -> !s.state().equals(LogInspector.Segment.EMPTY)).count();
    }

    private static void awaitFileCount(final Path queueDir, final int expected) throws IOException
    {
        final long deadlineNs = System.nanoTime() + 10_000_000_000L;
        while (segmentFiles(queueDir) != expected && System.nanoTime() < deadlineNs)
        {
            Thread.onSpinWait();
        }
        assertEquals(expected, segmentFiles(queueDir), "segment files");
    }

    private static long segmentFiles(final Path queueDir) throws IOException
    {
        try (Stream<Path> files = Files.list(queueDir))
        {
            return files.filter(file -> file.toString().endsWith(SingleChronicleQueue.SUFFIX)).count();
        }
    }

    @Test
    void truncationAtEveryPositionThenAppendRestartAndReadBack()
    {
        final int entries = 12;
        for (int truncateAt = 1; truncateAt <= entries + 1; truncateAt++)
        {
            final Path logDir = dir.resolve("t" + truncateAt);
            final Map<Long, Long> expected = new HashMap<>();
            try (ChronicleLog log = ChronicleLog.open(logDir, Durability.PAGE_CACHE, 300))
            {
                for (long i = 1; i <= entries; i++)
                {
                    TestEntries.append(log, 1 + i / 5);
                    expected.put(i, 1 + i / 5);
                }
                log.truncateFrom(truncateAt);
                assertEquals(Math.min(entries, truncateAt - 1), log.lastIndex());
                final long last = log.lastIndex();
                assertEquals(last == 0 ? 0 : expected.get(last), log.lastTerm());
                for (long i = last + 1; i <= last + 3; i++)
                {
                    TestEntries.append(log, 9);
                    expected.put(i, 9L);
                }
                checkLog(log, 1, last + 3, expected::get);
            }
            try (ChronicleLog log = ChronicleLog.open(logDir, Durability.PAGE_CACHE, 300))
            {
                final long last = Math.min(entries, truncateAt - 1) + 3;
                assertEquals(1, log.firstIndex());
                assertEquals(last, log.lastIndex(), "truncated at " + truncateAt);
                checkLog(log, 1, last, expected::get);
            }
            try (LogInspector inspector = LogInspector.open(logDir))
            {
                assertTrue(inspector.verify().ok(), inspector.verify().toString());
            }
        }
    }

    @Test
    void repeatedTruncationsAndEmptyingTheLog()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, 400))
        {
            for (int i = 1; i <= 30; i++)
            {
                TestEntries.append(log, 1);
            }
            log.truncateFrom(20);
            log.truncateFrom(10);
            log.truncateFrom(1);
            assertEquals(0, log.lastIndex());
            assertEquals(1, log.firstIndex());
            assertEquals(0, log.lastTerm());
            TestEntries.append(log, 5);
            log.truncateFrom(2); // nothing to drop
            assertEquals(1, log.lastIndex());
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, 400))
        {
            assertEquals(1, log.lastIndex());
            assertEquals(5, log.term(1));
            checkLog(log, 1, 1, index -> 5);
        }
    }

    @Test
    void compactionDropsWholeSegmentsAndKeepsLaterReadersGoing() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 200; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            final int filesBefore = TestEntries.segmentFiles(dir).size();
            try (LogCursor reader = log.newCursor())
            {
                assertTrue(reader.seek(150));
                assertTrue(reader.next());
                log.compactBefore(120);
                assertTrue(log.firstIndex() <= 120);
                assertTrue(log.firstIndex() > 100, "first index " + log.firstIndex());
                assertTrue(TestEntries.segmentFiles(dir).size() < filesBefore);
                assertEquals(termAt(log.firstIndex() - 1), log.term(log.firstIndex() - 1));
                for (long index = 151; index <= 200; index++)
                {
                    assertTrue(reader.next());
                    assertEquals(index, reader.index());
                }
            }
            checkLog(log, log.firstIndex(), 200, ChronicleLogTest::termAt);
            try (LogCursor cursor = log.newCursor())
            {
                assertFalse(cursor.seek(log.firstIndex() - 1));
            }
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            assertTrue(log.firstIndex() <= 120);
            assertEquals(termAt(log.firstIndex() - 1), log.term(log.firstIndex() - 1));
            checkLog(log, log.firstIndex(), 200, ChronicleLogTest::termAt);
        }
    }

    @Test
    void compactedFilesLeaveTheLogAtOnceAndTheDiskSoonAfterOrAtTheNextOpen() throws IOException
    {
        final Path queueDir = dir.resolve(QueueFiles.QUEUE_DIRECTORY);
        final List<Path> dropped;
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 200; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            final List<Path> before = TestEntries.segmentFiles(dir);
            log.compactBefore(120);
            dropped = new ArrayList<>(before);
            dropped.removeAll(TestEntries.segmentFiles(dir));
            assertFalse(dropped.isEmpty());
            final long deadlineNs = System.nanoTime() + 10_000_000_000L;
            while (filesEndingWith(queueDir, SegmentFiles.DELETING_SUFFIX) > 0 && System.nanoTime() < deadlineNs)
            {
                Thread.onSpinWait();
            }
            assertEquals(0, filesEndingWith(queueDir, SegmentFiles.DELETING_SUFFIX), "deleted in the background");
            for (final String chore : List.of("raftline-delete", "raftline-segmen", SegmentFiles.CHRONICLE_RELEASER))
            {
                final List<Integer> policies = ThreadPriorityTest.policiesOf(chore);
                assertTrue(!policies.isEmpty() && policies.stream().allMatch(p -> p == ThreadPriorityTest.SCHED_IDLE),
                    chore + " runs only on a core no node thread wants: " + policies);
            }
            try (LogInspector inspector = LogInspector.open(dir))
            {
                assertTrue(inspector.verify().ok(), inspector.verify().toString());
            }
        }
        // a stop between the rename and the unlink leaves the renamed file: the next open deletes it
        final Path leftover = queueDir.resolve(dropped.get(0).getFileName() + SegmentFiles.DELETING_SUFFIX);
        Files.write(leftover, new byte[4096]);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            assertFalse(Files.exists(leftover));
            checkLog(log, log.firstIndex(), 200, ChronicleLogTest::termAt);
        }
    }

    private static long filesEndingWith(final Path queueDir, final String suffix) throws IOException
    {
        try (Stream<Path> files = Files.list(queueDir))
        {
            return files.filter(file -> file.toString().endsWith(suffix)).count();
        }
    }

    @Test
    void aResetToAnInstalledSnapshotReplacesTheLogForGoodEvenIfOldSegmentsReappear(@TempDir final Path saved)
        throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 120; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            log.sync();
            try (LogInspector inspector = LogInspector.open(dir))
            {
                for (final LogInspector.Segment segment : inspector.segments())
                {
                    if (!segment.state().equals(LogInspector.Segment.EMPTY)) // not the next one, made ahead
                    {
                        final Path file = dir.resolve(QueueFiles.QUEUE_DIRECTORY).resolve(segment.file());
                        Files.copy(file, saved.resolve(file.getFileName()));
                    }
                }
            }
            // a snapshot below the log's end: what the log holds above it conflicts with it
            log.reset(100, 7);
            assertEquals(101, log.firstIndex());
            assertEquals(100, log.lastIndex());
            assertEquals(7, log.term(100));
            assertEquals(100, log.durableIndex());
            try (LogInspector inspector = LogInspector.open(dir))
            {
                assertEquals(1, headed(inspector), "the old segments are deleted");
            }
            for (int i = 101; i <= 130; i++)
            {
                TestEntries.append(log, 7);
            }
            checkLog(log, 101, 130, index -> 7);
        }
        // a crash between the new segment and the deletion of the old ones leaves them behind
        for (final Path file : Files.newDirectoryStream(saved))
        {
            Files.copy(file, TestEntries.segmentFiles(dir).get(0).resolveSibling(file.getFileName()));
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            assertEquals(101, log.firstIndex(), "the restart supersedes every earlier segment");
            assertEquals(130, log.lastIndex());
            assertEquals(7, log.term(100));
            checkLog(log, 101, 130, index -> 7);
            for (final Path file : Files.newDirectoryStream(saved))
            {
                assertFalse(Files.exists(TestEntries.segmentFiles(dir).get(0).resolveSibling(file.getFileName())),
                    "recovery deletes " + file.getFileName());
            }
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            assertEquals(101, inspector.firstIndex());
        }
    }

    @Test
    void aFailedForceIsNeverTakenForDurabilityAgainEvenIfALaterForceSucceeds()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (int i = 1; i <= 5; i++)
            {
                TestEntries.append(log, 1);
            }
            assertEquals(5, log.sync());
            log.close(); // records the watermark
        }
        final ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC);
        assertEquals(5, log.metadata().durableWatermark());
        for (int i = 6; i <= 8; i++)
        {
            TestEntries.append(log, 1);
        }
        // Linux reports a write-back error once: the force after it "succeeds" though the pages were lost
        log.failNextForce(new java.io.IOException("Input/output error"));
        final StorageException failed = assertThrows(StorageException.class, log::sync);
        assertTrue(failed.getMessage().contains("Input/output error"), failed.getMessage());
        assertEquals(5, log.durableIndex(), "nothing above the last good force is durable");
        assertThrows(StorageException.class, log::sync, "and it never will be: the log stops");
        log.close();
        try (ChronicleLog reopened = ChronicleLog.open(dir, Durability.FSYNC))
        {
            assertEquals(5, reopened.metadata().durableWatermark(), "close did not raise the watermark");
            // the pages of 6..8 read back from the page cache, but the force that would have written them failed
            assertEquals(5, reopened.lastIndex(), "nothing above the last good force is kept");
            TestEntries.append(reopened, 2);
            assertEquals(6, reopened.sync());
        }
        try (ChronicleLog again = ChronicleLog.open(dir, Durability.FSYNC))
        {
            assertEquals(6, again.lastIndex(), "the mark is cleared once dealt with");
        }
    }

    @Test
    void secondOpenerIsRefusedNamingTheHolder()
    {
        try (ChronicleLog held = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertEquals(0, held.lastIndex());
            final StorageException refused =
                assertThrows(StorageException.class, () -> ChronicleLog.open(dir, Durability.PAGE_CACHE));
            assertTrue(refused.getMessage().contains("in use by process " + ProcessHandle.current().pid()),
                refused.getMessage());
        }
        ChronicleLog.open(dir, Durability.PAGE_CACHE).close(); // released on close
    }

    @Test
    void metadataSurvivesRestartAndATornSlot() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertEquals(0, log.metadata().currentTerm());
            assertEquals(0, log.metadata().votedFor());
            assertEquals(0, log.metadata().configuration().length);
            assertTrue(log.metadata().identity() != 0, "a directory gets an identity when it is made");
            assertFalse(log.metadata().isFirstMember(), "made without being a cluster's first member");
            log.metadata().store(3, 2);
            log.metadata().storeConfiguration(new byte[] {1, 2, 3});
            log.metadata().store(4, 1);
        }
        final MetadataStore stored = MetadataStore.read(dir);
        assertEquals(4, stored.currentTerm());
        assertEquals(1, stored.votedFor());
        assertArrayEquals(new byte[] {1, 2, 3}, stored.configuration());
        stored.close();
        final MetadataStore reopened = MetadataStore.open(dir);
        reopened.markFirstMember();
        reopened.store(5, 3);
        reopened.close();
        // damage the newest slot: the previous value must come back, never a mix
        final MetadataStore before = MetadataStore.read(dir);
        final long newestSlot = (before.generation() & 1) * MetadataStore.SLOT_LENGTH;
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
            dir.resolve(MetadataStore.FILE_NAME), java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[] {9, 9, 9}), newestSlot + 17);
        }
        final MetadataStore after = MetadataStore.read(dir);
        assertEquals(5, after.currentTerm() + 1, "the slot before the damaged one: term 4 then the mark");
        assertEquals(before.identity(), after.identity());
        assertTrue(after.isFirstMember());
    }

    @Test
    void corruptionBelowTheDurableWatermarkIsFoundByVerifyAndRefusedOnOpen() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (int i = 1; i <= 20; i++)
            {
                TestEntries.append(log, 2);
            }
        }
        final Path file = TestEntries.flipPayloadByte(dir, 7, 2);
        try (LogInspector inspector = LogInspector.open(dir))
        {
            final LogInspector.Verification verification = inspector.verify();
            assertFalse(verification.ok());
            assertEquals(7, verification.index());
            assertTrue(verification.file().endsWith(file.getFileName().toString()), verification.toString());
            assertTrue(verification.problem().contains("checksum"), verification.problem());
        }
        final StorageException refused =
            assertThrows(StorageException.class, () -> ChronicleLog.open(dir, Durability.FSYNC));
        assertTrue(refused.getMessage().contains("index 7"), refused.getMessage());
        assertTrue(refused.getMessage().contains(file.getFileName().toString()), refused.getMessage());
    }

    @Test
    void aDamagedEntryIsCutForRepairWhereAPeerCanSendItAgainAndTheFloorIsKept() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (int i = 1; i <= 20; i++)
            {
                TestEntries.append(log, i <= 10 ? 2 : 3);
            }
        }
        TestEntries.flipPayloadByte(dir, 7, 2);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, ChronicleLog.SEGMENT_BYTES_DEFAULT,
            ChronicleLog.OnDamage.CUT))
        {
            assertEquals(6, log.lastIndex(), "cut at the damaged entry");
            assertEquals(20, log.metadata().repairFloorIndex(), "it held up to 20");
            assertEquals(3, log.metadata().repairFloorTerm(), "of term 3: the last entry is sound");
            try (LogCursor cursor = log.newCursor())
            {
                TestEntries.checkEntries(cursor, 1, 6, index -> 2);
            }
            TestEntries.append(log, 3); // a leader sends 7 again
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            assertEquals(7, log.lastIndex(), "a repaired log opens as any other");
            assertEquals(20, log.metadata().repairFloorIndex(), "the floor stays until the node is past it");
        }
    }

    @Test
    void aDamagedLastEntryGivesAFloorOfTheCurrentTermAsHighAsItsBytesCouldReach() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            log.metadata().store(5, 1);
            for (int i = 1; i <= 20; i++)
            {
                TestEntries.append(log, 2);
            }
        }
        TestEntries.flipPayloadByte(dir, 20, 2);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, ChronicleLog.SEGMENT_BYTES_DEFAULT,
            ChronicleLog.OnDamage.CUT))
        {
            assertEquals(19, log.lastIndex());
            // nothing vouches for its length field: had it been damaged, its bytes could hold entries of a header each
            assertEquals(20 + TestEntries.length(20) / EntryLayout.HEADER_LENGTH, log.metadata().repairFloorIndex());
            assertEquals(5, log.metadata().repairFloorTerm(), "its own term is unreadable: no entry is newer than 5");
        }
    }

    @Test
    void aDamagedLengthThatSwallowsTheNextEntryDoesNotLowerTheFloor() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            log.metadata().store(5, 1);
            TestEntries.append(log, 2);
            TestEntries.append(log, 2);
        }
        lowerWatermarkTo(1); // as a crash may leave it: a lower bound of what was durable
        // entry 1's length now ends where its document does, as if entry 2 were part of it
        TestEntries.putHeaderInt(dir, 1, 2, EntryLayout.PAYLOAD_LENGTH_OFFSET,
            TestEntries.length(1) + EntryLayout.HEADER_LENGTH + TestEntries.length(2));
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, ChronicleLog.SEGMENT_BYTES_DEFAULT,
            ChronicleLog.OnDamage.CUT))
        {
            assertEquals(0, log.lastIndex());
            assertTrue(log.metadata().repairFloorIndex() >= 2, "entry 2 may have been acknowledged: floor " +
                log.metadata().repairFloorIndex());
        }
    }

    @Test
    void aDamagedIndexInTheLastEntryOfAnEarlierSegmentIsFoundWhenReadNotTakenForAHole() throws IOException
    {
        final long lastOfFirst;
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, SMALL_SEGMENT_BYTES))
        {
            while (log.lastIndex() < 30)
            {
                TestEntries.append(log, 2);
                log.sync();
            }
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            lastOfFirst = inspector.segments().get(0).lastIndex();
        }
        TestEntries.putHeaderInt(dir, lastOfFirst, 2, EntryLayout.INDEX_OFFSET, 3);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, SMALL_SEGMENT_BYTES);
            LogCursor cursor = log.newCursor())
        {
            assertEquals(30, log.lastIndex());
            assertTrue(cursor.seek(lastOfFirst));
            assertEquals(lastOfFirst, assertThrows(DamagedEntryException.class, cursor::next).index());
        }
    }

    @Test
    void aDamagedLengthPassedOverOnTheWayToASeekIsNamedByItsOwnIndex() throws IOException
    {
        final long segmentBytes = 8 << 10;
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, segmentBytes))
        {
            for (int i = 1; i <= 30; i++)
            {
                TestEntries.append(log, 2); // one document
            }
            while (log.lastIndex() < 80)
            {
                TestEntries.append(log, 2);
                log.sync(); // and more segments: opening checks only the last one
            }
        }
        // entry 10's length swallows entry 11: passing over it lands on 12 where 11 should be
        TestEntries.putHeaderInt(dir, 10, 2, EntryLayout.PAYLOAD_LENGTH_OFFSET,
            TestEntries.length(10) + EntryLayout.HEADER_LENGTH + TestEntries.length(11));
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, segmentBytes);
            LogCursor cursor = log.newCursor())
        {
            assertTrue(cursor.seek(13));
            assertEquals(10, assertThrows(DamagedEntryException.class, cursor::next).index());
            TestEntries.checkEntries(cursor, 1, 9, index -> 2);
        }
    }

    private void lowerWatermarkTo(final long watermark)
    {
        final MetadataStore metadata = MetadataStore.open(dir);
        try
        {
            metadata.storeDurableWatermark(watermark);
        }
        finally
        {
            metadata.close();
        }
    }

    @Test
    void aLogOfFormatOneEntryPerDocumentOpensReadsAndGrows() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, 4096))
        {
            for (int i = 1; i <= 100; i++)
            {
                TestEntries.append(log, termAt(i));
                log.sync(); // one entry per document, as format 1 wrote them
            }
        }
        assertTrue(TestEntries.setSegmentFormatVersion(dir, EntryLayout.FORMAT_VERSION_ONE_ENTRY_PER_DOCUMENT) > 1);
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, 4096))
        {
            assertEquals(100, log.lastIndex());
            for (int i = 101; i <= 150; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            try (LogCursor cursor = log.newCursor())
            {
                TestEntries.checkEntries(cursor, 1, 150, ChronicleLogTest::termAt);
                TestEntries.checkEntries(cursor, 37, 37, ChronicleLogTest::termAt);
            }
        }
        try (LogInspector inspector = LogInspector.open(dir))
        {
            assertTrue(inspector.verify().ok(), inspector.verify().toString());
            assertEquals(150, inspector.verify().entriesChecked());
        }
    }

    @Test
    void entriesOfManyDocumentsAreFoundByAnySeekAndDamageInAProbedDocumentIsNamedByItsIndex() throws IOException
    {
        final long last = 3_000;
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, 64 << 10))
        {
            final Random random = new Random(7);
            while (log.lastIndex() < last)
            {
                TestEntries.append(log, termAt(log.lastIndex() + 1));
                if (random.nextInt(20) == 0)
                {
                    log.sync(); // documents of 1 to ~60 entries (and a new one at each roll)
                }
            }
            log.sync();
            try (LogCursor cursor = log.newCursor())
            {
                for (int i = 0; i < 300; i++)
                {
                    final long from = 1 + random.nextInt((int)last);
                    TestEntries.checkEntries(cursor, from, Math.min(last, from + random.nextInt(5)),
                        ChronicleLogTest::termAt);
                }
            }
        }
        TestEntries.flipPayloadByte(dir, 1_500, termAt(1_500));
        try (LogInspector inspector = LogInspector.open(dir))
        {
            assertEquals(1_500, inspector.verify().index(), inspector.verify().toString());
            try (LogCursor cursor = inspector.newCursor())
            {
                TestEntries.checkEntries(cursor, 1_499, 1_499, ChronicleLogTest::termAt);
                TestEntries.checkEntries(cursor, 1_501, 1_600, ChronicleLogTest::termAt);
                assertTrue(cursor.seek(1_500));
                final DamagedEntryException damaged = assertThrows(DamagedEntryException.class, cursor::next);
                assertEquals(1_500, damaged.index());
            }
        }
    }

    @Test
    void aDamagedEntryFoundWhileRunningIsCutWithTheFloorRecordedFirst() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 200; i++)
            {
                TestEntries.append(log, 4);
            }
            log.sync();
            TestEntries.flipPayloadByteInPlace(dir, 30, 4);
            final long damaged;
            try (LogCursor cursor = log.newCursor())
            {
                assertTrue(cursor.seek(29));
                assertTrue(cursor.next());
                damaged = assertThrows(DamagedEntryException.class, cursor::next).index();
            }
            assertEquals(30, damaged);
            log.cutAtDamage(damaged, log.lastIndex(), log.term(log.lastIndex()));
            assertEquals(29, log.lastIndex());
            assertEquals(200, log.metadata().repairFloorIndex());
            assertEquals(4, log.metadata().repairFloorTerm());
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC, SMALL_SEGMENT_BYTES))
        {
            assertEquals(29, log.lastIndex(), "the cut survives a restart");
            assertEquals(200, log.metadata().repairFloorIndex());
        }
    }

    @Test
    void theRepairFloorRisesInRaftsOrderOfLogsALaterTermOverALongerLog()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            final MetadataStore metadata = log.metadata();
            metadata.raiseRepairFloor(10, 5);
            metadata.raiseRepairFloor(12, 4); // less up to date: a lower last term
            assertEquals(10, metadata.repairFloorIndex());
            assertEquals(5, metadata.repairFloorTerm());
            metadata.raiseRepairFloor(9, 7); // more up to date, though shorter
            assertEquals(9, metadata.repairFloorIndex());
            assertEquals(7, metadata.repairFloorTerm());
        }
        final MetadataStore read = MetadataStore.read(dir);
        assertEquals(9, read.repairFloorIndex());
        assertEquals(7, read.repairFloorTerm());
    }

    @Test
    void aMetadataFileOfTheSecondLayoutReadsWithNoRepairFloor() throws IOException
    {
        // the second layout: identity and flags, configuration bytes at 56; term 7, vote 2, first member
        final ByteBuffer slot = ByteBuffer.allocateDirect(MetadataStore.SLOT_LENGTH * 2).order(ByteOrder.LITTLE_ENDIAN);
        slot.putInt(4, 0x444D4C52).putLong(8, 1).putLong(16, 7).putInt(24, 2).putInt(28, 3).putLong(32, 0);
        slot.putLong(40, 1234).putLong(48, 1).put(56, (byte)9).put(57, (byte)8).put(58, (byte)7);
        writeMetadataSlot(slot, 59);
        final MetadataStore read = MetadataStore.read(dir);
        assertEquals(7, read.currentTerm());
        assertEquals(1234, read.identity());
        assertTrue(read.isFirstMember());
        assertArrayEquals(new byte[] {9, 8, 7}, read.configuration());
        assertEquals(0, read.repairFloorIndex());
    }

    @Test
    void aSegmentFileLeftWithoutItsHeaderIsRemovedSoLaterSegmentsDoNotStrandIt()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            for (int i = 1; i <= 5; i++)
            {
                TestEntries.append(log, 1);
            }
        }
        // a writer killed after Chronicle made the next cycle file and before the segment header went in
        final int[] highest = new int[1];
        final SegmentClock clock = new SegmentClock(QueueFiles.ROLL_CYCLE.lengthInMillis());
        try (SingleChronicleQueue queue = QueueFiles.openForWriting(dir.resolve(QueueFiles.QUEUE_DIRECTORY), clock))
        {
            final int[] cycles = QueueFiles.cycles(queue);
            highest[0] = cycles[cycles.length - 1] + 1;
            clock.cycle(highest[0]);
            queue.storeForCycle(highest[0], 0, true, null).close();
        }
        assertTrue(Files.exists(dir.resolve(QueueFiles.QUEUE_DIRECTORY).resolve(QueueFiles.fileName(highest[0]))));
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            assertEquals(5, log.lastIndex());
            log.truncateFrom(4); // a new segment after the empty file
            TestEntries.append(log, 2);
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.FSYNC))
        {
            assertEquals(4, log.lastIndex(), "the empty file is gone, not stranded between segments");
            assertEquals(2, log.term(4));
        }
    }

    @Test
    void everyEntryACursorServesIsCheckedEvenFromALiveLog() throws IOException
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            for (int i = 1; i <= 20; i++)
            {
                TestEntries.append(log, 2);
            }
            log.sync();
            try (LogCursor cursor = log.newCursor())
            {
                TestEntries.checkEntries(cursor, 1, 20, index -> 2);

                final Path file = TestEntries.flipPayloadByteInPlace(dir, 7, 2);
                assertTrue(cursor.seek(6));
                assertTrue(cursor.next());
                final StorageException corrupt = assertThrows(StorageException.class, cursor::next);

                assertTrue(corrupt.getMessage().contains("index 7"), corrupt.getMessage());
                assertTrue(corrupt.getMessage().contains("checksum"), corrupt.getMessage());
                assertTrue(corrupt.getMessage().contains(file.getFileName().toString()), corrupt.getMessage());
            }
        }
    }

    @Test
    void inspectorReadsWhileTheLogIsOpenForWriting()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE, SMALL_SEGMENT_BYTES))
        {
            for (int i = 1; i <= 50; i++)
            {
                TestEntries.append(log, termAt(i));
            }
            log.truncateFrom(40);
            TestEntries.append(log, 99);
            log.sync(); // another reader sees what the writer has synced
            try (LogInspector inspector = LogInspector.open(dir))
            {
                assertEquals(1, inspector.firstIndex());
                assertEquals(40, inspector.lastIndex());
                assertTrue(inspector.verify().ok(), inspector.verify().toString());
                assertTrue(inspector.segments().stream().anyMatch(s -> s.state().equals("superseded")));
                try (LogCursor cursor = inspector.newCursor())
                {
                    TestEntries.checkEntries(cursor, 1, 40, index -> index == 40 ? 99 : termAt(index));
                    assertFalse(cursor.next());
                }
                assertNull(inspector.verify().problem());
            }
            TestEntries.append(log, 99);
            assertEquals(41, log.lastIndex());
        }
    }

    static long termAt(final long index)
    {
        return 1 + index / 50;
    }

    private static void checkLog(final ChronicleLog log, final long from, final long to,
        final TestEntries.TermOf expectedTerm)
    {
        for (long index = from; index <= to; index++)
        {
            assertEquals(expectedTerm.term(index), log.term(index), "term " + index);
            assertEquals(TestEntries.type(index), log.type(index), "type " + index);
            assertEquals(TestEntries.length(index), log.payloadLength(index), "length " + index);
        }
        try (LogCursor cursor = log.newCursor())
        {
            TestEntries.checkEntries(cursor, from, to, expectedTerm);
            assertFalse(cursor.next());
        }
    }

    @Test
    void configurationEntriesAreKeptBesideTheLogAndFollowItsTruncations()
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[]{1, 2, 3, 4});
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            TestEntries.append(log, 1);
            log.append(1, EntryType.CONFIG, 0, 0, payload, 0, 4);
            TestEntries.append(log, 1);
            log.append(1, EntryType.CONFIG, 0, 0, payload, 1, 3);
            assertEquals(List.of(2L, 4L), log.configurationEntries().stream().map(e -> e.index()).toList());
            log.truncateFrom(4);
            assertEquals(List.of(2L), log.configurationEntries().stream().map(e -> e.index()).toList());
            log.append(2, EntryType.CONFIG, 0, 0, payload, 2, 2);
            log.sync();
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            final List<ConfigurationEntries.Entry> entries = log.configurationEntries();
            assertEquals(List.of(2L, 4L), entries.stream().map(e -> e.index()).toList());
            assertEquals(2, entries.get(1).term());
            assertArrayEquals(new byte[]{3, 4}, entries.get(1).payload());
        }
    }

    @Test
    void aConfigurationRecordedButNeverWrittenIsForgottenOnOpen()
    {
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            TestEntries.append(log, 1);
            log.sync();
            // as a crash between recording an entry and writing it leaves things
            final ConfigurationEntries recorded = new ConfigurationEntries();
            recorded.add(2, 1, new byte[]{7});
            log.metadata().storeConfiguration(recorded.encode());
        }
        try (ChronicleLog log = ChronicleLog.open(dir, Durability.PAGE_CACHE))
        {
            assertTrue(log.configurationEntries().isEmpty());
        }
    }

    @Test
    void aMetadataFileOfTheFirstLayoutGetsAnIdentityAndCountsAsAFirstMember() throws IOException
    {
        // the first layout: configuration bytes at 48, no identity; term 7, vote 2
        final ByteBuffer slot = ByteBuffer.allocateDirect(MetadataStore.SLOT_LENGTH * 2).order(ByteOrder.LITTLE_ENDIAN);
        slot.putInt(4, 0x444D4C52).putLong(8, 1).putLong(16, 7).putInt(24, 2).putInt(28, 0).putLong(32, 0);
        writeMetadataSlot(slot, 48);
        final MetadataStore upgraded = MetadataStore.open(dir);
        assertEquals(7, upgraded.currentTerm());
        assertEquals(2, upgraded.votedFor());
        assertTrue(upgraded.identity() != 0);
        assertTrue(upgraded.isFirstMember());
        upgraded.close();
        final MetadataStore again = MetadataStore.read(dir);
        assertEquals(upgraded.identity(), again.identity(), "kept once given");
    }

    /** Writes {@code slot} as the metadata file, checksummed over its bytes [4, length), as an older version did. */
    private void writeMetadataSlot(final ByteBuffer slot, final int length) throws IOException
    {
        slot.putInt(0, Checksums.crc32c(new UnsafeBuffer(slot).addressOffset(), 4, length - 4));
        final byte[] file = new byte[slot.capacity()];
        slot.get(0, file);
        Files.createDirectories(dir);
        Files.write(dir.resolve(MetadataStore.FILE_NAME), file);
    }
}
