package dev.tsunagu.util;

/**
 * A token bucket: up to {@code burst} events at once, refilled at {@code ratePerSecond}. Time
 * is passed in (the loop's nanoseconds), so the limit is exact on a virtual clock. Used by
 * the ICMP error rate limit (RFC 1812 4.3.2.8) and TCP's challenge-ACK budget (RFC 5961 7),
 * which is why it lives here rather than in either protocol's module.
 */
public final class TokenBucket {
    private final long nanosPerToken;
    private final long capacityNanos;
    private long level;   // tokens, in nanoseconds of refill time
    private long last;
    private boolean started;

    /**
     * A bucket that starts full.
     *
     * @param ratePerSecond tokens added per second, positive
     * @param burst the most tokens the bucket holds, positive
     * @throws IllegalArgumentException if either is not positive
     */
    public TokenBucket(int ratePerSecond, int burst) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.nanosPerToken = 1_000_000_000L / ratePerSecond;
        this.capacityNanos = nanosPerToken * burst;
    }

    /** Takes a token if one is available at {@code now}. */
    public boolean tryTake(long now) {
        if (!started) {
            started = true;
            last = now;
            level = capacityNanos;
        }
        level = Math.min(capacityNanos, level + Math.max(0, now - last));
        last = now;
        if (level >= nanosPerToken) {
            level -= nanosPerToken;
            return true;
        }
        return false;
    }
}
