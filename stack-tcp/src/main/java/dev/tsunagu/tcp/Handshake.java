package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.wire.TcpHeader.ACK;
import static dev.tsunagu.tcp.wire.TcpHeader.RST;
import static dev.tsunagu.tcp.wire.TcpHeader.SYN;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;

/**
 * The three-way handshake's own work (RFC 9293 3.5): our SYN or SYN-ACK and its retransmission,
 * and the negotiation of the options that only SYNs carry — MSS (RFC 9293 3.7.1, RFC 6691),
 * window scale (RFC 7323 2), SACK-permitted (RFC 2018), timestamps (RFC 7323 3) and ECN
 * (RFC 3168 6.1.1, whose rules are {@link TcpEcn}'s). The
 * connection's state machine decides when each step happens; this class does it, writing the
 * results into the parts that use them. A segment in SYN-SENT (RFC 9293 3.10.7.3) is the
 * handshake's alone, so its steps are here; what they lead to (a RST to send, a refusal, the
 * new state) is the connection's to carry out.
 *
 * <p>Called by the connection; calls the {@link Sender}, {@link Receiver}, {@link RttSampler},
 * {@link LossRecovery} (their starting values and negotiated options) and {@link TcpOutput}.
 */
final class Handshake {
    /** RFC 9293 3.7.1: the MSS to assume when the peer sends none. */
    static final int DEFAULT_MSS = 536;
    /** The smallest MSS we accept (RFC 6691 / RFC 879 spirit: 88 is Linux's floor; 64 keeps tiny MTUs working). */
    static final int MIN_MSS = 64;
    private final TcpSettings settings;
    private final TcpCounters counters;
    private final CongestionControl cc;
    private final RetransmissionPolicy rto;
    private final Sender snd;
    private final Receiver rcv;
    private final RttSampler rtt;
    private final LossRecovery loss;
    private final TcpEcn ecn;
    private final TcpOutput out;
    private final Timer retransmitTimer;
    private final EventLoop loop;
    /** Our SYNs (or SYN-ACKs) sent again after a timeout. */
    private int synRetransmits;
    /** Our SYN or SYN-ACK sent so far, for any reason (Karn: only one sent once is timed). */
    private int synSends;
    /** The peer's SYN offered window scaling: our SYN-ACK answers with ours (RFC 7323 1.3). */
    private boolean peerOfferedScale;

    Handshake(EventLoop loop, TcpSettings settings, TcpCounters counters, CongestionControl cc, RetransmissionPolicy rto,
              Sender snd, Receiver rcv, RttSampler rtt, LossRecovery loss, TcpEcn ecn, TcpOutput out,
              Timer retransmitTimer) {
        this.loop = loop;
        this.settings = settings;
        this.counters = counters;
        this.cc = cc;
        this.rto = rto;
        this.snd = snd;
        this.rcv = rcv;
        this.rtt = rtt;
        this.loss = loss;
        this.ecn = ecn;
        this.out = out;
        this.retransmitTimer = retransmitTimer;
    }

    /** Active open (RFC 9293 3.10.1): our ISN; the connection then enters SYN-SENT and {@link #sendSyn}s. */
    void startActive(int iss) {
        snd.start(iss);
        loss.start(iss);
        ecn.startActive();
    }

    /**
     * Passive open (RFC 9293 3.10.7.2): a SYN {@code s} at a listener, our ISN; the connection
     * then enters SYN-RECEIVED and {@link #sendSyn}s.
     */
    void startPassive(Segment s, int iss) {
        rcv.start(s.seq);
        snd.start(iss);
        loss.start(iss);
        onPeerSyn(s);
        ecn.onPeerSyn(s);
        snd.sndWnd = s.window; // the window in a SYN is never scaled (RFC 7323 2.2)
        snd.sndWl1 = s.seq;
        snd.sndWl2 = s.ack;
    }

