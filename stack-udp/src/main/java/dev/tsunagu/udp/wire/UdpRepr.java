package dev.tsunagu.udp.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import java.util.Arrays;
import java.util.Objects;

/**
 * A UDP datagram (RFC 768) as a value: ports and payload. Used by tests, traces and slow
 * paths; the receive path reads fields in place through {@link UdpDatagram}.
 *
 * <p>The checksum is not part of the value: {@link #parse} verifies it (zero means the
 * sender computed none) and {@link #emit} always computes one, sending a computed zero as
 * 0xFFFF. The payload is copied on the way in and out; equality compares its contents.
 */
public record UdpRepr(int sourcePort, int destinationPort, byte[] payload) {
    /** The largest payload an IPv4 datagram with a 20-byte header can carry. */
    public static final int MAX_PAYLOAD_LENGTH = 65535 - 20 - UdpDatagram.HEADER_LENGTH;

    /** Either a datagram or the reason there is none; the reason is a drop counter. */
    public sealed interface Result permits Parsed, Rejected {}

    public record Parsed(UdpRepr repr) implements Result {}

    public record Rejected(UdpDatagram.Problem problem) implements Result {
        public Rejected {
            if (Objects.requireNonNull(problem) == UdpDatagram.Problem.OK) {
                throw new IllegalArgumentException("a rejection needs a problem");
            }
        }
    }

    public UdpRepr {
        checkPort("sourcePort", sourcePort);
        checkPort("destinationPort", destinationPort);
        Objects.requireNonNull(payload, "payload");
        if (payload.length > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes, at most "
                    + MAX_PAYLOAD_LENGTH + " fit");
        }
        payload = payload.clone();
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(name + " " + port + " is not in [0, 65535]");
        }
    }

    /**
     * The datagram in {@code b}, which holds exactly the IP payload, validated by
     * {@link UdpDatagram#check} against the pseudo-header of {@code sourceIp} and
     * {@code destinationIp}. Bytes after the UDP length are not part of the payload. The
     * buffer is not changed.
     */
    public static Result parse(PacketBuffer b, int sourceIp, int destinationIp) {
        UdpDatagram.Problem problem = UdpDatagram.check(b, sourceIp, destinationIp);
        if (problem != UdpDatagram.Problem.OK) {
            return new Rejected(problem);
        }
        byte[] payload = new byte[UdpDatagram.length(b) - UdpDatagram.HEADER_LENGTH];
        b.getBytes(UdpDatagram.HEADER_LENGTH, payload, 0, payload.length);
        return new Parsed(new UdpRepr(UdpDatagram.sourcePort(b), UdpDatagram.destinationPort(b), payload));
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The datagram length, header included: the length field. */
    public int bufferLength() {
        return UdpDatagram.HEADER_LENGTH + payload.length;
    }

    /**
     * Appends this datagram to {@code b}, with the checksum over the pseudo-header of
     * {@code sourceIp} and {@code destinationIp}. The checksum covers the datagram only, so
     * whatever {@code b} held before is left alone.
     */
    public void emit(PacketBuffer b, int sourceIp, int destinationIp) {
        int length = bufferLength();
        int at = b.length();
        b.append(length);
        b.setU16(at + UdpDatagram.SOURCE_PORT, sourcePort);
        b.setU16(at + UdpDatagram.DESTINATION_PORT, destinationPort);
        b.setU16(at + UdpDatagram.LENGTH, length);
        b.setU16(at + UdpDatagram.CHECKSUM, 0);
        b.setBytes(at + UdpDatagram.HEADER_LENGTH, payload, 0, payload.length);
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
        int checksum = InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start() + at, length));
        // RFC 768: a computed zero is sent as all ones; zero on the wire means "no checksum".
        b.setU16(at + UdpDatagram.CHECKSUM, checksum == 0 ? 0xFFFF : checksum);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UdpRepr u && sourcePort == u.sourcePort && destinationPort == u.destinationPort
                && Arrays.equals(payload, u.payload);
    }

    @Override
    public int hashCode() {
        return (sourcePort * 31 + destinationPort) * 31 + Arrays.hashCode(payload);
    }

    /** In the manner of tcpdump: {@code UDP 40000 > 53, length 6} (the payload length). */
    @Override
    public String toString() {
        return "UDP " + sourcePort + " > " + destinationPort + ", length " + payload.length;
    }
}
