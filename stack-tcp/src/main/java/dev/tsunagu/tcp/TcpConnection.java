package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpHeader.ACK;
import static dev.tsunagu.tcp.wire.TcpHeader.FIN;
import static dev.tsunagu.tcp.wire.TcpHeader.RST;
import static dev.tsunagu.tcp.wire.TcpHeader.SYN;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.Offloads;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RateSample;
import dev.tsunagu.policy.RetransmissionPolicy;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.tcp.buffer.ReceiveBuffer;
import dev.tsunagu.tcp.buffer.SendBuffer;
import dev.tsunagu.tcp.wire.TcpHeader;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;

/**
 * One TCP connection: who it is (addresses and ports), its state (RFC 9293 3.3.2), the state
 * machine that segment arrivals (RFC 9293 3.10.7), application calls and timers drive, and its
 * death. Loop thread only.
 *
 * <p>The control block's other state lives with the behaviour that uses it, in parts that this
 * class calls down to: {@link Handshake}, {@link Sender}, {@link Receiver}, {@link AckScheduler},
 * {@link LossRecovery}, {@link RttSampler} and {@link TcpOutput}; what the application waits
 * for is in {@link SocketCalls} (see the package description for who calls whom). This class
 * keeps what crosses them: the dispatch of an arriving segment step by step (the steps are
 * named in the code), with RFC 5961's challenge ACKs and ACK acceptability check; the state
 * transitions; the application's calls, as they move the state; and close, abort and deletion. Only this class and the layer know the addresses: the parts send
 * through {@link TcpOutput}, whose {@link TcpOutput.Transmit} is this class.
 */
final class TcpConnection implements TcpOutput.Transmit {
    private final TcpLayer layer;
    private final EventLoop loop;
    private final TcpCounters counters;
    private final TcpSettings settings;
    final IpAddress localIp;
    final int localPort;
    final IpAddress remoteIp;
    final int remotePort;
    /** The network layer of the addresses' family, which the segments go down through. */
    final IpService network;
    /** The device finishes our checksums: segments leave with the pseudo-header sum in the field. */
    final boolean checksumOffload;
    /** Next connection in the same demultiplexing bucket (same remote address and ports, another local address). */
    TcpConnection nextInBucket;
    /** The listener that made us (passive open) until the application accepts us. */
    TcpListener listener;
    final boolean passive;
    private TcpSocketImpl socket;

    TcpState state = TcpState.CLOSED;

    // ---- the parts (package-private for TcpInfo and tests) ----
    final CongestionControl cc;
    final RetransmissionPolicy rto;
    final RttSampler rtt;
    final AckScheduler acks;
    final Receiver rcv;
    final Sender snd;
    final LossRecovery loss;
    /** ECN's rules (RFC 3168 6.1): what it marks, echoes and answers. */
    final TcpEcn ecn;
    /** The handshake's part, dropped once established (an idle connection keeps its bytes). */
    private Handshake hs;

    /** Keep-alive (RFC 1122 4.2.3.6), made when the application asks for it. */
    private Keepalive keepalive;

    // ---- timers ----
    private final Timer retransmitTimer;
    private Timer closeTimer;   // TIME_WAIT, FIN_WAIT_2 orphan, connect timeout

    // ---- application ----
    /** What the application waits for (connect, reads, writes, close), and the error they fail with. */
    private final SocketCalls calls;
    /** The application closed its socket: nobody will read any more. */
    private boolean orphaned;
    private boolean deleted;
    /** Path MTU discovery's part, made at the first "too big" (most connections never meet one). */
    private PathMtuDiscovery pmtu;
    /** RFC 4821's search, made when it starts (most connections never need it). */
    private PacketizationLayerPmtud plpmtud;

