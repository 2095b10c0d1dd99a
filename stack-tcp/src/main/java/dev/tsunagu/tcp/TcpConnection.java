package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.inRange;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpSegment.ACK;
import static dev.tsunagu.tcp.wire.TcpSegment.FIN;
import static dev.tsunagu.tcp.wire.TcpSegment.PSH;
import static dev.tsunagu.tcp.wire.TcpSegment.RST;
import static dev.tsunagu.tcp.wire.TcpSegment.SYN;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.policy.SendBufferingPolicy;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.tcp.buffer.ReceiveBuffer;
import dev.tsunagu.tcp.buffer.SendBuffer;
import dev.tsunagu.tcp.wire.TcpSegment;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection: its control block (RFC 9293 3.3.1) and the state machine that segment
 * arrivals, application calls and timers drive. Loop thread only.
 *
 * <p>Segment arrival follows RFC 9293 3.10.7 step by step (the steps are named in the code),
 * with RFC 5961's challenge ACKs for RSTs and SYNs that are not exactly right and its ACK
 * acceptability check. Sending ({@link #output}) cuts the send buffer into MSS-sized segments
 * from the front, within the smaller of the peer's window and the congestion window; a
 * partial segment leaves only when the send-buffering policy says so (Nagle by default), the
 * application pushes, or the FIN follows it. Retransmission is go-back-N from SND.UNA on a
 * timeout (with backoff from the retransmission policy and Karn's rule for RTT samples), and
 * NewReno fast retransmit / fast recovery on three duplicate ACKs.
 *
 * <p>Sequence numbers: data byte {@code i} of the send buffer has sequence number
 * {@code SND.UNA + i} once the SYN is acknowledged; {@code sndMax} is the highest sequence
 * number sent (after a timeout SND.NXT goes back to SND.UNA and climbs again).
 */
final class TcpConnection {
    private final TcpLayer layer;
    private final EventLoop loop;
    final int localIp;
    final int localPort;
    final int remoteIp;
    final int remotePort;
    /** Next connection in the same demultiplexing bucket (same remote address and ports, another local address). */
    TcpConnection nextInBucket;
    /** The listener that made us (passive open) until the application accepts us. */
    TcpListener listener;
    final boolean passive;
    TcpSocketImpl socket;

    TcpState state = TcpState.CLOSED;

    // ---- send sequence space ----
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
    /** Effective send MSS: the peer's, bounded by our MTU. */
    int mss;
    /** The MSS we advertise (route MTU − 40). */
    final int ourMss;
    final SendBuffer sendBuffer;
    /** The application has closed or shut down output: a FIN follows the buffered data. */
    boolean finQueued;
    boolean finSent;
    /** Sequence number of our FIN, once sent (valid while {@link #finSeqValid}). */
    int finSeq;
    boolean finSeqValid;
    /** Sequence number up to which the application asked for a push (valid while {@link #pushSet}). */
    int pushSeq;
    boolean pushSet;
    long oldestUnsentWrittenAt;
    /** When the bytes of each recent write were written, so a held partial segment's age is exact. */
    private final WriteMarks writeMarks = new WriteMarks();

    // ---- receive sequence space ----
    int irs;
    int rcvNxt;
    /** The right edge of the window last advertised (RCV.NXT + RCV.WND then); never moved left. */
    int rcvAdv;
    /** Shift applied to our window field (RFC 7323). */
    int rcvWndScale;
    final ReceiveBuffer receiveBuffer;
    boolean finReceived;
    /** Sequence number of a FIN that arrived ahead of data, or 0 with {@link #peerFinKnown} false. */
    int peerFinSeq;
    boolean peerFinKnown;

    // ---- policies ----
    final CongestionControl cc;
    final RetransmissionPolicy rto;
    SendBufferingPolicy buffering;
    boolean noDelay;
    boolean keepAlive;

    /** When data last left (for RFC 5681's restart after idle), valid once {@link #dataSent}. */
    long lastDataSentAt;
    boolean dataSent;

    // ---- RTT measurement (one segment at a time; Karn's rule) ----
    boolean timing;
    int timedSeq;
    long timedAt;

    // ---- loss recovery ----
    int dupAcks;
    int recover;
    /** SACK was negotiated (RFC 2018): the peer's SACK blocks drive recovery (RFC 6675), ours tell it of holes. */
    boolean sackEnabled;
    /** What the peer SACKed; allocated when SACK is negotiated. */
    SackScoreboard scoreboard;
    /** RFC 6675 HighRxt: the end of the highest byte retransmitted in this recovery. */
    int highRxt;
    /** SND.MAX when this round of retransmissions began: SACKs beyond it mean the round's first one was lost. */
    int rtxRoundMax;
    /**
     * RACK's reordering window, by sequence (RFC 8985 6, simplified): SACKed data that has sat
     * above a hole this long marks the hole lost, however little is SACKed. Made on first use.
     */
    Timer reorderTimer;
    /** The highest SACKed byte when {@link #reorderTimer} was armed. */
    int reorderEdge;
    /**
     * Tail loss probe (RFC 8985 7): one segment after ~2 SRTT without an ACK, to draw a SACK; in
     * recovery, the first hole again (a new round). Made on first use.
     */
    Timer probeTimer;
    boolean probeSent;
    /** Sequence number of the latest out-of-order data we took: its block goes first in our SACK option. */
    int lastOutOfOrderSeq;
    boolean lastOutOfOrderValid;

    // ---- Timestamps (RFC 7323) ----
    boolean tsEnabled;
    /** TS.Recent: the peer's timestamp we echo, and when it was set (for PAWS's 24-day rule). */
    int tsRecent;
    long tsRecentAt;
    /** Last.ACK.sent: the acknowledgment number of our latest segment. */
    int lastAckSent;
    /** A keyed per-connection offset of our timestamp clock (RFC 7323 5.4, as Linux's tsoffset). */
    final int tsOffset;
    /** An RTT sample from a timestamp echo is taken once per flight: when SND.UNA passes this. */
    int tsSampleGate;
    /** Our timestamp on the latest retransmission: an echo older than it times a copy whose ACK was lost. */
    int tsLastRetransmit;
    int synRetransmits;
    long persistBackoff;

    // ---- ACK policy ----
    boolean ackNow;
    int segmentsUnacked;
    long lastInvalidAckAt = Long.MIN_VALUE / 2;
    long lastReceivedAt;
    int keepaliveProbes;

    // ---- timers ----
    final Timer retransmitTimer;
    final Timer delayedAckTimer;
    final Timer persistTimer;
    final Timer holdTimer;
    Timer keepaliveTimer;
    Timer closeTimer;   // TIME_WAIT, FIN_WAIT_2 orphan, connect timeout

    // ---- application ----
    final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    final ArrayDeque<PendingWrite> pendingWrites = new ArrayDeque<>();
    CompletableFuture<TcpConnection> connectFuture;
    final CompletableFuture<Void> closeFuture = new CompletableFuture<>();
    /** Why the connection died, for every later call. */
    IOException error;
    /** The application closed its socket: nobody will read any more. */
    boolean orphaned;
    boolean deleted;

    record PendingRead(byte[] buffer, int offset, int length, CompletableFuture<Integer> future) {}

    static final class PendingWrite {
        final byte[] buffer;
        int offset;
        int remaining;
        final CompletableFuture<Void> future;

        PendingWrite(byte[] buffer, int offset, int length, CompletableFuture<Void> future) {
            this.buffer = buffer;
            this.offset = offset;
            this.remaining = length;
            this.future = future;
        }
    }

    TcpConnection(TcpLayer layer, boolean passive, int localIp, int localPort, int remoteIp, int remotePort,
                  TcpSocketOptions options) {
        this.layer = layer;
        this.loop = layer.loop();
        this.passive = passive;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        int mtu = layer.mtuFor(remoteIp);
        this.ourMss = Math.max(TcpLayer.MIN_MSS, (mtu > 0 ? mtu : 576) - 40);
        this.mss = Math.min(ourMss, TcpLayer.DEFAULT_MSS);
        this.sendBuffer = new SendBuffer(options.sendBuffer(), layer.rings);
        this.receiveBuffer = new ReceiveBuffer(options.receiveBuffer(), layer.maxOutOfOrder(), layer.rings);
        this.rcvWndScale = windowScaleFor(options.receiveBuffer());
        this.noDelay = options.noDelay();
        this.keepAlive = options.keepAlive();
        this.cc = layer.newCongestionControl(options.congestionControl(), ourMss);
        this.rto = layer.newRetransmissionPolicy(options.retransmission(), ourMss);
        this.buffering = layer.newSendBufferingPolicy(options.sendBuffering(), ourMss);
        this.retransmitTimer = loop.newTimer("tcp-rtx", this::onRetransmitTimeout);
        this.delayedAckTimer = loop.newTimer("tcp-delack", this::onDelayedAck);
        this.persistTimer = loop.newTimer("tcp-persist", this::onPersist);
        this.holdTimer = loop.newTimer("tcp-hold", this::output);
        this.tsOffset = layer.timestampOffset(localIp, localPort, remoteIp, remotePort);
    }

    /** The smallest shift that lets {@code buffer} bytes be advertised in 16 bits (RFC 7323 2.3: at most 14). */
    static int windowScaleFor(int buffer) {
        int shift = 0;
        while (shift < 14 && (buffer >>> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Active open (RFC 9293 3.10.1): send SYN, enter SYN-SENT. */
    void connect(int initialSequence, CompletableFuture<TcpConnection> future, long timeoutNanos) {
        iss = initialSequence;
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        recover = iss;
        state = TcpState.SYN_SENT;
        connectFuture = future;
        closeTimer = loop.newTimer("tcp-connect-timeout", () -> fail(new SocketTimeoutException(
                "connect to " + remote() + " timed out"), true));
        closeTimer.scheduleAfter(timeoutNanos);
        sendSyn(false);
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        layer.counters.activeOpens.increment();
    }

    /** Passive open: a SYN arrived at a listener (RFC 9293 3.10.7.2); answer SYN-ACK, enter SYN-RECEIVED. */
    void acceptSyn(Segment s, int initialSequence) {
        iss = initialSequence;
        irs = s.seq;
        rcvNxt = s.seq + 1;
        sndUna = iss;
        sndNxt = iss + 1;
        sndMax = sndNxt;
        recover = iss;
        peerOfferedScale = s.options.windowScale >= 0;
        negotiateOptions(s);
        sndWnd = s.window; // the window in a SYN is never scaled (RFC 7323 2.2)
        sndWl1 = s.seq;
        sndWl2 = s.ack;
        state = TcpState.SYN_RECEIVED;
        sendSyn(true);
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        layer.counters.passiveOpens.increment();
    }

    private void negotiateOptions(Segment s) {
        // RFC 2018 / RFC 7323 3.2: each is on only if both SYNs carried it.
        sackEnabled = layer.sackEnabled() && s.options.sackPermitted;
        if (sackEnabled && scoreboard == null) {
            scoreboard = new SackScoreboard();
        }
        tsEnabled = layer.timestampsEnabled() && s.options.timestamps;
        if (tsEnabled) {
            tsRecent = s.options.tsValue;
            tsRecentAt = loop.now();
            tsLastRetransmit = tsNow();
        }
        int peerMss = s.options.mss > 0 ? s.options.mss : TcpLayer.DEFAULT_MSS; // RFC 9293 3.7.1: 536 if absent
        // The MSS counts no options (RFC 6691): every segment's timestamps come out of its data.
        mss = Math.max(TcpLayer.MIN_MSS, Math.min(peerMss, ourMss)) - (tsEnabled ? TcpSegment.TIMESTAMPS_LENGTH : 0);
        cc.onMssChanged(mss);
        if (s.options.windowScale >= 0) {
            sndWndScale = Math.min(14, s.options.windowScale); // RFC 7323 2.3: larger shifts are treated as 14
        } else {
            sndWndScale = 0;
            rcvWndScale = 0; // both sides must offer scaling, or neither scales
        }
    }

    private void sendSyn(boolean withAck) {
        // The SYN's own window is unscaled (RFC 7323 2.2).
        int window = Math.min(receiveBuffer.window(), 0xFFFF);
        rcvAdv = rcvNxt + window;
        // We offer window scaling in our SYN; in a SYN-ACK only if the peer offered it (RFC 7323 1.3).
        int scale = withAck ? (peerOfferedScale ? rcvWndScale : -1) : rcvWndScale;
        if (!withAck && synRetransmits == 0) {
            synSentAt = loop.now();
        }
        layer.sendSegment(this, iss, withAck ? rcvNxt : 0, SYN | (withAck ? ACK : 0), window, ourMss, scale, null, 0, 0);
    }

    boolean peerOfferedScale;

    // =====================================================================================
    // Segment arrival (RFC 9293 3.10.7)
    // =====================================================================================

    void onSegment(Segment s) {
        lastReceivedAt = loop.now();
        keepaliveProbes = 0;
        if (state == TcpState.SYN_SENT) {
            synSent(s);
        } else {
            synchronizedStates(s);
        }
        if (!deleted) {
            output();
            flushAck();
        }
    }

    /** 3.10.7.3: SYN-SENT. */
    private void synSent(Segment s) {
        boolean ackOk = false;
        if (s.has(ACK)) {
            // First: an ACK of anything but our SYN is unacceptable.
            if (le(s.ack, iss) || gt(s.ack, sndMax)) {
                if (!s.has(RST)) {
                    layer.sendReset(localIp, localPort, remoteIp, remotePort, s.ack, 0, false);
                }
                return;
            }
            ackOk = true;
        }
        if (s.has(RST)) {
            // Second: a RST is believed only with an acceptable ACK.
            if (ackOk) {
                layer.counters.attemptFails.increment();
                fail(new ConnectException("connection refused: " + remote()), false);
            }
            return;
        }
        if (!s.has(SYN)) {
            return; // Fifth: neither SYN nor RST: drop
        }
        // Fourth: the SYN.
        irs = s.seq;
        rcvNxt = s.seq + 1;
        rcvAdv = rcvNxt + Math.min(receiveBuffer.window(), 0xFFFF); // what our SYN offered, now anchored
        peerOfferedScale = s.options.windowScale >= 0;
        negotiateOptions(s);
        if (ackOk) {
            sndUna = s.ack;
            sndNxt = SeqNum.max(sndNxt, sndUna);
        }
        if (gt(sndUna, iss)) {
            // Our SYN is acknowledged: ESTABLISHED. Karn: sample only an unretransmitted SYN.
            if (synRetransmits == 0) {
                rto.onRttSample(loop.now() - synSentAt);
            }
            rto.onNewDataAcked();
            retransmitTimer.cancel();
            sndWnd = s.window; // unscaled in a SYN
            sndMaxWnd = Math.max(sndMaxWnd, sndWnd);
            sndWl1 = s.seq;
            sndWl2 = s.ack;
            establish();
            ackNow = true;
            if (s.payloadLength > 0) {
                receiveText(s);
            }
            if (s.has(FIN)) {
                receiveFin(s.seq + 1 + s.payloadLength);
            }
        } else {
            // Simultaneous open (3.5, figure 8): SYN-RECEIVED, answer SYN-ACK.
            sndWnd = s.window;
            sndWl1 = s.seq;
            state = TcpState.SYN_RECEIVED;
            sendSyn(true);
        }
    }

    /** When our first SYN left (its RTT sample counts only if it was never retransmitted). */
    private long synSentAt;

    /** RFC 7323 5.5: PAWS does not trust a TS.Recent older than 24 days. */
    private static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    /** 3.10.7.4: every other state. */
    private void synchronizedStates(Segment s) {
        int segLen = s.length();
        int rcvWnd = Math.max(0, rcvAdv - rcvNxt);
        // RFC 7323 5.3 (PAWS): a timestamp older than TS.Recent marks an old duplicate: ACK it and drop it,
        // unless TS.Recent is over 24 days old (the peer's clock may have wrapped since).
        if (tsEnabled && s.options.timestamps && !s.has(RST) && lt(s.options.tsValue, tsRecent)
                && loop.now() - tsRecentAt < PAWS_IDLE_NANOS) {
            layer.counters.pawsRejected.increment();
            if (segLen > 0) {
                sendAck();
            } else {
                rateLimitedAck();
            }
            return;
        }
        // First: sequence acceptability (the table in 3.10.7.4).
        boolean acceptable;
        if (segLen == 0) {
            acceptable = rcvWnd == 0 ? s.seq == rcvNxt : inRange(s.seq, rcvNxt, rcvNxt + rcvWnd);
        } else {
            acceptable = rcvWnd != 0 && (inRange(s.seq, rcvNxt, rcvNxt + rcvWnd)
                    || inRange(s.seq + segLen - 1, rcvNxt, rcvNxt + rcvWnd));
        }
        if (!acceptable) {
            if (s.has(RST)) {
                return; // an unacceptable RST is dropped silently
            }
            if (rcvWnd == 0 && s.seq == rcvNxt) {
                // A zero-window probe: acknowledge at once, not accepting its byte (RFC 9293 3.8.6.1).
                layer.counters.zeroWindowProbesAcked.increment();
                sendAck();
                return;
            }
            if (state == TcpState.TIME_WAIT && s.has(FIN)) {
                sendAck(); // a retransmitted FIN: acknowledge it and restart 2 MSL
                restartTimeWait();
                return;
            }
            layer.counters.outOfWindow.increment();
            if (s.has(SYN)) {
                challengeAck(); // RFC 5961 4.2: a SYN draws a challenge ACK whatever its sequence number
            } else if (segLen == 0) {
                rateLimitedAck(); // a bare ACK out of window might be half of an ACK loop: limit
            } else {
                sendAck();        // old or early data: the sender must learn where we are, always
            }
            return;
        }
        // RFC 7323 4.3: remember the timestamp to echo, from a segment that is not ahead of our ACK.
        if (tsEnabled && s.options.timestamps && ge(s.options.tsValue, tsRecent) && le(s.seq, lastAckSent)) {
            tsRecent = s.options.tsValue;
            tsRecentAt = loop.now();
        }
        // Second: RST (RFC 5961 3.2: only an exact match resets; in-window draws a challenge).
        if (s.has(RST)) {
            if (s.seq != rcvNxt) {
                challengeAck();
                return;
            }
            onReset();
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 4.2): challenge ACK.
        if (s.has(SYN)) {
            if (state == TcpState.SYN_RECEIVED && s.seq == irs) {
                sendSyn(true); // our SYN-ACK was lost: the peer repeats its SYN (with data)
                return;
            }
            if (state == TcpState.SYN_RECEIVED && passive) {
                // 3.10.7.4, fourth: a passive open returns to LISTEN (the half-open connection
                // is forgotten; the listener still listens). RFC 5961 covers synchronized states.
                delete();
                return;
            }
            challengeAck();
            return;
        }
        // Fifth: no ACK bit, no processing.
        if (!s.has(ACK)) {
            layer.counters.dropNoAck.increment();
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (gt(s.ack, sndUna) && le(s.ack, sndMax)) {
                sndUna = iss + 1; // our SYN is acknowledged; data acknowledged with it follows below
                retransmitTimer.cancel();
                rto.onNewDataAcked();
                sndWnd = s.window << sndWndScale;
                sndMaxWnd = Math.max(sndMaxWnd, sndWnd);
                sndWl1 = s.seq;
                sndWl2 = s.ack;
                establish();
            } else {
                // An ACK of ISS, or of ISS+2 and beyond: <SEQ=SEG.ACK><CTL=RST> (3.10.7.4, fifth).
                layer.sendReset(localIp, localPort, remoteIp, remotePort, s.ack, 0, false);
                return;
            }
        }
        // RFC 5961 5.2: SND.UNA − MAX.SND.WND ≤ SEG.ACK ≤ SND.NXT, else ACK and drop.
        if (gt(s.ack, sndMax) || lt(s.ack, sndUna - Math.max(sndMaxWnd, 1))) {
            layer.counters.badAcks.increment();
            rateLimitedAck();
            return;
        }
        processAck(s);
        if (deleted || state == TcpState.TIME_WAIT && s.payloadLength == 0 && !s.has(FIN)) {
            return;
        }
        // Seventh: segment text.
        if (s.payloadLength > 0) {
            if (state.canReceiveData() || state == TcpState.SYN_RECEIVED) {
                if (orphaned) {
                    // Nobody will read it (RFC 1122 4.2.2.13 spirit, as Linux does): reset.
                    abortWithReset(new SocketException("data arrived after close"));
                    return;
                }
                receiveText(s);
            }
            // else: after the peer's FIN, "this should not occur... ignore the segment text" (3.10.7.4, seventh)
        }
        // Eighth: FIN.
        if (s.has(FIN)) {
            receiveFin(s.seq + s.payloadLength);
        }
    }

    /** Second step, an acceptable RST: how each state dies. */
    private void onReset() {
        layer.counters.inRsts.increment();
        switch (state) {
            case SYN_RECEIVED -> {
                if (passive) {
                    delete(); // back to LISTEN: the listener simply forgets us (3.10.7.4)
                } else {
                    fail(new ConnectException("connection refused: " + remote()), false);
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> {
                layer.counters.estabResets.increment();
                fail(new SocketException("connection reset by peer " + remote()), false);
            }
            default -> delete(); // CLOSING, LAST-ACK, TIME-WAIT
        }
    }

    private void establish() {
        state = TcpState.ESTABLISHED;
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        armKeepalive();
        if (passive) {
            if (listener != null) {
                listener.established(this);
            }
        } else if (connectFuture != null) {
            CompletableFuture<TcpConnection> f = connectFuture;
            connectFuture = null;
            f.complete(this);
        }
    }

    /**
     * Fifth step, ACK processing (3.10.7.4): the cumulative ACK, RTT sampling (RFC 6298, and RFC
     * 7323 timestamps when Karn's rule leaves no timed segment), and loss detection — RFC 6675's
     * SACK-based recovery when SACK was negotiated, NewReno (RFC 6582) otherwise.
     */
    private void processAck(Segment s) {
        int ack = s.ack;
        long now = loop.now();
        boolean advanced = gt(ack, sndUna);
        int newlySacked = sackEnabled ? updateScoreboard(s, advanced ? ack : sndUna) : 0;
        if (advanced) {
            int acked = ack - sndUna;
            int dataAcked = acked;
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
            long sample = -1;
            if (timing && gt(ack, timedSeq)) {
                sample = now - timedAt;
                timing = false;
            } else if (!timing && tsEnabled && s.options.timestamps && s.options.tsEcho != 0 && ge(ack, tsSampleGate)
                    && ge(s.options.tsEcho, tsLastRetransmit)) {
                // RFC 7323 4.1: the echo times the segment that drew this ACK, retransmitted or not.
                // Not an echo from before our latest retransmission: that copy's own ACK was lost,
                // and its "RTT" would hold a whole timeout (which would then feed the next one).
                int ms = tsNow() - s.options.tsEcho;
                if (ms >= 0 && ms < 3_600_000) {
                    sample = ms * 1_000_000L;
                    tsLastRetransmit = s.options.tsEcho; // keeps the mark near the clock (no wrap)
                }
            }
            if (sample >= 0) {
                rto.onRttSample(sample);
                tsSampleGate = sndMax;
            }
            rto.onNewDataAcked();
            long inFlight = sndMax - sndUna;
            if (cc.inRecovery()) {
                if (ge(ack, recover)) {
                    cc.onRecoveryEnd(now);
                    dupAcks = 0;
                } else if (!sackEnabled) {
                    // A partial ACK (RFC 6582 3.2 step 5): the next hole is lost too; resend it now.
                    cc.onPartialAck(now, acked, inFlight);
                    retransmitFirst();
                }
                // With SACK, output() sends what RFC 6675's NextSeg picks against the pipe.
            } else {
                dupAcks = 0;
                cc.onAck(now, acked, sample, inFlight);
            }
            if (sndUna == sndMax) {
                retransmitTimer.cancel();
            } else {
                retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
            }
            if (sendBuffer.length() == 0) {
                sendBuffer.trim();
            }
            serveWrites();
            if (finAcked) {
                onFinAcked();
            }
        } else if (ack == sndUna && sndUna != sndMax && (sackEnabled ? newlySacked > 0
                : s.payloadLength == 0 && !s.has(SYN) && !s.has(FIN)
                && (s.window << sndWndScale) == sndWnd && sndWnd != 0)) {
            // A duplicate ACK (RFC 5681 2; with SACK, RFC 6675 2: one that SACKs new data, which
            // a window probe's answer never does). Three start fast retransmit.
            dupAcks++;
            layer.counters.dupAcks.increment();
            long inFlight = sndMax - sndUna;
            cc.onDuplicateAck(now, dupAcks, inFlight);
            // RFC 6582 3.2 step 1: only if the ACK covers more than "recover" (no second
            // fast retransmit for the same window of data).
            if (!sackEnabled && dupAcks == 3 && !cc.inRecovery() && gt(ack, recover)) {
                recover = sndMax;
                cc.onFastRetransmit(now, inFlight);
                layer.counters.fastRetransmits.increment();
                retransmitFirst();
            }
        }
        // RFC 6675 5 (2), and IsLost(SND.UNA): enough SACKed above the first hole starts recovery too.
        if (sackEnabled && !cc.inRecovery() && !scoreboard.isEmpty() && ge(sndUna, recover)
                && (dupAcks >= SackScoreboard.DUP_THRESH || scoreboard.holeLost(scoreboard.left(0), mss))) {
            enterSackRecovery(now);
        }
        if (sackEnabled) {
            if (advanced) {
                probeSent = false;
            }
            if (!scoreboard.isEmpty() && (reorderTimer == null || !reorderTimer.isPending())) {
                armReorderTimer();
            }
            if (sndUna != sndMax) {
                armProbe();
            }
        }
        // Window update (3.10.7.4): only from a segment newer than the last one that set it.
        if (lt(sndWl1, s.seq) || (sndWl1 == s.seq && le(sndWl2, ack))) {
            sndWnd = s.window << sndWndScale;
            sndMaxWnd = Math.max(sndMaxWnd, sndWnd);
            sndWl1 = s.seq;
            sndWl2 = ack;
            if (sndWnd > 0) {
                persistTimer.cancel();
                persistBackoff = 0;
            }
        }
    }

    /**
     * Takes the SACK blocks of an ACK whose cumulative point is {@code una} into the scoreboard.
     *
     * @return how many bytes they SACKed that were not SACKed before
     */
    private int updateScoreboard(Segment s, int una) {
        scoreboard.advance(una);
        if (gt(una, sndUna) && scoreboard.startsAt(una)) {
            // The peer acknowledged up to data it had SACKed, and no further: it dropped what it
            // SACKed (reneging, RFC 2018 8). Trust nothing it SACKed before.
            scoreboard.clear();
        }
        int newly = 0;
        for (int i = 0; i < s.options.sackCount; i++) {
            newly += scoreboard.add(s.options.sackBlocks[2 * i], s.options.sackBlocks[2 * i + 1], una, sndMax);
        }
        return newly;
    }

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
     * they are lost, not reordered. In recovery, if the data SACKed was sent after this round of
     * retransmissions began while the first hole is still missing, its retransmission was lost
     * too: a new round starts there (RACK finds lost retransmissions the same way, by time).
     */
    private void onReorderTimeout() {
        if (deleted || !sackEnabled || scoreboard.isEmpty() || !canTransmit()) {
            return;
        }
        scoreboard.markLostBelow(reorderEdge);
        if (cc.inRecovery()) {
            if (lt(sndUna, highRxt) && gt(reorderEdge, rtxRoundMax)) {
                highRxt = sndUna;
                rtxRoundMax = sndMax;
                layer.counters.lostRetransmits.increment();
            }
        } else if (ge(sndUna, recover)) {
            enterSackRecovery(loop.now());
        }
        output();
        if (!scoreboard.isEmpty() && gt(scoreboard.highest(), reorderEdge)) {
            armReorderTimer(); // more was SACKed meanwhile
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
        if (sndMax - sndUna <= mss) {
            pto = Math.max(pto, srtt * 3 / 2 + 200_000_000L);
        }
        if (pto >= rto.currentTimeoutNanos()) {
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
        if (deleted || !canTransmit() || sndUna == sndMax || probeSent || lt(sndNxt, sndMax)) {
            return;
        }
        probeSent = true;
        layer.counters.tailLossProbes.increment();
        if (cc.inRecovery()) {
            // Recovery has gone quiet for two round trips: what it sent last (the retransmissions
            // and the new data after them) is lost too. Start a new round at the first hole
            // rather than wait for the retransmission timeout.
            highRxt = sndUna;
            rtxRoundMax = sndMax;
            retransmitRange(sndUna, scoreboard.nextSackedAfter(sndUna, sndMax));
            return;
        }
        int offset = dataOffset(sndNxt);
        int unsent = sendBuffer.length() - offset;
        if (unsent > 0 && (long) (sndNxt - sndUna) + Math.min(mss, unsent) <= sndWnd) {
            int len = Math.min(mss, unsent);
            sendData(offset, len, finQueued && len == unsent);
            return;
        }
        // The last segment sent: never past SND.MAX, or the peer would acknowledge bytes we
        // do not count as sent.
        boolean fin = finSent && finSeqValid && finSeq + 1 == sndMax;
        int sentEnd = fin ? finSeq : sndMax;
        int len = Math.min(mss, Math.min(sentEnd - sndUna, sendBuffer.length()));
        if (len <= 0 && !fin) {
            return;
        }
        len = Math.max(len, 0);
        resend(sentEnd - len, len, fin);
    }

    private void cancelLossTimers() {
        if (reorderTimer != null) {
            reorderTimer.cancel();
        }
        if (probeTimer != null) {
            probeTimer.cancel();
        }
    }

    /** RFC 6675 5 (4): enter loss recovery and resend the first hole. */
    private void enterSackRecovery(long now) {
        recover = sndMax;
        rtxRoundMax = sndMax;
        cc.onFastRetransmit(now, sndMax - sndUna);
        layer.counters.fastRetransmits.increment();
        layer.counters.sackRecoveries.increment();
        highRxt = sndUna;
        timing = false; // the timed segment's ACK now waits for the holes: not an RTT
        retransmitRange(sndUna, scoreboard.nextSackedAfter(sndUna, sndMax));
    }

    private void onFinAcked() {
        switch (state) {
            case FIN_WAIT_1 -> {
                state = TcpState.FIN_WAIT_2;
                if (orphaned) {
                    armCloseTimer(layer.finWait2Timeout(), "fin-wait-2");
                }
            }
            case CLOSING -> enterTimeWait();
            case LAST_ACK -> delete();
            default -> {
            }
        }
    }

    /** Seventh step: text. Out-of-order bytes are kept in the receive buffer, in place. */
    private void receiveText(Segment s) {
        int dataSeq = s.seq + (s.has(SYN) ? 1 : 0);
        int offset = dataSeq - rcvNxt;
        int skip = 0;
        if (offset < 0) {
            skip = -offset;
            offset = 0;
        }
        int len = s.payloadLength - skip;
        if (len <= 0) {
            ackNow = true; // all duplicate: tell the sender at once (RFC 5681 4.2)
            layer.counters.duplicateData.increment();
            return;
        }
        int advanced = receiveBuffer.insert(offset, s.buffer.array(), s.payloadOffset + skip, len);
        if (receiveBuffer.refusedLast()) {
            layer.counters.outOfOrderDrops.increment();
        }
        rcvNxt += advanced;
        if (offset > 0 && !receiveBuffer.refusedLast()) {
            lastOutOfOrderSeq = rcvNxt + offset; // its block leads our next SACK option (RFC 2018 4)
            lastOutOfOrderValid = true;
        }
        if (offset > 0 || receiveBuffer.hasOutOfOrder() || advanced != len) {
            // Out of order, filling a hole (it advanced past itself), or cut at the window:
            // ACK at once (RFC 5681 4.2).
            ackNow = true;
            if (offset > 0) {
                layer.counters.outOfOrderSegments.increment();
            }
        } else {
            // RFC 1122 4.2.3.2 / RFC 5681 4.2: ACK at least every second full-sized segment.
            segmentsUnacked += len >= mss ? 2 : 1;
            if (segmentsUnacked >= 4) {
                ackNow = true;
            } else if (!delayedAckTimer.isPending()) {
                delayedAckTimer.scheduleAfter(layer.delayedAckNanos());
            }
        }
        if (peerFinKnown && rcvNxt == peerFinSeq) {
            receiveFin(peerFinSeq);
        }
        if (advanced > 0) {
            // After the ACK decision: a waiting read that opens the window sends the one ACK
            // (with the new window), instead of a window update and then the same ACK again.
            serveReads();
        }
    }

    /** Eighth step: FIN at {@code finAt} (its sequence number). */
    private void receiveFin(int finAt) {
        if (lt(finAt, rcvNxt)) {
            ackNow = true; // a retransmitted FIN we already have
            if (state == TcpState.TIME_WAIT) {
                restartTimeWait();
            }
            return;
        }
        if (finAt != rcvNxt) {
            peerFinSeq = finAt; // ahead of missing data: remember it
            peerFinKnown = true;
            ackNow = true;
            return;
        }
        if (finReceived) {
            return;
        }
        rcvNxt++;
        finReceived = true;
        peerFinKnown = false;
        ackNow = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (finSent && ge(sndUna, finSeq + 1)) {
                    enterTimeWait();
                } else {
                    state = TcpState.CLOSING; // simultaneous close
                }
            }
            case FIN_WAIT_2 -> enterTimeWait();
            default -> {
            }
        }
        serveReads(); // end of stream for waiting readers
    }

    // =====================================================================================
    // Sending
    // =====================================================================================

    /** Sends whatever the windows, the send-buffering policy and the state allow. */
    void output() {
        if (deleted || !canTransmit()) {
            return;
        }
        if (sackEnabled && cc.inRecovery()) {
            sackRecoveryOutput();
            return;
        }
        while (true) {
            if (sackEnabled && lt(sndNxt, sndMax) && !scoreboard.isEmpty()) {
                // Going back after a timeout: what the peer SACKed need not go again.
                int skipped = scoreboard.skipSacked(sndNxt);
                if (skipped != sndNxt) {
                    sndNxt = skipped;
                    continue;
                }
            }
            long inFlight = (long) (sndNxt - sndUna);
            if (sackEnabled && lt(sndNxt, sndMax) && !scoreboard.isEmpty()) {
                // Going back after a timeout, what was SACKed is skipped, so it is not in flight.
                inFlight -= scoreboard.sackedBetween(sndUna, sndNxt);
            }
            long cwnd = cc.congestionWindow();
            if (dupAcks > 0 && !cc.inRecovery() && sndNxt == sndMax) {
                // Limited transmit (RFC 3042): each of the first two duplicate ACKs lets one new
                // segment out, so a small window still gets the three it needs for fast retransmit.
                cwnd += (long) Math.min(dupAcks, 2) * mss;
            }
            long usable = Math.min(cwnd - inFlight, (long) sndWnd - (sndNxt - sndUna));
            if (!sendNext(usable, inFlight)) {
                break;
            }
        }
    }

    /**
     * RFC 6675 5 (C): while the congestion window has room above the pipe, send what NextSeg
     * picks — a lost hole, else new data, else a hole not yet known lost. The window in
     * recovery is ssthresh (RFC 6675 keeps cwnd = ssthresh; NewReno's inflation is not needed
     * when the pipe is counted).
     */
    private void sackRecoveryOutput() {
        long window = Math.min(cc.congestionWindow(), cc.slowStartThreshold());
        if (lt(highRxt, sndUna)) {
            highRxt = sndUna;
        }
        long pipe = scoreboard.pipe(sndUna, sndMax, highRxt, mss);
        while (window - pipe >= mss) {
            int sent;
            if (scoreboard.findHole(highRxt, true, mss, sndUna)) {
                sent = retransmitRange(scoreboard.holeStart, scoreboard.holeEnd);
            } else if (sendBuffer.length() - dataOffset(sndNxt) > 0 || finQueued && !finSentAt(sndNxt)) {
                int before = sndNxt;
                sendNext(Math.min(window - pipe, (long) sndWnd - (sndNxt - sndUna)), pipe);
                sent = sndNxt - before; // 0: the window or the policy held it
            } else if (scoreboard.findHole(highRxt, false, mss, sndUna)) {
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
     * Sends one segment at SND.NXT if the usable window, silly-window avoidance and the
     * send-buffering policy allow.
     *
     * @return whether one was sent and another may follow
     */
    private boolean sendNext(long usable, long inFlight) {
        int offset = dataOffset(sndNxt);
        int unsent = sendBuffer.length() - offset;
        boolean finPending = finQueued && !finSentAt(sndNxt);
        if (unsent <= 0 && !finPending) {
            return false;
        }
        int len = Math.min(mss, Math.max(unsent, 0));
        if (sackEnabled && lt(sndNxt, sndMax) && !scoreboard.isEmpty()) {
            len = Math.min(len, scoreboard.nextSackedAfter(sndNxt, sndMax) - sndNxt);
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
            if (!noDelay) { // TCP_NODELAY: partial segments leave at once
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
     * Retransmits up to one MSS of {@code [seq, end)} (a hole the scoreboard found) in recovery,
     * moving HighRxt past it.
     *
     * @return the bytes sent
     */
    private int retransmitRange(int seq, int end) {
        int dataEnd = sndUna + sendBuffer.length();
        int len = Math.min(mss, Math.min(end - seq, dataEnd - seq));
        if (len <= 0) {
            return 0;
        }
        resend(seq, len, false);
        highRxt = seq + len;
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
        return len;
    }

    private boolean canTransmit() {
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /** Offset in the send buffer of sequence number {@code seq} (data starts after our SYN). */
    private int dataOffset(int seq) {
        return seq - sndUna;
    }

    private boolean finSentAt(int seq) {
        return finSent && SeqNum.gt(seq, finSeq);
    }

    private boolean pushed(int endOffset) {
        return pushSet && le(sndUna + endOffset, pushSeq);
    }

    /** Sends {@code len} bytes from send-buffer offset {@code offset} (and FIN after them if asked), at SND.NXT. */
    private void sendData(int offset, int len, boolean fin) {
        int seq = sndNxt;
        boolean retransmission = lt(seq, sndMax);
        long now = loop.now();
        if (!retransmission && len > 0 && sndUna == sndMax && dataSent
                && now - lastDataSentAt > rto.currentTimeoutNanos()) {
            // RFC 5681 4.1: after an idle period longer than the RTO the ACK clock is gone;
            // restart from (at most) the initial window rather than burst a stale cwnd.
            cc.onIdleRestart(now);
        }
        if (len > 0) {
            lastDataSentAt = now;
            dataSent = true;
        }
        int flags = ACK | (fin ? FIN : 0) | (len > 0 && offset + len == sendBuffer.length() ? PSH : 0);
        layer.sendSegment(this, seq, rcvNxt, flags, advertiseWindow(), 0, -1, sendBuffer, offset, len);
        onAckSent();
        sndNxt = seq + len + (fin ? 1 : 0);
        if (gt(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        if (fin) {
            finSent = true;
            finSeq = seq + len;
            finSeqValid = true;
        }
        if (retransmission) {
            tsLastRetransmit = tsNow();
            layer.counters.retransSegs.increment();
        } else if (!timing && len > 0 && !cc.inRecovery()) {
            // (Not in recovery: this segment's ACK would wait for the holes before it.)
            timing = true;
            timedSeq = seq;
            timedAt = loop.now();
        }
        cc.onSent(loop.now(), len, sndMax - sndUna);
        if (sackEnabled && !retransmission && len > 0 && (probeTimer == null || !probeTimer.isPending())) {
            armProbe();
        }
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
    }

    /**
     * Retransmits one segment from SND.UNA (fast retransmit, partial ACK, timeout with a closed
     * window): never more than was sent before, so SND.MAX stays the highest byte the peer can
     * acknowledge.
     */
    private void retransmitFirst() {
        int sentBefore = sndMax - sndUna - (finSeqValid ? 1 : 0);
        int len = Math.min(mss, Math.min(sentBefore, sendBuffer.length()));
        if (sackEnabled && !scoreboard.isEmpty()) {
            len = Math.min(len, scoreboard.nextSackedAfter(sndUna, sndMax) - sndUna);
        }
        boolean fin = finSeqValid && finSeq == sndUna + len;
        if (len == 0 && !fin) {
            return;
        }
        resend(sndUna, len, fin);
        retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
    }

    /**
     * Sends {@code len} bytes at {@code seq} again (and our FIN after them if {@code fin}): every
     * retransmission outside go-back-N (fast retransmit, SACK recovery, probes) goes through here.
     */
    private void resend(int seq, int len, boolean fin) {
        layer.sendSegment(this, seq, rcvNxt, ACK | (fin ? FIN : 0), advertiseWindow(), 0, -1, sendBuffer, seq - sndUna,
                len);
        onAckSent();
        layer.counters.retransSegs.increment();
        tsLastRetransmit = tsNow(); // an echo older than this times a copy whose ACK was lost
        timing = false;             // Karn: no RTT sample across a retransmission
    }

    /** Our timestamp clock (RFC 7323 5.4): milliseconds, offset per connection. */
    int tsNow() {
        return (int) Math.floorDiv(loop.now(), 1_000_000L) + tsOffset;
    }

    /**
     * Fills in the options of a segment we are about to send with {@code flags}, acknowledging
     * {@code ack}, carrying {@code len} bytes of data; the MSS and window scale of a SYN are
     * already there. The layer calls this for every segment but RSTs.
     */
    void writeOptions(TcpSegment.Options o, int flags, int ack, int len) {
        if ((flags & SYN) != 0) {
            // Our SYN offers what the stack allows; a SYN-ACK answers what the peer offered.
            boolean synAck = (flags & ACK) != 0;
            o.sackPermitted = synAck ? sackEnabled : layer.sackEnabled();
            o.timestamps = synAck ? tsEnabled : layer.timestampsEnabled();
            if (o.timestamps) {
                o.tsValue = tsNow();
                o.tsEcho = synAck ? tsRecent : 0;
            }
            if (synAck) {
                lastAckSent = ack;
            }
            return;
        }
        if (tsEnabled) {
            o.timestamps = true;
            o.tsValue = tsNow();
            o.tsEcho = tsRecent;
        }
        if ((flags & ACK) != 0) {
            lastAckSent = ack;
            if (sackEnabled && receiveBuffer.hasOutOfOrder()) {
                writeSackBlocks(o, len);
            }
        }
    }

    /**
     * Our SACK option (RFC 2018 4): the block holding the latest out-of-order arrival first, then
     * the others from the highest down, as many as fit beside the data.
     */
    private void writeSackBlocks(TcpSegment.Options o, int len) {
        int max = tsEnabled ? TcpSegment.MAX_SACK_BLOCKS - 1 : TcpSegment.MAX_SACK_BLOCKS;
        if (len > 0) {
            max = Math.min(max, (mss - len - 4) / 8); // the options come out of the segment's MSS
        }
        int n = receiveBuffer.outOfOrderRanges();
        if (max <= 0 || n == 0) {
            return;
        }
        int first = -1;
        if (lastOutOfOrderValid) {
            int at = lastOutOfOrderSeq - rcvNxt;
            for (int i = 0; i < n && at > 0; i++) {
                if (receiveBuffer.rangeStart(i) <= at && at < receiveBuffer.rangeEnd(i)) {
                    first = i;
                    break;
                }
            }
        }
        int k = 0;
        if (first >= 0) {
            o.sackBlocks[0] = rcvNxt + receiveBuffer.rangeStart(first);
            o.sackBlocks[1] = rcvNxt + receiveBuffer.rangeEnd(first);
            k = 1;
        }
        for (int i = n - 1; i >= 0 && k < max; i--) {
            if (i != first) {
                o.sackBlocks[2 * k] = rcvNxt + receiveBuffer.rangeStart(i);
                o.sackBlocks[2 * k + 1] = rcvNxt + receiveBuffer.rangeEnd(i);
                k++;
            }
        }
        o.sackCount = k;
    }

    /** The window to put in an outgoing segment, with receiver silly-window avoidance (RFC 1122 4.2.3.3). */
    private int advertiseWindow() {
        int free = advertisableWindow();
        int current = rcvAdv - rcvNxt;
        int window;
        if (free - current < Math.min(ourMss, receiveBuffer.capacity() / 2) && current >= 0 && free >= current) {
            window = current; // not worth moving the right edge yet
        } else {
            window = Math.max(free, Math.max(current, 0)); // never shrink the window (RFC 9293 3.8.6)
        }
        int field = Math.min(window >>> rcvWndScale, 0xFFFF);
        rcvAdv = rcvNxt + (field << rcvWndScale);
        return field;
    }

    /** The ACK we owe, now, if it is due ({@link #ackNow}); a data segment carries it otherwise. */
    void flushAck() {
        if (ackNow && !deleted) {
            sendAck();
        }
    }

    void sendAck() {
        if (deleted || state == TcpState.SYN_SENT || state == TcpState.CLOSED) {
            return;
        }
        // SND.MAX, not SND.NXT: after a timeout pulled SND.NXT back, the peer may already hold
        // those bytes and would discard an ACK numbered before them (Linux: tcp_acceptable_seq).
        layer.sendSegment(this, sndMax, rcvNxt, ACK, advertiseWindow(), 0, -1, null, 0, 0);
        onAckSent();
    }

    private void onAckSent() {
        ackNow = false;
        segmentsUnacked = 0;
        delayedAckTimer.cancel();
    }

    /** An ACK for an unacceptable segment, at most one per interval per connection (Linux tcp_invalid_ratelimit). */
    private void rateLimitedAck() {
        long now = loop.now();
        if (now - lastInvalidAckAt < layer.invalidAckIntervalNanos()) {
            layer.counters.ackRateLimited.increment();
            return;
        }
        lastInvalidAckAt = now;
        sendAck();
    }

    /** RFC 5961 challenge ACK: stack-wide and per-connection limits. */
    private void challengeAck() {
        long now = loop.now();
        // The connection's own limit first, so a throttled connection does not drain the
        // stack-wide budget (as Linux orders the two).
        if (now - lastInvalidAckAt < layer.invalidAckIntervalNanos() || !layer.takeChallengeAck(now)) {
            layer.counters.challengeAcksLimited.increment();
            return;
        }
        lastInvalidAckAt = now;
        layer.counters.challengeAcks.increment();
        sendAck();
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    private void onRetransmitTimeout() {
        if (deleted) {
            return;
        }
        long now = loop.now();
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            synRetransmits++;
            if (synRetransmits > layer.synRetries()) {
                if (state == TcpState.SYN_SENT) {
                    layer.counters.attemptFails.increment();
                    fail(new SocketTimeoutException("connect to " + remote() + " timed out: no answer to "
                            + synRetransmits + " SYNs"), false);
                } else {
                    delete();
                }
                return;
            }
            rto.onTimeout(now);
            layer.counters.retransSegs.increment();
            sendSyn(state == TcpState.SYN_RECEIVED);
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
            return;
        }
        if (sndUna == sndMax) {
            return; // nothing outstanding
        }
        if (sndWnd == 0 && sndMax - sndUna <= 1 && sndNxt == sndUna) {
            // Only a window probe's byte is out: the persist timer owns this connection, and a
            // peer that answers probes keeps it open for as long as it likes (RFC 1122 4.2.2.17).
            if (!persistTimer.isPending()) {
                armPersist();
            }
            return;
        }
        if (!rto.onTimeout(now)) {
            layer.counters.timeouts.increment();
            abortWithReset(new SocketTimeoutException("connection to " + remote() + " timed out: no ACK after "
                    + rto.consecutiveTimeouts() + " retransmissions"));
            return;
        }
        layer.counters.timeouts.increment();
        cc.onRetransmissionTimeout(now, sndMax - sndUna);
        if (sackEnabled && rto.consecutiveTimeouts() > 1) {
            scoreboard.clear();   // timed out twice: the peer may have dropped what it SACKed (RFC 2018 8)
        }
        highRxt = sndUna;
        timing = false;           // Karn
        recover = sndMax;         // RFC 6582 4.1: no fast retransmit for data sent before the timeout
        dupAcks = 0;
        sndNxt = sndUna;          // go back N
        if (finSent && lt(sndNxt, finSeq + 1)) {
            finSent = false;      // the FIN goes again after the data
        }
        output();
        if (sndNxt == sndUna) {
            retransmitFirst();    // the window is closed or the policy holds: resend the head anyway
        }
        if (!retransmitTimer.isPending()) {
            retransmitTimer.scheduleAfter(rto.currentTimeoutNanos());
        }
    }

    private void onDelayedAck() {
        if (!deleted) {
            sendAck();
        }
    }

    private void armPersist() {
        long base = Math.max(rto.currentTimeoutNanos(), layer.minRtoNanos());
        long delay = persistBackoff == 0 ? base : Math.min(persistBackoff * 2, layer.maxRtoNanos());
        persistBackoff = delay;
        persistTimer.scheduleAfter(delay);
    }

    /**
     * Nothing in flight and the window too small to send: with a zero window, probe with one byte of
     * new data (RFC 9293 3.8.6.1), which the receiver answers with its window; with a small one,
     * send what fits (the RFC 1122 4.2.3.4 override of silly-window avoidance).
     */
    private void onPersist() {
        if (deleted || !canTransmit()) {
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
        layer.counters.windowProbes.increment();
        layer.sendSegment(this, sndNxt, rcvNxt, ACK, advertiseWindow(), 0, -1, sendBuffer, offset, 1);
        if (gt(sndNxt + 1, sndMax)) {
            sndMax = sndNxt + 1; // if the window had opened, its ACK may cover the probe byte
        }
        armPersist();
    }

    void armKeepalive() {
        if (!keepAlive || state != TcpState.ESTABLISHED) {
            return;
        }
        if (keepaliveTimer == null) {
            keepaliveTimer = loop.newTimer("tcp-keepalive", this::onKeepalive);
        }
        keepaliveTimer.scheduleAt(lastReceivedAt + layer.keepaliveIdleNanos());
    }

    private void onKeepalive() {
        if (deleted || !keepAlive || !state.isSynchronized()) {
            return;
        }
        long now = loop.now();
        long idle = now - lastReceivedAt;
        if (idle < layer.keepaliveIdleNanos() && keepaliveProbes == 0) {
            keepaliveTimer.scheduleAt(lastReceivedAt + layer.keepaliveIdleNanos());
            return;
        }
        if (keepaliveProbes >= layer.keepaliveProbes()) {
            abortWithReset(new SocketTimeoutException("connection to " + remote() + " timed out (keepalive: "
                    + keepaliveProbes + " probes unanswered)"));
            return;
        }
        keepaliveProbes++;
        layer.counters.keepaliveProbes.increment();
        // RFC 1122 4.2.3.6: a segment with SEG.SEQ = SND.NXT − 1 and no data draws an ACK.
        layer.sendSegment(this, sndUna - 1, rcvNxt, ACK, advertiseWindow(), 0, -1, null, 0, 0);
        keepaliveTimer.scheduleAfter(layer.keepaliveIntervalNanos());
    }

    void setKeepAlive(boolean on) {
        keepAlive = on;
        if (on) {
            lastReceivedAt = loop.now();
            armKeepalive();
        } else if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
    }

    private void armCloseTimer(long nanos, String why) {
        if (closeTimer == null) {
            closeTimer = loop.newTimer("tcp-" + why, this::onCloseTimer);
        } else {
            closeTimer.cancel();
            closeTimer = loop.newTimer("tcp-" + why, this::onCloseTimer);
        }
        closeTimer.scheduleAfter(nanos);
    }

    private void onCloseTimer() {
        if (!deleted) {
            delete(); // TIME_WAIT over, or an orphaned FIN_WAIT_2 gave up
        }
    }

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        retransmitTimer.cancel();
        cancelLossTimers();
        persistTimer.cancel();
        holdTimer.cancel();
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
        sendBuffer.clear();
        sendBuffer.trim();
        armCloseTimer(layer.timeWaitNanos(), "time-wait");
        completeClose();
    }

    private void restartTimeWait() {
        armCloseTimer(layer.timeWaitNanos(), "time-wait");
    }

    // =====================================================================================
    // Application calls (on the loop)
    // =====================================================================================

    void read(PendingRead r) {
        if (r.length() == 0) {
            r.future().complete(0);
            return;
        }
        pendingReads.add(r);
        serveReads();
    }

    private void serveReads() {
        boolean readSomething = false;
        while (!pendingReads.isEmpty()) {
            PendingRead r = pendingReads.peek();
            if (receiveBuffer.readable() > 0) {
                int n = receiveBuffer.read(r.buffer(), r.offset(), r.length());
                pendingReads.poll();
                readSomething = true;
                r.future().complete(n);
            } else if (finReceived) {
                pendingReads.poll();
                r.future().complete(-1);
            } else if (error != null) {
                pendingReads.poll();
                r.future().completeExceptionally(error);
            } else {
                break;
            }
        }
        if (readSomething) {
            afterRead();
        }
    }

    /** Space freed in the receive buffer: update the window if that is worth a segment (RFC 1122 4.2.3.3). */
    /** Free receive space, but no more than the window field can say at our scale. */
    private int advertisableWindow() {
        return (int) Math.min(receiveBuffer.window(), 0xFFFFL << rcvWndScale);
    }

    private void afterRead() {
        if (receiveBuffer.readable() == 0) {
            receiveBuffer.trim();
        }
        if (!state.isSynchronized() || finReceived || deleted) {
            return;
        }
        int free = advertisableWindow();
        int advertised = rcvAdv - rcvNxt;
        // A window update of its own only when the window the peer knows has shrunk to half the
        // buffer or less and would at least double (as Linux's tcp_cleanup_rbuf): while data
        // streams in, the next ACK carries the new window anyway, and an update per read would
        // double the ACKs. It must also be worth a segment (receiver SWS avoidance, RFC 1122 4.2.3.3).
        if (free - advertised >= Math.min(ourMss, receiveBuffer.capacity() / 2)
                && advertised <= receiveBuffer.capacity() / 2 && free >= 2L * advertised) {
            layer.counters.windowUpdates.increment();
            sendAck();
        }
    }

    void write(PendingWrite w) {
        if (error != null) {
            w.future.completeExceptionally(error);
            return;
        }
        if (finQueued) {
            w.future.completeExceptionally(new SocketException("socket output is shut down"));
            return;
        }
        pendingWrites.add(w);
        serveWrites();
        output();
    }

    private void serveWrites() {
        while (!pendingWrites.isEmpty()) {
            PendingWrite w = pendingWrites.peek();
            int n = sendBuffer.write(w.buffer, w.offset, w.remaining);
            if (n > 0) {
                writeMarks.mark(sndUna + sendBuffer.length(), loop.now());
            }
            w.offset += n;
            w.remaining -= n;
            if (w.remaining > 0) {
                break;
            }
            pendingWrites.poll();
            w.future.complete(null);
        }
    }

    /** The application asks to send what is buffered now (push). */
    void flush() {
        pushSeq = sndUna + sendBuffer.length();
        pushSet = true;
        output();
    }

    /** Half-close (RFC 9293 3.10.4): FIN after the buffered data. */
    void shutdownOutput() {
        if (finQueued) {
            return;
        }
        switch (state) {
            case SYN_SENT -> {
                fail(new SocketException("socket closed"), false);
                return;
            }
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> {
                return;
            }
        }
        finQueued = true;
        output();
    }

    /** The application closed the socket. */
    void close() {
        socket = null; // the descriptor is gone with the application's handle
        if (deleted) {
            return;
        }
        orphaned = true;
        if (receiveBuffer.readable() > 0) {
            // RFC 1122 4.2.2.13: closing with unread data sends RST.
            abortWithReset(new SocketException("socket closed"));
            return;
        }
        if (!pendingWrites.isEmpty() || !pendingReads.isEmpty()) {
            failPending(new SocketException("socket closed")); // (an exception's stack trace is not free: only when needed)
        }
        shutdownOutput();
        if (state == TcpState.FIN_WAIT_2) {
            armCloseTimer(layer.finWait2Timeout(), "fin-wait-2");
        }
    }

    /** Linger 0: RST at once, everything discarded. */
    void abort() {
        socket = null;
        abortWithReset(new SocketException("socket closed (aborted)"));
    }

    private void abortWithReset(IOException why) {
        if (deleted) {
            return;
        }
        if (state.isSynchronized() || state == TcpState.SYN_RECEIVED) {
            layer.sendReset(localIp, localPort, remoteIp, remotePort, sndMax, 0, false);
            layer.counters.outRstsAborts.increment();
        }
        fail(why, false);
    }

    /** An ICMP error about a segment of ours (RFC 1122 4.2.3.9). */
    void onIcmpError(IcmpErrorInfo e) {
        if (state != TcpState.SYN_SENT || e.type() != 3) {
            return; // soft errors on an established connection: retransmission decides
        }
        layer.counters.attemptFails.increment();
        fail(switch (e.code()) {
            case 2, 3 -> new ConnectException("connection refused: " + remote() + " (ICMP unreachable from "
                    + e.reporter() + ")");
            default -> new NoRouteToHostException("no route to " + remote() + " (ICMP unreachable, code " + e.code()
                    + ", from " + e.reporter() + ")");
        }, false);
    }

    // =====================================================================================
    // Death
    // =====================================================================================

    /** The connection is over, badly: tell every waiting call, free everything. */
    void fail(IOException why, boolean sendReset) {
        if (deleted) {
            return;
        }
        if (sendReset) {
            abortWithReset(why);
            return;
        }
        if (error == null) {
            error = why;
        }
        if (connectFuture != null) {
            CompletableFuture<TcpConnection> f = connectFuture;
            connectFuture = null;
            f.completeExceptionally(why);
        }
        failPending(why);
        delete();
    }

    private void failPending(IOException why) {
        while (!pendingWrites.isEmpty()) {
            pendingWrites.poll().future.completeExceptionally(why);
        }
        if (error == null) {
            // a normal close: readers still get what arrived, then EOF or this
            while (!pendingReads.isEmpty() && receiveBuffer.readable() == 0 && !finReceived) {
                pendingReads.poll().future().completeExceptionally(why);
            }
        } else {
            while (!pendingReads.isEmpty()) {
                pendingReads.poll().future().completeExceptionally(why);
            }
        }
    }

    private void completeClose() {
        if (!closeFuture.isDone()) {
            closeFuture.complete(null);
        }
    }

    /** Removes the connection from the stack (the seeds' "socket deletion"). */
    void delete() {
        if (deleted) {
            return;
        }
        deleted = true;
        state = TcpState.CLOSED;
        retransmitTimer.cancel();
        delayedAckTimer.cancel();
        persistTimer.cancel();
        holdTimer.cancel();
        cancelLossTimers();
        if (keepaliveTimer != null) {
            keepaliveTimer.cancel();
        }
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        if (error == null && (!finReceived || receiveBuffer.readable() == 0)) {
            // pending reads after a normal end: end of stream
            while (!pendingReads.isEmpty()) {
                pendingReads.poll().future().complete(-1);
            }
        } else if (error != null) {
            failPending(error);
        }
        if (connectFuture != null) {
            connectFuture.completeExceptionally(error != null ? error : new SocketException("connection closed"));
            connectFuture = null;
        }
        sendBuffer.clear();
        sendBuffer.trim();
        if (receiveBuffer.readable() == 0) {
            receiveBuffer.trim();
        }
        layer.remove(this);
        if (listener != null) {
            listener.forget(this);
            listener = null;
        }
        completeClose();
    }

    // =====================================================================================
    // Reporting
    // =====================================================================================

    InetSocketAddress remote() {
        return new InetSocketAddress(new Ipv4Address(remoteIp).toInetAddress(), remotePort);
    }

    InetSocketAddress local() {
        return new InetSocketAddress(new Ipv4Address(localIp).toInetAddress(), localPort);
    }

    SocketInfo info() {
        Map<String, String> d = new LinkedHashMap<>();
        long srtt = rto.smoothedRttNanos();
        d.put("rtt", srtt < 0 ? "-" : String.format("%.3fms", srtt / 1e6));
        d.put("rto", String.format("%.0fms", rto.currentTimeoutNanos() / 1e6));
        d.put("cwnd", Long.toString(cc.congestionWindow()));
        d.put("ssthresh", cc.slowStartThreshold() > (1L << 40) ? "inf" : Long.toString(cc.slowStartThreshold()));
        d.put("mss", Integer.toString(mss));
        d.put("opts", (sackEnabled ? "sack" : "") + (sackEnabled && tsEnabled ? "," : "") + (tsEnabled ? "ts" : "")
                + (!sackEnabled && !tsEnabled ? "-" : ""));
        if (sackEnabled && !scoreboard.isEmpty()) {
            d.put("sacked", scoreboard.toString());
        }
        d.put("snd_wnd", Integer.toString(sndWnd));
        d.put("rcv_wnd", Integer.toString(Math.max(0, rcvAdv - rcvNxt)));
        // Sequence numbers relative to the ISNs, as Wireshark shows them.
        d.put("snd_una", Integer.toUnsignedString(sndUna - iss));
        d.put("snd_nxt", Integer.toUnsignedString(sndNxt - iss));
        d.put("snd_max", Integer.toUnsignedString(sndMax - iss));
        d.put("rcv_nxt", Integer.toUnsignedString(rcvNxt - irs));
        d.put("unsent", Integer.toString(sendBuffer.length() - (sndNxt - sndUna)));
        d.put("fin", finQueued ? (finSent ? "sent" : "queued") : "-");
        int fd = socket != null ? socket.descriptor() : -1;
        return new SocketInfo("TCP", fd, local(), remote(), state.name(), sendBuffer.length(),
                receiveBuffer.readable(), d);
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

    @Override
    public String toString() {
        return "TCP " + local() + " -> " + remote() + " " + state;
    }

    /**
     * A small ring of (end sequence number, time written) per write, oldest first: the
     * send-buffering policy is told when the oldest still-unsent byte was written. Bounded: when
     * full, the oldest mark merges into the next (its bytes then look a little younger).
     */
    static final class WriteMarks {
        private static final int CAPACITY = 32;
        private static final int[] NO_ENDS = new int[0];
        private static final long[] NO_TIMES = new long[0];
        /** Allocated on the first write: an idle connection (most of a million) keeps 400 bytes less. */
        private int[] ends = NO_ENDS;
        private long[] times = NO_TIMES;
        private int head;
        private int size;

        void mark(int endSeq, long time) {
            if (ends.length == 0) {
                ends = new int[CAPACITY];
                times = new long[CAPACITY];
            }
            if (size > 0 && times[(head + size - 1) % CAPACITY] == time) {
                ends[(head + size - 1) % CAPACITY] = endSeq; // same instant: extend the last mark
                return;
            }
            if (size == CAPACITY) {
                head = (head + 1) % CAPACITY;
                size--;
            }
            int at = (head + size) % CAPACITY;
            ends[at] = endSeq;
            times[at] = time;
            size++;
        }

        /** When the first byte at or after {@code seq} was written (dropping marks wholly before it). */
        long oldestAfter(int seq) {
            while (size > 0 && SeqNum.le(ends[head], seq)) {
                head = (head + 1) % CAPACITY;
                size--;
            }
            return size > 0 ? times[head] : Long.MAX_VALUE / 4;
        }
    }
}
