package dev.tsunagu.cli.bench;

/**
 * One figure a scenario reports.
 *
 * @param key stable name for tooling ({@code bulk-1500.throughput})
 * @param label what the table shows
 * @param unit unit of the values
 * @param higherIsBetter whether a larger value is the better one (throughput) or not (latency)
 */
record Metric(String key, String label, String unit, boolean higherIsBetter) {
    /** Tsunagu relative to the baseline, so that above 1 always means Tsunagu did better. */
    double ratio(double tsunagu, double baseline) {
        if (tsunagu <= 0 || baseline <= 0) {
            return Double.NaN;
        }
        return higherIsBetter ? tsunagu / baseline : baseline / tsunagu;
    }
}
