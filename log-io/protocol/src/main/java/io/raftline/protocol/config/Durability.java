package io.raftline.protocol.config;

/** When an appended entry counts as durable. */
public enum Durability
{
    /** Once it is in the mapped file: survives a process crash, not a power loss. */
    PAGE_CACHE("page-cache"),
    /** Once the file is forced to the device; one force covers a whole batch. */
    FSYNC("fsync");

    private final String text;

    Durability(final String text)
    {
        this.text = text;
    }

    /** The name used in the cluster file and in reports. */
    public String text()
    {
        return text;
    }
}
