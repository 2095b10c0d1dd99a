package dev.tsunagu.tcp.policy;

/**
 * BBR's min-RTT filter: the least RTT seen within a window of time (BBRv1: 10 s), and when it was
 * seen. A sample at or below the minimum replaces it; once the minimum is older than the window,
 * any sample replaces it, since the path may have changed and only a fresh measurement says so.
 * {@link #expired} tells BBR to go and measure one (PROBE_RTT): a flow that keeps the queue full
 * never sees the path's base RTT unless it drains the queue on purpose.
 *
 * <p>Time passed in (the loop's nanoseconds). Not thread-safe.
 */
public final class MinRttFilter {
    private final long windowNanos;
    private long minRtt = -1;
    private long stamp;

    /** A filter whose minimum expires after {@code windowNanos}. */
    public MinRttFilter(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** The minimum RTT in nanoseconds, or -1 before any sample. */
    public long get() {
        return minRtt;
    }

    /** When the minimum was taken (or last refreshed). */
    public long stamp() {
        return stamp;
    }

    /** Whether the minimum is older than the window at {@code now} (or there is none). */
    public boolean expired(long now) {
        return minRtt < 0 || now - stamp > windowNanos;
    }

    /**
     * An RTT sample at {@code now} (-1 for none).
     *
     * @return whether the minimum was expired before this sample (BBR then probes the RTT)
     */
    public boolean update(long now, long rttNanos) {
        boolean expired = minRtt >= 0 && now - stamp > windowNanos;
        if (rttNanos >= 0 && (minRtt < 0 || rttNanos <= minRtt || expired)) {
            minRtt = rttNanos;
            stamp = now;
        }
        return expired;
    }

    /** The minimum stays, as if measured {@code now} (PROBE_RTT measured what it could). */
    public void refresh(long now) {
        stamp = now;
    }

    @Override
    public String toString() {
        return "MinRttFilter[" + minRtt + " ns @" + stamp + "]";
    }
}
