package dev.tsunagu.loop;

/**
 * A monotonic time source, in nanoseconds from an arbitrary origin.
 *
 * <p>Only an event loop reads its clock. Protocol code never asks a global clock for the
 * time: it is handed {@code now} by the loop (or asks its loop), so the same code runs on
 * real time in production and on a {@link VirtualClock} in tests.
 */
public interface Clock {
    /** The current time in nanoseconds; never decreases. */
    long nanoTime();

    /** The machine's monotonic clock ({@link System#nanoTime()}). */
    static Clock system() {
        return System::nanoTime;
    }
}
