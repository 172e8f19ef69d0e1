package io.raftline.io.storage;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The chores on segment files that would stall appends, done on threads of their own: making the next segment's
 * cycle file while the current one fills, and deleting the files compaction dropped.
 * <p>
 * Making: Chronicle's creation of a cycle file (file, store header, index arrays, directory listing) took 3-8 ms of
 * the appending thread at every roll on an idle machine and 5-30 ms under load; a roll onto a file made ahead takes
 * about 2 ms. At most one file is made ahead, and the appender waits for it before it rolls, so the two threads
 * never create the same file. A file made ahead and never used holds no segment header: it is removed on close and
 * on open, and readers skip it, as they do a file left by a crash while creating it.
 * <p>
 * Deleting: unlinking the two or three 64 MiB segments of a compaction (every million entries) while their pages
 * are still cached took 10-48 ms. The log renames them out of the queue's sight first (cheap, and what makes them
 * gone for readers); they are unlinked here, and a crash in between leaves renamed files that the next open deletes.
 * A reader still holding a mapping of one reads on: an unlinked file's pages live until they are unmapped (which is
 * why the files are not truncated first to spread the work). The unlink frees the file's cached pages in the kernel
 * (10-25 ms a file under load), and every node compacts at the same index: on two cores, three nodes' deletions at
 * once took that time from the node threads.
 * <p>
 * Both threads, and Chronicle's background releaser (which unmaps each 16 MiB chunk the appender and the readers
 * leave, 1-2 ms each), run in {@code SCHED_IDLE} where Linux allows it: at full load these chores held a core for
 * a scheduler slice (2-3.5 ms) while node threads waited, the cause of most waits over 1.5 ms in {@code perf sched}
 * (a nice value only makes a thread's turns rarer, not shorter). Against nice 10 for the deleter alone: closed-loop
 * p99 0.87x (0.81-0.94, 4 pairs), p99.9 0.74x, throughput 1.04x; without the releaser, no change. Elsewhere the
 * deleter falls back to nice {@value #DELETER_NICE}. The cores are never all busy at full load (about 90%), so the
 * chores still get done; a roll that finds its file not made yet waits for it asleep, which frees a core for it.
 */
final class SegmentFiles implements AutoCloseable
{
    /** What a segment file dropped by compaction is renamed to end with until it is deleted. */
    static final String DELETING_SUFFIX = ".deleting";

    private static final Logger LOG = LoggerFactory.getLogger(SegmentFiles.class);
    static final int DELETER_NICE = 10;
    /** The name of Chronicle's background releaser thread as the kernel shows it (15 characters). */
    static final String CHRONICLE_RELEASER = "background~reso";
    private static volatile boolean releaserIdle;

    private final SingleChronicleQueue queue;
    private final ExecutorService executor;
    private final ExecutorService deleter;
    private Future<?> pending;
    private int madeAhead = -1;

    SegmentFiles(final SingleChronicleQueue queue, final String name)
    {
        this.queue = queue;
        this.executor = Executors.newSingleThreadExecutor(task -> daemon(() ->
        {
            ThreadPriority.idleCurrentThread(); // else at the node's priority: a roll may wait for it
            task.run();
        }, "raftline-segment-files-" + name));
        this.deleter = Executors.newSingleThreadExecutor(task -> daemon(() ->
        {
            if (!ThreadPriority.idleCurrentThread() && !ThreadPriority.lowerCurrentThread(DELETER_NICE))
            {
                LOG.info("compacted segments are deleted at the node's own priority (SCHED_IDLE and nice {} " +
                    "refused or not available here)", DELETER_NICE);
            }
            task.run();
        }, "raftline-delete-segments-" + name)); // "raftline-delete" as the kernel shows it
    }

    private static Thread daemon(final Runnable task, final String name)
    {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Starts making the file of {@code cycle}; the previous request must have been awaited. */
    void makeAhead(final int cycle)
    {
        assert pending == null : "a file is already being made ahead";
        madeAhead = cycle;
        pending = executor.submit(() ->
        {
            queue.closeStore(queue.storeForCycle(cycle, queue.epoch(), true, null));
            idleChronicleReleaser();
        });
    }

    /** Chronicle starts its releaser on the first release, one thread for the whole JVM; each chore looks once. */
    private static void idleChronicleReleaser()
    {
        if (!releaserIdle)
        {
            releaserIdle = ThreadPriority.idleThreadsNamed(CHRONICLE_RELEASER) > 0;
        }
    }

    /** Waits until the file asked for last is made, or its making failed (the appender then makes it itself). */
    void await()
    {
        final Future<?> request = pending;
        if (request == null)
        {
            return;
        }
        pending = null;
        boolean interrupted = false;
        while (true)
        {
            try
            {
                request.get();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true; // the file is being created: leaving now would let two threads create it
            }
            catch (final ExecutionException ex)
            {
                LOG.warn("could not make the next segment file ahead (the next roll makes it): {}", ex.getCause()
                    .toString());
                break;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** The cycle of the file asked for last, -1 if none. */
    int madeAhead()
    {
        return madeAhead;
    }

    /** Deletes files already renamed out of the queue's sight, in the background. */
    void deleteLater(final List<Path> renamed)
    {
        deleter.execute(() ->
        {
            idleChronicleReleaser();
            renamed.forEach(SegmentFiles::delete);
        });
    }

    static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not delete the compacted segment file {} (the next open deletes it): {}", file,
                ex.toString());
        }
    }

    /** Waits for the chores asked for, so that a log opened next in the folder finds them done. */
    @Override
    public void close()
    {
        await();
        executor.shutdown(); // idle once awaited
        deleter.shutdown();
        try
        {
            if (!deleter.awaitTermination(30, TimeUnit.SECONDS))
            {
                LOG.warn("segment files still being deleted after 30 s; the next open finishes the job");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
