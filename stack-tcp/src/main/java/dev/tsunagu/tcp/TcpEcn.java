package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.wire.TcpHeader.CWR;
import static dev.tsunagu.tcp.wire.TcpHeader.ECE;

import dev.tsunagu.net.Ecn;
import dev.tsunagu.policy.CongestionControl;

/**
 * Explicit Congestion Notification on one connection (RFC 3168 6.1): every rule of it is here,
 * the three roles side by side.
 *
 * <pre>
 *   sender                     router                      receiver
 *   data, ECT(0) ───────────▶ congested: CE instead ──────▶ CE: ECE on every ACK
 *                                 of a drop                   from now on
 *   ECE: cwnd reduced ◀─────────────────────────────────── ACK, ECE
 *   (once per window)
 *   next new data, CWR ──────────────────────────────────▶ CWR: ECE stops
 * </pre>
 *
 * <ul>
 *   <li><b>Negotiation</b> (6.1.1): an ECN-setup SYN carries ECE and CWR, an ECN-setup SYN-ACK
 *       ECE alone (one with both is not one). Our SYN asks when the stack's {@code tcp.ecn} is
 *       {@code ON}; a peer's is granted unless it is {@code OFF}. A SYN sent again after a
 *       timeout goes without ECN (6.1.1.1: the first may have met a middlebox that drops
 *       ECN-setup SYNs), and the connection then does without it. A SYN cookie keeps the grant
 *       in the echoed timestamp ({@link SynCookies}), or, without timestamps, makes none.</li>
 *   <li><b>What is ECT</b> (6.1.1, 6.1.4–6.1.6): new data segments only, ECT(0). Never SYNs, pure
 *       ACKs, window probes, keepalives, RSTs, or retransmissions (which the sender knows by
 *       SND.MAX: go-back-N's resends are retransmissions too).</li>
 *   <li><b>Receiver</b> (6.1.3): a data segment that arrives CE (an acceptable one: 6.1.5 says
 *       to ignore the field on segments outside the window) makes every later segment that
 *       carries our ACK carry ECE, until a segment with CWR arrives; the first ACK of such an
 *       episode goes at once (as Linux's quick-ACK on CE). CWR is taken before CE, so a CE on
 *       the CWR segment itself starts a new episode.</li>
 *   <li><b>Sender</b> (6.1.2): an ACK with ECE tells the congestion control
 *       ({@link CongestionControl#onCongestionExperienced}), at most once per window of data:
 *       not while loss recovery runs and not for an ACK that does not pass the SND.MAX of the
 *       latest reduction (those echo marks the reduction already answered). Every reduction,
 *       a loss's too, sets CWR on the next new data segment (6.1.2: "for any reason").</li>
 * </ul>
 *
 * <p>Not done: RFC 3168 6.1.2's single-segment case (with cwnd at one segment, wait for the
 * timer before the next), which Linux does not do either; ECN nonces (RFC 3540, historic);
 * AccECN. Called by the {@link Handshake} (negotiation), the connection (each acceptable
 * segment and each ACK), {@link LossRecovery} (its reductions) and {@link TcpOutput} (flags and
 * codepoint of what leaves).
 */
final class TcpEcn {
    private final TcpSettings settings;
    private final TcpCounters counters;
    private final CongestionControl cc;
    private final AckScheduler acks;
    /** Our SYN asks for ECN; cleared when a SYN goes again without it. */
    private boolean requested;
    /** Both ends agreed: data is ECT, CE is echoed, ECE is answered. */
    boolean enabled;
    /** Receiver: a CE arrived and no CWR since. */
    private boolean echoing;
    /** Sender: the window came down; the next new data segment carries CWR. */
    private boolean cwrPending;
    /** Sender: ECE on ACKs up to {@link #reducedUntil} was answered by the latest reduction. */
    private boolean reduced;
    private int reducedUntil;

    TcpEcn(TcpSettings settings, TcpCounters counters, CongestionControl cc, AckScheduler acks) {
        this.settings = settings;
        this.counters = counters;
        this.cc = cc;
        this.acks = acks;
    }

