package io.raftline.io.storage;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Makes the next segment's cycle file on a thread of its own while the current segment fills. Chronicle's creation
 * of a cycle file (file, store header, index arrays, directory listing) took 3-8 ms of the appending thread at every
 * roll on an idle machine and 5-30 ms under load; a roll onto a file made ahead takes about 2 ms.
 * <p>
 * At most one file is made ahead, and the appender waits for it before it rolls, so the two threads never create the
 * same file. A file made ahead and never used holds no segment header: the next open removes it, and readers skip
 * it, as they do a file left by a crash while creating it.
 */
final class SegmentMaker implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SegmentMaker.class);

    private final SingleChronicleQueue queue;
    private final ExecutorService executor;
    private Future<?> pending;
    private int madeAhead = -1;

    SegmentMaker(final SingleChronicleQueue queue, final String name)
    {
        this.queue = queue;
        this.executor = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "raftline-segment-maker-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts making the file of {@code cycle}; the previous request must have been awaited. */
    void makeAhead(final int cycle)
    {
        assert pending == null : "a file is already being made ahead";
        madeAhead = cycle;
        pending = executor.submit(() -> queue.closeStore(queue.storeForCycle(cycle, queue.epoch(), true, null)));
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

    @Override
    public void close()
    {
        await();
        executor.shutdown();
    }
}
