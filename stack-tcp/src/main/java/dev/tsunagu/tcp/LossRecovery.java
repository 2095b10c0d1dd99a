package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpHeader.FIN;
import static dev.tsunagu.tcp.wire.TcpHeader.SYN;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import java.util.function.Supplier;

/**
 * Finding out what the network lost, and sending it again: every loss-detection rule of a
 * connection is here, and every congestion-control event it causes; the congestion-control
 * policy decides the windows, the {@link Sender} sends.
 *
 * <ul>
 *   <li><b>Duplicate ACKs</b> (RFC 5681 2, 3.2): three start fast retransmit; NewReno's
 *       recovery (RFC 6582) resends the next hole on each partial ACK, and no second fast
 *       retransmit starts for data sent before {@link #recover}.</li>
 *   <li><b>Limited transmit</b> (RFC 3042): each of the first two duplicate ACKs lets one new
 *       segment out.</li>
 *   <li><b>SACK recovery</b> (RFC 6675) when SACK was negotiated: the peer's blocks fill the
 *       {@link SackScoreboard}; a loss RACK finds (below) starts recovery, and
 *       {@link #recoveryOutput} sends what NextSeg picks (IsLost's holes and RACK's) as PRR
 *       allows. Reneging (RFC 2018 8) clears the scoreboard.</li>
 *   <li><b>RACK</b> (RFC 8985 6), when SACK was negotiated: every delivery, cumulative or
 *       SACKed, goes to the {@link Rack}, which marks lost what was sent before the most
 *       recently sent segment delivered once its reordering window has passed, and asks for
 *       the reordering timer otherwise. A loss RACK finds starts recovery (RFC 8985 replaces
 *       RFC 6675's DupThresh rule for that); lost original data is marked in the scoreboard
 *       ({@link SackScoreboard#markLostBelow}), a lost retransmission goes again first.
 *       Received D-SACKs (RFC 2883) are counted and widen RACK's reordering window.</li>
 *   <li><b>Proportional Rate Reduction</b> (RFC 6937, {@link ProportionalRateReduction}): how
 *       much each ACK in SACK recovery lets out.</li>
 *   <li><b>Tail loss probe</b> (RFC 8985 7): a segment after ~2 SRTT without an ACK, to draw a
 *       SACK that shows what the tail lost.</li>
 *   <li><b>Retransmission timeout</b> (RFC 6298 5, RFC 5681 3.1): backoff by the
 *       retransmission policy, go-back-N from SND.UNA, and no fast retransmit for what was sent
 *       before the timeout (RFC 6582 4.1). The handshake's SYN timeouts are the
 *       {@link Handshake}'s.</li>
 * </ul>
 *
 * <p>Called by the connection (ACK arrival, the retransmission timer) and the {@link Sender}
 * (what goes next in recovery, limited transmit, new data left); calls the {@link Sender} to
 * send, the {@link RttSampler} (Karn), the policies, and its two timers.
 */
final class LossRecovery {
    private final EventLoop loop;
    private final TcpCounters counters;
    private final CongestionControl cc;
    private final RetransmissionPolicy rto;
    private final Sender snd;
    private final RttSampler rtt;
    private final TcpEcn ecn;
    private final Timer retransmitTimer;
    /** How much SACK recovery sends per ACK (RFC 6937). */
    private final ProportionalRateReduction prr;
    /** RFC 6937 DeliveredData of the ACK being processed: the change in SND.UNA plus the change in SACKed bytes. */
    private long delivered;

    int dupAcks;
    /** RFC 6582's "recover": SND.MAX when recovery (or the latest timeout) began. */
    int recover;
    /** SACK was negotiated (RFC 2018): the peer's SACK blocks drive recovery (RFC 6675). */
    boolean sackEnabled;
    /** What the peer SACKed; allocated when SACK is negotiated. */
    SackScoreboard scoreboard;
    /** RFC 6675 HighRxt: the end of the highest byte retransmitted in this recovery. */
    private int highRxt;
    /** RACK (RFC 8985): allocated when SACK is negotiated. */
    Rack rack;
    /** RACK marked a retransmission lost that may not have gone again yet. */
    private boolean lostRetransmissions;
    /** RACK's reordering timer (RFC 8985 6.3), made on first use: most connections never see a SACK. */
    private Timer reorderTimer;
    /** The tail loss probe's timer, made on first use. */
    private Timer probeTimer;
    private boolean probeSent;
    /** RFC 8985 7.4's TLP.end_seq (valid while {@link #tlpPending}) and TLP.is_retrans. */
    private int tlpEndSeq;
    private boolean tlpPending;
    private boolean tlpIsRetrans;
    /** RFC 4821's search, once the connection has one: its probes' fate is decided here. */
    PacketizationLayerPmtud plpmtud;
    /** Makes the search at a suspected black hole; null when {@code tcp.mtuProbing} is off. */
    Supplier<PacketizationLayerPmtud> blackHoles;

