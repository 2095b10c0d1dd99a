package dev.tsunagu.testkit.host;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * Waits for a condition on state outside the JVM (the kernel's sockets, a device, a reader
 * thread) that offers no event to wait on: probes it every few milliseconds until it holds or
 * the bound passes. Protocol timing is never tested this way; that runs on the virtual clock.
 */
public final class Poll {
    private static final long EVERY_NANOS = Duration.ofMillis(10).toNanos();

    /** Something to look at, which may fail (a command that runs). */
    @FunctionalInterface
    public interface Probe<T> {
        T look() throws Exception;
    }

    private Poll() {}

    /** Looks until {@code done} holds or {@code timeout} passes; returns the last look. */
    public static <T> T until(Duration timeout, Probe<T> probe, Predicate<T> done) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        T seen = probe.look();
        while (!done.test(seen) && System.nanoTime() < end) {
            LockSupport.parkNanos(EVERY_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while polling");
            }
            seen = probe.look();
        }
        return seen;
    }
}
