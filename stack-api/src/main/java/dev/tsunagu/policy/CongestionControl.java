package dev.tsunagu.policy;

/**
 * One connection's congestion controller: it owns its state and learns what happens through
 * events; it never reaches into the sender. The sender asks it only for the window. CUBIC
 * (RFC 9438) is the default and NewReno (RFC 5681/6582) the other, both shipped with
 * {@code stack-tcp}, with BBR, a rate-based one that also sets the {@linkplain #pacingRate()
 * pacing rate} and learns from {@linkplain #onRateSample delivery-rate samples}.
 *
 * <p>All sizes are bytes, all times the loop's nanoseconds.
 */
public interface CongestionControl {
    /** The congestion window: how many bytes may be in flight. */
    long congestionWindow();

    /** The slow-start threshold. */
    long slowStartThreshold();

    /**
     * New data was cumulatively acknowledged.
     *
     * @param ackedBytes bytes newly acknowledged by this ACK
     * @param rttNanos an RTT sample taken from this ACK, or -1 (Karn's rule: none for retransmitted data)
     * @param bytesInFlight bytes still in flight after this ACK
     */
    void onAck(long now, long ackedBytes, long rttNanos, long bytesInFlight);

    /** A duplicate ACK arrived (the count of consecutive ones so far). */
    default void onDuplicateAck(long now, int count, long bytesInFlight) {}

    /**
     * Loss was detected by duplicate ACKs and the sender is retransmitting (fast retransmit);
     * the controller enters recovery.
     */
    void onFastRetransmit(long now, long bytesInFlight);

    /** A partial ACK in recovery (RFC 6582): part of the outstanding data was acknowledged. */
    default void onPartialAck(long now, long ackedBytes, long bytesInFlight) {}

    /** Recovery ended: everything outstanding when it began has been acknowledged. */
    void onRecoveryEnd(long now);

    /**
     * The peer echoed a congestion mark (RFC 3168 6.1.2: an ACK with ECE on a connection that
     * negotiated ECN): the network is congested, and nothing was lost. The sender calls this at
     * most once per window of data and never during loss recovery, and sets CWR on the next new
     * segment. The response must be "essentially the same as to a single dropped packet"
     * (RFC 3168 6.1.2): reduce the window as for a fast retransmit, but with nothing to resend
     * there is no recovery to enter; the window should not grow on the ACK that carried the echo.
     *
     * <p>The default is that response written with the loss events, for a controller that knows
     * nothing of ECN: entering recovery and leaving it at once, which for a window-based
     * controller leaves {@code cwnd} at its reduced ssthresh.
     */
    default void onCongestionExperienced(long now, long bytesInFlight) {
        onFastRetransmit(now, bytesInFlight);
        onRecoveryEnd(now);
    }

    /** The retransmission timer fired. */
    void onRetransmissionTimeout(long now, long bytesInFlight);

    /** The connection was idle for longer than an RTO and is about to send (RFC 5681 4.1). */
    default void onIdleRestart(long now) {}

    /** Data was sent (new or retransmitted). */
    default void onSent(long now, long bytes, long bytesInFlight) {}

    /** Whether the controller is in (fast) recovery. */
    boolean inRecovery();

    /**
     * The rate to pace at, in bytes per second, or 0 for none (the default: the window alone
     * limits what leaves, in bursts as ACKs free it). The sender asks before each segment and
     * spaces segments {@code length / rate} apart with a loop timer, never a busy wait; a timer
     * that fires a tick late lets the segments it held back leave together, so the average rate
     * holds. CUBIC paces at a multiple of cwnd/SRTT, as Linux does; BBR, a rate-based
     * controller, makes this its main output (gain × measured bottleneck bandwidth). The
     * sender's loss recovery sends retransmissions at once (they count against the pace) but
     * holds new data to it.
     */
    default long pacingRate() {
        return 0;
    }

    /**
     * Whether this controller wants {@link #onRateSample}. The sender then keeps delivery state
     * per segment in flight (draft-cheng-iccrg-delivery-rate-estimation: about 40 bytes each) and
     * does some work per ACK; a controller that does not say so does not pay for it. Asked once,
     * when the connection is made.
     */
    default boolean wantsRateSamples() {
        return false;
    }

    /**
     * An ACK delivered data (acknowledged or SACKed it): the delivery-rate sample it closes.
     * Called after the ACK's other events ({@link #onAck}, {@link #onDuplicateAck},
     * {@link #onFastRetransmit}, {@link #onRecoveryEnd}), only if {@link #wantsRateSamples()}.
     */
    default void onRateSample(long now, RateSample sample) {}

    /**
     * Whether loss recovery sends what Proportional Rate Reduction (RFC 6937) allows per ACK
     * (true, the default: a loss-based controller says only where the window should end up,
     * its ssthresh), or up to {@link #congestionWindow()} as this controller sets it through
     * recovery (false: a model-based controller such as BBR, which does its own packet
     * conservation; Linux likewise skips PRR for a controller with its own {@code cong_control}).
     */
    default boolean usesRateReduction() {
        return true;
    }

    /** The MSS changed (path MTU, options). */
    default void onMssChanged(int mss) {}

    /**
     * The sender hands the device segments of up to {@code segmentBytes} bytes of payload, which
     * the device cuts into SMSS-sized ones on the wire (TCP segmentation offload, issue #15); the
     * sender says so once, before data leaves, and never when the device does not segment.
     *
     * <p>Why a controller wants to know: such a segment leaves as one burst and the receiver
     * (whose device coalesces it again) acknowledges it with one ACK, so an ACK that covers 45
     * SMSS is the ordinary ACK of one segment here, not a stretch ACK. A per-ACK limit on growth
     * counted in SMSS (RFC 5681's slow start, RFC 3465's {@code L·SMSS}, RFC 9406's) would grow
     * the window a fraction as fast as the same bytes sent without offload; counted in the
     * sender's own segments it grows as fast. The default ignores it (byte counting without a
     * per-ACK limit needs nothing).
     */
    default void onSegmentationOffload(int segmentBytes) {}
}
