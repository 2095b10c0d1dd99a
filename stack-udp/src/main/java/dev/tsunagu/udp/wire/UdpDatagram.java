package dev.tsunagu.udp.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;

/**
 * A view of a UDP header (RFC 768) at the front of a {@link PacketBuffer}.
 *
 * <pre>
 *  0               16              31
 * +---------------+---------------+
 * |  source port  |   dest port   |
 * +---------------+---------------+
 * |    length     |   checksum    |
 * +---------------+---------------+
 * </pre>
 *
 * The checksum covers a pseudo-header (source and destination address, protocol, UDP
 * length), the header and the data; zero means the sender computed none, and a computed zero
 * is sent as all ones.
 */
public final class UdpDatagram {
    public static final int SOURCE_PORT = 0;
    public static final int DESTINATION_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LENGTH = 8;

    /** What {@link #check} found wrong; each is a drop counter. */
    public enum Problem { OK, TRUNCATED, BAD_LENGTH, BAD_CHECKSUM }

    private UdpDatagram() {}

    /**
     * Validates the datagram in {@code b} (which holds exactly the IP payload): at least a
     * header, 8 ≤ length ≤ payload, checksum correct or absent.
     */
    public static Problem check(PacketBuffer b, int sourceIp, int destinationIp) {
        if (b.length() < HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        int length = b.getU16(LENGTH);
        if (length < HEADER_LENGTH || length > b.length()) {
            return Problem.BAD_LENGTH;
        }
        if (b.getU16(CHECKSUM) != 0) {
            long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
            sum = InternetChecksum.add(sum, b.array(), b.start(), length);
            if (InternetChecksum.finish(sum) != 0) {
                return Problem.BAD_CHECKSUM;
            }
        }
        return Problem.OK;
    }

    public static int sourcePort(PacketBuffer b) {
        return b.getU16(SOURCE_PORT);
    }

    public static int destinationPort(PacketBuffer b) {
        return b.getU16(DESTINATION_PORT);
    }

    public static int length(PacketBuffer b) {
        return b.getU16(LENGTH);
    }

    public static int checksum(PacketBuffer b) {
        return b.getU16(CHECKSUM);
    }

    /** Prepends a header to the payload in {@code b} and fills in the checksum. */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, int sourceIp, int destinationIp) {
        int length = b.length() + HEADER_LENGTH;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("a UDP datagram holds at most 65535 bytes, not " + length);
        }
        b.prepend(HEADER_LENGTH);
        b.setU16(SOURCE_PORT, sourcePort);
        b.setU16(DESTINATION_PORT, destinationPort);
        b.setU16(LENGTH, length);
        b.setU16(CHECKSUM, 0);
        long sum = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
        int c = InternetChecksum.finish(InternetChecksum.add(sum, b.array(), b.start(), length));
        b.setU16(CHECKSUM, c == 0 ? 0xFFFF : c);
    }
}
