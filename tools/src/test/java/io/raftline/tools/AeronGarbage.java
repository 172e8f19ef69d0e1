package io.raftline.tools;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.protocol.AeronRuntime;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Sends well-formed Aeron frames with garbage payloads to every node: they reach Raftline's own decoder. */
final class AeronGarbage
{
    private AeronGarbage()
    {
    }

    static void send(final ClusterConfig config, final int frames, final Random random) throws InterruptedException
    {
        try (MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())))
        {
            final List<ExclusivePublication> publications = new ArrayList<>();
            for (final ClusterConfig.Member member : config.members().values())
            {
                publications.add(aeron.addExclusivePublication(
                    "aeron:udp?endpoint=" + member.endpoint(), AeronRuntime.STREAM_ID));
            }
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (publications.stream().anyMatch(p -> !p.isConnected()) && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(10);
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            for (int i = 0; i < frames; i++)
            {
                final int length = 1 + random.nextInt(buffer.capacity());
                for (int b = 0; b < length; b++)
                {
                    buffer.putByte(b, (byte)random.nextInt());
                }
                final ExclusivePublication publication = publications.get(random.nextInt(publications.size()));
                while (publication.offer(buffer, 0, length) < 0 && System.nanoTime() < deadlineNs)
                {
                    Thread.yield();
                }
            }
        }
    }
}
