package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.RetransmissionPolicy;

/**
 * The retransmission timer of RFC 6298, in integer nanoseconds.
 *
 * <p><b>Estimator</b> (section 2, alpha = 1/8, beta = 1/4, K = 4, clock granularity G = 1 ms):
 * before any sample, RTO = the initial RTO (2.1). The first sample R sets SRTT = R,
 * RTTVAR = R/2 (2.2); each later one sets RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| (with the old
 * SRTT) and then SRTT = 7/8 SRTT + 1/8 R (2.3). RTO = SRTT + max(G, 4 RTTVAR), clamped to
 * [minimum, maximum] (2.4, 2.5; the floor is a setting because RFC 6298's 1 s is rarely used).
 * As in Jacobson's and Linux's code, SRTT is kept times 8 and RTTVAR times 4, so the only
 * rounding is that of the final shift (under a nanosecond): no drift, no floating point.
 *
 * <p><b>Backoff</b> (5.5): each timeout doubles the timeout to arm, up to the maximum. The
 * timeouts are counted; once they exceed the retry limit, {@link #onTimeout} says give up.
 * {@link #onNewDataAcked} ends the backoff and clears the count; an RTT sample (which the
 * sender takes only on data that was not retransmitted: Karn's rule) recomputes the RTO and
 * also drops the backoff, but not the count. The optional reset of SRTT and RTTVAR after many
 * backoffs (the note after 5.7) is not done, as in Linux.
 *
 * <p>The initial RTO is clamped into [minimum, maximum] like every other value, so a floor set
 * above 1 s also holds before the first sample.
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
public final class Rfc6298 implements RetransmissionPolicy {
    /** G, the clock granularity: the loop's timers tick in milliseconds. */
    public static final long CLOCK_GRANULARITY_NANOS = 1_000_000;

    /** Samples are capped here (about 2 years) so that the scaled sums cannot overflow. */
    private static final long MAX_SAMPLE_NANOS = 1L << 56;

    private final long minRto;
    private final long maxRto;
    private final int maxRetries;

    /** 8 * SRTT, or -1 before the first sample. */
    private long srtt8 = -1;
    /** 4 * RTTVAR, or -1 before the first sample. */
    private long rttvar4 = -1;
    /** The RTO from the estimator (or the initial one), clamped, without backoff. */
    private long rto;
    /** The timeout to arm: {@link #rto} doubled once per timeout, capped. */
    private long current;
    private int timeouts;

    /**
     * A timer with these settings (nanoseconds).
     *
     * @param maxRetries how many timeouts in a row are retransmitted; the one after gives up
     * @throws IllegalArgumentException if the initial or maximum RTO is not positive, the
     *     minimum is negative or above the maximum, or {@code maxRetries} is negative
     */
    public Rfc6298(long initialRtoNanos, long minRtoNanos, long maxRtoNanos, int maxRetries) {
        if (initialRtoNanos <= 0 || minRtoNanos < 0 || maxRtoNanos <= 0) {
            throw new IllegalArgumentException("RTO settings must be positive: initial " + initialRtoNanos
                    + " ns, min " + minRtoNanos + " ns, max " + maxRtoNanos + " ns");
        }
        if (minRtoNanos > maxRtoNanos) {
            throw new IllegalArgumentException("minimum RTO " + minRtoNanos + " ns exceeds the maximum "
                    + maxRtoNanos + " ns");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maximum retries must not be negative: " + maxRetries);
        }
        this.minRto = minRtoNanos;
        this.maxRto = maxRtoNanos;
        this.maxRetries = maxRetries;
        this.rto = clamp(initialRtoNanos);
        this.current = rto;
    }

    @Override
    public void onRttSample(long rttNanos) {
        if (rttNanos < 0) {
            return;
        }
        long r = Math.min(rttNanos, MAX_SAMPLE_NANOS);
        if (srtt8 < 0) {
            // (2.2) SRTT = R, RTTVAR = R/2.
            srtt8 = r << 3;
            rttvar4 = r << 1;
        } else {
            // (2.3) RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R; scaled:
            // 4 RTTVAR' = 4 RTTVAR - RTTVAR + |8 SRTT - 8 R| / 8, 8 SRTT' = 8 SRTT - SRTT + R.
            rttvar4 = rttvar4 - (rttvar4 >> 2) + (Math.abs(srtt8 - (r << 3)) >> 3);
            srtt8 = srtt8 - (srtt8 >> 3) + r;
        }
        // RTO = SRTT + max(G, K * RTTVAR), K = 4.
        rto = clamp((srtt8 >> 3) + Math.max(CLOCK_GRANULARITY_NANOS, rttvar4));
        current = rto;
    }

    @Override
    public long currentTimeoutNanos() {
        return current;
    }

    @Override
    public boolean onTimeout(long now) {
        if (timeouts < Integer.MAX_VALUE) {
            timeouts++;
        }
        if (timeouts > maxRetries) {
            return false;
        }
        // (5.5) back off: double, bounded by the maximum of (2.5).
        current = current > maxRto / 2 ? maxRto : current << 1;
        return true;
    }

    @Override
    public void onNewDataAcked() {
        timeouts = 0;
        current = rto;
    }

    @Override
    public long smoothedRttNanos() {
        return srtt8 < 0 ? -1 : srtt8 >> 3;
    }

    @Override
    public long rttVariationNanos() {
        return rttvar4 < 0 ? -1 : rttvar4 >> 2;
    }

    @Override
    public int consecutiveTimeouts() {
        return timeouts;
    }

    /** The RTO from the estimator, without backoff. */
    public long retransmissionTimeoutNanos() {
        return rto;
    }

    private long clamp(long nanos) {
        return Math.min(Math.max(nanos, minRto), maxRto);
    }

    @Override
    public String toString() {
        return "Rfc6298[rto=" + current / 1_000 + "us" + (current != rto ? " (backed off from " + rto / 1_000 + "us)" : "")
                + ", srtt=" + (srtt8 < 0 ? "none" : (srtt8 >> 3) / 1_000 + "us")
                + ", rttvar=" + (rttvar4 < 0 ? "none" : (rttvar4 >> 2) / 1_000 + "us")
                + ", timeouts=" + timeouts + "]";
    }
}