    TcpConnection(TcpLayer layer, boolean passive, IpAddress localIp, int localPort, IpAddress remoteIp, int remotePort,
                  TcpSocketOptions options) {
        this.layer = layer;
        this.loop = layer.loop();
        this.calls = new SocketCalls(loop);
        this.counters = layer.counters;
        this.settings = layer.settings;
        this.passive = passive;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.network = layer.network(remoteIp);
        int ourMss = PathMtuDiscovery.ourMss(network, remoteIp);
        this.cc = layer.newCongestionControl(options.congestionControl(), ourMss);
        this.rto = layer.newRetransmissionPolicy(options.retransmission(), ourMss);
        this.retransmitTimer = loop.newTimer("tcp-rtx", this::onRetransmitTimeout);
        this.rtt = new RttSampler(loop, rto, layer.timestampOffset(localIp, localPort, remoteIp, remotePort));
        this.acks = new AckScheduler(loop, settings, counters, loop.newTimer("tcp-delack", this::onDelayedAck));
        this.rcv = new Receiver(new ReceiveBuffer(options.receiveBuffer(), settings.maxOutOfOrder, layer.rings), ourMss,
                counters, acks);
        this.ecn = new TcpEcn(settings, counters, cc, acks);
        TcpOutput out = new TcpOutput(this, layer.context().buffers(), layer.outOptions, settings, rcv, rtt, acks, ecn);
        this.snd = new Sender(loop, settings, counters, cc, rto,
                layer.newSendBufferingPolicy(options.sendBuffering(), ourMss),
                new SendBuffer(options.sendBuffer(), layer.rings), Math.min(ourMss, Handshake.DEFAULT_MSS),
                options.noDelay(), out, rtt, retransmitTimer);
        this.loss = new LossRecovery(loop, settings, counters, cc, rto, snd, rtt, ecn, retransmitTimer);
        snd.recovery(loss);
        if (settings.mtuProbing != TcpOptions.MtuProbing.OFF) {
            loss.blackHoles = this::plpmtud;
        }
        this.hs = new Handshake(loop, settings, counters, cc, rto, snd, rcv, rtt, loss, ecn, out, retransmitTimer);
        if (options.keepAlive()) {
            setKeepAlive(true);
        }
        // What the outgoing device does for us, fixed for the connection's life (as Linux's sk_setup_caps).
        Offloads offloads = network.offloadsFor(remoteIp);
        this.checksumOffload = offloads.transmitChecksum();
        if (offloads.tcpSegmentation(remoteIp.family() == AddressFamily.IPV4 ? 4 : 6)) {
            snd.segmentationLimit = offloads.maxSegmentationSize() - network.headerLength() - TcpHeader.MAX_HEADER_LENGTH;
            cc.onSegmentationOffload(snd.segmentationLimit); // its per-ACK limits count these segments
        }
    }

    // ---- Opening ----

    /** Active open (RFC 9293 3.10.1): send SYN, enter SYN-SENT. */
    void connect(int initialSequence, CompletableFuture<TcpConnection> future, long timeoutNanos) {
        hs.startActive(initialSequence);
        state = TcpState.SYN_SENT;
        calls.connecting(future);
        closeTimer = loop.newTimer("tcp-connect-timeout", () -> fail(new SocketTimeoutException(
                "connect to " + remote() + " timed out"), true));
        closeTimer.scheduleAfter(timeoutNanos);
        hs.sendSynAndArm(false);
        counters.activeOpens.increment();
    }

    /** Passive open: a SYN arrived at a listener (RFC 9293 3.10.7.2); answer SYN-ACK, enter SYN-RECEIVED. */
    void acceptSyn(Segment s, int initialSequence) {
        hs.startPassive(s, initialSequence);
        state = TcpState.SYN_RECEIVED;
        hs.sendSynAndArm(true);
        counters.passiveOpens.increment();
    }

