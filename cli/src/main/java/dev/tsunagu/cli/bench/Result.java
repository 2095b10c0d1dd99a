package dev.tsunagu.cli.bench;

/**
 * One row of the report: a metric's samples on both sides (one per round).
 *
 * @param scenario the scenario's table name
 * @param metric what was measured
 * @param tsunagu samples of the Tsunagu side
 * @param kernel samples of the baseline side
 * @param note a remark for the row, or null
 */
record Result(String scenario, Metric metric, double[] tsunagu, double[] kernel, String note) {
    double tsunaguMedian() {
        return Stats.median(tsunagu);
    }

    double kernelMedian() {
        return Stats.median(kernel);
    }

    double ratio() {
        return metric.ratio(tsunaguMedian(), kernelMedian());
    }
}
