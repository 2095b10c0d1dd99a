package dev.tsunagu.ipv6.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.Ipv6Address;

/**
 * A view of the IPv6 fixed header (RFC 8200 section 3) at the front of a {@link PacketBuffer}:
 * named offsets and in-place accessors. {@link #check} is the one validation; after it passes
 * no accessor reads out of bounds and the payload length can be trusted.
 *
 * <pre>
 *  0       4               12                                      31
 * +-------+---------------+---------------------------------------+
 * |version| traffic class |              flow label               |
 * +-------+---------------+-------+---------------+---------------+
 * |        payload length         |  next header  |   hop limit   |
 * +-------------------------------+---------------+---------------+
 * |                  source address (128 bits)                    |
 * |               destination address (128 bits)                  |
 * </pre>
 *
 * <p>There is no header checksum (the transports' pseudo-header covers the addresses) and no
 * options: those live in extension headers ({@link ExtensionHeaders}).
 */
public final class Ipv6Header {
    public static final int VERSION_CLASS_FLOW = 0;
    public static final int PAYLOAD_LENGTH = 4;
    public static final int NEXT_HEADER = 6;
    public static final int HOP_LIMIT = 7;
    public static final int SOURCE = 8;
    public static final int DESTINATION = 24;
    public static final int HEADER_LENGTH = 40;
    /** The largest payload without a jumbo payload option (RFC 2675, not supported). */
    public static final int MAX_PAYLOAD_LENGTH = 65535;
    /** RFC 8200 section 5: every link carries packets of this size; no smaller MTU is allowed. */
    public static final int MIN_MTU = 1280;

    /** What {@link #check} found wrong; each is a drop counter. */
    public enum Problem { OK, TRUNCATED, BAD_VERSION, BAD_PAYLOAD_LENGTH }

    private Ipv6Header() {}

    /**
     * Validates the header in {@code b}: at least 40 bytes, version 6, 40 + payload length ≤
     * buffer length. Link padding after the payload is allowed (the caller trims it).
     */
    public static Problem check(PacketBuffer b) {
        if (b.length() < HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        if ((b.getU8(VERSION_CLASS_FLOW) >>> 4) != 6) {
            return Problem.BAD_VERSION;
        }
        if (HEADER_LENGTH + payloadLength(b) > b.length()) {
            return Problem.BAD_PAYLOAD_LENGTH;
        }
        return Problem.OK;
    }

    public static int version(PacketBuffer b) {
        return b.getU8(VERSION_CLASS_FLOW) >>> 4;
    }

    public static int trafficClass(PacketBuffer b) {
        return (b.getU16(VERSION_CLASS_FLOW) >>> 4) & 0xFF;
    }

    /** Sets the traffic class (DSCP and ECN), keeping the version and flow label. */
    public static void setTrafficClass(PacketBuffer b, int trafficClass) {
        b.setI32(VERSION_CLASS_FLOW, (b.getI32(VERSION_CLASS_FLOW) & 0xF00F_FFFF) | ((trafficClass & 0xFF) << 20));
    }

    public static int flowLabel(PacketBuffer b) {
        return b.getI32(VERSION_CLASS_FLOW) & 0xF_FFFF;
    }

    public static int payloadLength(PacketBuffer b) {
        return b.getU16(PAYLOAD_LENGTH);
    }

    public static int nextHeader(PacketBuffer b) {
        return b.getU8(NEXT_HEADER);
    }

    public static int hopLimit(PacketBuffer b) {
        return b.getU8(HOP_LIMIT);
    }

    public static long sourceHigh(PacketBuffer b) {
        return b.getI64(SOURCE);
    }

    public static long sourceLow(PacketBuffer b) {
        return b.getI64(SOURCE + 8);
    }

    public static long destinationHigh(PacketBuffer b) {
        return b.getI64(DESTINATION);
    }

    public static long destinationLow(PacketBuffer b) {
        return b.getI64(DESTINATION + 8);
    }

    /** The source address (a new record). */
    public static Ipv6Address source(PacketBuffer b) {
        return new Ipv6Address(sourceHigh(b), sourceLow(b));
    }

    /** The destination address (a new record). */
    public static Ipv6Address destination(PacketBuffer b) {
        return new Ipv6Address(destinationHigh(b), destinationLow(b));
    }

    /**
     * Writes the 40-byte header in front of the payload in {@code b}; the payload length is the
     * buffer's length.
     *
     * @throws IllegalArgumentException if the payload exceeds 65535 bytes
     */
    public static void prepend(PacketBuffer b, int trafficClass, int flowLabel, int nextHeader, int hopLimit,
                               Ipv6Address source, Ipv6Address destination) {
        int payload = b.length();
        if (payload > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("an IPv6 payload holds at most " + MAX_PAYLOAD_LENGTH + " bytes, not " + payload);
        }
        b.prepend(HEADER_LENGTH);
        b.setI32(VERSION_CLASS_FLOW, (6 << 28) | ((trafficClass & 0xFF) << 20) | (flowLabel & 0xF_FFFF));
        b.setU16(PAYLOAD_LENGTH, payload);
        b.setU8(NEXT_HEADER, nextHeader);
        b.setU8(HOP_LIMIT, hopLimit);
        setAddress(b, SOURCE, source);
        setAddress(b, DESTINATION, destination);
    }

    /** Writes {@code a} at {@code index}. */
    public static void setAddress(PacketBuffer b, int index, Ipv6Address a) {
        b.setI32(index, (int) (a.high() >>> 32));
        b.setI32(index + 4, (int) a.high());
        b.setI32(index + 8, (int) (a.low() >>> 32));
        b.setI32(index + 12, (int) a.low());
    }

    public static void setPayloadLength(PacketBuffer b, int length) {
        b.setU16(PAYLOAD_LENGTH, length);
    }

    /** Decrements the hop limit, as a router does (no checksum to patch in IPv6). */
    public static void decrementHopLimit(PacketBuffer b) {
        b.setU8(HOP_LIMIT, hopLimit(b) - 1);
    }
}
