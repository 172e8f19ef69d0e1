package io.raftline.client;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.function.IntFunction;

/** Test helper: appends entries through a producer, then waits for their acknowledgements. */
final class Appends
{
    private Appends()
    {
    }

    /** Offers entries 1..{@code count}, polling through back-pressure, then polls until none is in flight. */
    static void appendAndAwait(
        final Producer producer, final int count, final IntFunction<UnsafeBuffer> entry, final long timeoutNs)
    {
        for (int seq = 1; seq <= count; seq++)
        {
            final UnsafeBuffer bytes = entry.apply(seq);
            while (producer.offer(bytes, 0, bytes.capacity()) == Producer.BACK_PRESSURED)
            {
                producer.poll();
            }
            producer.poll();
        }
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (producer.inFlight() > 0 && System.nanoTime() < deadlineNs)
        {
            producer.poll();
        }
    }
}
