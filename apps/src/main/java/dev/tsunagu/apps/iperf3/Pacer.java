package dev.tsunagu.apps.iperf3;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps a sender at the client's {@code -b} rate: before each block it waits until the bytes sent
 * so far fit the rate times the time since the first block. Unlimited (rate 0) never waits. Waits
 * are in steps of at most one millisecond, iperf3's default pacing timer.
 *
 * <p>A sender that fell behind (its thread did not run for a while) makes up at most
 * {@link #MAX_CATCH_UP_MICROS} of the rate at once and forgoes the rest: a burst of everything it
 * owes would overflow the receiver's socket buffer and be counted as loss (seen at 20 Mbit/s
 * reverse UDP on a loaded machine), where the test measures the path, not the stall.
 */
final class Pacer {
    /** The most sending time a late sender makes up in one burst: 10 ms of the rate. */
    static final long MAX_CATCH_UP_MICROS = 10_000;
    private final long bitsPerSecond;
    private final LongSupplier micros;
    private long startMicros = -1;
    private long sentBytes;

    Pacer(long bitsPerSecond, LongSupplier micros) {
        this.bitsPerSecond = bitsPerSecond;
        this.micros = micros;
    }

    /** How long until {@code bytes} more may go at {@code nowMicros}; 0: now. Counts them as sent. */
    long delayMicros(int bytes, long nowMicros) {
        if (bitsPerSecond <= 0) {
            return 0;
        }
        if (startMicros < 0) {
            startMicros = nowMicros;
        }
        // The time at which everything sent so far is due at the rate.
        long due = startMicros + (long) (sentBytes * 8.0 * 1e6 / bitsPerSecond);
        if (due > nowMicros) {
            return due - nowMicros;
        }
        if (nowMicros - due > MAX_CATCH_UP_MICROS) {
            startMicros += nowMicros - due - MAX_CATCH_UP_MICROS; // forgo what is older than that
        }
        sentBytes += bytes;
        return 0;
    }

    void awaitRoomFor(int bytes) throws InterruptedException {
        long wait;
        while ((wait = delayMicros(bytes, micros.getAsLong())) > 0) {
            LockSupport.parkNanos(Math.min(wait, 1000) * 1000);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }
}
