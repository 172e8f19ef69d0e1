package io.raftline.tools;

/** An operation that failed: its message is printed as one line on stderr and the command exits 1. */
final class CommandFailure extends RuntimeException
{
    CommandFailure(final String message)
    {
        super(message, null, false, false);
    }
}
