package io.raftline.client;

import io.raftline.protocol.AeronRuntime;
import org.agrona.IoUtil;

import java.io.File;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The folders of clients' embedded media drivers ({@code /dev/shm/raftline-client-<pid>-<n>}, tens of MB each):
 * deleted when a client closes, when its process is stopped by a signal (a shutdown hook), and, for processes
 * killed outright, by the next client that starts.
 */
final class ClientDirectories
{
    private static final Pattern NAME = Pattern.compile("raftline-client-(\\d+)-\\d+");

    private ClientDirectories()
    {
    }

    /** This process's folder for a client's driver. */
    static File forThisProcess(final long clientId)
    {
        return new File(AeronRuntime.defaultDirectory("client", (int)ProcessHandle.current().pid(),
            (int)(clientId & 0xFFFF)));
    }

    /** Deletes the folders of client processes that no longer run. */
    static void deleteStale(final File exampleDirectory)
    {
        final File[] siblings = exampleDirectory.getParentFile().listFiles();
        if (siblings == null)
        {
            return;
        }
        for (final File sibling : siblings)
        {
            final Matcher name = NAME.matcher(sibling.getName());
            if (name.matches() && ProcessHandle.of(Long.parseLong(name.group(1))).map(ProcessHandle::isAlive)
                .orElse(false) == Boolean.FALSE)
            {
                IoUtil.delete(sibling, true);
            }
        }
    }

    /** A hook that deletes {@code directory} when the JVM stops on a signal before the client was closed. */
    static Thread deleteOnExit(final File directory)
    {
        final Thread hook = new Thread(() -> IoUtil.delete(directory, true), "raftline-client-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** The client closed: its hook is no longer needed. */
    static void forget(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignored)
        {
            // the JVM is stopping: the hook runs, and finds nothing to delete
        }
    }
}
