package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.lt;

/**
 * RACK, time-based loss detection (RFC 8985 6): a segment is lost once a segment sent after it
 * has been delivered and a reordering window has passed since. Holds RACK's variables (6.1)
 * and the per-segment record ({@link RackSegments}); {@link LossRecovery} feeds it every
 * delivery and asks it what is lost.
 *
 * <ul>
 *   <li>{@link #onDelivered} (6.2 steps 2–3, RACK_update and RACK_detect_reordering): the most
 *       recently sent segment delivered gives RACK.xmit_ts, RACK.end_seq and RACK.rtt; a
 *       retransmitted one only if its RTT cannot be the original's (below RACK.min_RTT, or its
 *       timestamp echo older than the retransmission). A never-retransmitted segment delivered
 *       below RACK.fack proves reordering.</li>
 *   <li>{@link #reoWnd} (6.2 step 4, RACK_update_reo_wnd): 0 while no reordering was seen and
 *       the sender is in recovery or DupThresh segments are SACKed (RACK then acts at once, as
 *       RFC 6675 would), else RACK.min_RTT / 4 × RACK.reo_wnd_mult, at most SRTT, at least
 *       the timer's 1 ms tick. Each
 *       round trip with a D-SACK (RFC 2883: the peer got something twice, so we retransmitted
 *       too early) raises the multiplier by one; it holds for 16 recoveries
 *       ({@code reo_wnd_persist}), then falls back to 1.</li>
 *   <li>{@link #detectLoss} (6.2 step 5, RACK_detect_loss): every segment not delivered and
 *       sent before RACK.xmit_ts is lost once {@code xmit_ts + RACK.rtt + reo_wnd} has passed;
 *       the latest such deadline still ahead is when the reordering timer (6.3) must look
 *       again. A retransmission is judged by its own latest transmission, so a lost
 *       retransmission is found the same way.</li>
 * </ul>
 *
 * <p>Times are the loop's nanoseconds. Not thread-safe: the connection's event loop only.
 */
final class Rack {
    /** RFC 8985 6.2 step 4: recoveries a raised reordering window outlives. */
    static final int REO_WND_PERSIST = 16;
    /** RACK.min_RTT is the least RTT of the last five minutes (as Linux's windowed filter). */
    static final long MIN_RTT_WINDOW_NANOS = 300_000_000_000L;

    /** The least reordering window when one applies: the event loop's timer tick (1 ms by default). */
    static final long MIN_REO_WND_NANOS = 1_000_000L;

    final RackSegments segments;

    // ---- RFC 8985 6.1 ----
    /** RACK.xmit_ts and RACK.end_seq: the most recently sent segment delivered; valid once {@link #seen}. */
    private long xmitTs;
    private int endSeq;
    private boolean seen;
    /** RACK.rtt: that segment's RTT. */
    private long rttNanos;
    /** RACK.min_RTT and when it was taken (-1: none yet). */
    private long minRtt = -1;
    private long minRttAt;
    /** RACK.fack: the highest sequence delivered; valid with {@link #seen}. */
    private int fack;
    /** RACK.reordering_seen. */
    boolean reorderingSeen;
    /** RACK.reo_wnd_mult and RACK.reo_wnd_persist. */
    int reoWndMult = 1;
    int reoWndPersist;
    /** RACK.dsack_round: SND.NXT when the latest counted D-SACK came; valid while {@link #dsackRoundValid}. */
    private int dsackRound;
    private boolean dsackRoundValid;

    // ---- the result of the latest detectLoss ----
    /** The end of the highest never-retransmitted segment found lost. */
    int lostOriginalEnd;
    boolean lostOriginal;
    /** Whether a retransmitted segment was found lost (it goes again before anything else). */
    boolean lostRetransmission;

    Rack(int maxSegments) {
        this.segments = new RackSegments(maxSegments);
    }

