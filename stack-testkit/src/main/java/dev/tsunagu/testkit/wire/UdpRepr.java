package dev.tsunagu.testkit.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import java.util.Arrays;
import java.util.Objects;

/**
 * A UDP datagram (RFC 768) as a value: ports and payload, for tests. It reads and writes the
 * bytes itself and shares no code with stack-udp's parser, so a test that checks the stack's
 * datagrams with it does not check the parser against itself.
 *
 * <p>The checksum is not part of the value: {@link #parse} verifies it (zero means the
 * sender computed none) and {@link #emit} always computes one, sending a computed zero as
 * 0xFFFF. The payload is copied on the way in and out; equality compares its contents.
 */
public record UdpRepr(int sourcePort, int destinationPort, byte[] payload) {
    /** The largest payload an IPv4 datagram with a 20-byte header can carry. */
    public static final int MAX_PAYLOAD_LENGTH = 65535 - 20 - 8;
    /** The header: source port, destination port, length, checksum. */
    public static final int HEADER_LENGTH = 8;

    /**
     * Why {@link #parse} refused a datagram: shorter than a header, a length field below 8 or
     * past the IP payload, a wrong checksum (zero means none was computed, RFC 768).
     */
    public enum Reason { TRUNCATED, BAD_LENGTH, BAD_CHECKSUM }

    /** Either a datagram or the reason there is none. */
    public sealed interface Result permits Parsed, Rejected {}

    public record Parsed(UdpRepr repr) implements Result {}

    public record Rejected(Reason reason) implements Result {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
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
     * The datagram in {@code b}, which holds exactly the IP payload: at least a header, a
     * length field of at least 8 and at most the buffer, and a checksum that is zero or right
     * over the pseudo-header of {@code sourceIp} and {@code destinationIp}. Bytes after the UDP
     * length are not part of the payload. The buffer is not changed.
     */
    public static Result parse(PacketBuffer b, int sourceIp, int destinationIp) {
        if (b.length() < HEADER_LENGTH) {
            return new Rejected(Reason.TRUNCATED);
        }
        int length = b.getU16(4);
        if (length < HEADER_LENGTH || length > b.length()) {
            return new Rejected(Reason.BAD_LENGTH);
        }
        if (b.getU16(6) != 0) {
            long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
            if (InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start(), length)) != 0) {
                return new Rejected(Reason.BAD_CHECKSUM);
            }
        }
        byte[] payload = new byte[length - HEADER_LENGTH];
        b.getBytes(HEADER_LENGTH, payload, 0, payload.length);
        return new Parsed(new UdpRepr(b.getU16(0), b.getU16(2), payload));
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The datagram length, header included: the length field. */
    public int bufferLength() {
        return HEADER_LENGTH + payload.length;
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
        b.setU16(at, sourcePort);
        b.setU16(at + 2, destinationPort);
        b.setU16(at + 4, length);
        b.setU16(at + 6, 0);
        b.setBytes(at + HEADER_LENGTH, payload, 0, payload.length);
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
        int checksum = InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start() + at, length));
        // RFC 768: a computed zero is sent as all ones; zero on the wire means "no checksum".
        b.setU16(at + 6, checksum == 0 ? 0xFFFF : checksum);
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
