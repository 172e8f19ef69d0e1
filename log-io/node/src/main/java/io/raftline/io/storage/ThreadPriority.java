package io.raftline.io.storage;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the scheduling priority (Linux nice value) of the calling thread, for background chores that do heavy
 * kernel work on a machine whose cores the node threads need. Any process may lower its own threads' priority; on
 * another platform, or where it is refused, the thread runs as it is.
 */
final class ThreadPriority
{
    private static final int PRIO_PROCESS = 0; // with a thread id as "who", Linux sets that thread's nice value

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

    /** The C library function this needs; loaded on first use. */
    private interface LibC extends Library
    {
        LibC INSTANCE = Native.load("c", LibC.class);

        int getpriority(int which, int who);

        int setpriority(int which, int who, int prio);
    }
}
