package dev.tsunagu.apps.iperf3;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Keeps a sender at the client's {@code -b} rate: before each block it waits until the bytes sent
 * so far fit the rate times the time since the first block. Unlimited (rate 0) never waits. Waits
 * are in steps of at most one millisecond, iperf3's default pacing timer.
 */
final class Pacer {
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