    /** RACK_sent_after (6.2): whether (t1, seq1) was sent after (t2, seq2). */
    static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || t1 == t2 && gt(seq1, seq2);
    }

    /**
     * Segment {@code i} of {@link #segments} was delivered (cumulatively or by SACK) by an ACK
     * that arrived at {@code now}; {@code echoBeforeXmit} says the ACK's timestamp echo is older
     * than the segment's latest transmission (it answers an earlier copy).
     */
    void onDelivered(int i, long now, boolean echoBeforeXmit) {
        long ts = segments.xmitTs(i);
        int end = segments.end(i);
        boolean retransmitted = segments.has(i, RackSegments.RETRANSMITTED);
        // RACK_detect_reordering: delivered below what was delivered already, and not because
        // it was sent again.
        if (seen && lt(end, fack) && !retransmitted) {
            reorderingSeen = true;
        } else if (!seen || gt(end, fack)) {
            fack = end;
        }
        // The record's times may run a few nanoseconds ahead of the clock (see RackSegments):
        // RACK.rtt keeps that, so that xmit_ts + RACK.rtt is still the delivery's moment.
        long rtt = now - ts;
        if (retransmitted && (echoBeforeXmit || minRtt >= 0 && rtt < minRtt)) {
            return; // the ACK may answer the original: its RTT would be too short
        }
        if (minRtt < 0 || rtt <= minRtt || now - minRttAt > MIN_RTT_WINDOW_NANOS) {
            minRtt = Math.max(rtt, 0);
            minRttAt = now;
        }
        if (!seen || sentAfter(ts, end, xmitTs, endSeq)) {
            xmitTs = ts;
            endSeq = end;
            rttNanos = rtt;
            if (!seen) {
                fack = end;
            }
            seen = true;
        }
    }

    /**
     * An ACK carried a D-SACK (RFC 2883). Counted once per round trip (RACK.dsack_round, 6.2
     * step 4): the window grows by a quarter min_RTT for each round trip that had one.
     */
    void onDsack(int sndUna, int sndNxt) {
        if (dsackRoundValid && ge(sndUna, dsackRound)) {
            dsackRoundValid = false;
        }
        if (!dsackRoundValid) {
            dsackRound = sndNxt;
            dsackRoundValid = true;
            reoWndMult++;
            reoWndPersist = REO_WND_PERSIST;
        }
    }

    /** A fast or RTO recovery ended: the raised window lasts {@link #REO_WND_PERSIST} of these. */
    void onRecoveryEnd() {
        if (reoWndPersist > 0 && --reoWndPersist == 0) {
            reoWndMult = 1;
        }
    }

    /**
     * RACK.reo_wnd now (RACK_update_reo_wnd's value).
     *
     * @param inRecovery in fast or RTO recovery
     * @param dupThreshSacked at least DupThresh segments are SACKed
     * @param srtt the smoothed RTT, or -1
     */
    long reoWnd(boolean inRecovery, boolean dupThreshSacked, long srtt) {
        if (!reorderingSeen && (inRecovery || dupThreshSacked)) {
            return 0;
        }
        long base = minRtt >= 0 ? minRtt : Math.max(srtt, 0);
        long w = base / 4 * reoWndMult;
        if (srtt >= 0) {
            w = Math.min(w, srtt);
        }
        // Never below the timer's tick: a window the reordering timer cannot measure is none.
        return Math.max(w, MIN_REO_WND_NANOS);
    }

    /**
     * RACK_detect_loss: marks lost every segment neither delivered nor marked lost that was sent
     * before RACK.xmit_ts and whose deadline ({@code xmit_ts + RACK.rtt + reoWnd}) has passed;
     * {@link #lostOriginalEnd} and {@link #lostRetransmission} say what it found.
     *
     * @return how long until the latest deadline still ahead (the reordering timer), or 0
     */
    long detectLoss(long now, long reoWnd) {
        lostOriginal = false;
        lostRetransmission = false;
        if (!seen) {
            return 0;
        }
        long timeout = 0;
        RackSegments s = segments;
        for (int i = 0; i < s.size(); i++) {
            if (s.has(i, RackSegments.SACKED)) {
                continue;
            }
            boolean retransmitted = s.has(i, RackSegments.RETRANSMITTED);
            long ts = s.xmitTs(i);
            if (!sentAfter(xmitTs, endSeq, ts, s.end(i))) {
                if (!retransmitted) {
                    // Original transmissions leave in sequence order, and a retransmission after
                    // its original: nothing beyond was sent before RACK.xmit_ts.
                    break;
                }
                continue;
            }
            if (s.has(i, RackSegments.LOST)) {
                continue;
            }
            long remaining = ts + rttNanos + reoWnd - now;
            if (remaining <= 0) {
                s.set(i, RackSegments.LOST);
                if (retransmitted) {
                    lostRetransmission = true;
                } else {
                    lostOriginal = true;
                    lostOriginalEnd = s.end(i);
                }
            } else {
                timeout = Math.max(timeout, remaining);
            }
        }
        return timeout;
    }

    long rtt() {
        return rttNanos;
    }

    long minRtt() {
        return minRtt;
    }

    /** The segments' record is empty: a new flight starts (RACK's variables stay). */
    void clear() {
        segments.clear();
    }

    @Override
    public String toString() {
        return "RACK[xmit_ts=" + xmitTs + " end=" + Integer.toUnsignedString(endSeq) + " rtt=" + rttNanos + " min_rtt="
                + minRtt + " reordering=" + reorderingSeen + " mult=" + reoWndMult + " persist=" + reoWndPersist + " "
                + segments + "]";
    }
}
