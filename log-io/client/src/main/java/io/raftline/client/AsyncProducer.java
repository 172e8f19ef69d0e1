package io.raftline.client;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link Producer} for any thread: {@link #append} returns a future that completes once the entry is committed
 * (or exceptionally, with a {@link RaftlineClientException} carrying the reason). The client's own thread (see
 * {@link RaftlineClient.Context#clientThread}) offers the entries in the order they were appended and polls; the
 * same exactly-once session stands behind it. Each append copies its bytes: for an allocation-free path, use
 * {@link Producer#offer} from one thread.
 */
public final class AsyncProducer implements AutoCloseable
{
    private final Producer producer;
    private final ManyToOneConcurrentLinkedQueue<Request> requests = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicLong outstanding = new AtomicLong();
    // the client thread's own
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final Long2ObjectHashMap<CompletableFuture<Producer.Committed>> inFlight = new Long2ObjectHashMap<>();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private volatile boolean closing;
    private volatile boolean closed;

    private record Request(byte[] bytes, CompletableFuture<Producer.Committed> future)
    {
    }

    /** Made on the client's thread, around a producer whose listener is {@link #listener()}'s. */
    AsyncProducer(final Producer producer)
    {
        this.producer = producer;
    }

    /** The outcomes the producer reports, on the client thread. */
    static final class Outcomes implements ProducerListener
    {
        private AsyncProducer owner;

        void owner(final AsyncProducer owner)
        {
            this.owner = owner;
        }

        @Override
        public void onCommitted(final long sequence, final long index, final long term)
        {
            owner.complete(sequence, new Producer.Committed(sequence, index, term), null);
        }

        @Override
        public void onFailed(final long sequence, final boolean maybeCommitted, final Failure failure)
        {
            owner.complete(sequence, null, RaftlineClientException.of(failure.reason(), failure.message()));
        }
    }

    /** Appends a copy of the bytes; the future completes once the entry is committed, or fails. */
    public CompletableFuture<Producer.Committed> append(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return append(bytes);
    }

    /** As {@link #append(DirectBuffer, int, int)}; the array is not copied and must not change afterwards. */
    public CompletableFuture<Producer.Committed> append(final byte[] bytes)
    {
        final CompletableFuture<Producer.Committed> future = new CompletableFuture<>();
        if (closing)
        {
            future.completeExceptionally(new RaftlineClientException.ClosedException("producer closed"));
            return future;
        }
        outstanding.incrementAndGet();
        requests.offer(new Request(bytes, future));
        if (closed && future.completeExceptionally(new RaftlineClientException.ClosedException("producer closed")))
        {
            outstanding.decrementAndGet(); // came after the client thread's last look: it will not settle it
        }
        return future;
    }

    /**
     * Appends and waits for the commit: the blocking call, with the failure thrown as the
     * {@link RaftlineClientException} it is.
     */
    public Producer.Committed appendAndWait(final byte[] bytes)
    {
        try
        {
            return append(bytes).join();
        }
        catch (final CompletionException ex)
        {
            throw ex.getCause() instanceof RaftlineClientException failure ? failure :
                new RaftlineClientException(RaftlineClientException.Reason.REJECTED, String.valueOf(ex.getCause()));
        }
    }

    /** Waits until every entry appended so far is committed or failed, at most {@code timeout}. */
    public boolean flush(final Duration timeout)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(100_000);
        }
        return outstanding.get() == 0;
    }

    /** Flushes for at most {@code timeout}, then closes; returns whether everything was settled first. */
    public boolean close(final Duration timeout)
    {
        final boolean flushed = flush(timeout);
        close();
        return flushed;
    }

    /** Closes at once: entries not yet committed fail with {@code CLOSED}. Waits for the client thread to agree. */
    @Override
    public void close()
    {
        closing = true;
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!closed && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(100_000);
        }
    }

    /** Whether the producer stopped (closed, or failed: the reason is in the futures). */
    public boolean isClosed()
    {
        return closed || producer.isClosed();
    }

    // ---------------------------------------------------------------------------------------------------------
    // On the client thread

    /** Whether every future is settled and the producer closed: the client thread drops it. */
    boolean isFinished()
    {
        return closed;
    }

    /** One duty cycle: takes new appends, offers what the window allows, polls; returns the work done. */
    int doWork()
    {
        if (closed)
        {
            return 0;
        }
        int work = 0;
        Request request;
        while ((request = requests.poll()) != null)
        {
            waiting.add(request);
            work++;
        }
        if (closing || producer.isClosed())
        {
            finish();
            return work + 1;
        }
        while (!waiting.isEmpty())
        {
            final Request next = waiting.peek();
            view.wrap(next.bytes());
            final long sequence;
            try
            {
                sequence = producer.offer(view, 0, next.bytes().length);
            }
            catch (final RaftlineClientException refused)
            {
                waiting.poll();
                settle(next.future(), null, refused);
                continue;
            }
            if (sequence == Producer.BACK_PRESSURED)
            {
                break;
            }
            waiting.poll();
            inFlight.put(sequence, next.future());
            work++;
        }
        return work + producer.poll();
    }

    private void complete(final long sequence, final Producer.Committed committed, final RaftlineClientException failed)
    {
        final CompletableFuture<Producer.Committed> future = inFlight.remove(sequence);
        if (future != null)
        {
            settle(future, committed, failed);
        }
    }

    private void settle(
        final CompletableFuture<Producer.Committed> future, final Producer.Committed committed,
        final RaftlineClientException failed)
    {
        if (failed != null)
        {
            future.completeExceptionally(failed);
        }
        else
        {
            future.complete(committed);
        }
        outstanding.decrementAndGet();
    }

    /** Fails what is left (the producer failed or is closing), closes the producer. */
    private void finish()
    {
        final RaftlineClientException why = producer.isClosed() && producer.failure() != null ?
            new RaftlineClientException.ClosedException("producer failed: " + producer.failure()) :
            new RaftlineClientException.ClosedException("producer closed");
        producer.close();
        inFlight.values().forEach(future -> settle(future, null, why));
        inFlight.clear();
        closed = true; // before the last look: an append after it settles its own future
        Request request;
        while ((request = waiting.poll()) != null || (request = requests.poll()) != null)
        {
            if (request.future().completeExceptionally(why))
            {
                outstanding.decrementAndGet();
            }
        }
    }

    /** Waits for a future of the client thread's, turning its failure into the client's exception. */
    static <T> T await(final CompletableFuture<T> future, final Duration timeout)
    {
        try
        {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime :
                new RaftlineClientException(RaftlineClientException.Reason.REJECTED, String.valueOf(ex.getCause()));
        }
        catch (final TimeoutException ex)
        {
            throw new RaftlineClientException.ClusterUnavailableException("no answer within " + timeout.toMillis() +
                " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new RaftlineClientException(RaftlineClientException.Reason.INTERRUPTED, "interrupted");
        }
    }
}
