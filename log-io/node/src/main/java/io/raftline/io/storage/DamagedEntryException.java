package io.raftline.io.storage;

/**
 * An entry of the log fails its checks (checksum, length, index) or is missing: damaged on disk after it was
 * written. A node with peers cuts its log there and has a leader send the rest again
 * ({@link ChronicleLog#cutAtDamage}).
 */
public final class DamagedEntryException extends StorageException
{
    private static final long serialVersionUID = 1L;

    private final long index;

    public DamagedEntryException(final String message, final long index)
    {
        super(message);
        this.index = index;
    }

    /** The Raft index of the damaged entry. */
    public long index()
    {
        return index;
    }
}
