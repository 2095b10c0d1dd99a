package dev.tsunagu.tcp.policy;

/**
 * The maximum of the samples of the last {@code window} units of time (for BBR's bottleneck
 * bandwidth, round trips), in constant space: Kathleen Nichols' windowed min/max estimator as
 * Linux's {@code lib/win_minmax.c} uses it. It keeps the best, second-best and third-best
 * samples of successive sub-windows; when the best ages out of the window the second takes its
 * place, so the estimate falls within a window of the path's bandwidth falling, not never.
 *
 * <p>Time is whatever the caller counts in (BBR counts round trips), passed in, never read.
 * Not thread-safe.
 */
public final class WindowedMaxFilter {
    private final long window;
    private final long[] time = new long[3];
    private final long[] value = new long[3];

    /** A filter over {@code window} units of time (positive). */
    public WindowedMaxFilter(long window) {
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.window = window;
    }

    /** The windowed maximum, 0 before any sample. */
    public long get() {
        return value[0];
    }

    /** Forgets every sample: the next one is the maximum. */
    public void reset(long now, long v) {
        for (int i = 0; i < 3; i++) {
            time[i] = now;
            value[i] = v;
        }
    }

    /** A sample {@code v} at time {@code now} (not before the previous one's); returns the new maximum. */
    public long update(long now, long v) {
        if (v >= value[0] || now - time[2] > window) {
            reset(now, v); // a new best, or nothing in the window is left
            return value[0];
        }
        if (v >= value[1]) {
            set(1, now, v);
            set(2, now, v);
        } else if (v >= value[2]) {
            set(2, now, v);
        }
        return ageOut(now, v);
    }

    /** The best aged out of the window: the next ones move up; a quarter and half in, refresh the others. */
    private long ageOut(long now, long v) {
        long age = now - time[0];
        if (age > window) {
            shift(now, v);
            if (now - time[0] > window) {
                shift(now, v);
            }
        } else if (time[1] == time[0] && age > window / 4) {
            // A quarter of the window passed with no second choice: take one from this sample.
            set(1, now, v);
            set(2, now, v);
        } else if (time[2] == time[1] && age > window / 2) {
            set(2, now, v);
        }
        return value[0];
    }

    private void shift(long now, long v) {
        time[0] = time[1];
        value[0] = value[1];
        time[1] = time[2];
        value[1] = value[2];
        set(2, now, v);
    }

    private void set(int i, long now, long v) {
        time[i] = now;
        value[i] = v;
    }

    @Override
    public String toString() {
        return "WindowedMaxFilter[" + value[0] + "@" + time[0] + ", " + value[1] + "@" + time[1] + ", " + value[2] + "@"
                + time[2] + "]";
    }
}