    LossRecovery(EventLoop loop, TcpSettings settings, TcpCounters counters, CongestionControl cc, RetransmissionPolicy rto,
                 Sender snd, RttSampler rtt, TcpEcn ecn, Timer retransmitTimer) {
        this.loop = loop;
        this.counters = counters;
        this.cc = cc;
        this.rto = rto;
        this.snd = snd;
        this.rtt = rtt;
        this.ecn = ecn;
        this.retransmitTimer = retransmitTimer;
        this.prr = new ProportionalRateReduction(settings.prrConservative);
    }

    /** Nothing before our ISN can start a fast retransmit. */
    void start(int iss) {
        recover = iss;
    }

    /** RFC 2018: both SYNs offered SACK. */
    void negotiate(boolean on) {
        sackEnabled = on;
        if (on && scoreboard == null) {
            scoreboard = new SackScoreboard(SackScoreboard.rangesFor(snd.sendBuffer.capacity()));
            // A record per segment of a flight that fills the send buffer, and more for small ones.
            rack = new Rack(Math.max(64, snd.sendBuffer.capacity() / 512));
        }
    }

    boolean inSackRecovery() {
        return sackEnabled && cc.inRecovery();
    }

    /**
     * FlightSize (RFC 5681 2), what a loss or an ECN echo reduces the window from: SND.MAX −
     * SND.UNA, but never more than the window that let it out (cwnd; in recovery the smaller of
     * cwnd and ssthresh, which is what {@link #recoveryOutput} sends against). SND.MAX − SND.UNA
     * alone counts data that arrived above a hole and stays unacknowledged until the hole is
     * repaired: when a recovery ends on a new hole with hundreds of segments SACKed above it
     * (behind an AQM that keeps dropping), 0.7 of that was more than the window had been, and
     * the "reduction" raised it, so each loss grew the queue that caused the next (the CUBIC
     * behind CoDel regression in docs/performance.md). Linux reduces from cwnd for the same
     * reason; an application-limited flight below cwnd still counts as itself (RFC 5681).
     */
    long flightSize() {
        long window = cc.inRecovery() ? Math.min(cc.congestionWindow(), cc.slowStartThreshold()) : cc.congestionWindow();
        return Math.min(snd.sndMax - snd.sndUna, window);
    }

    /**
     * The bytes in the network: RFC 6675's pipe while the peer SACKs above a hole, else
     * SND.MAX − SND.UNA (for delivery-rate samples; unlike {@link #pipe()} it moves nothing).
     */
    long bytesInFlight() {
        if (!sackEnabled || scoreboard.isEmpty()) {
            return snd.inFlight();
        }
        int from = lt(highRxt, snd.sndUna) ? snd.sndUna : highRxt;
        return scoreboard.pipe(snd.sndUna, snd.sndMax, from, snd.mss);
    }

    // =====================================================================================
    // ACK arrival
    // =====================================================================================

