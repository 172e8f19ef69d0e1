package io.raftline.tools;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The familiar HdrHistogram plot as a self-contained SVG: latency (us) against percentile, the percentile axis on
 * a log scale of 1 / (1 - p) so that the tail (99%, 99.9%, 99.99%) gets room, the latency axis on a log scale so
 * that a median of tens of microseconds and a tail of milliseconds are both readable. Several runs can share one
 * plot; a run is either a {@link Histogram} or the points of a percentile distribution.
 */
final class LatencyPlot
{
    /** A latency at a percentile (0 to 100). */
    record Point(double percentile, double valueUs)
    {
    }

    /** One curve: points in increasing percentile order, and how many values the distribution held. */
    record Series(String label, List<Point> points, long totalCount)
    {
        Series(final String label, final Histogram histogram)
        {
            this(label, LatencyPlot.points(histogram), histogram.getTotalCount());
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };
    private static final double MAX_DECADES = 6; // up to 99.9999%

    private LatencyPlot()
    {
    }

    static String svg(final List<Series> series)
    {
        return svg(series, series.size() == 1 ? series.get(0).label() : "latency by percentile");
    }

    static String svg(final List<Series> series, final String title)
    {
        return svg(series, title, COLOURS.length);
    }

    /** As {@link #svg(List, String)}, series i drawn in colour {@code i % colourGroups} (e.g. 2: one per system). */
    static String svg(final List<Series> series, final String title, final int colourGroups)
    {
        double minUs = Double.MAX_VALUE;
        double maxUs = 1;
        double decades = 2;
        for (final Series s : series)
        {
            for (final Point point : s.points())
            {
                maxUs = Math.max(maxUs, point.valueUs());
                minUs = Math.min(minUs, point.valueUs());
            }
            final long count = Math.max(1, s.totalCount());
            decades = Math.max(decades, Math.min(MAX_DECADES, Math.ceil(Math.log10(count))));
        }
        // from a whole decade (at least 1 us) to the next 1-2-5 step above the highest value
        final double lowUs = Math.pow(10, Math.floor(Math.log10(Math.max(1, Math.min(minUs, maxUs)))));
        final double highUs = Math.max(lowUs * 10, niceCeiling(maxUs));
        final double latencyDecades = Math.log10(highUs / lowUs);
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT,
            escape(title)));
        final int plotWidth = WIDTH - LEFT - RIGHT;
        final int plotHeight = HEIGHT - TOP - BOTTOM;
        // axes and grid
        for (int d = 0; d <= decades; d++)
        {
            final double x = LEFT + plotWidth * d / decades;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                x, TOP, x, TOP + plotHeight));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                x, TOP + plotHeight + 18, percentileLabel(d)));
        }
        for (double decadeUs = lowUs; decadeUs < highUs * 1.001; decadeUs *= 10)
        {
            for (final double step : new double[]{ 1, 2, 5 })
            {
                final double valueUs = decadeUs * step;
                if (valueUs > highUs * 1.001)
                {
                    break;
                }
                final double y = TOP + plotHeight - plotHeight * Math.log10(valueUs / lowUs) / latencyDecades;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" " +
                    "stroke=\"%s\"/>%n", LEFT, y, LEFT + plotWidth, y, step == 1 ? "#ccc" : "#eee"));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, formatUs(valueUs)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + plotWidth / 2, HEIGHT - 22));
        svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" " +
            "text-anchor=\"middle\">latency (us)</text>%n", TOP + plotHeight / 2, TOP + plotHeight / 2));
        // curves
        for (int i = 0; i < series.size(); i++)
        {
            final String colour = COLOURS[i % Math.max(1, Math.min(colourGroups, COLOURS.length))];
            final StringBuilder path = new StringBuilder();
            for (final Point point : series.get(i).points())
            {
                final double x = LEFT + plotWidth * decadesOf(point.percentile(), decades) / decades;
                final double valueUs = Math.min(Math.max(point.valueUs(), lowUs), highUs);
                final double y = TOP + plotHeight - plotHeight * Math.log10(valueUs / lowUs) / latencyDecades;
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
            }
            svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                path, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                LEFT + 10, TOP + 16 + 16 * i, colour, escape(series.get(i).label())));
        }
        return svg.append("</svg>\n").toString();
    }

    /** (percentile, latency us) for each step of the histogram's percentile iteration. */
    private static List<Point> points(final Histogram histogram)
    {
        final List<Point> points = new ArrayList<>();
        if (histogram.getTotalCount() == 0)
        {
            return points;
        }
        for (final HistogramIterationValue value : histogram.percentiles(5))
        {
            points.add(new Point(value.getPercentileLevelIteratedTo(),
                histogram.highestEquivalentValue(value.getValueIteratedTo()) / 1000.0));
        }
        return points;
    }

    /** The x position in decades: log10(1 / (1 - p)), the last point (100%) at the right edge. */
    private static double decadesOf(final double percentile, final double decades)
    {
        final double fraction = percentile / 100.0;
        return fraction >= 1.0 ? decades : Math.min(decades, Math.log10(1 / (1 - fraction)));
    }

    private static String percentileLabel(final int decade)
    {
        final double percent = 100 * (1 - Math.pow(10, -decade));
        return String.format(Locale.ROOT, "%." + Math.max(0, decade - 2) + "f%%", percent);
    }

    private static double niceCeiling(final double value)
    {
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[]{ 1, 2, 5 })
        {
            if (value <= step * magnitude)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String formatUs(final double us)
    {
        return String.format(Locale.ROOT, "%,.0f", us);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
