package io.raftline.client;

import io.raftline.io.node.NodeCounter;
import io.raftline.io.node.NodeStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each node's data directory on a small tmpfs of its own, filled on purpose: a leader with a full disk refuses
 * appends while heartbeats, reads and tails go on, and takes them again by itself once space returns; a follower with
 * a full disk stops taking entries but stays in the cluster, and catches up afterwards. Nothing is lost, no node
 * stops, no election starts. Needs root (to mount), as CI has.
 */
@Timeout(180)
class DiskFullTest
{
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final int RESERVE_MB = 16;

    @TempDir
    Path dir;
    private final List<Path> mounts = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private long acknowledged;
    private long lastAcknowledgedIndex;

    @AfterEach
    void unmount() throws Exception
    {
        for (final Path mount : mounts)
        {
            run("umount", "-l", mount.toString());
        }
    }

    @Test
    void aFullDiskHoldsNewEntriesBackAndNothingElseAndSpaceReturningLetsThemIn() throws Exception
    {
        for (int id = 1; id <= 3; id++)
        {
            final Path disk = Files.createDirectories(dir.resolve("node-" + id));
            assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", disk.toString()) == 0,
                "mounting a tmpfs needs root");
            mounts.add(disk);
        }
        final UnsafeBuffer entry = new UnsafeBuffer(new byte[1024]);
        try (InProcessCluster cluster = new InProcessCluster(dir, "disk-full", 22470,
            "storage.reserve.mb", Integer.toString(RESERVE_MB), "storage.segment.bytes", "1048576");
            Producer producer = Producer.open(cluster.config, null, "p", 64, listener(), TIMEOUT_NS))
        {
            Appends.appendAndAwait(producer, 1_000, seq -> entry, TIMEOUT_NS);
            assertEquals(1_000, acknowledged);
            final int leader = cluster.awaitLeader();
            final long term = cluster.status(leader).value(NodeCounter.TERM);

            // the leader's disk fills: appends wait, everything else goes on
            final Path ballast = fill(dir.resolve("node-" + leader));
            awaitDiskFull(cluster, leader);
            for (int i = 0; i < 50; i++)
            {
                assertTrue(producer.offer(entry, 0, entry.capacity()) > 0, "within the producer's window");
            }
            pollFor(producer, TimeUnit.SECONDS.toNanos(2));
            assertEquals(1_000, acknowledged, "nothing taken while the leader's disk is full");
            assertTrue(producer.readIndex(TIMEOUT_NS) >= lastAcknowledgedIndex, "reads go on");
            assertEquals(lastAcknowledgedIndex, tail(cluster, leader, lastAcknowledgedIndex), "tails go on");
            Files.delete(ballast);
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (acknowledged < 1_050 && System.nanoTime() < deadlineNs)
            {
                producer.poll();
            }
            assertEquals(1_050, acknowledged, "taken again by themselves once space returned: " + failures);

            // a follower's disk fills: it takes no entries but stays; the other two go on; it catches up
            final int follower = leader % 3 + 1;
            final Path followerBallast = fill(dir.resolve("node-" + follower));
            awaitDiskFull(cluster, follower);
            Appends.appendAndAwait(producer, 500, seq -> entry, TIMEOUT_NS);
            assertEquals(1_550, acknowledged, "committed by the leader and the other follower");
            final NodeStatus full = cluster.status(follower);
            assertTrue(full.value(NodeCounter.APPENDS_REFUSED_DISK_FULL) > 0);
            assertTrue(full.value(NodeCounter.LAST_INDEX) < lastAcknowledgedIndex, "it took none of them");
            Files.delete(followerBallast);
            final long catchUpDeadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (cluster.status(follower).value(NodeCounter.COMMIT_INDEX) < lastAcknowledgedIndex &&
                System.nanoTime() < catchUpDeadlineNs)
            {
                Thread.sleep(20);
            }
            assertTrue(cluster.status(follower).value(NodeCounter.COMMIT_INDEX) >= lastAcknowledgedIndex,
                "the follower caught up");

            assertEquals(List.of(), failures);
            for (int id = 1; id <= 3; id++)
            {
                final NodeStatus status = cluster.status(id);
                assertEquals(term, status.value(NodeCounter.TERM), "no election: node " + id);
                assertEquals(0, status.value(NodeCounter.DISK_FULL));
            }
            assertEquals(leader, cluster.awaitLeader());
        }
    }

    /** Fills the filesystem of {@code disk} until half the reserve is left; returns the ballast file. */
    private static Path fill(final Path disk) throws IOException
    {
        final Path ballast = disk.resolve("ballast");
        final long target = Files.getFileStore(disk).getUsableSpace() - (RESERVE_MB << 20) / 2;
        final ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
        try (FileChannel channel = FileChannel.open(ballast, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (long written = 0; written < target; written += zeros.capacity())
            {
                zeros.clear().limit((int)Math.min(zeros.capacity(), target - written));
                channel.write(zeros);
            }
        }
        return ballast;
    }

    /**
     * Waits until node {@code id} says its disk is full: it reads the free space at most every 10 ms.
     */
    private static void awaitDiskFull(final InProcessCluster cluster, final int id) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
        while (cluster.status(id).value(NodeCounter.DISK_FULL) != 1 && System.nanoTime() < deadlineNs)
        {
            Thread.sleep(10);
        }
        assertEquals(1, cluster.status(id).value(NodeCounter.DISK_FULL), "node " + id + " saw its disk full");
    }

    /** Tails node {@code id} from the first entry up to {@code index}; returns how far it got. */
    private static long tail(final InProcessCluster cluster, final int id, final long index)
    {
        try (Consumer consumer = Consumer.open(cluster.config, null, id, Consumer.FIRST, true, 256,
            entry -> { }).pinned())
        {
            final long deadlineNs = System.nanoTime() + TIMEOUT_NS;
            while (consumer.lastScanned() < index && System.nanoTime() < deadlineNs)
            {
                consumer.poll();
            }
            return consumer.lastScanned();
        }
    }

    private static void pollFor(final Producer producer, final long durationNs)
    {
        final long endNs = System.nanoTime() + durationNs;
        while (System.nanoTime() < endNs)
        {
            producer.poll();
        }
    }



    private static int run(final String... command) throws IOException, InterruptedException
    {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start().waitFor();
    }

    private ProducerListener listener()
    {
        return new ProducerListener()
        {
            @Override
            public void onCommitted(final long sequence, final long index, final long term)
            {
                acknowledged++;
                lastAcknowledgedIndex = Math.max(lastAcknowledgedIndex, index);
            }

            @Override
            public void onFailed(final long sequence, final boolean maybeCommitted, final Failure reason)
            {
                failures.add(reason.message());
            }
        };
    }
}
