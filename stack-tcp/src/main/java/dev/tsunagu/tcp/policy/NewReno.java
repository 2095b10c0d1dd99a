package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;

/**
 * NewReno congestion control: RFC 5681 (slow start, congestion avoidance, fast retransmit and
 * fast recovery) with RFC 6582's partial-ACK handling, in bytes.
 *
 * <p>What the sender tells it, and what it does:
 * <ul>
 *   <li>{@link #onAck}: outside recovery, slow start while {@code cwnd < ssthresh} with RFC 3465
 *       byte counting ({@code cwnd += min(acked, SMSS)}), else congestion avoidance
 *       ({@code cwnd += SMSS*SMSS/cwnd}, at least one byte; RFC 5681 eq. 3). In recovery an ACK
 *       changes nothing: the sender reports partial ACKs with {@link #onPartialAck} and the
 *       full ACK with {@link #onRecoveryEnd}, after reporting it with {@code onAck}.</li>
 *   <li>{@link #onDuplicateAck}: in recovery, inflate by one SMSS (RFC 5681 3.2 step 4). The
 *       duplicate ACK that triggers fast retransmit is reported before {@link #onFastRetransmit},
 *       which accounts for it and the two before it with its {@code 3*SMSS}; outside recovery a
 *       duplicate ACK changes nothing (limited transmit, RFC 3042, is the sender's).</li>
 *   <li>{@link #onFastRetransmit}: {@code ssthresh = max(FlightSize/2, 2*SMSS)} (eq. 4),
 *       {@code cwnd = ssthresh + 3*SMSS}, enter recovery. Once per recovery: a second call while
 *       in recovery changes nothing.</li>
 *   <li>{@link #onPartialAck} (RFC 6582 3.2 step 5): deflate by the bytes acknowledged and, if
 *       they were at least one SMSS, add one SMSS back; never below one SMSS.</li>
 *   <li>{@link #onRecoveryEnd} (RFC 6582 3.2 step 3): the first of the RFC's two options,
 *       {@code cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)}, which avoids a burst when
 *       little is in flight at the full ACK. The interface gives no flight size here, so the
 *       one reported with the latest event is used: the sender reports the full ACK with
 *       {@code onAck} first, then calls {@code onRecoveryEnd}.</li>
 *   <li>{@link #onRetransmissionTimeout}: {@code ssthresh = max(FlightSize/2, 2*SMSS)},
 *       {@code cwnd} = the loss window, one SMSS; recovery is abandoned. When the timer fires
 *       again before any new data is acknowledged (the same segment timed out twice), ssthresh
 *       is held, as RFC 5681 3.1 asks.</li>
 *   <li>{@link #onIdleRestart} (RFC 5681 4.1): {@code cwnd = min(cwnd, IW)}.</li>
 *   <li>{@link #onMssChanged}: before any ACK or loss the window is still the initial one and
 *       is recomputed for the new SMSS; afterwards cwnd and ssthresh are scaled to keep the same
 *       number of segments (as a segment-counting stack such as Linux does), cwnd at least one
 *       SMSS and ssthresh at least two.</li>
 * </ul>
 *
 * <p>Not thread-safe: one instance per connection, used on its event loop.
 */
public final class NewReno implements CongestionControl {
    /** The initial ssthresh, "arbitrarily high" (RFC 5681 3.1); halving it cannot overflow. */
    public static final long INITIAL_SSTHRESH = Long.MAX_VALUE / 2;

    private int mss;
    /** The initial window in segments (RFC 6928's IW10, a stack option), or 0 for RFC 3390's rule by MSS. */
    private final int initialSegments;
    private long cwnd;
    private long ssthresh = INITIAL_SSTHRESH;
    private boolean inRecovery;
    /** Whether nothing has happened yet (the window is still the initial window). */
    private boolean pristine = true;
    /** Whether the retransmission timer fired and no new data has been acknowledged since. */
    private boolean timedOut;
    /** The flight size reported with the latest event. */
    private long lastFlight;

    /**
     * A controller for a connection whose sender maximum segment size is {@code mss}.
     *
     * @throws IllegalArgumentException if {@code mss} is not positive
     */
    public NewReno(int mss) {
        this(mss, 0);
    }

    /**
     * As {@link #NewReno(int)}, with an initial window of {@code initialSegments} segments
     * (RFC 6928 allows 10; Linux's default), or RFC 3390's rule by MSS if 0.
     *
     * @throws IllegalArgumentException if {@code mss} is not positive or {@code initialSegments} is negative
     */
    public NewReno(int mss, int initialSegments) {
        if (initialSegments < 0) {
            throw new IllegalArgumentException("initial window must be 0 (RFC 3390) or a number of segments: " + initialSegments);
        }
        this.mss = checkMss(mss);
        this.initialSegments = initialSegments;
        this.cwnd = initialWindow();
    }

    private long initialWindow() {
        return initialSegments > 0 ? (long) initialSegments * mss : initialWindow(mss);
    }

    /**
     * The initial window of RFC 5681 3.1 (eq. 1, as RFC 3390): 2 segments if SMSS > 2190 bytes,
     * 3 if SMSS > 1095, else 4.
     */
    public static long initialWindow(int mss) {
        int segments = mss > 2190 ? 2 : mss > 1095 ? 3 : 4;
        return (long) segments * mss;
    }

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
        if (cwnd < ssthresh) {
            // Slow start, RFC 3465 byte counting with L = 1 SMSS (RFC 5681 eq. 2).
            cwnd += Math.min(ackedBytes, mss);
        } else {
            // Congestion avoidance, RFC 5681 eq. 3, rounded up to one byte.
            cwnd += Math.max(1, (long) mss * mss / cwnd);
        }
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
        lastFlight = bytesInFlight;
        if (inRecovery) {
            return;
        }
        pristine = false;
        ssthresh = halvedFlight(bytesInFlight);
        cwnd = ssthresh + 3L * mss;
        inRecovery = true;
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
            ssthresh = halvedFlight(bytesInFlight);
        }
        timedOut = true;
        cwnd = mss;
        inRecovery = false;
    }

    @Override
    public void onIdleRestart(long now) {
        cwnd = Math.min(cwnd, initialWindow());
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

    /** RFC 5681 eq. 4. */
    private long halvedFlight(long bytesInFlight) {
        return Math.max(Math.max(bytesInFlight, 0) / 2, 2L * mss);
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

    @Override
    public String toString() {
        return "NewReno[cwnd=" + cwnd + ", ssthresh=" + (ssthresh == INITIAL_SSTHRESH ? "initial" : ssthresh)
                + ", mss=" + mss + (inRecovery ? ", recovery" : "") + "]";
    }
}
