package io.raftline.protocol.client;

/** How an admin request ended. Sent on the wire: never reuse a code. */
public enum AdminStatus
{
    /** Done: the change is committed, the transfer complete, the list is the configuration in force. */
    DONE(0),
    /** Not this node: the leader is the one the result names (0: none known). */
    NOT_LEADER(1),
    /** The request cannot be carried out now; the message says why (another change in progress, ...). */
    REFUSED(2),
    /** It was started and did not complete; the message says why (the learner did not catch up, ...). */
    FAILED(3),
    /** Under way: the answer follows (the request may be repeated meanwhile). */
    IN_PROGRESS(4),
    /**
     * It was started, and the node that took it lost the leadership before it completed: it may commit under the
     * next leader, or may be gone. {@code AdminClient} asks the next leader which, and carries it out again if gone.
     */
    LEADER_CHANGED(5);

    private final int code;

    AdminStatus(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    public static AdminStatus ofCode(final int code)
    {
        for (final AdminStatus status : values())
        {
            if (status.code == code)
            {
                return status;
            }
        }
        return null;
    }
}
