package io.raftline.protocol;

import io.aeron.driver.MediaDriver;
import org.agrona.nio.TransportPoller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Waits in the kernel until a datagram reaches one of an embedded driver's sockets. A thread that parks on a
 * timer wakes thousands of times a second to find nothing; on a machine where a system call or a switch of threads
 * is dear those empty wakes fill the cores that the work needs. The driver keeps its sockets in two selectors (data
 * and control); this selector holds them all, so one {@code epoll_wait} covers both, and follows the driver's as
 * publications and subscriptions come and go. Used only by the thread that invokes the driver.
 */
final class DriverSockets implements AutoCloseable
{
    private static final long RESYNC_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    // the driver keeps its pollers and their selectors to itself: reached by reflection, checked at start
    private static final Field SELECTOR = field(TransportPoller.class, "selector");
    private static final Field DATA_POLLER = field(MediaDriver.Context.class, "dataTransportPoller");
    private static final Field CONTROL_POLLER = field(MediaDriver.Context.class, "controlTransportPoller");

    private final Selector[] driverSelectors;
    private final Selector selector;
    private final Consumer<SelectionKey> register = this::register;
    private final Consumer<SelectionKey> ignore = key -> { };
    private int driverKeyCount = -1;
    private long nextResyncNs;

    DriverSockets(final MediaDriver.Context driver)
    {
        driverSelectors = new Selector[] {
            selectorOf(read(DATA_POLLER, driver)), selectorOf(read(CONTROL_POLLER, driver)) };
        try
        {
            selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Waits until one of the driver's sockets can be read or {@code timeoutMs} pass. */
    void await(final long timeoutMs)
    {
        syncRegistrations();
        try
        {
            selector.select(ignore, timeoutMs); // level-triggered: the driver reads what is there on its next poll
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void syncRegistrations()
    {
        // a socket the driver opened since is found by the count of its keys, one it swapped for another in the
        // same interval by the periodic pass; one it closed leaves this selector by itself (its key is cancelled)
        int count = 0;
        for (final Selector driverSelector : driverSelectors)
        {
            count += driverSelector.keys().size();
        }
        final long nowNs = System.nanoTime();
        if (count != driverKeyCount || nowNs - nextResyncNs >= 0)
        {
            driverKeyCount = count;
            nextResyncNs = nowNs + RESYNC_INTERVAL_NS;
            for (final Selector driverSelector : driverSelectors)
            {
                driverSelector.keys().forEach(register);
            }
        }
    }

    private void register(final SelectionKey driverKey)
    {
        final SelectableChannel channel = driverKey.channel();
        if (driverKey.isValid() && channel.keyFor(selector) == null)
        {
            try
            {
                channel.register(selector, SelectionKey.OP_READ);
            }
            catch (final ClosedChannelException ex)
            {
                // closed by the driver since: nothing to wait for
            }
        }
    }

    @Override
    public void close()
    {
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Selector selectorOf(final Object poller)
    {
        return (Selector)read(SELECTOR, poller);
    }

    private static Object read(final Field field, final Object owner)
    {
        try
        {
            return field.get(owner);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException("cannot read the media driver's " + field.getName(), ex);
        }
    }

    private static Field field(final Class<?> owner, final String name)
    {
        try
        {
            final Field field = owner.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        }
        catch (final NoSuchFieldException ex)
        {
            throw new IllegalStateException(owner.getName() + " has no field " + name + " (another Aeron?)", ex);
        }
    }
}
