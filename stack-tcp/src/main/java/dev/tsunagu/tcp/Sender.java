package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpHeader.ACK;
import static dev.tsunagu.tcp.wire.TcpHeader.FIN;
import static dev.tsunagu.tcp.wire.TcpHeader.PSH;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.tcp.buffer.SendBuffer;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;

/**
 * The send side of a connection: the send sequence space (RFC 9293 3.3.1), the send buffer,
 * our FIN, and the decision of what leaves when.
 *
 * <pre>
 *      SND.UNA            SND.NXT           SND.MAX           SND.UNA + SND.WND
 *   ──────┼──────────────────┼─────────────────┼──────────────────────┼─────▶ sequence space
 *         │ sent, unacked    │ sent before a   │ unsent, in window    │
 *         │ (send buffer 0…) │ timeout (again) │                      │
 * </pre>
 *
 * <p>Data byte {@code i} of the send buffer has sequence number {@code SND.UNA + i} once the SYN
 * is acknowledged; {@code sndMax} is the highest sequence number sent (after a timeout SND.NXT
 * goes back to SND.UNA and climbs again, go-back-N).
 *
 * <p><b>Output</b> ({@link #output}): the send buffer is cut into MSS-sized segments from
 * SND.NXT (or, where the device segments, into segments of whole MSS up to
 * {@link #segmentationLimit}, which it cuts into MSS-sized ones on the wire), within the smaller of the peer's window and the congestion window (plus what
 * limited transmit allows); a partial segment leaves only when the send-buffering policy says
 * so (Nagle by default), the application pushed, or the FIN follows it. The sender avoids silly
 * windows (RFC 1122 4.2.3.4), restarts the congestion window after idle (RFC 5681 4.1) and,
 * when nothing is in flight and the window is too small, probes it (the persist timer, RFC 9293
 * 3.8.6.1). In SACK recovery {@link LossRecovery} chooses what goes.
 *
 * <p><b>Pacing</b>: when the congestion control gives a rate ({@link CongestionControl#pacingRate()},
 * CUBIC's 1.2–2 × cwnd/SRTT), each segment that leaves moves the next departure
 * {@code length / rate} later, and output that finds the next departure still ahead stops and
 * arms the pacing timer for it (never a busy wait). Timers fire on ticks (1 ms by default), so
 * up to {@link #PACING_SLACK_NANOS} of lateness is given back as a burst: the average rate holds.
 * Retransmissions count against the pace but are not held back by it: what loss recovery
 * sends (RFC 6675's NextSeg, fast retransmit, probes) leaves at once, since held retransmissions
 * would fall behind new data and look lost again to the reordering window.
 *
 * <p>Called by the connection, the {@link Handshake} and {@link LossRecovery}; calls
 * {@link TcpOutput}, the {@link RttSampler} (timing, retransmissions) and {@link LossRecovery}
 * (recovery's output, limited transmit, and the news that new data left, which arms the tail
 * loss probe). The two know each other because RFC 6675's sender is one loop over both.
 */
final class Sender {
    /** How much lateness of the pacing timer is made up by sending at once: the default tick. */
    static final long PACING_SLACK_NANOS = 1_000_000L;

    private final EventLoop loop;
    private final TcpSettings settings;
    private final TcpCounters counters;
    private final CongestionControl cc;
    private final RetransmissionPolicy rto;
    private final TcpOutput out;
    private final RttSampler rtt;
    private final Timer retransmitTimer;
    /** Set once, right after both are made. */
    private LossRecovery loss;
    private final Timer persistTimer;
    private final Timer holdTimer;