    /** What a segment in SYN-SENT does (RFC 9293 3.10.7.3), for the connection to carry out. */
    enum SynSentOutcome {
        /** Dropped (no SYN, or a RST without an acceptable ACK). */
        DROP,
        /** An unacceptable ACK: answer {@code <SEQ=SEG.ACK><CTL=RST>}. */
        RESET,
        /** A RST with an acceptable ACK: connection refused. */
        REFUSED,
        /** A SYN-ACK of our SYN: ESTABLISHED (its text and FIN follow). */
        ESTABLISHED,
        /** A SYN alone: simultaneous open (3.5, figure 8), SYN-RECEIVED; answer SYN-ACK. */
        SIMULTANEOUS
    }

    /** RFC 9293 3.10.7.3: a segment {@code s} arrived in SYN-SENT. */
    SynSentOutcome onSegmentInSynSent(Segment s) {
        boolean ackOk = false;
        if (s.has(ACK)) {
            // First: an ACK of anything but our SYN is unacceptable.
            if (le(s.ack, snd.iss) || gt(s.ack, snd.sndMax)) {
                return s.has(RST) ? SynSentOutcome.DROP : SynSentOutcome.RESET;
            }
            ackOk = true;
        }
        if (s.has(RST)) {
            // Second: a RST is believed only with an acceptable ACK.
            return ackOk ? SynSentOutcome.REFUSED : SynSentOutcome.DROP;
        }
        if (!s.has(SYN)) {
            return SynSentOutcome.DROP; // Fifth: neither SYN nor RST: drop
        }
        // Fourth: the SYN.
        rcv.start(s.seq);
        rcv.anchorSynWindow(); // what our SYN offered, now anchored at RCV.NXT
        onPeerSyn(s);
        if (ackOk) {
            snd.sndUna = s.ack;
            snd.sndNxt = SeqNum.max(snd.sndNxt, snd.sndUna);
        }
        if (gt(snd.sndUna, snd.iss)) {
            // Our SYN is acknowledged. Karn: the SYN's RTT counts only if it was sent once.
            rtt.onSynAcked(synRetransmits != 0);
            retransmitTimer.cancel();
            snd.setWindow(s.window, s.seq, s.ack); // unscaled in a SYN
            ecn.onSynAck(s);
            return SynSentOutcome.ESTABLISHED;
        }
        ecn.onCrossingSyn(s);
        snd.sndWnd = s.window;
        snd.sndWl1 = s.seq;
        return SynSentOutcome.SIMULTANEOUS;
    }

    /** The ACK {@code s} of our SYN-ACK (SYN-RECEIVED → ESTABLISHED); data acknowledged with it follows. */
    void onSynAckAcked(Segment s) {
        snd.sndUna = snd.iss + 1;
        retransmitTimer.cancel();
        // The SYN-ACK's round trip is the passive side's first RTT sample (as the SYN's is the
        // active side's), so its RTO and tail loss probe start from a measurement, not 1 s.
        // Only from a SYN-ACK sent exactly once (Karn; none kept for a SYN cookie's).
        rtt.onSynAcked(synSends != 1);
        snd.setWindow(s.window << snd.sndWndScale, s.seq, s.ack);
    }

    private void onPeerSyn(Segment s) {
        negotiate(s.options.mss, s.options.windowScale, s.options.sackPermitted, s.options.timestamps,
                s.options.tsValue);
    }

    /**
     * The options the peer's SYN offered ({@code peerMss} 0 and {@code peerScale} -1: absent),
     * against ours: each of SACK, timestamps and scaling is on only if both sides offer it.
     */
    private void negotiate(int peerMss, int peerScale, boolean peerSack, boolean peerTimestamps, int peerTsValue) {
        peerOfferedScale = peerScale >= 0;
        // RFC 2018 / RFC 7323 3.2: each is on only if both SYNs carried it.
        boolean sack = settings.sack && peerSack;
        loss.negotiate(sack);
        rcv.sackPermitted = sack;
        rtt.negotiate(settings.timestamps && peerTimestamps, peerTsValue);
        int mss = peerMss > 0 ? peerMss : DEFAULT_MSS; // RFC 9293 3.7.1: 536 if absent
        snd.peerMss = mss;
        // The MSS counts no options (RFC 6691): every segment's timestamps come out of its data.
        snd.mss = Math.max(MIN_MSS, Math.min(mss, rcv.ourMss)) - (rtt.tsEnabled ? TcpHeader.TIMESTAMPS_LENGTH : 0);
        cc.onMssChanged(snd.mss);
        if (peerScale >= 0) {
            snd.sndWndScale = Math.min(14, peerScale); // RFC 7323 2.3: larger shifts are treated as 14
        } else {
            snd.sndWndScale = 0;
            rcv.rcvWndScale = 0; // both sides must offer scaling, or neither scales
        }
    }

