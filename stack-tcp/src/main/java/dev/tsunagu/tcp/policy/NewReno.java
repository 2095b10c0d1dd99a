package dev.tsunagu.tcp.policy;

/**
 * NewReno congestion control: RFC 5681 (slow start, congestion avoidance, fast retransmit and
 * fast recovery) with RFC 6582's partial-ACK handling, in bytes.
 *
 * <p>What the sender tells it, and what it does:
 * <ul>
 *   <li>{@link #onAck}: outside recovery, slow start while {@code cwnd < ssthresh} with
 *       RFC 3465 byte counting ({@code cwnd += min(acked, SMSS)}, or with segmentation offload
 *       {@code min(acked, one segment handed to the device)}), else congestion avoidance
 *       ({@code cwnd += SMSS*SMSS/cwnd} per SMSS acknowledged, at least once per ACK and at
 *       least one byte; RFC 5681 eq. 3 with its recommended byte counting). In recovery an ACK
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
 * <p>The recovery mechanics are {@link LossBasedControl}'s, shared with {@link Cubic}; this class
 * is the growth and the halving. Not thread-safe: one instance per connection, used on its
 * event loop.
 */
public final class NewReno extends LossBasedControl {
    /** The initial ssthresh, "arbitrarily high" (RFC 5681 3.1); halving it cannot overflow. */
    public static final long INITIAL_SSTHRESH = LossBasedControl.INITIAL_SSTHRESH;

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
        super(mss, initialSegments);
    }

    /**
     * The initial window of RFC 5681 3.1 (eq. 1, as RFC 3390): 2 segments if SMSS > 2190 bytes,
     * 3 if SMSS > 1095, else 4.
     */
    public static long initialWindow(int mss) {
        return LossBasedControl.initialWindow(mss);
    }

    @Override
    void grow(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        if (cwnd < ssthresh) {
            // Slow start, RFC 3465 byte counting with L = 1 SMSS (RFC 5681 eq. 2); with
            // segmentation offload L = one of the sender's segments, which the receiver
            // acknowledges with one ACK where it would have sent one per SMSS-sized piece.
            // Not past ssthresh (as Linux's tcp_slow_start): an ACK that large would otherwise
            // carry the window far beyond where congestion avoidance was to take over.
            cwnd = Math.min(cwnd + Math.min(ackedBytes, sendUnit()), ssthresh);
        } else {
            // Congestion avoidance: RFC 5681 eq. 3 per SMSS acknowledged (byte counting, which
            // its section 3.1 recommends over counting ACKs): one SMSS per window of bytes
            // acknowledged however the receiver groups its ACKs, so an ACK of a 45-SMSS
            // offloaded segment counts 45 times; an ACK of less than one SMSS counts once, as
            // eq. 3 does. Rounded up to one byte.
            cwnd += Math.max(1, (long) mss * Math.max(ackedBytes, mss) / cwnd);
        }
    }

    /** RFC 5681 eq. 4: {@code max(FlightSize/2, 2*SMSS)}. */
    @Override
    long reduce(long now, long bytesInFlight, boolean timeout) {
        return Math.max(Math.max(bytesInFlight, 0) / 2, 2L * mss);
    }

    @Override
    public String toString() {
        return describe("NewReno");
    }
}
