package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.inRange;
import static dev.tsunagu.tcp.SeqNum.lt;
import static dev.tsunagu.tcp.wire.TcpHeader.SYN;

import dev.tsunagu.tcp.buffer.ReceiveBuffer;
import dev.tsunagu.tcp.wire.TcpHeader;

/**
 * The receive side of a connection: the receive sequence space (RFC 9293 3.3.1: RCV.NXT, the
 * window, IRS), the receive buffer, the window we advertise, the SACK blocks we send, and where
 * the peer's FIN stands.
 *
 * <pre>
 *        IRS           RCV.NXT                  rcvAdv = RCV.NXT + RCV.WND (as last advertised)
 *   ──────┼───────────────┼──────────────────────────┼──────────▶ sequence space
 *         │ read or ready │ out-of-order ranges kept │
 *         │ for the app   │ in place (SACK blocks)   │
 * </pre>
 *
 * <p>The window's right edge never moves left (RFC 9293 3.8.6), and moves right only by at
 * least min(MSS, buffer / 2) at a time (receiver silly-window avoidance, RFC 1122 4.2.3.3).
 * Each text arrival tells the {@link AckScheduler} what it owes the sender; the connection
 * decides what the FIN does to the state.
 *
 * <p>Called by the connection, the {@link Handshake} and {@link TcpOutput} (window and SACK
 * blocks of every segment); calls the {@link AckScheduler} and its {@link ReceiveBuffer}.
 */
final class Receiver {
    /** What a FIN did, for the state machine (RFC 9293 3.10.7.4, eighth). */
    enum Fin {
        /** Already received: acknowledge it again. */
        REPEATED,
        /** Ahead of missing data: remembered until the data arrives. */
        EARLY,
        /** The second copy of a FIN already taken (nothing to do). */
        KNOWN,
        /** Taken: RCV.NXT is past it, the stream has ended. */
        TAKEN
    }

    private final TcpCounters counters;
    private final AckScheduler acks;
    /** The MSS we advertise (route MTU − 40). */
    final int ourMss;
    final ReceiveBuffer receiveBuffer;

    int irs;
    int rcvNxt;
    /** The right edge of the window last advertised (RCV.NXT + RCV.WND then); never moved left. */
    int rcvAdv;
    /** Shift applied to our window field (RFC 7323); 0 unless both SYNs offered scaling. */
    int rcvWndScale;
    /** SACK was negotiated (RFC 2018): our ACKs tell the peer of the holes. */
    boolean sackPermitted;
    boolean finReceived;
    /** Sequence number of a FIN that arrived ahead of data, valid while {@link #peerFinKnown}. */
    int peerFinSeq;
    boolean peerFinKnown;
    /** Sequence number of the latest out-of-order data we took: its block goes first in our SACK option. */
    private int lastOutOfOrderSeq;
    private boolean lastOutOfOrderValid;
    /**
     * Data that arrived again, {@code [dsackStart, dsackEnd)}, to report once as the first block
     * of our next SACK option (a D-SACK, RFC 2883 4), while {@link #dsackPending}.
     */
    private int dsackStart;
    private int dsackEnd;
    private boolean dsackPending;

    Receiver(ReceiveBuffer receiveBuffer, int ourMss, TcpCounters counters, AckScheduler acks) {
        this.receiveBuffer = receiveBuffer;
        this.ourMss = ourMss;
        this.counters = counters;
        this.acks = acks;
        this.rcvWndScale = windowScaleFor(receiveBuffer.capacity());
    }

    /** The smallest shift that lets {@code buffer} bytes be advertised in 16 bits (RFC 7323 2.3: at most 14). */
    static int windowScaleFor(int buffer) {
        int shift = 0;
        while (shift < 14 && (buffer >>> shift) > 0xFFFF) {
            shift++;
        }
        return shift;
    }

    /** The peer's SYN carried {@code isn}: IRS, and RCV.NXT just past the SYN. */
    void start(int isn) {
        irs = isn;
        rcvNxt = isn + 1;
    }

    /** The window of a SYN (never scaled, RFC 7323 2.2), now the right edge advertised. */
    int anchorSynWindow() {
        int window = Math.min(receiveBuffer.window(), 0xFFFF);
        rcvAdv = rcvNxt + window;
        return window;
    }

    /** RCV.WND as the peer knows it. */
    int window() {
        return Math.max(0, rcvAdv - rcvNxt);
    }

    /** RFC 9293 3.10.7.4, first: the sequence acceptability table, for a segment of {@code segLen}. */
    boolean acceptable(int seq, int segLen) {
        int rcvWnd = window();
        if (segLen == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : inRange(seq, rcvNxt, rcvNxt + rcvWnd);
        }
        return rcvWnd != 0 && (inRange(seq, rcvNxt, rcvNxt + rcvWnd) || inRange(seq + segLen - 1, rcvNxt, rcvNxt + rcvWnd));
    }

    /** A zero-window probe: one byte at RCV.NXT while the window is shut (RFC 9293 3.8.6.1). */
    boolean isZeroWindowProbe(int seq) {
        return window() == 0 && seq == rcvNxt;
    }