    /**
     * Takes the SACK blocks of an ACK whose cumulative point is {@code una} into the scoreboard.
     *
     * @return how many bytes they SACKed that were not SACKed before
     */
    int onSackBlocks(Segment s, int una) {
        long sackedBefore = scoreboard.sackedTotal();
        scoreboard.advance(una);
        if (gt(una, snd.sndUna) && scoreboard.startsAt(una)) {
            // The peer acknowledged up to data it had SACKed, and no further: it dropped what it
            // SACKed (reneging, RFC 2018 8). Trust nothing it SACKed before.
            scoreboard.clear();
            rack.segments.clearFlag(RackSegments.SACKED);
        }
        boolean dsack = isDsack(s);
        if (dsack) {
            counters.dsacksReceived.increment();
            rack.onDsack(snd.sndUna, snd.sndMax);
        }
        rackOnAck(s, una, dsack);
        tlpProcessAck(s, dsack);
        int newly = 0;
        for (int i = dsack ? 1 : 0; i < s.options.sackCount; i++) {
            newly += scoreboard.add(s.options.sackBlocks[2 * i], s.options.sackBlocks[2 * i + 1], una, snd.sndMax);
        }
        // DeliveredData's SACK half: negative by what SND.UNA is about to cover of what was SACKed.
        delivered = scoreboard.sackedTotal() - sackedBefore;
        return newly;
    }

    /**
     * RFC 2883 4: the first SACK block is a D-SACK if it lies below the cumulative ACK, or
     * within the second block (data the peer got twice, above a hole).
     */
    private static boolean isDsack(Segment s) {
        if (s.options.sackCount == 0) {
            return false;
        }
        int left = s.options.sackBlocks[0];
        int right = s.options.sackBlocks[1];
        if (!lt(left, right)) {
            return false;
        }
        if (SeqNum.le(right, s.ack)) {
            return true;
        }
        return s.options.sackCount > 1 && ge(left, s.options.sackBlocks[2]) && SeqNum.le(right, s.options.sackBlocks[3]);
    }

    /**
     * RACK (RFC 8985 6.2 steps 2–3) for one ACK: each segment it delivers, cumulatively up to
     * {@code una} or within its SACK blocks (not a D-SACK's), is given to the {@link Rack}
     * once; then the record forgets what {@code una} covers.
     */
    private void rackOnAck(Segment s, int una, boolean dsack) {
        RackSegments segs = rack.segments;
        long now = loop.now();
        int acked = segs.firstEndingAfter(una);
        for (int i = 0; i < acked; i++) {
            if (!segs.has(i, RackSegments.SACKED)) {
                rack.onDelivered(i, now, rtt.echoBefore(s, segs.xmitTs(i)));
            }
        }
        for (int b = dsack ? 1 : 0; b < s.options.sackCount; b++) {
            int left = s.options.sackBlocks[2 * b];
            int right = s.options.sackBlocks[2 * b + 1];
            if (lt(left, una)) {
                left = una;
            }
            if (gt(right, snd.sndMax)) {
                right = snd.sndMax;
            }
            if (!lt(left, right)) {
                continue;
            }
            int i = segs.splitAt(left);
            segs.splitAt(right);
            for (; i < segs.size() && SeqNum.le(segs.end(i), right); i++) {
                if (!segs.has(i, RackSegments.SACKED)) {
                    segs.set(i, RackSegments.SACKED);
                    rack.onDelivered(i, now, rtt.echoBefore(s, segs.xmitTs(i)));
                }
            }
        }
        segs.advance(una);
    }

    /**
     * RFC 8985 7.4, TLP_process_ack: once an ACK covers the probe, a probe that resent the last
     * segment either was not needed (a D-SACK for it: both copies arrived) or repaired a loss
     * of that segment (the ACK passes it without one); the loss gets the congestion response
     * of a fast recovery, once — a window reduction with nothing to resend.
     */
    private void tlpProcessAck(Segment s, boolean dsack) {
        if (!tlpPending || lt(s.ack, tlpEndSeq)) {
            return;
        }
        if (!tlpIsRetrans || dsack && s.options.sackBlocks[1] == tlpEndSeq) {
            tlpPending = false;
        } else if (gt(s.ack, tlpEndSeq)) {
            tlpPending = false;
            counters.tailLossProbeRecoveries.increment();
            cc.onCongestionExperienced(loop.now(), flightSize());
            ecn.onWindowReduced(snd.sndMax);
        } else if (s.options.sackCount == 0 && s.ack == snd.sndUna) {
            tlpPending = false; // a duplicate ACK without SACK: nothing more will tell
        }
    }

    /** {@code [seq, end)} left now (new data, a retransmission, go-back-N): RACK's record of it. */
    void rackSent(int seq, int end) {
        if (rack != null) {
            rack.segments.onSent(seq, end, loop.now(), snd.mss);
        }
    }

