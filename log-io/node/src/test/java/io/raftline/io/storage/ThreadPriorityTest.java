package io.raftline.io.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadPriorityTest
{
    static final int SCHED_OTHER = 0;
    static final int SCHED_IDLE = 5;

    @Test
    void lowersTheCallingThreadOnly() throws InterruptedException
    {
        final int before = nice(Path.of("/proc/thread-self"));
        final AtomicInteger lowered = new AtomicInteger(-100);
        final AtomicBoolean set = new AtomicBoolean();
        final Thread thread = new Thread(() ->
        {
            set.set(ThreadPriority.lowerCurrentThread(10));
            lowered.set(nice(Path.of("/proc/thread-self")));
        });
        thread.start();
        thread.join();
        assertTrue(set.get());
        assertEquals(10, lowered.get());
        assertEquals(before, nice(Path.of("/proc/thread-self")));
    }

    @Test
    void putsTheCallingThreadAloneInTheIdleClass() throws InterruptedException
    {
        final AtomicBoolean set = new AtomicBoolean();
        final AtomicInteger policy = new AtomicInteger(-1);
        final Thread thread = new Thread(() ->
        {
            set.set(ThreadPriority.idleCurrentThread());
            policy.set(policy(Path.of("/proc/thread-self")));
        });
        thread.start();
        thread.join();
        assertTrue(set.get());
        assertEquals(SCHED_IDLE, policy.get());
        assertEquals(SCHED_OTHER, policy(Path.of("/proc/thread-self")));
    }

    @Test
    void putsTheThreadsOfAGivenNameInTheIdleClass() throws Exception
    {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final Thread chore = new Thread(() ->
        {
            running.countDown(); // the JVM names the kernel's thread before it runs this
            try
            {
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "idle-chore-thread-of-a-test"); // the kernel keeps 15 characters: "idle-chore-thre"
        chore.start();
        running.await();
        try
        {
            assertEquals(1, ThreadPriority.idleThreadsNamed("idle-chore-thre"));
            assertEquals(SCHED_IDLE, policiesOf("idle-chore-thre").get(0));
            assertEquals(SCHED_OTHER, policy(Path.of("/proc/thread-self")));
            assertEquals(0, ThreadPriority.idleThreadsNamed("no-such-thread"));
        }
        finally
        {
            done.countDown();
            chore.join();
        }
    }

    /** The scheduling policies of this process's threads whose name (as the kernel shows it) is {@code comm}. */
    static List<Integer> policiesOf(final String comm) throws IOException
    {
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task")))
        {
            return threads.filter(thread -> comm(thread).equals(comm)).map(ThreadPriorityTest::policy).toList();
        }
    }

    private static String comm(final Path thread)
    {
        try
        {
            return Files.readString(thread.resolve("comm")).strip();
        }
        catch (final IOException ex)
        {
            return ""; // it ended while listed
        }
    }

    /** The nice value of a thread, from its {@code stat} in /proc (field 19). */
    static int nice(final Path thread)
    {
        return statField(thread, 19);
    }

    /** The scheduling policy of a thread, from its {@code stat} in /proc (field 41). */
    static int policy(final Path thread)
    {
        return statField(thread, 41);
    }

    private static int statField(final Path thread, final int field)
    {
        try
        {
            final String stat = Files.readString(thread.resolve("stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[field - 3]);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