    /**
     * Passive open from a valid SYN cookie returned in {@code s} (RFC 4987): SYN-RECEIVED rebuilt
     * from it ({@link Handshake#startFromCookie}), then {@code s} is processed as the ACK of our
     * SYN-ACK, with any data it carries.
     */
    void acceptCookie(Segment s, int iss, int peerMss, int peerScale, boolean sack, boolean ecnGranted) {
        hs.startFromCookie(s, iss, peerMss, peerScale, sack, ecnGranted);
        state = TcpState.SYN_RECEIVED;
        counters.passiveOpens.increment();
        onSegment(s);
    }

    // ---- Segment arrival (RFC 9293 3.10.7) ----

    void onSegment(Segment s) {
        if (keepalive != null) {
            keepalive.onSegment(loop.now());
        }
        if (state == TcpState.SYN_SENT) {
            synSent(s);
        } else {
            synchronizedStates(s);
        }
        if (!deleted) {
            snd.output();
            flushAck();
        }
    }

    /** 3.10.7.3: SYN-SENT. The {@link Handshake} takes the steps; the state moves here. */
    private void synSent(Segment s) {
        switch (hs.onSegmentInSynSent(s)) {
            case DROP -> { }
            case RESET -> layer.sendReset(localIp, localPort, remoteIp, remotePort, s.ack, 0, false);
            case REFUSED -> {
                counters.attemptFails.increment();
                fail(new ConnectException("connection refused: " + remote()), false);
            }
            case ESTABLISHED -> {
                establish();
                acks.ackNow();
                if (s.payloadLength > 0) {
                    receiveText(s);
                }
                if (s.has(FIN)) {
                    receiveFin(s.seq + 1 + s.payloadLength);
                }
            }
            case SIMULTANEOUS -> {
                state = TcpState.SYN_RECEIVED;
                hs.sendSyn(true);
            }
        }
    }

