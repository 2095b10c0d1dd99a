package dev.tsunagu.tcp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.tcp.wire.TcpSegment;

/**
 * The received segment being processed, parsed once into fields: a flyweight the layer reuses
 * for every segment (valid during one {@code onSegment} call).
 */
final class Segment {
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
    final TcpSegment.Options options = new TcpSegment.Options();
    boolean optionsValid;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload plus one for SYN and one for FIN (RFC 9293 3.4). */
    int length() {
        return payloadLength + (has(TcpSegment.SYN) ? 1 : 0) + (has(TcpSegment.FIN) ? 1 : 0);
    }

    boolean parse(PacketBuffer b, IpAddress srcIp, IpAddress dstIp) {
        buffer = b;
        sourceIp = srcIp;
        destinationIp = dstIp;
        sourcePort = TcpSegment.sourcePort(b);
        destinationPort = TcpSegment.destinationPort(b);
        seq = TcpSegment.sequence(b);
        ack = TcpSegment.acknowledgment(b);
        flags = TcpSegment.flags(b);
        window = TcpSegment.window(b);
        int hl = TcpSegment.headerLength(b);
        payloadOffset = b.start() + hl;
        payloadLength = b.length() - hl;
        optionsValid = hl == TcpSegment.HEADER_LENGTH ? resetOptions() : TcpSegment.parseOptions(b, options);
        return optionsValid;
    }

    private boolean resetOptions() {
        options.reset();
        return true;
    }
}