    int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int sndMaxWnd;
    /** Shift applied to the peer's window field (RFC 7323), 0 unless both sides offered scaling. */
    int sndWndScale;
    /** Effective send MSS: the peer's, bounded by our MTU, less the timestamps option if on. */
    int mss;
    /** The MSS the peer's SYN announced (RFC 9293 3.7.1: 536 if none): no path lets a segment exceed it. */
    int peerMss = 65535;
    /** Path MTU discovery's parts, once the connection has them: they move {@link #mss}. */
    PathMtuDiscovery pathMtu;
    PacketizationLayerPmtud plpmtud;
    /**
     * The most payload one segment may carry when the device segments (TSO): it is handed over
     * whole and cut into MSS-sized pieces below; 0 when the device does not.
     */
    int segmentationLimit;
    final SendBuffer sendBuffer;
    /** The application has closed or shut down output: a FIN follows the buffered data. */
    boolean finQueued;
    boolean finSent;
    /** Sequence number of our FIN, once sent (valid while {@link #finSeqValid}). */
    int finSeq;
    boolean finSeqValid;
    /** Whether our FIN last left in a segment of its own (a tail loss probe resends it so, RFC 8985 7.3). */
    boolean finSentAlone;
    /** Sequence number up to which the application asked for a push (valid while {@link #pushSet}). */
    private int pushSeq;
    private boolean pushSet;
    private long oldestUnsentWrittenAt;
    /** When the bytes of each recent write were written, so a held partial segment's age is exact. */
    private final WriteMarks writeMarks = new WriteMarks();
    private final SendBufferingPolicy buffering;
    /** TCP_NODELAY: partial segments leave at once. */
    boolean noDelay;
    /** When data last left (for RFC 5681's restart after idle), valid once {@link #dataSent}. */
    private long lastDataSentAt;
    private boolean dataSent;
    private long persistBackoff;
    /** Pacing: when the next segment may leave (loop nanoseconds). */
    private long nextDeparture = Long.MIN_VALUE;
    /** Made on first use: only a pacing congestion control needs it. */
    private Timer pacingTimer;
    /**
     * Delivery-rate sampling (draft-cheng-iccrg-delivery-rate-estimation), kept only for a
     * congestion control that wants rate samples (BBR); else null. Its per-segment records are
     * its own, apart from any other per-segment state.
     */
    final DeliveryRateEstimator rate;
    /** The connection's trace while someone watches it, else null ({@link TcpTrace}: here because every part holds the sender). */
    TcpTrace trace;

    Sender(EventLoop loop, TcpSettings settings, TcpCounters counters, CongestionControl cc, RetransmissionPolicy rto,
           SendBufferingPolicy buffering, SendBuffer sendBuffer, int mss, boolean noDelay, TcpOutput out, RttSampler rtt,
           Timer retransmitTimer) {
        this.loop = loop;
        this.settings = settings;
        this.counters = counters;
        this.cc = cc;
        this.rto = rto;
        this.buffering = buffering;
        this.sendBuffer = sendBuffer;
        this.mss = mss;
        this.noDelay = noDelay;
        this.out = out;
        this.rtt = rtt;
        this.retransmitTimer = retransmitTimer;
        this.persistTimer = loop.newTimer("tcp-persist", this::onPersist);
        this.holdTimer = loop.newTimer("tcp-hold", this::output);
        this.rate = cc.wantsRateSamples()
                ? new DeliveryRateEstimator(DeliveryRateEstimator.recordsFor(sendBuffer.capacity())) : null;
    }

    void recovery(LossRecovery loss) {
        this.loss = loss;
    }

    /** Our initial sequence number: the SYN takes it, data starts after. */
    void start(int isn) {
        iss = isn;
        sndUna = isn;
        sndNxt = isn + 1;
        sndMax = sndNxt;
    }

    /** The peer's window from a segment that synchronizes us (RFC 9293 3.10.7.3 / 3.10.7.4). */
    void setWindow(int window, int wl1, int wl2) {
        sndWnd = window;
        sndMaxWnd = Math.max(sndMaxWnd, sndWnd);
        sndWl1 = wl1;
        sndWl2 = wl2;
    }

    // =====================================================================================
    // ACKs and windows
    // =====================================================================================

