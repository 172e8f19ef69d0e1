package io.raftline.io.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/** Finds room on loopback for a local cluster (the demo, the benchmarks). */
public final class LoopbackPorts
{
    private LoopbackPorts()
    {
    }

    /** A base port with {@code count} consecutive UDP ports on 127.0.0.1 that are free now. */
    public static int freeBase(final int count) throws IOException
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + (int)(Math.random() * 20_000);
            boolean free = true;
            for (int port = base; port < base + count && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port)))
                {
                    free = socket.isBound();
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IOException("no " + count + " free consecutive UDP ports found on 127.0.0.1");
    }
}
