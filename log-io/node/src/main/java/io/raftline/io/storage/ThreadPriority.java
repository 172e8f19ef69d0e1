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

    /** Sets the calling thread's nice value ({@code 1..19}); returns whether it was set. */
    static boolean lowerCurrentThread(final int nice)
    {
        try
        {
            final String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "pid/task/tid"
            final int tid = Integer.parseInt(self.substring(self.lastIndexOf('/') + 1));
            return LibC.INSTANCE.setpriority(PRIO_PROCESS, tid, nice) == 0;
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

        int setpriority(int which, int who, int prio);
    }
}
