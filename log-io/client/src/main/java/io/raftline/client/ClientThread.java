package io.raftline.client;

import io.raftline.protocol.AeronRuntime;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client's own thread ({@link RaftlineClient.Context#clientThread()}): the only one that touches its Aeron runtime
 * and its producers; other threads hand it work through a queue.
 */
final class ClientThread implements AutoCloseable
{
    private final AeronRuntime runtime;
    private final ManyToOneConcurrentLinkedQueue<Runnable> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final List<AsyncProducer> producers = new ArrayList<>();
    private final IdleStrategy idle;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param idle how it waits, or null: spin briefly, then park up to 1 ms (it shares cores with the application) */
    ClientThread(final AeronRuntime runtime, final IdleStrategy idle)
    {
        this.runtime = runtime;
        this.idle = idle != null ? idle : new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1));
        this.thread = new Thread(this::run, "raftline-client");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code command} on the client thread. */
    void submit(final Runnable command)
    {
        commands.offer(command);
    }

    /** On the client thread: a producer it now drives. */
    void add(final AsyncProducer producer)
    {
        producers.add(producer);
    }

    private void run()
    {
        while (running)
        {
            int work = runtime.invoke();
            Runnable command;
            while ((command = commands.poll()) != null)
            {
                command.run();
                work++;
            }
            for (int i = 0; i < producers.size(); i++)
            {
                work += producers.get(i).doWork();
            }
            producers.removeIf(AsyncProducer::isFinished);
            idle.idle(work);
        }
    }

    /** Stops the thread once its producers are closed (the client closes them first). */
    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
