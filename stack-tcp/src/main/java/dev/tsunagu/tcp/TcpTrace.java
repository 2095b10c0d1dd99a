package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.tcp.wire.TcpHeader;
import dev.tsunagu.trace.TcpConnectionId;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TcpTraceEvent.Direction;
import dev.tsunagu.trace.TcpTraceEvent.RetransmitReason;
import dev.tsunagu.trace.TraceSink;
import java.util.ArrayList;
import java.util.List;

/**
 * The trace of one connection (see {@link dev.tsunagu.trace}): made only while a
 * {@link TraceSink} watches it, and hung on the connection's {@link Sender}, the part every
 * other part holds, so each fact is reported where it is decided with one null check
 * ({@code snd.trace != null}) and nothing allocated when no one watches.
 *
 * <p>Who reports what: the layer reports segments as they go down to IP and as they reach the
 * connection, and the connection's deletion; this class compares the state and the congestion
 * figures with those it last reported at each of those moments, so a state change or a new
 * cwnd is reported at the segment or timer that caused it without a hook at each assignment.
 * The parts that decide a retransmission name its reason ({@link #reason}) and report their
 * timers ({@link #timer}); a segment that goes below the highest sequence number sent is
 * reported as a retransmission with the reason named while the connection handled the same
 * input (a segment, a timer, an ICMP message, a write). A reason lasts no longer: the next
 * segment or timer forgets it, so a timer that named one and then found nothing to send leaves
 * nothing stale behind. Retransmissions no part named in that input continue an earlier
 * decision: the rest of a window after a timeout ({@code GO_BACK_N}, until the sender is past
 * what it had sent before), or the holes SACK recovery fills while it lasts.
 */
final class TcpTrace {
    final TraceSink sink;
    /** The socket asked for this sink itself: the stack's sink does not replace it. */
    final boolean own;
    private final TcpConnection c;
    private final EventLoop loop;
    private final TcpConnectionId id;
    private TcpState reportedState;
    private long cwnd = -1;
    private long ssthresh = -1;
    private long srtt = -1;
    private long rto = -1;
    /** The end of the highest sequence number sent so far (valid once {@link #sentAny}). */
    private int highestEnd;
    private boolean sentAny;
    /** The reason named while handling the current input, or null. */
    private RetransmitReason reason;
    /** After a timeout or a path MTU drop: going back over what had been sent, up to {@link #goBackEnd}. */
    private boolean goingBack;
    private int goBackEnd;

    TcpTrace(TcpConnection c, EventLoop loop, String stack, TraceSink sink, boolean own) {
        this.c = c;
        this.loop = loop;
        this.sink = sink;
        this.own = own;
        this.id = new TcpConnectionId(stack, c.local(), c.remote());
        this.reportedState = c.state == TcpState.CLOSED && c.passive ? TcpState.LISTEN : c.state;
        if (c.state != TcpState.CLOSED) {
            highestEnd = c.snd.sndMax; // traced from mid-connection
            sentAny = true;
        }
    }

    // ---- for the parts: one line at each decision ----

    /** The part deciding to send data again says why; the next retransmission seen carries it. */
    static void reason(Sender snd, RetransmitReason why) {
        TcpTrace t = snd.trace;
        if (t != null) {
            t.reason = why;
        }
    }

    /** A connection timer fired. */
    static void timer(Sender snd, String name) {
        TcpTrace t = snd.trace;
        if (t != null) {
            t.reason = null; // a new input: what an earlier one named no longer holds
            t.sink.onEvent(new TcpTraceEvent.TimerFired(t.now(), t.id, name));
        }
    }

    // ---- for the layer ----

    /** A segment reached the connection (before it acts on it). */
    void received(Segment s) {
        reason = null; // a new input: what an earlier one named no longer holds
        long window = s.has(TcpHeader.SYN) ? s.window : (long) s.window << c.snd.sndWndScale;
        sink.onEvent(new TcpTraceEvent.Segment(now(), id, Direction.RECEIVED, s.seq, s.ack, s.flags, window,
                s.payloadLength, sack(s.options)));
    }

    /** The connection has acted on a segment: what it changed. */
    void afterSegment() {
        check();
    }

    /** A segment of the connection goes down to IP: {@code b} holds its payload only. */
    void sent(PacketBuffer b, int seq, int ack, int flags, int windowField, TcpHeader.Options o) {
        check();
        long now = now();
        int length = b.length();
        boolean syn = (flags & TcpHeader.SYN) != 0;
        int sequenceLength = length + (syn ? 1 : 0) + ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
        int end = seq + sequenceLength;
        if (sequenceLength > 0) {
            if (goingBack && SeqNum.gt(end, goBackEnd)) {
                goingBack = false; // past what had been sent before: new data again
            }
            if (sentAny && SeqNum.lt(seq, highestEnd)) {
                sink.onEvent(new TcpTraceEvent.Retransmission(now, id, seq, length, why()));
            }
            if (!sentAny || SeqNum.gt(end, highestEnd)) {
                highestEnd = end;
                sentAny = true;
            }
        }
        long window = syn ? windowField : (long) windowField << c.rcv.rcvWndScale;
        sink.onEvent(new TcpTraceEvent.Segment(now, id, Direction.SENT, seq, ack, flags, window, length, sack(o)));
    }

    /**
     * Why a retransmission goes: the reason this input named; else the decision it continues
     * (the rest of the window after a timeout, SACK recovery's next hole); else unknown. A
     * timeout's reason goes with its first copy only: what follows in the same window is go-back-N.
     */
    private RetransmitReason why() {
        RetransmitReason r = reason;
        if (r == RetransmitReason.TIMEOUT || r == RetransmitReason.PATH_MTU) {
            goingBack = true;
            goBackEnd = highestEnd;
            if (r == RetransmitReason.TIMEOUT) {
                reason = RetransmitReason.GO_BACK_N;
            }
            return r;
        }
        if (r != null) {
            return r;
        }
        if (goingBack) {
            return RetransmitReason.GO_BACK_N;
        }
        if (c.loss.sackEnabled && c.cc.inRecovery()) {
            return RetransmitReason.SACK_RECOVERY;
        }
        return RetransmitReason.UNKNOWN;
    }

    /** The connection left the table: its last state change. */
    void removed() {
        check();
    }

    // ---- comparing with what was last reported ----

    private void check() {
        TcpState state = c.state;
        if (state != reportedState) {
            sink.onEvent(new TcpTraceEvent.StateChange(now(), id, reportedState.name(), state.name()));
            reportedState = state;
        }
        long w = c.cc.congestionWindow();
        long t = c.cc.slowStartThreshold();
        long s = c.rto.smoothedRttNanos();
        long r = c.rto.currentTimeoutNanos();
        if (w != cwnd || t != ssthresh || s != srtt || r != rto) {
            cwnd = w;
            ssthresh = t;
            srtt = s;
            rto = r;
            sink.onEvent(new TcpTraceEvent.Congestion(now(), id, w, t, s, r, c.snd.inFlight(),
                    Integer.toUnsignedLong(c.snd.sndWnd)));
        }
    }

    private long now() {
        return loop.now();
    }

    private static List<TcpTraceEvent.SackBlock> sack(TcpHeader.Options o) {
        if (o.sackCount == 0) {
            return List.of();
        }
        List<TcpTraceEvent.SackBlock> blocks = new ArrayList<>(o.sackCount);
        for (int i = 0; i < o.sackCount; i++) {
            blocks.add(new TcpTraceEvent.SackBlock(o.sackBlocks[2 * i], o.sackBlocks[2 * i + 1]));
        }
        return List.copyOf(blocks);
    }
}