    /** 3.10.7.4: every other state. */
    private void synchronizedStates(Segment s) {
        int segLen = s.length();
        // RFC 7323 5.3 (PAWS): an old duplicate by its timestamp: ACK it and drop it.
        if (rtt.pawsRejects(s)) {
            counters.pawsRejected.increment();
            if (segLen > 0) {
                sendAck();
            } else {
                rateLimitedAck();
            }
            return;
        }
        // First: sequence acceptability (the table in 3.10.7.4).
        if (!rcv.acceptable(s.seq, segLen)) {
            if (s.has(RST)) {
                counters.rstsOutOfWindow.increment(); // dropped without an answer: a blind RST flood draws nothing
                return;
            }
            if (rcv.isZeroWindowProbe(s.seq)) {
                // A zero-window probe: acknowledge at once, not accepting its byte (RFC 9293 3.8.6.1).
                counters.zeroWindowProbesAcked.increment();
                sendAck();
                return;
            }
            if (state == TcpState.TIME_WAIT && s.has(FIN)) {
                sendAck(); // a retransmitted FIN: acknowledge it and restart 2 MSL
                restartTimeWait();
                return;
            }
            counters.outOfWindow.increment();
            if (s.has(SYN)) {
                challengeAck(); // RFC 5961 4.2: a SYN draws a challenge ACK whatever its sequence number
            } else if (segLen == 0) {
                rateLimitedAck(); // a bare ACK out of window might be half of an ACK loop: limit
            } else {
                rcv.onUnacceptable(s); // old data again: a D-SACK in this ACK (RFC 2883)
                sendAck();        // old or early data: the sender must learn where we are, always
            }
            return;
        }
        // Second: RST (RFC 5961 3.2: only an exact match resets; in-window draws a challenge).
        if (s.has(RST)) {
            if (s.seq != rcv.rcvNxt) {
                challengeAck();
                return;
            }
            onReset();
            return;
        }
        // Fourth: SYN in a synchronized state (RFC 5961 4.2): challenge ACK.
        if (s.has(SYN)) {
            if (state == TcpState.SYN_RECEIVED && s.seq == rcv.irs) {
                rtt.onAcceptable(s);
                hs.sendSyn(true); // our SYN-ACK was lost: the peer repeats its SYN (with data)
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
            counters.dropNoAck.increment();
            return;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (gt(s.ack, snd.sndUna) && le(s.ack, snd.sndMax)) {
                if (listener != null && !listener.hasRoom()) {
                    // The accept queue is full: drop the ACK as Linux does; our SYN-ACK's
                    // retransmission asks for it again, by when the application may have accepted.
                    counters.listenOverflows.increment();
                    return;
                }
                hs.onSynAckAcked(s);
                establish();
            } else {
                if (listener != null && listener.cookieReplaces(this, s)) {
                    // The peer answered a cookie SYN-ACK sent before we existed (its SYN came
                    // again and found room): as in Linux, the cookie's connection wins.
                    return;
                }
                // An ACK of ISS, or of ISS+2 and beyond: <SEQ=SEG.ACK><CTL=RST> (3.10.7.4, fifth).
                layer.sendReset(localIp, localPort, remoteIp, remotePort, s.ack, 0, false);
                return;
            }
        }
        // RFC 5961 5.2: SND.UNA − MAX.SND.WND ≤ SEG.ACK ≤ SND.NXT, else ACK and drop.
        if (gt(s.ack, snd.sndMax) || lt(s.ack, snd.sndUna - Math.max(snd.sndMaxWnd, 1))) {
            counters.badAcks.increment();
            rateLimitedAck();
            return;
        }
        // TS.Recent only from a segment whose ACK is acceptable too (as Linux): a segment dropped
        // here must not leave its timestamp behind, or a forged TSval far ahead would make PAWS
        // (RFC 7323 5.3) drop every genuine segment after it. The RST and SYN challenges above
        // echo the TS.Recent the connection had.
        rtt.onAcceptable(s);
        ecn.onAcceptable(s); // RFC 3168 6.1.3: CWR ends our echo, CE starts one (6.1.5: in-window only)
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
        counters.inRsts.increment();
        switch (state) {
            case SYN_RECEIVED -> {
                if (passive) {
                    delete(); // back to LISTEN: the listener simply forgets us (3.10.7.4)
                } else {
                    fail(new ConnectException("connection refused: " + remote()), false);
                }
            }
            case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> {
                counters.estabResets.increment();
                fail(new SocketException("connection reset by peer " + remote()), false);
            }
            default -> delete(); // CLOSING, LAST-ACK, TIME-WAIT
        }
    }

    private void establish() {
        state = TcpState.ESTABLISHED;
        hs = null; // nothing of the handshake is used again
        if (settings.mtuProbing == TcpOptions.MtuProbing.ALWAYS) {
            plpmtud().start();
        }
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        if (keepalive != null) {
            keepalive.arm(true);
        }
        if (passive) {
            if (listener != null) {
                listener.established(this);
            }
        } else {
            calls.connected(this);
        }
    }

    /**
     * Fifth step, ACK processing (3.10.7.4): the cumulative ACK moves SND.UNA ({@link Sender}),
     * gives an RTT sample ({@link RttSampler}) and drives loss detection ({@link LossRecovery}:
     * RFC 6675's SACK-based recovery when SACK was negotiated, NewReno's otherwise); the window
     * is updated; our FIN's acknowledgment moves the state.
     */
    private void processAck(Segment s) {
        int ack = s.ack;
        long now = loop.now();
        boolean advanced = gt(ack, snd.sndUna);
        int newlySacked = loss.sackEnabled ? loss.onSackBlocks(s, advanced ? ack : snd.sndUna) : 0;
        if (advanced) {
            int acked = ack - snd.sndUna;
            boolean finAcked = snd.onAckAdvanced(ack);
            long sample = rtt.onAckAdvanced(s, ack, snd.sndMax, now);
            loss.onAckAdvanced(now, ack, acked, sample);
            snd.trimIfDrained();
            calls.serveWrites(snd);
            if (finAcked) {
                onFinAcked();
            }
        } else if (loss.isDuplicateAck(s, newlySacked)) {
            loss.onDuplicateAck(now, ack);
        }
        loss.afterAck(now, advanced);
        if (snd.rate != null) {
            RateSample sample = snd.rate.onAck(snd.sndUna, s.options.sackBlocks, loss.sackEnabled ? s.options.sackCount : 0,
                    now, loss.bytesInFlight());
            if (sample != null) {
                cc.onRateSample(now, sample);
            }
        }
        ecn.onAck(s, now, loss, snd.sndMax); // RFC 3168 6.1.2, after loss detection: a loss answers first
        snd.onWindow(s);
    }

    private void onFinAcked() {
        switch (state) {
            case FIN_WAIT_1 -> {
                state = TcpState.FIN_WAIT_2;
                if (orphaned) {
                    armCloseTimer(settings.finWait2Nanos, "fin-wait-2");
                }
            }
            case CLOSING -> enterTimeWait();
            case LAST_ACK -> delete();
            default -> {
            }
        }
    }

    /** Seventh step: text, into the {@link Receiver}; then a FIN it reached, and waiting readers. */
    private void receiveText(Segment s) {
        int advanced = rcv.receiveText(s, snd.mss);
        if (advanced < 0) {
            return;
        }
        if (rcv.earlyFinReached()) {
            receiveFin(rcv.peerFinSeq);
        }
        if (advanced > 0) {
            // After the ACK decision: a waiting read that opens the window sends the one ACK
            // (with the new window), instead of a window update and then the same ACK again.
            serveReads();
        }
    }

    /** Eighth step: FIN at {@code finAt} (its sequence number). */
    private void receiveFin(int finAt) {
        switch (rcv.onFin(finAt)) {
            case REPEATED -> {
                if (state == TcpState.TIME_WAIT) {
                    restartTimeWait();
                }
                return;
            }
            case EARLY, KNOWN -> {
                return;
            }
            case TAKEN -> {
            }
        }
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (snd.finSent && SeqNum.ge(snd.sndUna, snd.finSeq + 1)) {
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

    // ---- Sending and acknowledging ----

    @Override
    public boolean canTransmit() {
        return !deleted && switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    @Override
    public void transmit(PacketBuffer b, int seq, int ack, int flags, int window, TcpHeader.Options o, int ecn) {
        layer.transmit(this, b, seq, ack, flags, window, o, ecn);
    }

    /** The ACK we owe, now, if it is due; a data segment carries it otherwise. */
    private void flushAck() {
        if (acks.due() && !deleted) {
            sendAck();
        }
    }

    private void onDelayedAck() {
        TcpTrace.timer(snd, "delayed-ack");
        sendAck();
    }

    private void sendAck() {
        if (deleted || state == TcpState.SYN_SENT || state == TcpState.CLOSED) {
            return;
        }
        snd.sendAck();
    }

    /** An ACK for an unacceptable segment, rate-limited (the {@link AckScheduler} decides). */
    private void rateLimitedAck() {
        if (acks.mayAnswerInvalid()) {
            sendAck();
        }
    }

    /** An RFC 5961 challenge ACK, within its limits. */
    private void challengeAck() {
        if (acks.mayChallenge()) {
            sendAck();
        }
    }

    // ---- Timers ----

    /** The retransmission timer: the handshake's SYN, or loss recovery's RTO; either may give up. */
    private void onRetransmitTimeout() {
        if (deleted) {
            return;
        }
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            if (!hs.onTimeout(state == TcpState.SYN_RECEIVED)) {
                if (state == TcpState.SYN_SENT) {
                    counters.attemptFails.increment();
                    fail(new SocketTimeoutException("connect to " + remote() + " timed out: no answer to "
                            + hs.synRetransmits() + " SYNs"), false);
                } else {
                    delete();
                }
            }
            return;
        }
        if (!loss.onRetransmitTimeout(loop.now())) {
            abortWithReset(new SocketTimeoutException("connection to " + remote() + " timed out: no ACK after "
                    + rto.consecutiveTimeouts() + " retransmissions"));
        }
    }

    private void onKeepalive() {
        if (!deleted && state.isSynchronized() && !keepalive.onTimer()) {
            abortWithReset(new SocketTimeoutException("connection to " + remote() + " timed out (keepalive: "
                    + keepalive.probes() + " probes unanswered)"));
        }
    }

    /** When TIME-WAIT is over, or an orphaned FIN-WAIT-2 gives up: deletion. */
    private void armCloseTimer(long nanos, String why) {
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        closeTimer = loop.newTimer("tcp-" + why, this::delete);
        closeTimer.scheduleAfter(nanos);
    }

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        stopSending();
        armCloseTimer(settings.timeWaitNanos, "time-wait");
        calls.closed();
    }

    private void restartTimeWait() {
        armCloseTimer(settings.timeWaitNanos, "time-wait");
    }

    /** Nothing more will be sent: the timers that send stop, the send buffer goes (TIME-WAIT, deletion). */
    private void stopSending() {
        retransmitTimer.cancel();
        loss.cancelTimers();
        snd.discard();
        if (keepalive != null) {
            keepalive.cancel();
        }
    }

    // ---- Application calls (on the loop) ----

    /** The socket now owns this connection. */
    void attach(TcpSocketImpl socket) {
        this.socket = socket;
    }

    String stateName() {
        return state.name();
    }

    CompletableFuture<Void> closeFuture() {
        return calls.closeFuture();
    }

    /** A read from the socket ({@link SocketCalls#read}); {@code blocking} if a thread waits on {@code f} alone. */
    void read(byte[] buffer, int offset, int length, CompletableFuture<Integer> f, boolean blocking) {
        if (calls.read(buffer, offset, length, f, blocking, rcv.receiveBuffer, deleted)) {
            serveReads();
        }
    }

    /** A read that timed out: failed with {@code timeout} if it still waits (see {@link SocketCalls#cancelRead}). */
    void cancelRead(CompletableFuture<Integer> f, IOException timeout) {
        calls.cancelRead(f, timeout);
    }

    /** Serves waiting reads; if that freed space: a window update, if the peer may still send and it is worth one. */
    private void serveReads() {
        if (calls.serveReads(rcv.receiveBuffer, rcv.finReceived)
                && rcv.afterRead(state.isSynchronized() && !deleted)) {
            counters.windowUpdates.increment();
            sendAck();
        }
    }

    /** A write from the socket ({@link SocketCalls#write}); {@code blocking} as for {@link #read}. */
    void write(byte[] buffer, int offset, int length, CompletableFuture<Void> f, boolean blocking) {
        if (calls.write(buffer, offset, length, f, blocking, deleted, snd)) {
            snd.output();
        }
    }

    /** The application asks to send what is buffered now (push). */
    void flush() {
        snd.push();
    }

    void setNoDelay(boolean on) {
        snd.setNoDelay(on);
    }

    /** {@code SO_SNDBUF} on a live connection: a larger buffer takes waiting writes' bytes at once. */
    void setSendBuffer(int bytes) {
        snd.sendBuffer.setCapacity(bytes);
        if (!deleted) {
            calls.serveWrites(snd);
            snd.output();
        }
    }

    void setKeepAlive(boolean on) {
        if (on && keepalive == null) {
            keepalive = new Keepalive(loop, settings, counters, snd, this::onKeepalive);
        }
        if (keepalive != null) {
            keepalive.set(on, state == TcpState.ESTABLISHED);
        }
    }

    /** Half-close (RFC 9293 3.10.4): FIN after the buffered data. */
    void shutdownOutput() {
        if (snd.finQueued) {
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
        snd.finQueued = true;
        snd.output();
    }

    /** The application closed the socket. */
    void close() {
        socket = null; // the descriptor is gone with the application's handle
        if (deleted) {
            return;
        }
        orphaned = true;
        if (rcv.receiveBuffer.readable() > 0) {
            // RFC 1122 4.2.2.13: closing with unread data sends RST.
            abortWithReset(new SocketException("socket closed"));
            return;
        }
        calls.socketClosed(rcv.receiveBuffer, rcv.finReceived);
        shutdownOutput();
        if (state == TcpState.FIN_WAIT_2) {
            armCloseTimer(settings.finWait2Nanos, "fin-wait-2");
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
            layer.sendReset(localIp, localPort, remoteIp, remotePort, snd.sndMax, 0, false);
            counters.outRstsAborts.increment();
        }
        fail(why, false);
    }

    /**
     * The network layer refused a segment of ours as larger than the path MTU it knows (DF is
     * on): see {@link PathMtuDiscovery#onSegmentTooBig}.
     */
    void onSegmentTooBig() {
        pathMtu().onSegmentTooBig(state.isSynchronized(), () -> !deleted);
    }

    private PathMtuDiscovery pathMtu() {
        if (pmtu == null) {
            pmtu = new PathMtuDiscovery(loop, network, remoteIp, snd, rtt, cc, loss, counters);
            snd.pathMtu = pmtu;
        }
        return pmtu;
    }

    /** RFC 4821's search, made on first use (probing always, or a suspected black hole). */
    PacketizationLayerPmtud plpmtud() {
        if (plpmtud == null) {
            plpmtud = new PacketizationLayerPmtud(loop, pathMtu(), snd, cc, counters);
            pmtu.plpmtud = plpmtud;
            snd.plpmtud = plpmtud;
            loss.plpmtud = plpmtud;
        }
        return plpmtud;
    }

    /** Whether {@code seq} is of data sent and not yet acknowledged (RFC 5927: what an ICMP error must quote). */
    boolean inFlight(int seq) {
        return SeqNum.inRangeInclusive(seq, snd.sndUna, snd.sndMax);
    }

    /** An ICMP error about a segment of ours (RFC 1122 4.2.3.9): hard only for our SYN. */
    void onIcmpError(IcmpErrorInfo e) {
        if (e.kind() == IcmpErrorInfo.Kind.PACKET_TOO_BIG) {
            pathMtu().onPacketTooBig(e, state.isSynchronized());
            return;
        }
        IOException failure = state == TcpState.SYN_SENT ? hs.icmpFailure(e, remote()) : null;
        if (failure != null) {
            counters.attemptFails.increment();
            fail(failure, false);
        }
    }

    // ---- Death ----

    /** The connection is over, badly: tell every waiting call, free everything. */
    void fail(IOException why, boolean sendReset) {
        if (deleted) {
            return;
        }
        if (sendReset) {
            abortWithReset(why);
            return;
        }
        calls.fail(why);
        delete();
    }

    /** Removes the connection from the stack (the seeds' "socket deletion"). */
    void delete() {
        if (deleted) {
            return;
        }
        deleted = true;
        state = TcpState.CLOSED;
        acks.cancel();
        stopSending();
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        calls.deleted(rcv.receiveBuffer, rcv.finReceived);
        if (rcv.receiveBuffer.readable() == 0) {
            rcv.receiveBuffer.trim();
        }
        layer.remove(this);
        if (listener != null) {
            listener.forget(this);
            listener = null;
        }
        calls.closed();
    }

    // ---- Reporting ----

    InetSocketAddress remote() {
        return new InetSocketAddress(remoteIp.toInetAddress(), remotePort);
    }

    InetSocketAddress local() {
        return new InetSocketAddress(localIp.toInetAddress(), localPort);
    }

    SocketInfo info() {
        return TcpInfo.of(this, socket != null ? socket.descriptor() : -1);
    }

    @Override
    public String toString() {
        return "TCP " + local() + " -> " + remote() + " " + state;
    }
}
