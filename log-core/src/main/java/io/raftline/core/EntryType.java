package io.raftline.core;

/** Kinds of log entry. Stored on disk and sent on the wire: values never change meaning. */
public final class EntryType
{
    /** A producer's entry: payload plus its producer session (id, sequence). */
    public static final int NORMAL = 1;
    /** The empty entry a new leader appends to commit its term (Raft §5.4.2, §8). */
    public static final int NOOP = 2;
    /** A cluster configuration (Raft §6). */
    public static final int CONFIG = 3;
    /** Opens or closes a producer session (Raft thesis §6.3); a session's id is the index of its opening entry. */
    public static final int SESSION = 4;

    private EntryType()
    {
    }

    public static boolean isValid(final int type)
    {
        return type >= NORMAL && type <= SESSION;
    }

    public static String name(final int type)
    {
        return switch (type)
        {
            case NORMAL -> "normal";
            case NOOP -> "noop";
            case CONFIG -> "config";
            case SESSION -> "session";
            default -> "unknown(" + type + ")";
        };
    }
}
