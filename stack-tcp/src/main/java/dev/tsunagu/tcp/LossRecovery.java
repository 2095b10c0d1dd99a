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
 *       {@link SackScoreboard}; enough SACKed above the first hole (IsLost) or three duplicate
 *       ACKs start recovery, and {@link #recoveryOutput} sends what NextSeg picks against the
 *       pipe. Reneging (RFC 2018 8) clears the scoreboard.</li>
 *   <li><b>Reordering window</b> (RFC 8985 6, simplified to sequence): SACKed data that sat
 *       above a hole for a quarter SRTT marks the hole lost; in recovery, a retransmission that
 *       left before that data (the {@link RetransmissionLog} keeps the order) and whose hole is
 *       still open was lost too, and goes again first.</li>
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

    int dupAcks;
    /** RFC 6582's "recover": SND.MAX when recovery (or the latest timeout) began. */
    int recover;
    /** SACK was negotiated (RFC 2018): the peer's SACK blocks drive recovery (RFC 6675). */
    boolean sackEnabled;
    /** What the peer SACKed; allocated when SACK is negotiated. */
    SackScoreboard scoreboard;
    /** RFC 6675 HighRxt: the end of the highest byte retransmitted in this recovery. */
    private int highRxt;
    /** This recovery's retransmissions in the order they left, to find which were lost (RACK's rule by order). */
    private RetransmissionLog rtxLog;
    /** Retransmissions that left before the data SACKed up to here are lost if their holes are open. */
    private int lostEdge;
    private boolean lostEdgeValid;
    /** Retransmissions taken from {@link #rtxLog} to check and send again: {@code [lostNext, lostCount)}. */
    private final int[] lostBatch = new int[16];
    private int lostNext;
    private int lostCount;
    /** The reordering window's timer (made on first use: most connections never see a SACK). */
    private Timer reorderTimer;
    /** The highest SACKed byte when {@link #reorderTimer} was armed. */
    private int reorderEdge;
    /** The tail loss probe's timer, made on first use. */
    private Timer probeTimer;
    private boolean probeSent;
    /** RFC 4821's search, once the connection has one: its probes' fate is decided here. */
    PacketizationLayerPmtud plpmtud;
    /** Makes the search at a suspected black hole; null when {@code tcp.mtuProbing} is off. */
    Supplier<PacketizationLayerPmtud> blackHoles;

    LossRecovery(EventLoop loop, TcpCounters counters, CongestionControl cc, RetransmissionPolicy rto, Sender snd,
                 RttSampler rtt, TcpEcn ecn, Timer retransmitTimer) {
        this.loop = loop;
        this.counters = counters;
        this.cc = cc;
        this.rto = rto;
        this.snd = snd;
        this.rtt = rtt;
        this.ecn = ecn;
        this.retransmitTimer = retransmitTimer;
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
            rtxLog = new RetransmissionLog(2 * scoreboard.maxRanges());
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

    // =====================================================================================
    // ACK arrival
    // =====================================================================================

    /**
     * Takes the SACK blocks of an ACK whose cumulative point is {@code una} into the scoreboard.
     *
     * @return how many bytes they SACKed that were not SACKed before
     */
    int onSackBlocks(Segment s, int una) {
        scoreboard.advance(una);
        if (gt(una, snd.sndUna) && scoreboard.startsAt(una)) {
            // The peer acknowledged up to data it had SACKed, and no further: it dropped what it
            // SACKed (reneging, RFC 2018 8). Trust nothing it SACKed before.
            scoreboard.clear();
        }
        int newly = 0;
        for (int i = 0; i < s.options.sackCount; i++) {
            newly += scoreboard.add(s.options.sackBlocks[2 * i], s.options.sackBlocks[2 * i + 1], una, snd.sndMax);
        }
        return newly;
    }

    /**
     * SND.UNA moved by {@code acked} to {@code ack} (the sender has already dropped the bytes):
     * recovery ends, or a partial ACK resends the next hole, or the policy grows the window; the
     * retransmission timer restarts for what is still out (RFC 6298 5.2, 5.3).
     */
    void onAckAdvanced(long now, int ack, int acked, long sample) {
        if (plpmtud != null) {
            plpmtud.onAck(ack);
        }
        long inFlight = snd.inFlight();
        if (cc.inRecovery()) {
            if (ge(ack, recover)) {
                cc.onRecoveryEnd(now);
                dupAcks = 0;
                forgetRetransmissions();
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

    /** After every ACK: SACK recovery may start, and its timers follow what is outstanding. */
    void afterAck(long now, boolean advanced) {
        if (!sackEnabled) {
            return;
        }
        // RFC 6675 5 (2), and IsLost(SND.UNA): enough SACKed above the first hole starts recovery too.
        if (!cc.inRecovery() && !scoreboard.isEmpty() && ge(snd.sndUna, recover)
                && (dupAcks >= SackScoreboard.DUP_THRESH || scoreboard.holeLost(scoreboard.left(0), snd.mss))) {
            TcpTrace.reason(snd, RetransmitReason.SACK_RECOVERY);
            enterSackRecovery(now);
        }
        if (advanced) {
            probeSent = false;
        }
        if (!scoreboard.isEmpty() && (reorderTimer == null || !reorderTimer.isPending())) {
            armReorderTimer();
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

    /** RFC 6675 5 (4): enter loss recovery and resend the first hole. */
    private void enterSackRecovery(long now) {
        if (probeLostAlone()) {
            return;
        }
        recover = snd.sndMax;
        forgetRetransmissions();
        cc.onFastRetransmit(now, flightSize());
        ecn.onWindowReduced(recover);
        counters.fastRetransmits.increment();
        counters.sackRecoveries.increment();
        highRxt = snd.sndUna;
        rtt.stopTiming(); // the timed segment's ACK now waits for the holes: not an RTT
        retransmitRange(snd.sndUna, scoreboard.nextSackedAfter(snd.sndUna, snd.sndMax));
    }

    /**
     * RFC 6675 5 (C): while the congestion window has room above the pipe, send what NextSeg
     * picks — a lost hole, else new data, else a hole not yet known lost. The window in
     * recovery is ssthresh (RFC 6675 keeps cwnd = ssthresh; NewReno's inflation is not needed
     * when the pipe is counted).
     */
    void recoveryOutput() {
        long window = Math.min(cc.congestionWindow(), cc.slowStartThreshold());
        int mss = snd.mss;
        if (lt(highRxt, snd.sndUna)) {
            highRxt = snd.sndUna;
        }
        long pipe = scoreboard.pipe(snd.sndUna, snd.sndMax, highRxt, mss);
        while (window - pipe >= mss) {
            int sent;
            if (nextLostRetransmission()) {
                sent = resendLost(lostSeq);
            } else if (scoreboard.findHole(highRxt, true, mss, snd.sndUna)) {
                sent = retransmitRange(scoreboard.holeStart, scoreboard.holeEnd);
            } else if (snd.hasUnsent()) {
                int before = snd.sndNxt;
                snd.sendNext(Math.min(window - pipe, (long) snd.sndWnd - (snd.sndNxt - snd.sndUna)), pipe);
                sent = snd.sndNxt - before; // 0: the window or the policy held it
            } else if (scoreboard.findHole(highRxt, false, mss, snd.sndUna)) {
                sent = retransmitRange(scoreboard.holeStart, scoreboard.holeEnd);
            } else {
                break;
            }
            if (sent <= 0) {
                break;
            }
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
        rtxLog.add(seq, snd.sndMax);
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return len;
    }

    /** Set by {@link #nextLostRetransmission}. */
    private int lostSeq;

    /**
     * Whether a retransmission is known lost and its hole still open (then {@link #lostSeq} is
     * its start): one that left before the data SACKed up to {@link #lostEdge} was first sent.
     */
    private boolean nextLostRetransmission() {
        while (true) {
            while (lostNext < lostCount) {
                int seq = lostBatch[lostNext++];
                if (ge(seq, snd.sndUna) && lt(seq, snd.sndMax) && scoreboard.skipSacked(seq) == seq) {
                    lostSeq = seq;
                    return true;
                }
            }
            if (!lostEdgeValid) {
                return false;
            }
            lostNext = 0;
            lostCount = rtxLog.takeSentBefore(lostEdge, lostBatch);
            if (lostCount == 0) {
                return false;
            }
        }
    }

    /** Sends a lost retransmission again (up to one MSS of its hole), logging it anew. */
    private int resendLost(int seq) {
        int dataEnd = snd.sndUna + snd.sendBuffer.length();
        int len = Math.min(snd.mss, Math.min(scoreboard.nextSackedAfter(seq, snd.sndMax) - seq, dataEnd - seq));
        if (len <= 0) {
            return 0;
        }
        snd.resend(seq, len, false);
        rtxLog.add(seq, snd.sndMax);
        counters.lostRetransmits.increment();
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return len;
    }

    /** A recovery ended or began, or a timeout went back to SND.UNA: no retransmission is pending a verdict. */
    private void forgetRetransmissions() {
        if (rtxLog != null) {
            rtxLog.clear();
        }
        lostEdgeValid = false;
        lostNext = 0;
        lostCount = 0;
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

    /** The reordering window: a quarter of the smoothed RTT, at least 1 ms (10 ms before any sample). */
    private void armReorderTimer() {
        if (reorderTimer == null) {
            reorderTimer = loop.newTimer("tcp-reorder", this::onReorderTimeout);
        }
        long srtt = rto.smoothedRttNanos();
        reorderEdge = scoreboard.highest();
        reorderTimer.scheduleAfter(srtt < 0 ? 10_000_000L : Math.max(srtt / 4, 1_000_000L));
    }

    /**
     * SACKed data has sat above the holes below {@link #reorderEdge} for a reordering window:
     * they are lost, not reordered. In recovery, if the data SACKed was sent after the latest
     * retransmission while a retransmitted hole is still missing, that retransmission was lost
     * too: a new round starts at the first hole (RACK finds lost retransmissions the same way,
     * by time; this uses the order of sending, which needs no per-segment record).
     */
    private void onReorderTimeout() {
        TcpTrace.timer(snd, "reorder");
        TcpTrace.reason(snd, RetransmitReason.REORDER_WINDOW);
        if (!sackEnabled || scoreboard.isEmpty() || !snd.canTransmit()) {
            return;
        }
        scoreboard.markLostBelow(reorderEdge);
        if (cc.inRecovery()) {
            if (!lostEdgeValid || gt(reorderEdge, lostEdge)) {
                lostEdge = reorderEdge; // retransmissions sent before this data are lost if still missing
                lostEdgeValid = true;
            }
        } else if (ge(snd.sndUna, recover)) {
            enterSackRecovery(loop.now());
        }
        snd.output();
        if (!scoreboard.isEmpty() && gt(scoreboard.highest(), reorderEdge)) {
            armReorderTimer(); // more was SACKed meanwhile
        }
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
            retransmitRange(sndUna, scoreboard.nextSackedAfter(sndUna, sndMax));
            return;
        }
        int mss = snd.mss;
        int offset = snd.dataOffset(snd.sndNxt);
        int unsent = snd.sendBuffer.length() - offset;
        if (unsent > 0 && (long) (snd.sndNxt - sndUna) + Math.min(mss, unsent) <= snd.sndWnd) {
            int len = Math.min(mss, unsent);
            snd.sendData(offset, len, snd.finQueued && len == unsent);
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
