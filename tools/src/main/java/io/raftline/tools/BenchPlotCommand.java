package io.raftline.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code raftline bench plot}: several runs on one latency plot. Reads the percentile distributions that
 * {@code bench throughput|latency --histogram FILE} writes (HdrHistogram's {@code outputPercentileDistribution}
 * text, values in us) and draws them with {@link LatencyPlot}.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Draws the percentile distributions of several runs (bench --histogram files) on one SVG plot.")
final class BenchPlotCommand implements Callable<Integer>
{
    /** A distribution read back: the settings from its first comment line (empty if none) and its curve. */
    record Distribution(String settings, LatencyPlot.Series series)
    {
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.svg", description = "The SVG file to write.")
    private Path outFile;

    @Option(names = "--label", paramLabel = "LABEL",
        description = "The label of each run, in the order of the files (default: the file's name).")
    private List<String> labels = new ArrayList<>();

    @Option(names = "--title", paramLabel = "TEXT",
        description = "The plot's title (default: the run's settings for one file, else 'latency by percentile').")
    private String title;

    @Parameters(arity = "1..*", paramLabel = "HIST", description = "Percentile distribution files.")
    private List<Path> files;

    @Override
    public Integer call()
    {
        if (!labels.isEmpty() && labels.size() != files.size())
        {
            throw new UsageFailure("give one --label per file: " + labels.size() + " labels for " + files.size() +
                " files");
        }
        final List<LatencyPlot.Series> series = new ArrayList<>();
        final List<String> settings = new ArrayList<>();
        for (int i = 0; i < files.size(); i++)
        {
            final Path file = files.get(i);
            final String label = labels.isEmpty() ? String.valueOf(file.getFileName()) : labels.get(i);
            final Distribution distribution = read(file, label);
            series.add(distribution.series());
            settings.add(distribution.settings());
        }
        final String plotTitle = title != null ? title :
            files.size() == 1 && !settings.get(0).isEmpty() ? settings.get(0) : "latency by percentile";
        try
        {
            Files.writeString(outFile, LatencyPlot.svg(series, plotTitle), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + outFile + ": " + ex.getMessage(), ex);
        }
        spec.commandLine().getOut().println("wrote " + outFile + " (" + files.size() + " runs)");
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Parses the "Value Percentile TotalCount 1/(1-Percentile)" table; the first comment line, if any, is the
     * run's settings, and the "#[Mean ...]" footer is skipped.
     */
    static Distribution read(final Path file, final String label)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new CommandFailure("cannot read " + file + ": " + ex.getMessage());
        }
        String settings = "";
        final List<LatencyPlot.Point> points = new ArrayList<>();
        long totalCount = 0;
        double lastPercentile = -1;
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).trim();
            if (line.startsWith("#"))
            {
                if (i == 0 && !line.startsWith("#["))
                {
                    settings = line.substring(1).trim();
                }
                continue;
            }
            if (line.isEmpty() || line.startsWith("Value"))
            {
                continue;
            }
            final String[] fields = line.split("\\s+");
            try
            {
                // the last row (100%) has no 1/(1-Percentile) column
                if (fields.length != 3 && fields.length != 4)
                {
                    throw new NumberFormatException("expected 3 or 4 columns");
                }
                final double valueUs = Double.parseDouble(fields[0]);
                final double percentile = 100 * Double.parseDouble(fields[1]);
                totalCount = Long.parseLong(fields[2]);
                if (valueUs < 0 || percentile < lastPercentile || percentile > 100)
                {
                    throw new NumberFormatException("values out of order");
                }
                lastPercentile = percentile;
                points.add(new LatencyPlot.Point(percentile, valueUs));
            }
            catch (final NumberFormatException ex)
            {
                throw new CommandFailure(file + " line " + (i + 1) + " is not a percentile distribution row (" +
                    ex.getMessage() + "): " + line);
            }
        }
        if (points.isEmpty())
        {
            throw new CommandFailure(file + " holds no percentile distribution (write one with bench --histogram)");
        }
        return new Distribution(settings, new LatencyPlot.Series(label, points, totalCount));
    }
}