    // =====================================================================================
    // Negotiation (6.1.1)
    // =====================================================================================

    /** Active open: whether our SYN asks is the stack's choice. */
    void startActive() {
        requested = settings.ecnRequest;
    }

    /** The ECN flags of our SYN: ECE and CWR when we ask. */
    int synFlags() {
        return requested ? ECE | CWR : 0;
    }

    /** The ECN flags of our SYN-ACK: ECE when we agreed to the peer's ECN-setup SYN. */
    int synAckFlags() {
        return enabled ? ECE : 0;
    }

    /** Our SYN timed out (6.1.1.1): it goes again without ECN, which this connection then does without. */
    void onSynTimeout() {
        if (requested) {
            requested = false;
            counters.ecnSynFallbacks.increment();
        }
    }

    /** Passive open: the peer's SYN {@code s}; an ECN-setup SYN (ECE and CWR) is granted unless ECN is off. */
    void onPeerSyn(Segment s) {
        agree(settings.ecnAccept && s.has(ECE) && s.has(CWR));
    }

    /** Active open: the SYN-ACK {@code s} of our SYN; an ECN-setup SYN-ACK has ECE without CWR. */
    void onSynAck(Segment s) {
        agree(requested && s.has(ECE) && !s.has(CWR));
    }

    /** Simultaneous open: the peer's SYN {@code s} crossed ours; ECN if both asked. */
    void onCrossingSyn(Segment s) {
        agree(requested && s.has(ECE) && s.has(CWR));
    }

    /** Passive open from a SYN cookie whose echoed timestamp says ECN was granted ({@code granted}). */
    void onCookie(boolean granted) {
        agree(granted && settings.ecnAccept);
    }

    private void agree(boolean on) {
        enabled = on;
        if (on) {
            counters.ecnConnections.increment();
        }
    }

    // =====================================================================================
    // Receiver (6.1.3)
    // =====================================================================================

    /**
     * An acceptable segment {@code s} (within the window, past PAWS): a CWR ends the echo; a data
     * segment marked CE starts one, with an ACK at once.
     */
    void onAcceptable(Segment s) {
        if (!enabled) {
            return;
        }
        if (s.has(CWR)) {
            echoing = false;
        }
        if (s.ecn == Ecn.CE && s.payloadLength > 0) {
            counters.ecnCeReceived.increment();
            if (!echoing) {
                echoing = true;
                acks.ackNow();
            }
        }
    }

    /** The flags every segment that carries our ACK adds: ECE while echoing. */
    int ackFlags() {
        return echoing ? ECE : 0;
    }

    // =====================================================================================
    // Sender (6.1.2)
    // =====================================================================================

    /** The IP ECN codepoint of a new data segment: ECT(0) when ECN is on. */
    int newDataCodepoint() {
        return enabled ? Ecn.ECT_0 : Ecn.NOT_ECT;
    }

    /** The flags a new data segment adds: CWR, once, after a reduction. */
    int newDataFlags() {
        if (cwrPending) {
            cwrPending = false;
            return CWR;
        }
        return 0;
    }

    /**
     * The window came down for a loss (fast retransmit, SACK recovery, a timeout) with data up
     * to {@code sndMax} sent: CWR goes on the next new data, and echoes for this window are
     * answered already.
     */
    void onWindowReduced(int sndMax) {
        if (enabled) {
            cwrPending = true;
            reduced = true;
            reducedUntil = sndMax;
        }
    }

    /**
     * After an ACK {@code s} has been processed (SND.UNA, loss detection): if it echoes ECE and
     * no reduction answered this window yet, the congestion control responds, from the flight
     * size that {@code loss} counts ({@link LossRecovery#flightSize}).
     */
    void onAck(Segment s, long now, LossRecovery loss, int sndMax) {
        if (!enabled || !s.has(ECE)) {
            return;
        }
        if (cc.inRecovery() || reduced && le(s.ack, reducedUntil)) {
            return;
        }
        cc.onCongestionExperienced(now, loss.flightSize());
        counters.ecnReductions.increment();
        onWindowReduced(sndMax);
    }
}
