package io.raftline.io.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadPriorityTest
{
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

    /** The nice value of a thread, from its {@code stat} in /proc (field 19). */
    static int nice(final Path thread)
    {
        try
        {
            final String stat = Files.readString(thread.resolve("stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
