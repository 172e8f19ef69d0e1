package io.raftline.tools;

import picocli.CommandLine.Command;

/**
 * {@code raftline bench}: the standard workload (docs/WORKLOAD.md) as {@code bench throughput} and
 * {@code bench latency}, what the parts alone can do on this machine ({@code bench ceiling}, see
 * {@link BenchCeilingCommand}), several runs on one latency plot ({@code bench plot}, see {@link BenchPlotCommand})
 * and Raftline against a peer in one sitting ({@code bench compare}, see {@link BenchCompareCommand}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Runs the standard cluster workload.",
    subcommands = {
        BenchCommand.Throughput.class,
        BenchCommand.Latency.class,
        BenchCeilingCommand.class,
        BenchSnapshotCommand.class,
        BenchPlotCommand.class,
        BenchCompareCommand.class,
    })
final class BenchCommand extends CommandGroup
{
    /** {@code bench throughput}: closed loop, at most a window of entries pending acknowledgement. */
    @Command(name = "throughput", mixinStandardHelpOptions = true,
        description = "Closed loop: entries committed and acknowledged per second (docs/WORKLOAD.md).")
    static final class Throughput extends BenchWorkload
    {
        Throughput()
        {
            super("throughput");
        }
    }

    /** {@code bench latency}: open loop at a fixed rate, latency from each entry's intended send time. */
    @Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Open loop at a fixed rate: latency from the intended send time (docs/WORKLOAD.md).")
    static final class Latency extends BenchWorkload
    {
        Latency()
        {
            super("latency");
        }
    }
}
