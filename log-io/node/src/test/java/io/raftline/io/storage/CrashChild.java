package io.raftline.io.storage;

import io.raftline.protocol.config.Durability;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Random;

/**
 * The process {@link CrashSafetyTest} kills: appends, truncates and compacts at random, announcing each operation
 * before it starts and each sync after it ends, one flushed line at a time, until it is killed.
 * Arguments: data directory, durability (PAGE_CACHE|FSYNC), seed, mode (random|tail).
 */
public final class CrashChild
{
    static final long SEGMENT_BYTES = 2048;

    private CrashChild()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final Path dir = Path.of(args[0]);
        final Durability durability = Durability.valueOf(args[1]);
        final Random random = new Random(Long.parseLong(args[2]));
        final PrintStream out = System.out;
        final ChronicleLog log = ChronicleLog.open(dir, durability, SEGMENT_BYTES);
        out.println("OPEN " + log.firstIndex() + " " + log.lastIndex() + " " + log.lastTerm());
        out.flush();
        if ("tail".equals(args[3]))
        {
            for (int i = 0; i < 20; i++)
            {
                TestEntries.append(log, 3);
            }
            log.sync(); // entries reach the file when synced (a node syncs before it counts one durable)
            out.println("READY " + log.lastIndex());
            out.flush();
            Thread.sleep(60_000);
            return;
        }
        while (true)
        {
            final double choice = random.nextDouble();
            if (choice < 0.75 || log.lastIndex() < log.firstIndex())
            {
                final int count = 1 + random.nextInt(20);
                final long term = Math.max(1, log.lastTerm() + (random.nextInt(10) == 0 ? 1 : 0));
                out.println("A " + (log.lastIndex() + 1) + " " + count + " " + term);
                out.flush();
                for (int i = 0; i < count; i++)
                {
                    TestEntries.append(log, term);
                }
            }
            else if (choice < 0.95)
            {
                final long from = Math.max(log.firstIndex(), log.lastIndex() - 30);
                final long index = from + random.nextInt((int)(log.lastIndex() - from + 1));
                out.println("T " + index);
                out.flush();
                log.truncateFrom(index);
            }
            else
            {
                final long index = log.lastIndex() - 50;
                out.println("C " + index);
                out.flush();
                log.compactBefore(index);
            }
            out.println("S " + log.sync());
            out.flush();
        }
    }
}
