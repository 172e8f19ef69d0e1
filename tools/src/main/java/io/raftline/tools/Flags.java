package io.raftline.tools;

/**
 * Range checks for numeric flags: a value a flag cannot mean is refused with the flag's name and its range, one flag
 * at a time (a usage error: exit 2).
 */
final class Flags
{
    private Flags()
    {
    }

    /** {@code value} of {@code flag}, which must be within [min, max]. */
    static long within(final String flag, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new UsageFailure(flag + " must be " + range(min, max) + ", not " + value);
        }
        return value;
    }

    /** {@code value} of {@code flag}, which must be within [min, max] (a number, not NaN). */
    static double within(final String flag, final double value, final double min, final double max)
    {
        if (!(value >= min && value <= max))
        {
            throw new UsageFailure(flag + " must be " + range(min, max) + ", not " + value);
        }
        return value;
    }

    /** {@code value} of {@code flag}, which must be above {@code floor} and at most {@code max}. */
    static double above(final String flag, final double value, final double floor, final double max)
    {
        if (!(value > floor && value <= max))
        {
            throw new UsageFailure(flag + " must be more than " + number(floor) + " and at most " + number(max) +
                ", not " + value);
        }
        return value;
    }

    private static String range(final double min, final double max)
    {
        return max >= Long.MAX_VALUE ? "at least " + number(min) : number(min) + " to " + number(max);
    }

    private static String number(final double value)
    {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long)value) :
            Double.toString(value);
    }
}
