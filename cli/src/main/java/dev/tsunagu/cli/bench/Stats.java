package dev.tsunagu.cli.bench;

import java.util.Arrays;

/** Order statistics over a handful of samples. */
final class Stats {
    private Stats() {}

    static double median(double[] v) {
        return percentile(v, 50);
    }

    /** Nearest-rank percentile ({@code p} in 0..100) of unsorted values. */
    static double percentile(double[] v, double p) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        if (p == 50 && s.length % 2 == 0) {
            return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.clamp(rank - 1, 0, s.length - 1)];
    }

    /** Nearest-rank percentile of sorted nanosecond samples. */
    static long percentileSorted(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
