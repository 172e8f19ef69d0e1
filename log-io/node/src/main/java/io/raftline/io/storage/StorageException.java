package io.raftline.io.storage;

/**
 * A storage operation failed or stored data is corrupt. The message names the file (and the Raft index when there
 * is one) in words an operator understands; a node that gets one stops rather than serve wrong data.
 */
public class StorageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StorageException(final String message)
    {
        super(message);
    }

    public StorageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
