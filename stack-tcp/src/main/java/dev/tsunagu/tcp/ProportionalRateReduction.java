package dev.tsunagu.tcp;

/**
 * Proportional Rate Reduction (RFC 6937): how much SACK loss recovery may send on each ACK, so
 * that the data in flight falls smoothly from the flight at the loss (RecoverFS) to the
 * congestion control's ssthresh by the end of recovery, instead of RFC 6675's pause for half a
 * window followed by a burst.
 *
 * <ul>
 *   <li>While the pipe is above ssthresh, the proportional part: the bytes sent in recovery
 *       ({@code prr_out}) follow {@code prr_delivered × ssthresh / RecoverFS}, so one window's
 *       deliveries release one ssthresh of sending (NewReno's halving: one segment for every
 *       second ACK; CUBIC's 0.7: seven for every ten).</li>
 *   <li>Once the pipe is at or below ssthresh (heavy loss, or an application that stopped),
 *       the reduction bound: the slow-start one (PRR-SSRB, the default) sends what was
 *       delivered plus one MSS per ACK to climb back to ssthresh; the conservative one (PRR-CRB,
 *       {@code tcp.prrConservative}) never sends more than was delivered (packet
 *       conservation). As RFC 9937 (which obsoletes RFC 6937) and Linux, the slow-start bound
 *       adds its extra MSS only on a "safe" ACK, one that advances SND.UNA and shows no new
 *       loss; an ACK that only SACKs, or that makes RACK find more lost, sends what was
 *       delivered and no more, so a burst of losses does not also burst retransmissions.</li>
 * </ul>
 *
 * <p>The RFC counts bytes; this class rounds the proportional target up to whole segments, as
 * Linux counts packets, so a one-segment loss in a window of 20 sends on every second ACK
 * (the RFC's first example) instead of waiting for two ACKs' worth of half-segments. What the
 * result allows is a window: {@link #window} is the pipe at the ACK plus {@code sndcnt}, which
 * {@link LossRecovery#recoveryOutput} sends against as the pipe grows (Linux sets cwnd so).
 *
 * <p>Called by {@link LossRecovery} only: {@link #start} when recovery begins, {@link #onAck}
 * for each ACK in recovery, {@link #onSent} for every byte sent in recovery. Not thread-safe.
 */
final class ProportionalRateReduction {
    /** PRR-CRB instead of PRR-SSRB (RFC 6937 3.1). */
    private final boolean conservative;
    /** RecoverFS: the flight when recovery began, what the reduction is proportional to. */
    private long recoverFs;
    /** prr_delivered: bytes the peer received during this recovery (cumulatively or by SACK). */
    private long prrDelivered;
    /** prr_out: bytes sent during this recovery, retransmissions and new data. */
    private long prrOut;
    /** The pipe after the latest ACK plus the sndcnt it gave: what recovery may fill. */
    private long window;

    ProportionalRateReduction(boolean conservative) {
        this.conservative = conservative;
    }

    /** Recovery began with {@code recoverFs} bytes in flight (RFC 6937 3: "at the beginning of recovery"). */
    void start(long recoverFs) {
        this.recoverFs = Math.max(recoverFs, 1);
        prrDelivered = 0;
        prrOut = 0;
        window = 0;
    }

    /**
     * An ACK in recovery delivered {@code deliveredData} bytes (the change in SND.UNA plus the
     * change in SACKed bytes) and left {@code pipe} bytes in flight (RFC 6675 SetPipe).
     *
     * @return sndcnt, the bytes this ACK lets out (0 or more)
     */
    long onAck(long deliveredData, long pipe, long ssthresh, int mss) {
        return onAck(deliveredData, pipe, ssthresh, mss, true);
    }

    /**
     * As {@link #onAck(long, long, long, int)}; {@code safeAck} says the ACK advanced SND.UNA and
     * no new loss was found on it (else PRR-SSRB adds no MSS to what was delivered).
     */
    long onAck(long deliveredData, long pipe, long ssthresh, int mss, boolean safeAck) {
        prrDelivered += Math.max(deliveredData, 0);
        long sndcnt;
        if (pipe > ssthresh) {
            // The proportional part: ceil(prr_delivered * ssthresh / RecoverFS) - prr_out, with
            // the target rounded up to whole segments.
            long target = ceilDiv(prrDelivered * Math.min(ssthresh, recoverFs), recoverFs);
            sndcnt = ceilDiv(target, mss) * mss - prrOut;
        } else {
            // RFC 9937 (as Linux): SSRB's extra MSS only on a safe ACK.
            long limit = conservative ? prrDelivered - prrOut
                    : Math.max(prrDelivered - prrOut, deliveredData) + (safeAck ? mss : 0);
            sndcnt = Math.min(ceilDiv(ssthresh - pipe, mss) * mss, limit);
        }
        if (prrOut == 0 && sndcnt < mss) {
            sndcnt = mss; // the fast retransmit leaves whatever the arithmetic says (RFC 6937 3)
        }
        sndcnt = Math.max(sndcnt, 0);
        window = pipe + sndcnt;
        return sndcnt;
    }

    /** {@code bytes} left during recovery (any transmission or retransmission). */
    void onSent(long bytes) {
        prrOut += bytes;
    }

    /** What recovery may have in flight until the next ACK: the pipe at the ACK plus its sndcnt. */
    long window() {
        return window;
    }

    long delivered() {
        return prrDelivered;
    }

    long out() {
        return prrOut;
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    @Override
    public String toString() {
        return "PRR[" + (conservative ? "CRB" : "SSRB") + " RecoverFS=" + recoverFs + " delivered=" + prrDelivered
                + " out=" + prrOut + " window=" + window + "]";
    }
}
