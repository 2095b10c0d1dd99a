package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.tcp.wire.TcpHeader;

/**
 * The received segment being processed, parsed once into fields: a flyweight the layer reuses
 * for every segment (valid during one {@code onSegment} call). It is the normalised form the
 * state machine sees: {@link #parse} has refused (with a {@link Verdict} that the layer counts)
 * every segment whose options are malformed or whose flags no state can take, so the state
 * machine never meets a SYN that is also a FIN.
 */
final class Segment {
    /** What {@link #parse} made of a segment: taken, or why not. Each rejection has a counter (TcpCounters). */
    enum Verdict {
        OK,
        /** An option's length runs past the header, or an MSS or window-scale option has the wrong length. */
        BAD_OPTIONS,
        /**
         * SYN and FIN together (with or without RST): a SYN opens what a FIN closes. No RFC gives
         * it a meaning; scanners send it to slip past filters; Linux drops it, smoltcp's parser
         * refuses it, and before this check it opened a connection here.
         */
        SYN_FIN,
        /** SYN and RST together: the segment would both open and reset. */
        SYN_RST,
        /** FIN and RST together: a reset needs no FIN, and a FIN must not ride on a reset. */
        FIN_RST,
        /**
         * None of SYN, ACK and RST: nothing but FIN, PSH, URG or no flags at all (the null, FIN
         * and Xmas scans). Every state but LISTEN and SYN-SENT needs an ACK (RFC 9293 3.10.7.4,
         * fifth), and those two need a SYN or a RST: no state can take it. Dropped unanswered,
         * as Linux drops it for a socket (TCP_FLAGS), and also for no socket, which is stealthier
         * than the RST that RFC 9293 3.10.7.1 would send.
         */
        NO_CONTROL
    }


    IpAddress sourceIp;
    IpAddress destinationIp;
    int sourcePort;
    int destinationPort;
    int seq;
    int ack;
    int flags;
    int window;
    /** The payload: bytes [payloadOffset, payloadOffset + payloadLength) of {@code buffer.array()}. */
    PacketBuffer buffer;
    int payloadOffset;
    int payloadLength;
    final TcpHeader.Options options = new TcpHeader.Options();
    boolean optionsValid;
    /** The IP header's ECN codepoint (RFC 3168 5), set by the layer from the datagram. */
    int ecn;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
    int length() {
        return payloadLength + (has(TcpHeader.SYN) ? 1 : 0) + (has(TcpHeader.FIN) ? 1 : 0);
    }

    /**
     * Parses the segment in {@code b}, which {@link TcpHeader#check} has validated, from
     * {@code srcIp} to {@code dstIp}: the header fields, the options, and the flags' sense.
     */
    Verdict parse(PacketBuffer b, IpAddress srcIp, IpAddress dstIp) {
        buffer = b;
        sourceIp = srcIp;
        destinationIp = dstIp;
        sourcePort = TcpHeader.sourcePort(b);
        destinationPort = TcpHeader.destinationPort(b);
        seq = TcpHeader.sequence(b);
        ack = TcpHeader.acknowledgment(b);
        flags = TcpHeader.flags(b);
        window = TcpHeader.window(b);
        int hl = TcpHeader.headerLength(b);
        payloadOffset = b.start() + hl;
        payloadLength = b.length() - hl;
        optionsValid = hl == TcpHeader.HEADER_LENGTH ? resetOptions() : TcpHeader.parseOptions(b, options);
        return optionsValid ? checkFlags(flags) : Verdict.BAD_OPTIONS;
    }

    /** Whether any state could take a segment with these flags (see {@link Verdict}). */
    static Verdict checkFlags(int flags) {
        switch (flags & (TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST)) {
            case TcpHeader.SYN | TcpHeader.FIN, TcpHeader.SYN | TcpHeader.FIN | TcpHeader.RST -> {
                return Verdict.SYN_FIN;
            }
            case TcpHeader.SYN | TcpHeader.RST -> {
                return Verdict.SYN_RST;
            }
            case TcpHeader.FIN | TcpHeader.RST -> {
                return Verdict.FIN_RST;
            }
            default -> {
            }
        }
        return (flags & (TcpHeader.SYN | TcpHeader.ACK | TcpHeader.RST)) == 0 ? Verdict.NO_CONTROL : Verdict.OK;
    }

    private boolean resetOptions() {
        options.reset();
        return true;
    }
}
