package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;

/**
 * What the loss-based controllers share ({@link NewReno}, {@link Cubic}): a window in bytes, a
 * slow-start threshold, and RFC 5681/6582's recovery mechanics around them. A subclass says only
 * how the window grows on an ACK and how far ssthresh falls on a loss; the rest is here, once.
 *
 * <ul>
 *   <li>{@link #onAck}: outside recovery, {@link #grow}; in recovery an ACK changes nothing (the
 *       sender reports partial ACKs with {@link #onPartialAck} and the full ACK with
 *       {@link #onRecoveryEnd}, after reporting it with {@code onAck}).</li>
 *   <li>{@link #onDuplicateAck}: in recovery, inflate by one SMSS (RFC 5681 3.2 step 4).</li>
 *   <li>{@link #onFastRetransmit}: ssthresh from {@link #reduce}, {@code cwnd = ssthresh + 3*SMSS}
 *       (the three duplicates), enter recovery; once per recovery.</li>
 *   <li>{@link #onPartialAck} (RFC 6582 3.2 step 5): deflate by the bytes acknowledged, add one
 *       SMSS back if they were at least one SMSS; never below one SMSS.</li>
 *   <li>{@link #onRecoveryEnd} (RFC 6582 3.2 step 3, first option):
 *       {@code cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)}, with the flight size of the
 *       latest event (the full ACK, reported just before).</li>
 *   <li>{@link #onCongestionExperienced} (RFC 3168 6.1.2): ssthresh from {@link #reduce} as for
 *       a loss, and {@code cwnd = ssthresh} at once: no recovery, no inflation, since nothing
 *       needs resending. Ignored in recovery (the loss already reduced this window).</li>
 *   <li>{@link #onRetransmissionTimeout}: ssthresh from {@link #reduce} unless the same data
 *       timed out already (RFC 5681 3.1 holds it then), cwnd = the loss window, one SMSS.</li>
 *   <li>{@link #onIdleRestart} (RFC 5681 4.1): {@code cwnd = min(cwnd, IW)}; IW is RFC 3390's
 *       by MSS, or a number of segments given (RFC 6928's 10, the {@code tcp.initialWindow}
 *       option).</li>
 *   <li>{@link #onMssChanged}: the initial window is recomputed while nothing has happened yet;
 *       afterwards cwnd and ssthresh keep their number of segments (as Linux, which counts
 *       segments), cwnd at least one SMSS and ssthresh at least two.</li>
 *   <li>{@link #onSegmentationOffload}: the largest segment the sender hands the device, in
 *       whole SMSS ({@link #sendUnit()}); where a subclass limits growth per ACK it counts in
 *       these, not in SMSS, so an ACK of one offloaded segment grows the window as the ACKs of
 *       its SMSS-sized pieces would have.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
abstract sealed class LossBasedControl implements CongestionControl permits NewReno, Cubic {
    /** The initial ssthresh, "arbitrarily high" (RFC 5681 3.1); halving it cannot overflow. */
    static final long INITIAL_SSTHRESH = Long.MAX_VALUE / 2;

    int mss;
    /** The initial window in segments (RFC 6928's IW10, a stack option), or 0 for RFC 3390's rule by MSS. */
    private final int initialSegments;
    long cwnd;
    long ssthresh = INITIAL_SSTHRESH;
    boolean inRecovery;
    /** Whether nothing has happened yet (the window is still the initial window). */
    private boolean pristine = true;
    /** Whether the retransmission timer fired and no new data has been acknowledged since. */
    private boolean timedOut;
    /** The flight size reported with the latest event. */
    long lastFlight;
    /** The most payload the sender hands the device as one segment (TSO), or 0 when the device does not segment. */
    private int segmentationBytes;

    LossBasedControl(int mss, int initialSegments) {
        if (initialSegments < 0) {
            throw new IllegalArgumentException("initial window must be 0 (RFC 3390) or a number of segments: " + initialSegments);
        }
        this.mss = checkMss(mss);
        this.initialSegments = initialSegments;
        this.cwnd = initialWindow();
    }

    /** This controller's initial window for the current SMSS. */
    final long initialWindow() {
        return initialSegments > 0 ? (long) initialSegments * mss : initialWindow(mss);
    }

    /**
     * The initial window of RFC 5681 3.1 (eq. 1, as RFC 3390): 2 segments if SMSS > 2190 bytes,
     * 3 if SMSS > 1095, else 4.
     */
    static long initialWindow(int mss) {
        int segments = mss > 2190 ? 2 : mss > 1095 ? 3 : 4;
        return (long) segments * mss;
    }

    /**
     * New data was acknowledged outside recovery: grow {@link #cwnd} (slow start below
     * ssthresh, congestion avoidance above it, as the algorithm defines them).
     *
     * @param ackedBytes positive
     */
    abstract void grow(long now, long ackedBytes, long rttNanos, long bytesInFlight);

    /**
     * A loss: the new ssthresh for {@code bytesInFlight} outstanding; the subclass updates its
     * own state (it is called once per recovery, and once per run of timeouts).
     *
     * @param timeout whether the retransmission timer found it (else duplicate ACKs or SACK did)
     */
    abstract long reduce(long now, long bytesInFlight, boolean timeout);

    /** The connection restarts after idle; the subclass may reset its own clock. */
    void restartedAfterIdle(long now) {}

    @Override
    public long congestionWindow() {
        return cwnd;
    }

    @Override
    public long slowStartThreshold() {
        return ssthresh;
    }

    @Override
    public boolean inRecovery() {
        return inRecovery;
    }

    /** The sender maximum segment size the controller counts with. */
    public int mss() {
        return mss;
    }

    @Override
    public void onAck(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        lastFlight = bytesInFlight;
        if (ackedBytes <= 0) {
            return;
        }
        pristine = false;
        timedOut = false;
        if (inRecovery) {
            return;
        }
        grow(now, ackedBytes, rttNanos, bytesInFlight);
    }

    @Override
    public void onDuplicateAck(long now, int count, long bytesInFlight) {
        lastFlight = bytesInFlight;
        if (inRecovery) {
            // RFC 5681 3.2 step 4: each further duplicate ACK means a segment left the network.
            cwnd += mss;
        }
    }

    @Override
    public void onFastRetransmit(long now, long bytesInFlight) {
        if (reduceOutsideRecovery(now, bytesInFlight)) {
            cwnd = ssthresh + 3L * mss;
            inRecovery = true;
        }
    }

    @Override
    public void onCongestionExperienced(long now, long bytesInFlight) {
        if (reduceOutsideRecovery(now, bytesInFlight)) {
            cwnd = ssthresh;
        }
    }

    /**
     * A loss or a congestion mark: ssthresh from {@link #reduce}, unless recovery already answered
     * this window's congestion.
     *
     * @return whether it reduced
     */
    private boolean reduceOutsideRecovery(long now, long bytesInFlight) {
        lastFlight = bytesInFlight;
        if (inRecovery) {
            return false;
        }
        pristine = false;
        ssthresh = reduce(now, bytesInFlight, false);
        return true;
    }

    @Override
    public void onPartialAck(long now, long ackedBytes, long bytesInFlight) {
        lastFlight = bytesInFlight;
        if (!inRecovery || ackedBytes <= 0) {
            return;
        }
        timedOut = false;
        // RFC 6582 3.2 step 5: deflate by what was acknowledged; add back one SMSS if that was
        // at least one SMSS (the retransmission that will leave now).
        long deflated = cwnd - ackedBytes + (ackedBytes >= mss ? mss : 0);
        cwnd = Math.max(deflated, mss);
    }

    @Override
    public void onRecoveryEnd(long now) {
        if (!inRecovery) {
            return;
        }
        inRecovery = false;
        cwnd = Math.min(ssthresh, Math.max(lastFlight, mss) + mss);
    }

    @Override
    public void onRetransmissionTimeout(long now, long bytesInFlight) {
        lastFlight = bytesInFlight;
        pristine = false;
        if (!timedOut) {
            ssthresh = reduce(now, bytesInFlight, true);
        }
        timedOut = true;
        cwnd = mss;
        inRecovery = false;
    }

    @Override
    public void onIdleRestart(long now) {
        cwnd = Math.min(cwnd, initialWindow());
        restartedAfterIdle(now);
    }

    @Override
    public void onSent(long now, long bytes, long bytesInFlight) {
        lastFlight = bytesInFlight;
    }

    @Override
    public void onMssChanged(int newMss) {
        checkMss(newMss);
        int old = mss;
        mss = newMss;
        if (newMss == old) {
            return;
        }
        if (pristine) {
            cwnd = initialWindow();
            return;
        }
        cwnd = Math.max(scale(cwnd, newMss, old), newMss);
        if (ssthresh != INITIAL_SSTHRESH) {
            ssthresh = Math.max(scale(ssthresh, newMss, old), 2L * newMss);
        }
    }

    @Override
    public void onSegmentationOffload(int segmentBytes) {
        segmentationBytes = Math.max(segmentBytes, 0);
    }

    /**
     * The sender's unit of sending: one SMSS, or with segmentation offload the largest segment
     * it hands the device (whole SMSS, as the sender cuts them), at least one SMSS. What leaves
     * as one burst and draws one ACK.
     */
    final long sendUnit() {
        return Math.max(mss, (long) segmentationBytes / mss * mss);
    }

    /** {@code value * to / from} without overflowing for any window. */
    private static long scale(long value, int to, int from) {
        return value / from * to + value % from * to / from;
    }

    private static int checkMss(int mss) {
        if (mss <= 0) {
            throw new IllegalArgumentException("MSS must be positive: " + mss);
        }
        return mss;
    }

    /** {@code Name[cwnd=…, ssthresh=…, mss=…(, recovery)]}. */
    final String describe(String name) {
        return name + "[cwnd=" + cwnd + ", ssthresh=" + (ssthresh == INITIAL_SSTHRESH ? "initial" : ssthresh)
                + ", mss=" + mss + (inRecovery ? ", recovery" : "") + "]";
    }
}
