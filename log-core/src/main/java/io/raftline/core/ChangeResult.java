package io.raftline.core;

/** What became of a request to change the configuration or hand over leadership. */
public enum ChangeResult
{
    /** Under way: the configuration entry is in the log (or, for a promotion, the learner is catching up). */
    STARTED("started"),
    NOT_LEADER("this node is not the leader"),
    TRANSFERRING("a leadership transfer is in progress"),
    IN_PROGRESS("another configuration change is in progress"),
    /** A leader that has not yet committed an entry of its term (its no-op): nothing is under way, ask again soon. */
    NOT_READY("this leader has not yet committed an entry of its term"),
    ALREADY_MEMBER("the node is already a member"),
    NOT_A_MEMBER("the node is not a member"),
    NOT_A_LEARNER("the node is not a learner"),
    NOT_A_VOTER("the node is not a voter"),
    NO_VOTER_LEFT("a configuration needs at least one voter"),
    DUPLICATE_VOTER("a voter is named more than once"),
    NO_WORKING_MAJORITY("fewer than a majority of the voters after the change are working (up, on the disk the " +
        "configuration names, not repairing their log), so no leader could be elected once this one is gone: " +
        "mend or replace the others first");

    private final String description;

    ChangeResult(final String description)
    {
        this.description = description;
    }

    public String description()
    {
        return description;
    }
}
