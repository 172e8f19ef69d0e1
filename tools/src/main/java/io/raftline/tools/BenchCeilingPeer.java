package io.raftline.tools;

import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.raftline.protocol.AeronRuntime;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * The other process of {@code raftline bench ceiling}: a raw Aeron subscriber (the fan-out test) or an echo
 * (the round-trip test), with the Aeron settings of a Raftline node (embedded driver in INVOKER mode driven from
 * this one thread, back-off idle). Started by {@link BenchCeilingCommand} with the same JVM and class path; prints
 * {@code READY} once subscribed and {@code RESULT ...} at the end, and exits when its parent does.
 *
 * <pre>
 * BenchCeilingPeer subscribe|pong AERON_DIR LISTEN_ENDPOINT REPLY_ENDPOINT|- MTU SOCKET_BUFFER TERM_LENGTH
 *     IDLE_SPINS IDLE_YIELDS IDLE_MAX_PARK_US PARENT_PID TIMEOUT_SECONDS
 * </pre>
 *
 * Every message starts with a marker byte: {@link #WARMUP}, {@link #MEASURED} or {@link #END}.
 */
public final class BenchCeilingPeer
{
    static final byte WARMUP = 'W';
    static final byte MEASURED = 'M';
    static final byte END = 'E';
    static final int STREAM_ID = AeronRuntime.STREAM_ID;
    static final int FRAGMENT_LIMIT = 64; // as a node's duty cycle
    private static final long PARENT_CHECK_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final String role;
    private final AeronRuntime runtime;
    private final Subscription subscription;
    private final ExclusivePublication reply;
    private final IdleStrategy idle;
    private final long parentPid;
    private final long deadlineNs;
    /** The ping to send back; invariant: at most one, since the ping side waits for each reply. */
    private final UnsafeBuffer echo;
    private int echoLength;
    private long measured;
    private long firstMeasuredNs;
    private long endNs;
    private boolean ended;

    private BenchCeilingPeer(final String[] args)
    {
        role = args[0];
        echo = new UnsafeBuffer(BufferUtil.allocateDirectAligned("pong".equals(role) ? 2 * 1024 * 1024 : 64, 64));
        final int mtuBytes = Integer.parseInt(args[4]);
        final int socketBufferBytes = Integer.parseInt(args[5]);
        final int termLengthBytes = Integer.parseInt(args[6]);
        idle = new BackoffIdleStrategy(Integer.parseInt(args[7]), Integer.parseInt(args[8]),
            TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(Integer.parseInt(args[9])));
        parentPid = Long.parseLong(args[10]);
        deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[11]));
        runtime = AeronRuntime.embedded(args[1], mtuBytes, socketBufferBytes);
        subscription = runtime.aeron().addSubscription(AeronRuntime.subscriptionChannel(args[2], socketBufferBytes), STREAM_ID);
        reply = "-".equals(args[3]) ? null : runtime.aeron().addExclusivePublication(
            AeronRuntime.publicationChannel(args[3], mtuBytes, termLengthBytes, socketBufferBytes), STREAM_ID);
    }

    public static void main(final String[] args)
    {
        if (args.length != 12 || !("subscribe".equals(args[0]) || "pong".equals(args[0])))
        {
            System.err.println("usage: BenchCeilingPeer subscribe|pong AERON_DIR LISTEN REPLY|- MTU SOCKET_BUFFER " +
                "TERM_LENGTH IDLE_SPINS IDLE_YIELDS IDLE_MAX_PARK_US PARENT_PID TIMEOUT_SECONDS");
            System.exit(2);
        }
        final BenchCeilingPeer peer = new BenchCeilingPeer(args);
        final int status;
        try
        {
            status = peer.run();
        }
        finally
        {
            peer.runtime.close(); // deletes the driver's directory
        }
        System.exit(status);
    }

    private int run()
    {
        System.out.println("READY");
        System.out.flush();
        final FragmentHandler handler = new FragmentAssembler("pong".equals(role) ? this::onPing : this::onMessage);
        long nextParentCheckNs = System.nanoTime() + PARENT_CHECK_INTERVAL_NS;
        while (!ended)
        {
            int work = runtime.invoke();
            work += echoLength > 0 ? sendEcho() : subscription.poll(handler, FRAGMENT_LIMIT);
            idle.idle(work);
            if (work == 0)
            {
                final long nowNs = System.nanoTime();
                if (nowNs >= nextParentCheckNs)
                {
                    nextParentCheckNs = nowNs + PARENT_CHECK_INTERVAL_NS;
                    if (nowNs >= deadlineNs || !ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false))
                    {
                        System.out.println("GONE: the parent stopped or the time ran out");
                        return 3;
                    }
                }
            }
        }
        System.out.println("RESULT " + measured + " " + (endNs - firstMeasuredNs));
        System.out.flush();
        return 0;
    }

    /** Fan-out subscriber: counts measured messages from the first one to the end marker. */
    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final byte marker = buffer.getByte(offset);
        if (marker == MEASURED)
        {
            if (measured++ == 0)
            {
                firstMeasuredNs = System.nanoTime();
            }
        }
        else if (marker == END)
        {
            endNs = System.nanoTime();
            ended = true;
        }
    }

    /** Round trip: keeps each ping to send straight back (the ping side waits for it before sending the next). */
    private void onPing(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (buffer.getByte(offset) == END)
        {
            ended = true;
            return;
        }
        if (length > echo.capacity())
        {
            throw new IllegalStateException("a ping of " + length + " bytes is larger than " + echo.capacity());
        }
        echo.putBytes(0, buffer, offset, length);
        echoLength = length;
    }

    private int sendEcho()
    {
        final long result = reply.offer(echo, 0, echoLength);
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
        {
            throw new IllegalStateException("the reply publication is closed");
        }
        if (result < 0)
        {
            return 0; // back-pressured or not yet connected: again on the next duty cycle
        }
        echoLength = 0;
        measured++;
        return 1;
    }
}
