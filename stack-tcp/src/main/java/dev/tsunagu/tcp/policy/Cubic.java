package dev.tsunagu.tcp.policy;

/**
 * CUBIC congestion control (RFC 9438) with HyStart++ (RFC 9406) ending the initial slow start,
 * in bytes outside and in segments inside (the RFC's formulas are in segments and seconds, so
 * its state survives an MSS change untouched).
 *
 * <p><b>The window function</b> (4.2). After a congestion event the window grows along
 * <pre>
 *   W_cubic(t) = C·(t − K)³ + W_max        K = ∛((W_max − cwnd_epoch) / C)      (eq. 1, 2)
 *
 *   cwnd ▲                          ....····  convex: probing beyond W_max
 *   W_max┤- - - - - - - - ·····'''
 *        │          ..''             concave: back quickly to where the loss was, then slowly
 *        │      .·'
 *  epoch ┤   .·'
 *        └──┬──────────────┬────────────▶ t
 *         epoch            K
 * </pre>
 * with C = {@value #C} and t the time since the congestion-avoidance epoch began (its first ACK
 * after the reduction). Per ACK, cwnd moves toward {@code target = W_cubic(t + RTT)} (clamped to
 * [cwnd, 1.5·cwnd], 4.4/4.5) by {@code (target − cwnd)/cwnd} segments per segment acknowledged.
 *
 * <p><b>The Reno-friendly region</b> (4.3): W_est, what Reno with the same β would have, grows by
 * {@code α·acked/cwnd} per ACK, α = 3(1−β)/(1+β) until W_est reaches the window before the last
 * reduction, then 1; while W_cubic(t) is below W_est, cwnd = W_est. On short or slow paths this
 * is the region CUBIC lives in, and it is then as fair to Reno as Reno.
 *
 * <p><b>A congestion event</b> (4.6, 4.7): {@code ssthresh = max(FlightSize·β, 2·SMSS)} with β =
 * {@value #BETA}; W_max is the window at the event, or (fast convergence) {@code cwnd·(1+β)/2} when
 * the window is below the previous W_max: a flow that keeps losing below its old peak gives room
 * to newer flows. The recovery itself is {@link LossBasedControl}'s (RFC 6582 inflation without
 * SACK; with SACK the sender counts the pipe against ssthresh, RFC 6675).
 *
 * <p><b>A timeout</b> (4.8): ssthresh by β as above, cwnd one segment; in the congestion
 * avoidance that follows, K = 0 and W_max and W_est start from the window at its beginning.
 *
 * <p><b>Slow start</b>: HyStart++ ({@link HyStartPlusPlus}) in the initial one; later slow starts
 * (after a timeout, after idle) are standard, with HyStart++'s growth per ACK.
 *
 * <p><b>Pacing</b>: like Linux, {@link #pacingRate()} is a multiple of cwnd/SRTT: 2× in slow start
 * (while cwnd is below half of ssthresh), 1.2× otherwise, so a window is spread over the round
 * trip instead of leaving in a burst; 0 (no pacing) until the first RTT sample. The provider
 * makes CUBIC pace only when the stack option {@code tcp.pacing} is on (off by default).
 *
 * <p>Not done: undoing a spurious congestion event (4.9; the SPI does not report one), and
 * holding t still while the sender is application-limited (an idle restart starts a new epoch).
 * Not thread-safe: one instance per connection, used on its event loop.
 */
public final class Cubic extends LossBasedControl {
    /** C, in segments per second³ (5.1). */
    public static final double C = 0.4;
    /** β_cubic, the multiplicative decrease factor (4.6). */
    public static final double BETA = 0.7;
    /** α_cubic = 3(1 − β)/(1 + β) (4.3): Reno's average rate with CUBIC's β. */
    public static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    /** Pacing multiple of cwnd/SRTT in slow start (Linux's {@code tcp_pacing_ss_ratio}, 200%). */
    static final double PACING_SS_RATIO = 2.0;
    /** Pacing multiple in congestion avoidance (Linux's {@code tcp_pacing_ca_ratio}, 120%). */
    static final double PACING_CA_RATIO = 1.2;

    private final boolean fastConvergence;
    private final boolean pacing;
    private final HyStartPlusPlus hystart;

    /** W_max in segments: the window before the last reduction (or less, by fast convergence). */
    private double wMax;
    /** The window when ssthresh was last set, in segments (4.3's cwnd_prior). */
    private double cwndPrior;
    /** W_est in segments (4.3). */
    private double wEst;
    /** K in seconds. */
    private double k;
    /** When this congestion-avoidance epoch began, or -1 before its first ACK. */
    private long epochStart = -1;
    /** The next epoch follows a timeout (4.8). */
    private boolean afterTimeout;
    /** Fractions of a byte of growth not yet added to cwnd. */
    private double carry;
    /** Smoothed RTT (RFC 6298's gain, 1/8), or -1 before the first sample. */
    private long srtt = -1;

    /** CUBIC with fast convergence and pacing, as Linux runs it, for SMSS {@code mss}. */
    public Cubic(int mss) {
        this(mss, 0, true, true);
    }