    /**
     * Passive open from a SYN cookie (RFC 4987): the ACK {@code s} returned our cookie {@code iss};
     * the SYN we never kept is rebuilt from it, its MSS from the cookie, its window scale and
     * SACK-permitted from the echoed timestamp ({@code peerScale} -1 and {@code sack} false
     * without timestamps), and so whether ECN was granted ({@code ecnGranted}). The connection
     * then enters SYN-RECEIVED and takes {@code s} as the ACK of its SYN-ACK. No RTT sample: when
     * the SYN-ACK left is what was not kept.
     */
    void startFromCookie(Segment s, int iss, int peerMss, int peerScale, boolean sack, boolean ecnGranted) {
        int peerIsn = s.seq - 1;
        rcv.start(peerIsn);
        snd.start(iss);
        loss.start(iss);
        rcv.anchorSynWindow(); // what the cookie SYN-ACK offered (the same empty buffer)
        negotiate(peerMss, peerScale, sack, s.options.timestamps, s.options.tsValue);
        ecn.onCookie(ecnGranted);
        rtt.lastAckSent = rcv.rcvNxt; // the SYN-ACK acknowledged the SYN
        snd.sndWnd = s.window;
        snd.sndWl1 = peerIsn;
        snd.sndWl2 = s.ack;
    }

    /** Sends our SYN, or our SYN-ACK, and arms the retransmission timer for it. */
    void sendSynAndArm(boolean synAck) {
        sendSyn(synAck);
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
    }

    /** Sends our SYN (or SYN-ACK) again: the peer repeated its SYN, so ours was lost. */
    void sendSyn(boolean synAck) {
        // We offer window scaling in our SYN; in a SYN-ACK only if the peer offered it (RFC 7323 1.3).
        int scale = synAck ? (peerOfferedScale ? rcv.rcvWndScale : -1) : rcv.rcvWndScale;
        if (synSends++ == 0) {
            rtt.onFirstSynSent();
        }
        out.syn(snd.iss, synAck, rcv.ourMss, scale);
    }

    /**
     * The retransmission timer fired in SYN-SENT or SYN-RECEIVED: the SYN goes again with the
     * policy's backoff (RFC 6298 5.5), up to the stack's SYN retry limit.
     *
     * @return false once the retries are spent: the connection must give up
     */
    boolean onTimeout(boolean synAck) {
        TcpTrace.timer(snd, "retransmission");
        TcpTrace.reason(snd, RetransmitReason.SYN_TIMEOUT);
        synRetransmits++;
        if (synRetransmits > settings.synRetries) {
            counters.handshakeTimeouts.increment();
            return false;
        }
        rto.onTimeout(loop.now());
        counters.retransSegs.increment();
        if (!synAck) {
            ecn.onSynTimeout(); // RFC 3168 6.1.1.1: the next SYN without ECN setup
        }
        sendSynAndArm(synAck);
        return true;
    }

    /**
     * An ICMP error quoting our SYN (RFC 1122 4.2.3.9): a destination unreachable is hard during
     * the handshake and fails the connect (refused, or no route); other errors are soft.
     *
     * @return the connect's failure, or null if the error leaves it to retransmission
     */
    IOException icmpFailure(IcmpErrorInfo e, InetSocketAddress remote) {
        return switch (e.kind()) {
            case PROTOCOL_UNREACHABLE, PORT_UNREACHABLE, UNREACHABLE, PACKET_TOO_BIG -> e.kind().isRefusal()
                    ? new ConnectException("connection refused: " + remote + " (ICMP unreachable from " + e.reporter() + ")")
                    : new NoRouteToHostException("no route to " + remote + " (ICMP unreachable, code " + e.code()
                            + ", from " + e.reporter() + ")");
            default -> null;
        };
    }

    int synRetransmits() {
        return synRetransmits;
    }
}
