package dev.tsunagu.ipv6.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv6Address;

/**
 * A view of an ICMPv6 message (RFC 4443 section 2.1) at the front of a {@link PacketBuffer},
 * with the types of RFC 4443 and RFC 4861.
 *
 * <pre>
 * +---------------+---------------+-------------------------------+
 * |     type      |     code      |           checksum            |
 * +---------------+---------------+-------------------------------+
 * |  message body: identifier + sequence, MTU, pointer, ND fields  |
 * </pre>
 *
 * <p>Unlike ICMPv4, the checksum covers the IPv6 pseudo-header (RFC 4443 2.3, RFC 8200 8.1).
 * Types below 128 are errors, the others informational (RFC 4443 2.1).
 */
public final class Icmpv6Header {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int BODY = 4;
    public static final int IDENTIFIER = 4;
    public static final int SEQUENCE = 6;
    public static final int MTU = 4;
    public static final int POINTER = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_ROUTER_SOLICITATION = 133;
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    public static final int TYPE_REDIRECT = 137;

    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMINISTRATIVELY_PROHIBITED = 1;
    public static final int CODE_BEYOND_SCOPE = 2;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private Icmpv6Header() {}

    /** Whether {@code type} is an error message (RFC 4443 2.1: types 0 to 127). */
    public static boolean isError(int type) {
        return type < 128;
    }

    public static int type(PacketBuffer b) {
        return b.getU8(TYPE);
    }

    public static int code(PacketBuffer b) {
        return b.getU8(CODE);
    }

    public static int identifier(PacketBuffer b) {
        return b.getU16(IDENTIFIER);
    }

    public static int sequence(PacketBuffer b) {
        return b.getU16(SEQUENCE);
    }

    /** The MTU of a Packet Too Big message. */
    public static long mtu(PacketBuffer b) {
        return b.getU32(MTU);
    }

    /** The pseudo-header sum (RFC 8200 8.1) for an ICMPv6 message of {@code length} bytes. */
    public static long pseudoHeaderSum(Ipv6Address source, Ipv6Address destination, int length) {
        return destination.addToChecksum(source.addToChecksum(0)) + (length >>> 16) + (length & 0xFFFF)
                + IpProtocol.ICMPV6;
    }

    /** Whether the message in {@code b} (all of it) checks out against the pseudo-header. */
    public static boolean verify(PacketBuffer b, long pseudoHeaderSum) {
        return InternetChecksum.finish(InternetChecksum.add(pseudoHeaderSum, b.array(), b.start(), b.length())) == 0;
    }

    /** Fills in the checksum of the message in {@code b} (all of it). */
    public static void setChecksum(PacketBuffer b, Ipv6Address source, Ipv6Address destination) {
        b.setU16(CHECKSUM, 0);
        long sum = InternetChecksum.add(pseudoHeaderSum(source, destination, b.length()), b.array(), b.start(), b.length());
        b.setU16(CHECKSUM, InternetChecksum.finish(sum));
    }
}