    /**
     * CUBIC for SMSS {@code mss}.
     *
     * @param initialSegments the initial window in segments (RFC 6928's 10), or 0 for RFC 3390's rule by MSS
     * @param fastConvergence release bandwidth on losses below the previous W_max (4.7)
     * @param pacing report a pacing rate (and let HyStart++ grow without its per-ACK limit)
     * @throws IllegalArgumentException if {@code mss} is not positive or {@code initialSegments} is negative
     */
    public Cubic(int mss, int initialSegments, boolean fastConvergence, boolean pacing) {
        super(mss, initialSegments);
        this.fastConvergence = fastConvergence;
        this.pacing = pacing;
        this.hystart = new HyStartPlusPlus(pacing);
    }

    /** W_cubic(t) in segments, {@code t} in seconds since the epoch (eq. 1). */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    /** K in seconds (eq. 2). */
    double k() {
        return k;
    }

    /** W_max in segments. */
    double wMax() {
        return wMax;
    }

    /** W_est in segments. */
    double wEst() {
        return wEst;
    }

    /** Where HyStart++ is. */
    HyStartPlusPlus.Phase hystartPhase() {
        return hystart.phase();
    }

    @Override
    public void onAck(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        if (rttNanos >= 0) {
            srtt = srtt < 0 ? rttNanos : srtt + (rttNanos - srtt) / 8;
        }
        super.onAck(now, ackedBytes, rttNanos, bytesInFlight);
    }

    @Override
    void grow(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        if (cwnd < ssthresh) {
            boolean initial = ssthresh == INITIAL_SSTHRESH;
            long growth = hystart.onAck(ackedBytes, initial ? rttNanos : -1, bytesInFlight, sendUnit());
            // A later slow start stops at the ssthresh a loss set (as Linux's tcp_slow_start): an
            // ACK of a whole offloaded segment would otherwise carry cwnd far past it.
            cwnd = initial ? cwnd + growth : Math.min(cwnd + growth, ssthresh);
            if (initial && hystart.phase() == HyStartPlusPlus.Phase.DONE) {
                ssthresh = cwnd; // RFC 9406 4.2: CSS is over; congestion avoidance from here
            }
            return;
        }
        congestionAvoidance(now, ackedBytes);
    }

    private void congestionAvoidance(long now, long ackedBytes) {
        double cwndSeg = (double) cwnd / mss;
        if (epochStart < 0) {
            startEpoch(now, cwndSeg);
        }
        double acked = (double) ackedBytes / mss;
        // 4.3: W_est, Reno's window with β_cubic; α becomes 1 once it is back where the loss was.
        double alpha = wEst >= cwndPrior ? 1 : ALPHA;
        wEst += alpha * acked / cwndSeg;
        double t = (now - epochStart) / 1e9;
        double next;
        if (wCubic(t) < wEst) {
            next = Math.max(cwndSeg, wEst); // 4.3: the Reno-friendly region
        } else {
            // 4.4 (concave) and 4.5 (convex): toward W_cubic one RTT ahead, at most 1.5 × cwnd.
            double rtt = srtt > 0 ? srtt / 1e9 : 0;
            double target = Math.min(Math.max(wCubic(t + rtt), cwndSeg), 1.5 * cwndSeg);
            next = cwndSeg + (target - cwndSeg) / cwndSeg * acked;
        }
        carry += (next - cwndSeg) * mss;
        long whole = (long) carry;
        cwnd += whole;
        carry -= whole;
    }

    /** The first ACK of congestion avoidance after a reduction (or after slow start): t = 0 here. */
    private void startEpoch(long now, double cwndSeg) {
        epochStart = now;
        carry = 0;
        if (afterTimeout || wMax <= cwndSeg) {
            // 4.8 after a timeout; and when the window is already past W_max (slow start went
            // beyond it, or there was no loss yet): the plateau is here, probe beyond it.
            wMax = cwndSeg;
            k = 0;
        } else {
            k = Math.cbrt((wMax - cwndSeg) / C);
        }
        wEst = cwndSeg; // 4.3: W_est starts at cwnd_epoch
        afterTimeout = false;
    }

    @Override
    long reduce(long now, long bytesInFlight, boolean timeout) {
        hystart.onCongestion();
        double cwndSeg = (double) cwnd / mss;
        if (!timeout) {
            // 4.7: fast convergence: losing below the last peak means a new flow needs room.
            wMax = fastConvergence && cwndSeg < wMax ? cwndSeg * (1 + BETA) / 2 : cwndSeg;
        }
        cwndPrior = cwndSeg;
        afterTimeout = timeout;
        epochStart = -1;
        long reduced = (long) (Math.max(bytesInFlight, 0) * BETA);
        return Math.max(reduced, 2L * mss);
    }

    @Override
    void restartedAfterIdle(long now) {
        epochStart = -1; // the curve's clock does not run while nothing is sent
    }

    /**
     * Bytes per second: cwnd/SRTT × 2 while cwnd is below half of ssthresh, × 1.2 above (Linux's
     * {@code tcp_update_pacing_rate}); 0 before an RTT sample or when made without pacing.
     */
    @Override
    public long pacingRate() {
        if (!pacing || srtt <= 0) {
            return 0;
        }
        double ratio = cwnd < ssthresh / 2 ? PACING_SS_RATIO : PACING_CA_RATIO;
        return (long) Math.min(cwnd * ratio * 1e9 / srtt, Long.MAX_VALUE / 2.0);
    }

    @Override
    public String toString() {
        return describe("Cubic");
    }
}