    /**
     * An ACK moved SND.UNA to {@code ack}: the acknowledged bytes leave the send buffer.
     *
     * @return whether it acknowledged our FIN
     */
    boolean onAckAdvanced(int ack) {
        int dataAcked = ack - sndUna;
        boolean finAcked = finSent && ge(ack, finSeq + 1);
        if (finAcked) {
            dataAcked--;
        }
        dataAcked = Math.min(dataAcked, sendBuffer.length());
        sendBuffer.drop(dataAcked);
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna; // a late ACK for data sent before a timeout pulled SND.NXT back
        }
        return finAcked;
    }

    /** Window update (RFC 9293 3.10.7.4, fifth): only from a segment newer than the last one that set it. */
    void onWindow(Segment s) {
        if (lt(sndWl1, s.seq) || (sndWl1 == s.seq && le(sndWl2, s.ack))) {
            setWindow(s.window << sndWndScale, s.seq, s.ack);
            if (sndWnd > 0) {
                persistTimer.cancel();
                persistBackoff = 0;
            }
        }
    }

    /** Bytes sent and not yet acknowledged (a FIN counts one). */
    long inFlight() {
        return sndMax - sndUna;
    }

    // =====================================================================================
    // The application's bytes
    // =====================================================================================

    /** Buffers what fits of {@code length} bytes. @return how many */
    int write(byte[] buffer, int offset, int length) {
        int n = sendBuffer.write(buffer, offset, length);
        if (n > 0) {
            writeMarks.mark(sndUna + sendBuffer.length(), loop.now());
        }
        return n;
    }

    /** The application asks that what is buffered now go without waiting (push), and it goes as it may. */
    void push() {
        pushSeq = sndUna + sendBuffer.length();
        pushSet = true;
        output();
    }

    /** TCP_NODELAY set or cleared: once set, what the send-buffering policy held goes now. */
    void setNoDelay(boolean on) {
        noDelay = on;
        if (on) {
            output();
        }
    }

    /** Gives the buffer's memory back once everything is acknowledged. */
    void trimIfDrained() {
        if (sendBuffer.length() == 0) {
            sendBuffer.trim();
        }
    }

    /** Nothing more will be sent (TIME-WAIT, deletion). */
    void discard() {
        persistTimer.cancel();
        holdTimer.cancel();
        if (pacingTimer != null) {
            pacingTimer.cancel();
        }
        sendBuffer.clear();
        sendBuffer.trim();
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    /** Whether the connection's state lets data and FINs go now. */
    boolean canTransmit() {
        return out.open();
    }

    /** Sends whatever the windows, the send-buffering policy and the state allow. */
    void output() {
        if (!out.open()) {
            return;
        }
        if (pathMtu != null) {
            pathMtu.maybeRaise(loop.now());
        }
        if (loss.inSackRecovery()) {
            loss.recoveryOutput();
            return;
        }
        while (true) {
            if (loss.sackEnabled && lt(sndNxt, sndMax) && !loss.scoreboard.isEmpty()) {
                // Going back after a timeout: what the peer SACKed need not go again.
                int skipped = loss.scoreboard.skipSacked(sndNxt);
                if (skipped != sndNxt) {
                    sndNxt = skipped;
                    continue;
                }
            }
            long inFlight = (long) (sndNxt - sndUna);
            if (loss.sackEnabled && lt(sndNxt, sndMax) && !loss.scoreboard.isEmpty()) {
                // Going back after a timeout, what was SACKed is skipped, so it is not in flight.
                inFlight -= loss.scoreboard.sackedBetween(sndUna, sndNxt);
            }
            long cwnd = cc.congestionWindow();
            if (sndNxt == sndMax) {
                cwnd += loss.limitedTransmit();
            }
            long usable = Math.min(cwnd - inFlight, (long) sndWnd - (sndNxt - sndUna));
            if (usable > 0 && pacingHolds()) {
                break;
            }
            if (plpmtud != null && sndNxt == sndMax && usable > 0 && sendProbe(usable)) {
                continue;
            }
            if (!sendNext(usable, inFlight)) {
                if (rate != null && usable > 0 && !hasUnsent()) {
                    rate.onAppLimited(inFlight); // the window had room and nothing was left to send
                }
                break;
            }
        }
    }

    /** An RFC 4821 probe at SND.NXT, larger than the MSS and in one piece, if the search wants one now. */
    private boolean sendProbe(long usable) {
        int offset = dataOffset(sndNxt);
        int len = plpmtud.probeLength(sendBuffer.length() - offset, usable);
        if (len <= 0) {
            return false;
        }
        int seq = sndNxt;
        sendData(offset, len, false, len); // its own size as the MSS: the device must not cut it
        plpmtud.onProbeSent(seq, len);
        return true;
    }

    /**
     * Whether pacing holds the next segment back; if so the pacing timer is armed for its
     * departure, and output resumes when it fires.
     */
    boolean pacingHolds() {
        if (nextDeparture == Long.MIN_VALUE) {
            return false;
        }
        long now = loop.now();
        if (now >= nextDeparture) {
            return false;
        }
        if (cc.pacingRate() <= 0) {
            nextDeparture = Long.MIN_VALUE; // the controller stopped pacing
            return false;
        }
        if (pacingTimer == null) {
            pacingTimer = loop.newTimer("tcp-pacing", this::output);
        }
        if (!pacingTimer.isPending() || pacingTimer.deadline() != nextDeparture) {
            pacingTimer.scheduleAt(nextDeparture);
        }
        return true;
    }

    /** {@code len} bytes left now: the next departure moves {@code len / rate} later (pacing). */
    private void paced(long now, int len) {
        if (len <= 0) {
            return;
        }
        long rate = cc.pacingRate();
        if (rate <= 0) {
            nextDeparture = Long.MIN_VALUE;
            return;
        }
        // Lateness of the timer (at most the slack) is made up; a first paced segment starts the clock.
        long from = nextDeparture == Long.MIN_VALUE ? now : Math.max(nextDeparture, now - PACING_SLACK_NANOS);
        // Debt beyond a round trip is forgiven: retransmissions leave unpaced and count against
        // the pace, and a long recovery at a low rate (BBR's DRAIN) ran up seconds of it, which
        // then held all new data back until the retransmission timer fired, again and again.
        long srtt = rto.smoothedRttNanos();
        if (srtt > 0 && from > now + srtt) {
            from = now + srtt;
        }
        nextDeparture = from + Math.max(1, len * 1_000_000_000L / rate);
    }

    /** Whether unsent data or an unsent FIN waits at SND.NXT. */
    boolean hasUnsent() {
        return sendBuffer.length() - dataOffset(sndNxt) > 0 || finQueued && !finSentAt(sndNxt);
    }

    /**
     * Sends one segment at SND.NXT if the usable window, silly-window avoidance and the
     * send-buffering policy allow.
     *
     * @return whether one was sent and another may follow
     */
    boolean sendNext(long usable, long inFlight) {
        int offset = dataOffset(sndNxt);
        int unsent = sendBuffer.length() - offset;
        boolean finPending = finQueued && !finSentAt(sndNxt);
        if (unsent <= 0 && !finPending) {
            return false;
        }
        int len = Math.min(maxSegment(), Math.max(unsent, 0));
        if (loss.sackEnabled && lt(sndNxt, sndMax) && !loss.scoreboard.isEmpty()) {
            len = Math.min(len, loss.scoreboard.nextSackedAfter(sndNxt, sndMax) - sndNxt);
        }
        if (len > mss) {
            // A segment the device cuts: as many whole MSS as the window takes (the rest of the
            // window, or a short tail, is the next segment's, decided by the rules below).
            if (usable < len) {
                len = (int) Math.max(mss, usable / mss * mss);
            }
            if (len > mss && len % mss != 0 && len == unsent && !finPending && !noDelay && !pushed(offset + len)) {
                len -= len % mss; // the short tail waits for the send-buffering policy, as it would alone
            }
        }
        if (len > 0 && usable < len) {
            // Sender silly-window avoidance (RFC 1122 4.2.3.4): do not cut a segment just
            // because the window is a little short, unless it is at least half the largest
            // window the peer has offered.
            if (sndWnd > 0 && usable > 0 && usable >= sndMaxWnd / 2) {
                len = (int) usable;
            } else {
                // Nothing in flight means no ACK will come to reopen the window if its update
                // was lost: the persist timer probes (zero window) or sends what fits (small
                // window, the RFC 1122 override timeout), so the connection never deadlocks.
                if (inFlight == 0 && !persistTimer.isPending()) {
                    armPersist();
                }
                return false;
            }
        }
        boolean fin = finPending && len == unsent;
        if (len > 0 && len < mss && len == unsent && !fin && !pushed(offset + len)) {
            oldestUnsentWrittenAt = writeMarks.oldestAfter(sndNxt);
            if (!noDelay) {
                SendBufferingPolicy.Decision d = buffering.decide(policyView);
                if (d == SendBufferingPolicy.Decision.HOLD) {
                    return false;
                }
                if (d == SendBufferingPolicy.Decision.HOLD_WITH_TIMER) {
                    long due = oldestUnsentWrittenAt + buffering.holdTimeoutNanos();
                    if (loop.now() < due) {
                        if (!holdTimer.isPending() || holdTimer.deadline() != due) {
                            holdTimer.scheduleAt(due);
                        }
                        return false;
                    }
                    // The hold has run out: the segment leaves, whatever the policy says
                    // (the contract of HOLD_WITH_TIMER; re-arming in the past would spin).
                }
            }
        }
        sendData(offset, len, fin);
        return !fin;
    }

    /**
     * The most payload the next segment may carry: the MSS, or with segmentation offload as
     * many whole MSS as the device takes, and, when pacing, about a millisecond's worth (as
     * Linux sizes its TSO bursts), so a burst does not outrun the pace.
     */
    private int maxSegment() {
        if (segmentationLimit <= mss) {
            return mss;
        }
        long limit = segmentationLimit;
        long rate = cc.pacingRate();
        if (rate > 0) {
            limit = Math.min(limit, Math.max(2L * mss, rate / 1000));
        }
        return (int) Math.max(mss, limit / mss * mss);
    }

    /** Offset in the send buffer of sequence number {@code seq} (data starts after our SYN). */
    int dataOffset(int seq) {
        return seq - sndUna;
    }

    private boolean finSentAt(int seq) {
        return finSent && gt(seq, finSeq);
    }

    private boolean pushed(int endOffset) {
        return pushSet && le(sndUna + endOffset, pushSeq);
    }

    /** Sends {@code len} bytes from send-buffer offset {@code offset} (and FIN after them if asked), at SND.NXT. */
    void sendData(int offset, int len, boolean fin) {
        sendData(offset, len, fin, mss);
    }

    /** As {@link #sendData(int, int, boolean)}, cut by a device into segments of {@code segmentMss}. */
    private void sendData(int offset, int len, boolean fin, int segmentMss) {
        int seq = sndNxt;
        boolean retransmission = lt(seq, sndMax);
        long now = loop.now();
        if (settings.slowStartAfterIdle && !retransmission && len > 0 && sndUna == sndMax && dataSent
                && now - lastDataSentAt > rto.currentTimeoutNanos()) {
            // RFC 5681 4.1: after an idle period longer than the RTO the ACK clock is gone;
            // restart from (at most) the initial window rather than burst a stale cwnd.
            cc.onIdleRestart(now);
        }
        if (len > 0) {
            lastDataSentAt = now;
            dataSent = true;
        }
        if (rate != null) {
            if (retransmission) {
                rate.onRetransmitted(seq, len, now, sndMax - sndUna);
            } else {
                rate.onSent(seq, len, mss, now, sndMax - sndUna);
            }
        }
        int flags = ACK | (fin ? FIN : 0) | (len > 0 && offset + len == sendBuffer.length() ? PSH : 0);
        if (retransmission || len == 0) {
            out.data(seq, flags, sendBuffer, offset, len, segmentMss);
        } else {
            out.newData(seq, flags, sendBuffer, offset, len, segmentMss); // ECN marks only these (RFC 3168 6.1.5)
        }
        sndNxt = seq + len + (fin ? 1 : 0);
        loss.rackSent(seq, sndNxt);
        if (gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        if (fin) {
            finSent = true;
            finSeq = seq + len;
            finSeqValid = true;
            finSentAlone = len == 0;
        }
        if (retransmission) {
            rtt.onRetransmit();
            counters.retransSegs.increment();
        } else if (len > 0 && !cc.inRecovery()) {
            // (Not in recovery: this segment's ACK would wait for the holes before it.)
            rtt.onNewDataSent(seq);
        }
        cc.onSent(loop.now(), len, sndMax - sndUna);
        paced(now, len);
        if (!retransmission && (len > 0 || fin)) {
            loss.onNewDataSent(); // a FIN is new sequence space too
        }
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
    }

    /**
     * Sends {@code len} bytes at {@code seq} again (and our FIN after them if {@code fin}): every
     * retransmission outside go-back-N (fast retransmit, SACK recovery, probes) goes through here.
     */
    void resend(int seq, int len, boolean fin) {
        if (rate != null) {
            rate.onRetransmitted(seq, len, loop.now(), sndMax - sndUna);
        }
        out.data(seq, ACK | (fin ? FIN : 0), sendBuffer, seq - sndUna, len, mss);
        loss.rackSent(seq, seq + len + (fin ? 1 : 0));
        paced(loop.now(), len);
        counters.retransSegs.increment();
        rtt.onRetransmit(); // an echo older than this times a copy whose ACK was lost
        rtt.stopTiming();   // Karn: no RTT sample across a retransmission
    }

    /** Go back N after a timeout: SND.NXT returns to SND.UNA, and the FIN goes again after the data. */
    void goBackN() {
        sndNxt = sndUna;
        if (finSent && lt(sndNxt, finSeq + 1)) {
            finSent = false;
        }
    }

    /** A bare ACK: at SND.MAX, not SND.NXT: after a timeout pulled SND.NXT back, the peer may already hold
     * those bytes and would discard an ACK numbered before them (Linux: tcp_acceptable_seq). */
    void sendAck() {
        out.ack(sndMax, mss);
    }

    /** RFC 1122 4.2.3.6: a keepalive is a segment with SEG.SEQ = SND.NXT − 1 and no data, which draws an ACK. */
    void sendKeepalive() {
        out.probe(sndUna - 1, null, 0, 0, mss);
    }

    // =====================================================================================
    // Persist
    // =====================================================================================

    /** Arms the persist timer (RTO-based, doubling up to the maximum RTO), if it is not already armed. */
    void persistIfIdle() {
        if (!persistTimer.isPending()) {
            armPersist();
        }
    }

    private void armPersist() {
        long base = Math.max(rto.currentTimeoutNanos(), settings.minRtoNanos);
        long delay = persistBackoff == 0 ? base : Math.min(persistBackoff * 2, settings.maxRtoNanos);
        persistBackoff = delay;
        persistTimer.scheduleAfter(delay);
    }

    /**
     * Nothing in flight and the window too small to send: with a zero window, probe with one byte of
     * new data (RFC 9293 3.8.6.1), which the receiver answers with its window; with a small one,
     * send what fits (the RFC 1122 4.2.3.4 override of silly-window avoidance).
     */
    private void onPersist() {
        TcpTrace.timer(this, "persist");
        TcpTrace.reason(this, RetransmitReason.WINDOW_PROBE);
        if (!out.open()) {
            return;
        }
        int offset = dataOffset(sndNxt);
        int unsent = sendBuffer.length() - offset;
        if (unsent <= 0) {
            return;
        }
        if (sndWnd > 0) {
            long usable = Math.min(cc.congestionWindow(), (long) sndWnd) - (sndNxt - sndUna);
            if (usable > 0) {
                sendData(offset, (int) Math.min(Math.min(usable, unsent), mss), false);
                return;
            }
            armPersist();
            return;
        }
        counters.windowProbes.increment();
        out.probe(sndNxt, sendBuffer, offset, 1, mss);
        if (gt(sndNxt + 1, sndMax)) {
            sndMax = sndNxt + 1; // if the window had opened, its ACK may cover the probe byte
        }
        armPersist();
    }

    /** The sender's situation as the send-buffering policy sees it (a reused view). */
    private final SendBufferingPolicy.State policyView = new SendBufferingPolicy.State() {
        @Override
        public int unsentBytes() {
            return sendBuffer.length() - dataOffset(sndNxt);
        }

        @Override
        public int mss() {
            return mss;
        }

        @Override
        public long bytesInFlight() {
            return sndMax - sndUna;
        }

        @Override
        public boolean finQueued() {
            return finQueued;
        }

        @Override
        public long nowNanos() {
            return loop.now();
        }

        @Override
        public long oldestUnsentWrittenAtNanos() {
            return oldestUnsentWrittenAt;
        }
    };
}
