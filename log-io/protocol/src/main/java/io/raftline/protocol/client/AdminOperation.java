package io.raftline.protocol.client;

/** What an ADMIN_REQUEST asks. Sent on the wire: never reuse a code. */
public enum AdminOperation
{
    /** The configuration in force, as the node that answers knows it. */
    LIST_MEMBERS(1),
    /** Adds the node, at the endpoint given, as a learner. */
    ADD_LEARNER(2),
    /** Makes a learner a voter once it has caught up (joint consensus). */
    PROMOTE(3),
    /** Removes a voter or a learner, the leader included. */
    REMOVE(4),
    /** Hands leadership to the node given, or (node 0) to the most up-to-date voter. */
    TRANSFER_LEADERSHIP(5),
    /** Takes a snapshot now on the node asked (any node); the result's value is the snapshot's index. */
    SNAPSHOT(6);

    private final int code;

    AdminOperation(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /** The operation of a wire code, or null. */
    public static AdminOperation ofCode(final int code)
    {
        for (final AdminOperation operation : values())
        {
            if (operation.code == code)
            {
                return operation;
            }
        }
        return null;
    }
}
