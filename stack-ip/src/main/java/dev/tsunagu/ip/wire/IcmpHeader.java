package dev.tsunagu.ip.wire;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A view of an ICMP message (RFC 792) at the front of a {@link PacketBuffer}.
 *
 * <pre>
 *  0       8       16              31
 * +-------+-------+---------------+
 * | type  | code  |   checksum    |
 * +-------+-------+---------------+
 * |  rest of header (identifier + sequence, unused, next-hop MTU, pointer) |
 * |  data: echo payload, or the offending IP header + 8 bytes              |
 * </pre>
 */
public final class IcmpHeader {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int REST = 4;
    public static final int IDENTIFIER = 4;
    public static final int SEQUENCE = 6;
    public static final int NEXT_HOP_MTU = 6;
    public static final int POINTER = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_TTL_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private IcmpHeader() {}

    /** Whether {@code type} is an error message (its data quotes a datagram). */
    public static boolean isError(int type) {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT
                || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
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

    public static int nextHopMtu(PacketBuffer b) {
        return b.getU16(NEXT_HOP_MTU);
    }
}