    /**
     * SND.UNA moved by {@code acked} to {@code ack} (the sender has already dropped the bytes):
     * recovery ends, or a partial ACK resends the next hole, or the policy grows the window; the
     * retransmission timer restarts for what is still out (RFC 6298 5.2, 5.3).
     */
    void onAckAdvanced(long now, int ack, int acked, long sample) {
        delivered += acked;
        if (plpmtud != null) {
            plpmtud.onAck(ack);
        }
        long inFlight = snd.inFlight();
        if (cc.inRecovery()) {
            if (ge(ack, recover)) {
                cc.onRecoveryEnd(now);
                dupAcks = 0;
                forgetRetransmissions();
                if (rack != null) {
                    rack.onRecoveryEnd();
                }
            } else if (!sackEnabled) {
                // A partial ACK (RFC 6582 3.2 step 5): the next hole is lost too; resend it now.
                cc.onPartialAck(now, acked, inFlight);
                TcpTrace.reason(snd, RetransmitReason.PARTIAL_ACK);
                retransmitFirst();
            }
            // With SACK, output() sends what RFC 6675's NextSeg picks against the pipe.
        } else {
            dupAcks = 0;
            cc.onAck(now, acked, sample, inFlight);
        }
        if (snd.sndUna == snd.sndMax) {
            retransmitTimer.cancel();
        } else {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
    }

    /**
     * A duplicate ACK (RFC 5681 2; with SACK, RFC 6675 2: one that SACKs new data, which a
     * window probe's answer never does): an ACK of SND.UNA with data outstanding, carrying
     * nothing and not changing the window.
     */
    boolean isDuplicateAck(Segment s, int newlySacked) {
        return s.ack == snd.sndUna && snd.sndUna != snd.sndMax && (sackEnabled ? newlySacked > 0
                : s.payloadLength == 0 && !s.has(SYN) && !s.has(FIN)
                && (s.window << snd.sndWndScale) == snd.sndWnd && snd.sndWnd != 0);
    }

    /** Three duplicate ACKs start fast retransmit. */
    void onDuplicateAck(long now, int ack) {
        dupAcks++;
        counters.dupAcks.increment();
        long inFlight = snd.inFlight();
        cc.onDuplicateAck(now, dupAcks, inFlight);
        // RFC 6582 3.2 step 1: only if the ACK covers more than "recover" (no second
        // fast retransmit for the same window of data).
        if (!sackEnabled && dupAcks == 3 && !cc.inRecovery() && gt(ack, recover)) {
            if (probeLostAlone()) {
                return;
            }
            recover = snd.sndMax;
            cc.onFastRetransmit(now, flightSize());
            ecn.onWindowReduced(recover);
            counters.fastRetransmits.increment();
            TcpTrace.reason(snd, RetransmitReason.FAST_RETRANSMIT);
            retransmitFirst();
        }
    }

    /** After every ACK: RACK looks for losses, SACK recovery may start, and the timers follow what is outstanding. */
    void afterAck(long now, boolean advanced) {
        if (!sackEnabled) {
            return;
        }
        boolean newlyLost = (!scoreboard.isEmpty() || cc.inRecovery()) && rackDetectLoss(now);
        boolean lost = newlyLost || scoreboard.hasLost() || lostRetransmissions; // found lost earlier, still missing
        // RFC 8985 6.2: a loss RACK finds starts recovery (with no reordering seen, three
        // segments SACKed above a hole make its window 0: RFC 6675's DupThresh, by time).
        if (!cc.inRecovery() && lost && ge(snd.sndUna, recover)) {
            TcpTrace.reason(snd, RetransmitReason.SACK_RECOVERY);
            enterSackRecovery(now, delivered);
        } else if (cc.inRecovery()) {
            prr.onAck(delivered, pipe(), cc.slowStartThreshold(), snd.mss, advanced && !newlyLost);
        }
        delivered = 0;
        if (advanced) {
            probeSent = false;
        }
        if (snd.sndUna != snd.sndMax) {
            armProbe();
        } else if (probeTimer != null) {
            // Nothing outstanding: a probe armed for data now acknowledged must not fire later
            // for whatever is sent next (a FIN would be resent at once). RFC 8985 7.2.
            probeTimer.cancel();
        }
    }

    /** Limited transmit (RFC 3042): the extra window the first two duplicate ACKs give new data. */
    long limitedTransmit() {
        return dupAcks > 0 && !cc.inRecovery() ? (long) Math.min(dupAcks, 2) * snd.mss : 0;
    }

    // =====================================================================================
    // SACK recovery (RFC 6675)
    // =====================================================================================

    /**
     * RFC 6675 5 (4): enter loss recovery and resend the first hole; PRR (RFC 6937) starts from
     * the flight the window is reduced from, and the ACK that began recovery ({@code deliveredData},
     * 0 for the reordering timer) is its first.
     */
    private void enterSackRecovery(long now, long deliveredData) {
        if (probeLostAlone()) {
            return;
        }
        recover = snd.sndMax;
        forgetRetransmissions();
        long flight = flightSize();
        cc.onFastRetransmit(now, flight);
        prr.start(flight);
        ecn.onWindowReduced(recover);
        counters.fastRetransmits.increment();
        counters.sackRecoveries.increment();
        highRxt = snd.sndUna;
        rtt.stopTiming(); // the timed segment's ACK now waits for the holes: not an RTT
        prr.onAck(deliveredData, pipe(), cc.slowStartThreshold(), snd.mss, false); // it found a loss: not safe
        prr.onSent(retransmitRange(snd.sndUna, scoreboard.nextSackedAfter(snd.sndUna, snd.sndMax)));
    }

    /** RFC 6675 SetPipe now (HighRxt never below SND.UNA). */
    private long pipe() {
        if (lt(highRxt, snd.sndUna)) {
            highRxt = snd.sndUna;
        }
        return scoreboard.pipe(snd.sndUna, snd.sndMax, highRxt, snd.mss);
    }

    /**
     * RFC 6675 5 (C): while the window has room above the pipe, send what NextSeg picks — a lost
     * hole, else new data, else a hole not yet known lost. The window is PRR's (RFC 6937): the
     * pipe at the latest ACK plus the sndcnt it gave, so what leaves per ACK is proportional to
     * what was delivered, and a loss found between ACKs (the reordering timer), which takes its
     * bytes out of the pipe, lets that much go at once.
     */
    void recoveryOutput() {
        long window = cc.usesRateReduction() ? prr.window() : cc.congestionWindow();
        int mss = snd.mss;
        long pipe = pipe();
        while (window - pipe > 0) {
            int sent;
            if (nextLostRetransmission()) {
                sent = resendLost(lostSeq);
            } else if (scoreboard.findHole(highRxt, true, mss, snd.sndUna, snd.sndMax)) {
                sent = retransmitRange(scoreboard.holeStart, scoreboard.holeEnd);
            } else if (snd.hasUnsent()) {
                if (snd.pacingHolds()) {
                    break; // new data keeps the pace in recovery too (BBR's rate is its main output); the pacing timer resumes
                }
                int before = snd.sndNxt;
                // At least a segment: PRR's quota is whole segments, and a byte short must not
                // hold a full one back (the next ACK's sndcnt counts what this one overshot).
                snd.sendNext(Math.min(Math.max(window - pipe, mss), (long) snd.sndWnd - (snd.sndNxt - snd.sndUna)), pipe);
                sent = snd.sndNxt - before; // 0: the window or the policy held it
            } else if (scoreboard.findHole(highRxt, false, mss, snd.sndUna, snd.sndMax)) {
                sent = retransmitRange(scoreboard.holeStart, scoreboard.holeEnd);
            } else {
                break;
            }
            if (sent <= 0) {
                break;
            }
            prr.onSent(sent);
            pipe += sent;
        }
    }

    /**
     * Retransmits up to one MSS of {@code [seq, end)} (a hole the scoreboard found) in recovery,
     * moving HighRxt past it.
     *
     * @return the bytes sent
     */
    private int retransmitRange(int seq, int end) {
        int dataEnd = snd.sndUna + snd.sendBuffer.length();
        int len = Math.min(snd.mss, Math.min(end - seq, dataEnd - seq));
        if (len <= 0) {
            return 0;
        }
        snd.resend(seq, len, false);
        highRxt = seq + len;
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return len;
    }

    /** Set by {@link #nextLostRetransmission}. */
    private int lostSeq;

    /**
     * Whether RACK marked a retransmission lost that has not gone again (then {@link #lostSeq}
     * is its start): its latest transmission left before the most recently sent segment that
     * was delivered, a reordering window ago (RFC 8985 6.2, by time).
     */
    private boolean nextLostRetransmission() {
        if (!lostRetransmissions) {
            return false;
        }
        RackSegments segs = rack.segments;
        for (int i = 0; i < segs.size(); i++) {
            if (segs.has(i, RackSegments.LOST) && segs.has(i, RackSegments.RETRANSMITTED)
                    && !segs.has(i, RackSegments.SACKED) && scoreboard.skipSacked(segs.start(i)) == segs.start(i)) {
                lostSeq = segs.start(i);
                return true;
            }
        }
        lostRetransmissions = false;
        return false;
    }

    /** Sends a lost retransmission again (up to one MSS of its hole). */
    private int resendLost(int seq) {
        int dataEnd = snd.sndUna + snd.sendBuffer.length();
        int len = Math.min(snd.mss, Math.min(scoreboard.nextSackedAfter(seq, snd.sndMax) - seq, dataEnd - seq));
        if (len <= 0) {
            int i = rack.segments.indexOf(seq);
            if (i >= 0) {
                rack.segments.clear(i, RackSegments.LOST); // nothing left to send of it (beyond the data)
            }
            return 0;
        }
        snd.resend(seq, len, false);
        counters.lostRetransmits.increment();
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return len;
    }

    /** A recovery ended or began, or a timeout went back to SND.UNA: what RACK found lost earlier goes with go-back-N or NextSeg. */
    private void forgetRetransmissions() {
        lostRetransmissions = false;
    }

    /**
     * Retransmits one segment from SND.UNA (fast retransmit, partial ACK, timeout with a closed
     * window): never more than was sent before, so SND.MAX stays the highest byte the peer can
     * acknowledge.
     */
    private void retransmitFirst() {
        int sndUna = snd.sndUna;
        int sentBefore = snd.sndMax - sndUna - (snd.finSeqValid ? 1 : 0);
        int len = Math.min(snd.mss, Math.min(sentBefore, snd.sendBuffer.length()));
        if (sackEnabled && !scoreboard.isEmpty()) {
            len = Math.min(len, scoreboard.nextSackedAfter(sndUna, snd.sndMax) - sndUna);
        }
        boolean fin = snd.finSeqValid && snd.finSeq == sndUna + len;
        if (len == 0 && !fin) {
            return;
        }
        snd.resend(sndUna, len, fin);
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
    }

    // =====================================================================================
    // The reordering window and the tail loss probe (RFC 8985)
    // =====================================================================================

    /**
     * RACK_detect_loss (RFC 8985 6.2 step 5) with this moment's reordering window: lost original
     * data is marked in the scoreboard, lost retransmissions wait for {@link #recoveryOutput},
     * and the reordering timer (6.3) is armed for the latest deadline still ahead, or stopped.
     *
     * @return whether anything was found lost
     */
    private boolean rackDetectLoss(long now) {
        long reoWnd = rack.reoWnd(cc.inRecovery(),
                scoreboard.sackedTotal() > (long) (SackScoreboard.DUP_THRESH - 1) * snd.mss, rto.smoothedRttNanos());
        long timeout = rack.detectLoss(now, reoWnd);
        if (rack.lostOriginal) {
            scoreboard.markLostBelow(rack.lostOriginalEnd);
        }
        if (rack.lostRetransmission) {
            lostRetransmissions = true;
        }
        if (timeout > 0) {
            if (reorderTimer == null) {
                reorderTimer = loop.newTimer("tcp-reorder", this::onReorderTimeout);
            }
            reorderTimer.scheduleAfter(timeout);
        } else if (reorderTimer != null) {
            reorderTimer.cancel();
        }
        return rack.lostOriginal || rack.lostRetransmission;
    }

    /**
     * RACK's reordering timer (RFC 8985 6.3): a segment's reordering window has passed with no
     * ACK since; what is lost now starts recovery, or goes in the one under way.
     */
    private void onReorderTimeout() {
        TcpTrace.timer(snd, "reorder");
        TcpTrace.reason(snd, RetransmitReason.REORDER_WINDOW);
        if (!sackEnabled || !snd.canTransmit() || snd.sndUna == snd.sndMax) {
            return;
        }
        if (rackDetectLoss(loop.now()) && !cc.inRecovery() && ge(snd.sndUna, recover)) {
            enterSackRecovery(loop.now(), 0);
        }
        snd.output();
    }

    /**
     * New data (or our FIN) left: with SACK, the tail loss probe is armed again from now (RFC
     * 8985 7.2: the PTO is started or restarted after each original transmission), so it
     * measures from the tail, not from the first segment of the flight.
     */
    void onNewDataSent() {
        if (sackEnabled) {
            armProbe();
        }
    }

    /**
     * Arms the tail loss probe: 2 SRTT (at least 10 ms), or 1.5 SRTT + 200 ms for a single
     * segment in flight (the peer may be delaying its ACK), and only if that comes before the RTO.
     */
    private void armProbe() {
        long srtt = rto.smoothedRttNanos();
        if (srtt < 0 || probeSent) {
            return;
        }
        long pto = Math.max(2 * srtt, 10_000_000L);
        if (snd.sndMax - snd.sndUna <= snd.mss) {
            pto = Math.max(pto, srtt * 3 / 2 + 200_000_000L);
        }
        if (pto >= rto.currentTimeoutNanos()) {
            if (probeTimer != null) {
                probeTimer.cancel(); // the RTO comes first: a probe armed for an earlier tail must not
            }
            return;
        }
        if (probeTimer == null) {
            probeTimer = loop.newTimer("tcp-probe", this::onProbe);
        }
        probeTimer.scheduleAfter(pto);
    }

    /**
     * The probe (RFC 8985 7.3): new data if the peer's window allows, else the last segment
     * again. Either draws an ACK whose SACK blocks show what the tail lost, so recovery, not
     * the retransmission timeout, repairs it.
     */
    private void onProbe() {
        TcpTrace.timer(snd, "tail-loss-probe");
        TcpTrace.reason(snd, RetransmitReason.TAIL_LOSS_PROBE);
        int sndUna = snd.sndUna;
        int sndMax = snd.sndMax;
        if (!snd.canTransmit() || sndUna == sndMax || probeSent || lt(snd.sndNxt, sndMax)) {
            return;
        }
        probeSent = true;
        counters.tailLossProbes.increment();
        if (cc.inRecovery()) {
            // Recovery has gone quiet for two round trips: what it sent last (the retransmissions
            // and the new data after them) is lost too. Start a new round at the first hole
            // rather than wait for the retransmission timeout.
            highRxt = sndUna;
            forgetRetransmissions();
            prr.onSent(retransmitRange(sndUna, scoreboard.nextSackedAfter(sndUna, sndMax)));
            return;
        }
        int mss = snd.mss;
        int offset = snd.dataOffset(snd.sndNxt);
        int unsent = snd.sendBuffer.length() - offset;
        if (unsent > 0 && (long) (snd.sndNxt - sndUna) + Math.min(mss, unsent) <= snd.sndWnd) {
            int len = Math.min(mss, unsent);
            snd.sendData(offset, len, snd.finQueued && len == unsent);
            tlpEndSeq = snd.sndNxt;
            tlpIsRetrans = false;
            tlpPending = true;
            return;
        }
        // The last segment sent: never past SND.MAX, or the peer would acknowledge bytes we
        // do not count as sent.
        boolean fin = snd.finSent && snd.finSeqValid && snd.finSeq + 1 == sndMax;
        int sentEnd = fin ? snd.finSeq : sndMax;
        // 7.3: "the most recently transmitted segment": a FIN that left alone goes alone again.
        int len = fin && snd.finSentAlone ? 0 : Math.min(mss, Math.min(sentEnd - sndUna, snd.sendBuffer.length()));
        if (len <= 0 && !fin) {
            return;
        }
        len = Math.max(len, 0);
        snd.resend(sentEnd - len, len, fin);
        tlpEndSeq = sndMax;
        tlpIsRetrans = true;
        tlpPending = true;
    }

    // =====================================================================================
    // The retransmission timeout
    // =====================================================================================

    /**
     * The retransmission timer fired on a synchronized connection: back off (RFC 6298 5.5-5.7),
     * tell the congestion control (RFC 5681 3.1), and go back N.
     *
     * @return false if the policy gives up: the connection must be aborted
     */
    boolean onRetransmitTimeout(long now) {
        TcpTrace.timer(snd, "retransmission");
        TcpTrace.reason(snd, RetransmitReason.TIMEOUT);
        if (snd.sndUna == snd.sndMax) {
            return true; // nothing outstanding
        }
        if (snd.sndWnd == 0 && snd.sndMax - snd.sndUna <= 1 && snd.sndNxt == snd.sndUna) {
            // Only a window probe's byte is out: the persist timer owns this connection, and a
            // peer that answers probes keeps it open for as long as it likes (RFC 1122 4.2.2.17).
            snd.persistIfIdle();
            return true;
        }
        counters.timeouts.increment();
        if (!rto.onTimeout(now)) {
            counters.abortOnTimeout.increment();
            return false;
        }
        if (plpmtud != null) {
            plpmtud.onLoss(snd.sndUna); // a probe out now is settled: go-back-N resends it at the MSS
        }
        if (blackHoles != null) {
            // RFC 4821 7.7: full-sized segments timing out in a row may be meeting an ICMP black hole.
            int head = (int) Math.min(snd.mss, Math.min(snd.sndMax - snd.sndUna, snd.sendBuffer.length()));
            blackHoles.get().onTimeout(rto.consecutiveTimeouts(), head);
        }
        cc.onRetransmissionTimeout(now, flightSize());
        if (sackEnabled && rto.consecutiveTimeouts() > 1) {
            scoreboard.clear(); // timed out twice: the peer may have dropped what it SACKed (RFC 2018 8)
            rack.segments.clearFlag(RackSegments.SACKED);
        }
        highRxt = snd.sndUna;
        forgetRetransmissions();
        rtt.stopTiming();       // Karn
        recover = snd.sndMax;   // RFC 6582 4.1: no fast retransmit for data sent before the timeout
        ecn.onWindowReduced(recover); // RFC 3168 6.1.2: CWR after a reduction "for any reason"
        dupAcks = 0;
        snd.goBackN();
        snd.output();
        if (snd.sndNxt == snd.sndUna) {
            retransmitFirst();  // the window is closed or the policy holds: resend the head anyway
        }
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return true;
    }

    /**
     * The MSS came down after a "fragmentation needed" (RFC 1191 6.4): the segments in flight
     * at the old size were dropped by a router that said so, not lost to congestion. They go
     * again at once, cut at the new MSS, with no congestion response (as Linux's
     * tcp_simple_retransmit): SND.NXT back to SND.UNA, what the peer SACKed skipped. Karn: no
     * RTT sample across it.
     */
    void onMssReduced() {
        if (snd.sndUna == snd.sndMax) {
            return;
        }
        rtt.stopTiming();
        TcpTrace.reason(snd, RetransmitReason.PATH_MTU);
        snd.goBackN();
        snd.output();
    }

    /**
     * Whether the loss about to be answered is an RFC 4821 probe's alone (its size is too big,
     * {@link PacketizationLayerPmtud#onLoss}). If so its bytes go again now at the MSS, with no
     * congestion response, and no fast retransmit follows for what was sent before (as after a
     * timeout, RFC 6582 4.1): the duplicate ACKs still coming were drawn by the lost probe.
     */
    private boolean probeLostAlone() {
        if (plpmtud == null || !plpmtud.onLoss(snd.sndUna)) {
            return false;
        }
        TcpTrace.reason(snd, RetransmitReason.PATH_MTU);
        recover = snd.sndMax;
        dupAcks = 0;
        forgetRetransmissions();
        int end = plpmtud.probeEnd();
        for (int seq = plpmtud.probeStart(); lt(seq, end); ) {
            int len = Math.min(snd.mss, end - seq);
            snd.resend(seq, len, false);
            seq += len;
        }
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        return true;
    }

    void cancelTimers() {
        if (reorderTimer != null) {
            reorderTimer.cancel();
        }
        if (probeTimer != null) {
            probeTimer.cancel();
        }
    }
}
