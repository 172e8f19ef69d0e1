package io.raftline.tools;

/** Bad arguments found after parsing (a value out of range): usage goes to stderr and the command exits 2. */
final class UsageFailure extends RuntimeException
{
    UsageFailure(final String message)
    {
        super(message, null, false, false);
    }
}
