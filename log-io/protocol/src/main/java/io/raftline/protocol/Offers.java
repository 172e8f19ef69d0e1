package io.raftline.protocol;

import io.aeron.Publication;
import org.agrona.DirectBuffer;

/** Sending a whole frame with {@code offer}. */
public final class Offers
{
    private static final int ADMIN_ACTION_ATTEMPTS = 4;

    private Offers()
    {
    }

    /**
     * {@link Publication#offer} that tries again at once on {@link Publication#ADMIN_ACTION} (the term buffer
     * rotated under this offer; the next one succeeds), so that callers see only real back-pressure or an absent
     * receiver. Returns what the last offer returned.
     */
    public static long offer(final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        long result;
        int attempts = 0;
        do
        {
            result = publication.offer(buffer, offset, length);
        }
        while (result == Publication.ADMIN_ACTION && ++attempts < ADMIN_ACTION_ATTEMPTS);
        return result;
    }
}
