package io.raftline.io.storage;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the scheduling priority of threads that do background chores (heavy kernel work) on a machine whose cores
 * the node threads need. Any process may lower its own threads' priority; on another platform, or where it is
 * refused, a thread runs as it is.
 */
final class ThreadPriority
{
    private static final int PRIO_PROCESS = 0; // with a thread id as "who", Linux sets that thread's nice value
    private static final int SCHED_IDLE = 5;

    private ThreadPriority()
    {
    }

    /**
     * Raises the calling thread's nice value to {@code nice} ({@code 1..19}), never lowering it (a thread of a process
     * that already runs nicer keeps its value); returns whether the thread now runs at least that nice.
     */
    static boolean lowerCurrentThread(final int nice)
    {
        try
        {
            final String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "pid/task/tid"
            final int tid = Integer.parseInt(self.substring(self.lastIndexOf('/') + 1));
            return LibC.INSTANCE.getpriority(PRIO_PROCESS, tid) >= nice ||
                LibC.INSTANCE.setpriority(PRIO_PROCESS, tid, nice) == 0;
        }
        catch (final Exception | LinkageError ex)
        {
            return false;
        }
    }

    /**
     * Puts the calling thread in Linux's {@code SCHED_IDLE} class: it runs on a core no other thread wants, and a
     * thread that wakes takes the core from it at once. A nice value only shrinks a thread's share: once the
     * scheduler picks it, it keeps the core for a whole slice (3 ms here) while a node thread waits. Returns
     * whether it took.
     */
    static boolean idleCurrentThread()
    {
        return setIdle(0); // 0: the calling thread
    }

    /** Puts this process's threads whose name starts with {@code prefix} in {@code SCHED_IDLE}; returns how many. */
    static int idleThreadsNamed(final String prefix)
    {
        int count = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/self/task")))
        {
            for (final Path thread : threads)
            {
                if (Files.readString(thread.resolve("comm")).startsWith(prefix) &&
                    setIdle(Integer.parseInt(thread.getFileName().toString())))
                {
                    count++;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // no /proc here, or a thread ended while listed: those found so far are idle
        }
        return count;
    }

    private static boolean setIdle(final int tid)
    {
        try
        {
            return LibC.INSTANCE.sched_setscheduler(tid, SCHED_IDLE, new int[]{0}) == 0;
        }
        catch (final LinkageError ex)
        {
            return false;
        }
    }

    /** The C library functions this needs; loaded on first use. */
    private interface LibC extends Library
    {
        LibC INSTANCE = Native.load("c", LibC.class);

        int getpriority(int which, int who);

        int setpriority(int which, int who, int prio);

        int sched_setscheduler(int pid, int policy, int[] param);
    }
}