    /**
     * Seventh step: the segment's text. Out-of-order bytes are kept in the receive buffer, in
     * place; the {@link AckScheduler} learns what this arrival owes the sender.
     *
     * @return how far RCV.NXT moved, or -1 if the text was all duplicate
     */
    int receiveText(Segment s, int mss) {
        int dataSeq = s.seq + (s.has(SYN) ? 1 : 0);
        int offset = dataSeq - rcvNxt;
        int skip = 0;
        if (offset < 0) {
            skip = -offset;
            offset = 0;
        }
        int len = s.payloadLength - skip;
        if (skip > 0) {
            onDuplicate(dataSeq, dataSeq + Math.min(skip, s.payloadLength)); // RFC 2883 4.1.1: what came again
        }
        if (len <= 0) {
            acks.ackNow(); // all duplicate: tell the sender at once (RFC 5681 4.2)
            counters.duplicateData.increment();
            return -1;
        }
        int advanced = receiveBuffer.insert(offset, s.buffer.array(), s.payloadOffset + skip, len);
        if (receiveBuffer.refusedLast()) {
            counters.outOfOrderDrops.increment();
        }
        rcvNxt += advanced;
        if (offset > 0 && !receiveBuffer.refusedLast()) {
            lastOutOfOrderSeq = rcvNxt + offset; // its block leads our next SACK option (RFC 2018 4)
            lastOutOfOrderValid = true;
        }
        if (offset > 0 || receiveBuffer.hasOutOfOrder() || advanced != len) {
            // Out of order, filling a hole (it advanced past itself), or cut at the window:
            // ACK at once (RFC 5681 4.2).
            acks.ackNow();
            if (offset > 0) {
                counters.outOfOrderSegments.increment();
            }
        } else {
            acks.onInOrderText(len, mss);
        }
        return advanced;
    }

    /** A FIN that came ahead of data is now at RCV.NXT. */
    boolean earlyFinReached() {
        return peerFinKnown && rcvNxt == peerFinSeq;
    }

    /** Eighth step: a FIN at {@code finAt} (its sequence number). Every FIN is acknowledged at once. */
    Fin onFin(int finAt) {
        if (lt(finAt, rcvNxt)) {
            acks.ackNow(); // a retransmitted FIN we already have
            return Fin.REPEATED;
        }
        if (finAt != rcvNxt) {
            peerFinSeq = finAt; // ahead of missing data: remember it
            peerFinKnown = true;
            acks.ackNow();
            return Fin.EARLY;
        }
        if (finReceived) {
            return Fin.KNOWN;
        }
        rcvNxt++;
        finReceived = true;
        peerFinKnown = false;
        acks.ackNow();
        return Fin.TAKEN;
    }

    // ---- the window we advertise ----

    /** Free receive space, but no more than the window field can say at our scale. */
    int advertisableWindow() {
        return (int) Math.min(receiveBuffer.window(), 0xFFFFL << rcvWndScale);
    }

    /** The window field of an outgoing segment, with receiver silly-window avoidance (RFC 1122 4.2.3.3). */
    int advertiseWindow() {
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

    /**
     * After the application read: gives the buffer's memory back once it is empty, and says
     * whether the freed space is worth a window update of its own (RFC 1122 4.2.3.3), for a
     * connection whose peer may still send ({@code open}, and no FIN from it).
     */
    boolean afterRead(boolean open) {
        if (receiveBuffer.readable() == 0) {
            receiveBuffer.trim();
        }
        return open && !finReceived
                && acks.windowUpdateWorthIt(advertisableWindow(), rcvAdv - rcvNxt, receiveBuffer.capacity(), ourMss);
    }

    // ---- SACK blocks ----

    /**
     * RFC 2883: data {@code [from, to)}, all below RCV.NXT, arrived again (a retransmission
     * whose original had come, or a duplicate the network made). With SACK, our next ACK reports
     * it as a D-SACK block, so the sender can tell a spurious retransmission from a loss. A
     * segment entirely outside the window reaches here through {@link #onUnacceptable}. The ACK
     * goes at once: the sender is retransmitting, and the news is for now.
     */
    void onDuplicate(int from, int to) {
        if (sackPermitted && lt(from, to)) {
            dsackStart = from;
            dsackEnd = to;
            dsackPending = true;
            acks.ackNow();
        }
    }

    /** An unacceptable segment {@code s} with data: if its data is all old (below RCV.NXT), it is a duplicate (RFC 2883). */
    void onUnacceptable(Segment s) {
        if (s.payloadLength > 0 && SeqNum.le(s.seq + s.payloadLength, rcvNxt)) {
            onDuplicate(s.seq, s.seq + s.payloadLength);
        }
    }

    /** Whether our next ACK has holes (or a duplicate) to tell of. */
    boolean hasSackBlocks() {
        return sackPermitted && (dsackPending || receiveBuffer.hasOutOfOrder());
    }

    /**
     * Our SACK option: a D-SACK block first if data came again since the last ACK (RFC 2883 4,
     * reported once), then the block holding the latest out-of-order arrival (RFC 2018 4), then
     * the others from the highest down, at most {@code max} in all.
     */
    void writeSackBlocks(TcpHeader.Options o, int max) {
        int k = 0;
        if (dsackPending && max > 0) {
            o.sackBlocks[0] = dsackStart;
            o.sackBlocks[1] = dsackEnd;
            o.sackCount = k = 1;
            dsackPending = false;
            counters.dsacksSent.increment();
        }
        int n = receiveBuffer.outOfOrderRanges();
        if (k >= max || n == 0) {
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
        if (first >= 0) {
            o.sackBlocks[2 * k] = rcvNxt + receiveBuffer.rangeStart(first);
            o.sackBlocks[2 * k + 1] = rcvNxt + receiveBuffer.rangeEnd(first);
            k++;
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
}
