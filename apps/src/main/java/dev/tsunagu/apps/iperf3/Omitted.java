package dev.tsunagu.apps.iperf3;

/**
 * The counts at the end of the omitted start of a test ({@code -O}), which iperf3 leaves out of
 * its results: taken by the thread that updates the counts, at its first update after the omit
 * time, so no other thread reads them half-written. Without {@code -O} nothing is left out.
 */
final class Omitted {
    private final long countFromMicros;
    private final boolean omitting;
    private volatile boolean taken; // written last: publishes the baseline to the thread that reports
    private long bytes;
    private long packets;
    private long errors;

    /** Counts before {@code countFromMicros} are left out (none if it is not after {@code startMicros}). */
    Omitted(long startMicros, long countFromMicros) {
        this.countFromMicros = countFromMicros;
        this.omitting = countFromMicros > startMicros;
    }

    /** Before an update at {@code nowMicros}: takes the baseline once the omit time has passed. */
    void beforeUpdate(long nowMicros, long bytesSoFar, long packetsSoFar, long errorsSoFar) {
        if (omitting && !taken && nowMicros >= countFromMicros) {
            bytes = bytesSoFar;
            packets = packetsSoFar;
            errors = errorsSoFar;
            taken = true;
        }
    }

    /** Bytes to report out of {@code total}: all after the omit time; none if it never passed with an update. */
    long bytes(long total) {
        return !omitting ? total : taken ? total - bytes : 0;
    }

    long packets(long total) {
        return !omitting ? total : taken ? total - packets : 0;
    }

    long errors(long total) {
        return !omitting ? total : taken ? Math.max(0, total - errors) : 0;
    }

    /** The counted time: from the end of the omit time (or the start) to {@code endMicros}. */
    double seconds(long startMicros, long endMicros) {
        return Math.max(0, endMicros - Math.max(startMicros, countFromMicros)) / 1e6;
    }
}
