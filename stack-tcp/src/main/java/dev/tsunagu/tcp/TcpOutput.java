package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.wire.TcpHeader.ACK;
import static dev.tsunagu.tcp.wire.TcpHeader.SYN;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.tcp.buffer.SendBuffer;
import dev.tsunagu.tcp.wire.TcpHeader;

/**
 * Builds the segments of one connection from its state: the acknowledgment and window from the
 * {@link Receiver} (which moves its advertised edge as it says it), the timestamps from the
 * {@link RttSampler} (which records Last.ACK.sent), our SACK blocks, the payload copied once
 * from the send buffer into a pooled packet buffer. The caller gives only what it decides: the
 * sequence number, the flags, which bytes. The payload and options go to the {@link Transmit}
 * the connection implements, which puts the header with its addresses in front, so no part of
 * TCP but the connection and the layer knows an address.
 *
 * <p>Four kinds: {@link #syn} (the options we offer or answer), {@link #newData} (data sent for
 * the first time), {@link #data} (a retransmission or a bare ACK; both carry our current ACK, so
 * the {@link AckScheduler} is paid) and {@link #probe} (a window probe or keepalive: the ACK we
 * owe still goes). ECN ({@link TcpEcn}) marks only new data ECT(0) and puts CWR on it after a
 * reduction; every segment that carries our ACK carries ECE while a CE is being echoed.
 *
 * <p>Called by the connection, the {@link Handshake} and the {@link Sender}. Allocates nothing
 * but the packet buffer (from the pool); the options holder is the layer's, one segment at a
 * time on the loop.
 */
final class TcpOutput {
    /**
     * The connection's side of sending, the one narrow way up: whether its state lets segments
     * go, and the transmission (the TCP header with the connection's ports and addresses in
     * front, then IP). The connection implements it itself: no object per connection.
     */
    interface Transmit {
        /** Whether the state allows sending data and FINs, and the connection is not deleted. */
        boolean canTransmit();

        /** Sends the segment with the IP ECN codepoint {@code ecn} ({@code dev.tsunagu.net.Ecn}). */
        void transmit(PacketBuffer segment, int seq, int ack, int flags, int window, TcpHeader.Options options, int ecn);
    }

    private final Transmit wire;
    private final BufferPool buffers;
    /** The options of the segment being built (shared by the layer's connections: the loop sends one at a time). */
    private final TcpHeader.Options out;
    private final TcpSettings settings;
    private final Receiver rcv;
    private final RttSampler rtt;
    private final AckScheduler acks;
    private final TcpEcn ecn;

    TcpOutput(Transmit wire, BufferPool buffers, TcpHeader.Options out, TcpSettings settings, Receiver rcv,
              RttSampler rtt, AckScheduler acks, TcpEcn ecn) {
        this.wire = wire;
        this.buffers = buffers;
        this.out = out;
        this.settings = settings;
        this.rcv = rcv;
        this.rtt = rtt;
        this.acks = acks;
        this.ecn = ecn;
    }

    /** Whether the connection's state lets data and FINs go now. */
    boolean open() {
        return wire.canTransmit();
    }

    /**
     * Our SYN ({@code synAck} false) or SYN-ACK at {@code iss}: its window unscaled (RFC 7323
     * 2.2), our MSS, and the window {@code scale} to offer (-1: none). A SYN offers what the stack
     * allows; a SYN-ACK answers what the peer offered (RFC 2018, RFC 7323 1.3, RFC 3168 6.1.1).
     * Never ECT (RFC 3168 6.1.1).
     */
    void syn(int iss, boolean synAck, int mss, int scale) {
        int window = rcv.anchorSynWindow();
        int ack = synAck ? rcv.rcvNxt : 0;
        PacketBuffer b = buffers.acquire(0);
        TcpHeader.Options o = out.clear();
        o.mss = mss;
        o.windowScale = scale;
        o.sackPermitted = synAck ? rcv.sackPermitted : settings.sack;
        if (synAck ? rtt.tsEnabled : settings.timestamps) {
            rtt.stamp(o, synAck);
        }
        if (synAck) {
            rtt.lastAckSent = ack;
        }
        int flags = synAck ? SYN | ACK | ecn.synAckFlags() : SYN | ecn.synFlags();
        wire.transmit(b, iss, ack, flags, window, o, Ecn.NOT_ECT);
    }

    /**
     * A segment that carries our current ACK: {@code len} bytes from {@code source} at
     * {@code offset} (none if 0), at {@code seq}, with {@code flags} (ACK among them). The ACK we
     * owed is paid.
     *
     * @param mss the send MSS, which the options come out of when there is data
     */
    void data(int seq, int flags, SendBuffer source, int offset, int len, int mss) {
        send(seq, flags, source, offset, len, mss, Ecn.NOT_ECT);
        acks.onAckSent();
    }

    /**
     * {@link #data} for {@code len > 0} bytes sent for the first time (at or past SND.MAX): the
     * only segments ECN marks ECT(0), and where CWR goes after a reduction (RFC 3168 6.1.2).
     */
    void newData(int seq, int flags, SendBuffer source, int offset, int len, int mss) {
        send(seq, flags | ecn.newDataFlags(), source, offset, len, mss, ecn.newDataCodepoint());
        acks.onAckSent();
    }

    /** A bare ACK at {@code seq}. */
    void ack(int seq, int mss) {
        data(seq, ACK, null, 0, 0, mss);
    }

    /** A zero-window probe or keepalive: like {@link #data}, but it does not stand for the ACK we owe. */
    void probe(int seq, SendBuffer source, int offset, int len, int mss) {
        send(seq, ACK, source, offset, len, mss, Ecn.NOT_ECT);
    }

    private void send(int seq, int flags, SendBuffer source, int offset, int len, int mss, int codepoint) {
        int ack = rcv.rcvNxt;
        int window = rcv.advertiseWindow();
        PacketBuffer b = buffers.acquire(len);
        if (len > 0) {
            int at = b.append(len);
            source.read(offset, b.array(), at, len);
        }
        TcpHeader.Options o = out.clear();
        if (rtt.tsEnabled) {
            rtt.stamp(o, true);
        }
        if ((flags & ACK) != 0) {
            flags |= ecn.ackFlags();
            rtt.lastAckSent = ack;
            if (rcv.hasSackBlocks()) {
                int max = rtt.tsEnabled ? TcpHeader.MAX_SACK_BLOCKS - 1 : TcpHeader.MAX_SACK_BLOCKS;
                if (len > 0) {
                    max = Math.max(0, Math.min(max, (mss - len - 4) / 8)); // the options come out of the segment's MSS
                }
                rcv.writeSackBlocks(o, max);
            }
        }
        if (len > mss) {
            b.setSegmentSize(mss); // the device cuts it into MSS-sized segments, headers copied onto each
        }
        wire.transmit(b, seq, ack, flags, window, o, codepoint);
    }
}
