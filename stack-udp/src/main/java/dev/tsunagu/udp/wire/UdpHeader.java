package dev.tsunagu.udp.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.stack.IpPacketInfo;

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
public final class UdpHeader {
    public static final int SOURCE_PORT = 0;
    public static final int DESTINATION_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LENGTH = 8;

    /** What {@link #check} found wrong; each is a drop counter. */
    public enum Problem { OK, TRUNCATED, BAD_LENGTH, BAD_CHECKSUM }

    private UdpHeader() {}

    /**
     * Validates the datagram in {@code b} (which holds exactly the IP payload), received as
     * {@code info} says: at least a header, 8 ≤ length ≤ payload, checksum correct (over the
     * pseudo-header {@code info} sums, whatever the family) or, over IPv4 only, absent: RFC 8200
     * 8.1 makes the checksum mandatory over IPv6, and a receiver drops a datagram with zero in it.
     */
    public static Problem check(PacketBuffer b, IpPacketInfo info) {
        Problem p = checkLength(b);
        if (p != Problem.OK) {
            return p;
        }
        if (b.getU16(CHECKSUM) == 0) {
            return info.destination().family() == AddressFamily.IPV6 ? Problem.BAD_CHECKSUM : Problem.OK;
        }
        if (b.checksumVerified()) {
            return Problem.OK; // the device checked it, or it never crossed a wire (virtio-net DATA_VALID, NEEDS_CSUM)
        }
        int length = b.getU16(LENGTH);
        return verifies(b, info.pseudoHeaderSum(IpProtocol.UDP, length), length) ? Problem.OK : Problem.BAD_CHECKSUM;
    }

    /** {@link #check(PacketBuffer, IpPacketInfo)} for a datagram between two IPv4 addresses. */
    public static Problem check(PacketBuffer b, int sourceIp, int destinationIp) {
        Problem p = checkLength(b);
        if (p != Problem.OK || b.getU16(CHECKSUM) == 0) {
            return p;
        }
        int length = b.getU16(LENGTH);
        long pseudo = InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length);
        return verifies(b, pseudo, length) ? Problem.OK : Problem.BAD_CHECKSUM;
    }

    private static Problem checkLength(PacketBuffer b) {
        if (b.length() < HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        int length = b.getU16(LENGTH);
        if (length < HEADER_LENGTH || length > b.length()) {
            return Problem.BAD_LENGTH;
        }
        return Problem.OK;
    }

    private static boolean verifies(PacketBuffer b, long pseudoHeaderSum, int length) {
        return InternetChecksum.finish(InternetChecksum.add(pseudoHeaderSum, b.array(), b.start(), length)) == 0;
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

    /** Prepends a header to the payload in {@code b} and fills in the checksum (IPv4 addresses). */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, int sourceIp, int destinationIp) {
        int length = datagramLength(b);
        prepend(b, sourcePort, destinationPort, InternetChecksum.pseudoHeader(sourceIp, destinationIp, IpProtocol.UDP, length));
    }

    /**
     * Prepends a header to the payload in {@code b} and fills in the checksum, starting from
     * {@code pseudoHeaderSum}: the network layer's sum of the pseudo-header for a datagram of
     * {@link #datagramLength} bytes ({@code IpService.pseudoHeaderSum}).
     */
    public static void prepend(PacketBuffer b, int sourcePort, int destinationPort, long pseudoHeaderSum) {
        int length = datagramLength(b);
        b.prepend(HEADER_LENGTH);
        b.setU16(SOURCE_PORT, sourcePort);
        b.setU16(DESTINATION_PORT, destinationPort);
        b.setU16(LENGTH, length);
        b.setU16(CHECKSUM, 0);
        int c = InternetChecksum.finish(InternetChecksum.add(pseudoHeaderSum, b.array(), b.start(), length));
        b.setU16(CHECKSUM, c == 0 ? 0xFFFF : c);
    }

    /**
     * The length of the datagram that the payload in {@code b} makes, header included.
     *
     * @throws IllegalArgumentException if it exceeds 65535 bytes
     */
    public static int datagramLength(PacketBuffer b) {
        int length = b.length() + HEADER_LENGTH;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("a UDP datagram holds at most 65535 bytes, not " + length);
        }
        return length;
    }
}
