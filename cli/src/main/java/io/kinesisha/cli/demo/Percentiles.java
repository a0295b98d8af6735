package io.kinesisha.cli.demo;

import java.util.Arrays;
import java.util.Collection;

/**
 * Nearest-rank percentiles of a set of measurements (lag samples, latencies): the smallest value such that at least
 * p % of the values are less or equal, so every percentile reported is a value that was actually measured.
 */
public final class Percentiles {
    private final long[] sorted;

    private Percentiles(long[] sorted) {
        this.sorted = sorted;
    }

    public static Percentiles of(Collection<? extends Number> values) {
        long[] v = values.stream().mapToLong(Number::longValue).toArray();
        Arrays.sort(v);
        return new Percentiles(v);
    }

    public static Percentiles of(long... values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return new Percentiles(v);
    }

    public int count() {
        return sorted.length;
    }

    public boolean isEmpty() {
        return sorted.length == 0;
    }

    /** The p-th percentile, 0 &lt; p &lt;= 100; fails when there are no values. */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    public long p50() {
        return percentile(50);
    }

    public long p99() {
        return percentile(99);
    }

    public long max() {
        return percentile(100);
    }

    /** {@code percentile(p) + unit}, or {@code "n/a"} when there are no values: for report rows. */
    public String format(double p, String unit) {
        return sorted.length == 0 ? "n/a" : percentile(p) + unit;
    }
}
