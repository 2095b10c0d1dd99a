package dev.tsunagu.trace;

import java.util.List;

/**
 * One fact about one TCP connection, at one instant of the stack's clock (virtual time on a
 * {@code VirtualEventLoop}). Sequence and acknowledgment numbers are the raw 32-bit values of
 * the wire; tools that plot them take them relative to the first SYN they see.
 */
public sealed interface TcpTraceEvent {
    /** The stack's clock when it happened, in nanoseconds ({@code EventLoop.now()}). */
    long timeNanos();

    /** The connection it happened to. */
    TcpConnectionId connection();

    /** Which way a segment went. */
    enum Direction {
        /** The stack sent it (it went down to IP). */
        SENT,
        /** It arrived, passed the checks and was given to the connection. */
        RECEIVED
    }

    /** Why a segment went again, as the stack decided it. */
    enum RetransmitReason {
        /** The retransmission timer ran out (RFC 6298 5.4): the first segment outstanding, at once. */
        TIMEOUT,
        /**
         * After a timeout (or a path MTU drop) pulled SND.NXT back to SND.UNA, the rest of what had
         * been sent goes again as ACKs reopen the window (RFC 5681 3.1: slow start from one segment).
         */
        GO_BACK_N,
        /** Three duplicate ACKs (RFC 5681 3.2). */
        FAST_RETRANSMIT,
        /** A partial ACK in NewReno recovery (RFC 6582 3.2): the next hole. */
        PARTIAL_ACK,
        /** SACK-based loss recovery (RFC 6675): a hole NextSeg chose. */
        SACK_RECOVERY,
        /** SACKed data sat above a hole for the reordering window (RFC 8985 6, simplified). */
        REORDER_WINDOW,
        /** The tail loss probe (RFC 8985 7). */
        TAIL_LOSS_PROBE,
        /** The path MTU came down (RFC 1191): the same data in smaller segments, no congestion response. */
        PATH_MTU,
        /** Our SYN or SYN-ACK went unanswered (RFC 6298 5, RFC 9293 3.8.1). */
        SYN_TIMEOUT,
        /** A zero-window probe's byte again (RFC 9293 3.8.6.1). */
        WINDOW_PROBE,
        /** A retransmission the trace saw without a decision it knew (traced from mid-connection). */
        UNKNOWN
    }

    /** TCP's control bits, as in the header. */
    int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20;

    /** The flags as text: {@code SYN,ACK}; {@code -} for none. */
    static String flagsText(int flags) {
        StringBuilder b = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                b.append(b.isEmpty() ? "" : ",").append(names[i]);
            }
        }
        return b.isEmpty() ? "-" : b.toString();
    }

    /** A SACK block [left, right) of a segment (RFC 2018). */
    record SackBlock(int left, int right) {
    }

    /**
     * A segment sent or received.
     *
     * @param seq the sequence number
     * @param ack the acknowledgment number (meaningful with {@link #ACK})
     * @param flags the control bits ({@link #SYN}, {@link #ACK}...)
     * @param window the window it offers, in bytes (scaled, except on a SYN, where it never is)
     * @param length the payload's length in bytes (SYN and FIN not counted)
     * @param sack the SACK blocks it carries, the latest first
     */
    record Segment(long timeNanos, TcpConnectionId connection, Direction direction, int seq, int ack, int flags,
                   long window, int length, List<SackBlock> sack) implements TcpTraceEvent {
        /** Whether it carries {@code flag}. */
        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** Sequence space it takes: the payload, plus one each for SYN and FIN. */
        public int sequenceLength() {
            return length + (has(SYN) ? 1 : 0) + (has(FIN) ? 1 : 0);
        }
    }

    /** The connection moved from one RFC 9293 state to another ({@code CLOSED} once it is deleted). */
    record StateChange(long timeNanos, TcpConnectionId connection, String from, String to) implements TcpTraceEvent {
    }

    /**
     * The sender's view, recorded whenever the congestion window, the slow-start threshold, the
     * smoothed RTT or the retransmission timeout changed.
     *
     * @param cwnd the congestion window, bytes
     * @param ssthresh the slow-start threshold, bytes ({@code Long.MAX_VALUE}-like values mean none yet)
     * @param srttNanos the smoothed RTT, or -1 before the first sample
     * @param rtoNanos the retransmission timeout that the next arming would use
     * @param inFlight bytes sent and not yet acknowledged
     * @param sendWindow the peer's window, bytes
     */
    record Congestion(long timeNanos, TcpConnectionId connection, long cwnd, long ssthresh, long srttNanos,
                      long rtoNanos, long inFlight, long sendWindow) implements TcpTraceEvent {
    }

    /**
     * A segment went again; the {@link Segment} event of the copy follows it.
     *
     * @param seq the first sequence number it carries again
     * @param length its payload's length
     * @param reason the decision that sent it
     */
    record Retransmission(long timeNanos, TcpConnectionId connection, int seq, int length, RetransmitReason reason)
            implements TcpTraceEvent {
    }

    /**
     * A connection timer fired: {@code retransmission}, {@code delayed-ack}, {@code persist},
     * {@code tail-loss-probe}, {@code reorder}, {@code keepalive}.
     */
    record TimerFired(long timeNanos, TcpConnectionId connection, String timer) implements TcpTraceEvent {
    }
}
