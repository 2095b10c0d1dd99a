package dev.tsunagu.ip.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;

/**
 * A view of an IPv4 header (RFC 791) at the front of a {@link PacketBuffer}: named offsets and
 * in-place accessors, no allocation. {@link #check} is the one validation; after it passes no
 * accessor reads out of bounds and the lengths can be trusted.
 *
 * <pre>
 *  0       4       8               16      19                      31
 * +-------+-------+---------------+-------------------------------+
 * |version|  IHL  |      TOS      |          total length         |
 * +-------+-------+---------------+-----+-------------------------+
 * |        identification         |flags|    fragment offset      |
 * +---------------+---------------+-----+-------------------------+
 * |      TTL      |   protocol    |        header checksum        |
 * +---------------+---------------+-------------------------------+
 * |                        source address                         |
 * |                      destination address                      |
 * |                    options (IHL > 5) ...                      |
 * </pre>
 */
public final class Ipv4Header {
    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENTIFICATION = 4;
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SOURCE = 12;
    public static final int DESTINATION = 16;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;
    public static final int MAX_LENGTH = 65535;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;

    /** What {@link #check} found wrong; each is a drop counter. */
    public enum Problem { OK, TRUNCATED, BAD_VERSION, BAD_HEADER_LENGTH, BAD_TOTAL_LENGTH, BAD_CHECKSUM }

    private Ipv4Header() {}

    /**
     * Validates the header in {@code b}: long enough, version 4, 20 ≤ IHL×4 ≤ total length ≤
     * buffer length, checksum correct. Link padding after {@code total length} is allowed
     * (the caller trims it).
     */
    public static Problem check(PacketBuffer b) {
        int len = b.length();
        if (len < MIN_HEADER_LENGTH) {
            return Problem.TRUNCATED;
        }
        int vihl = b.getU8(VERSION_IHL);
        if ((vihl >>> 4) != 4) {
            return Problem.BAD_VERSION;
        }
        int hlen = (vihl & 0xF) * 4;
        if (hlen < MIN_HEADER_LENGTH || hlen > len) {
            return Problem.BAD_HEADER_LENGTH;
        }
        int total = b.getU16(TOTAL_LENGTH);
        if (total < hlen || total > len) {
            return Problem.BAD_TOTAL_LENGTH;
        }
        if (!InternetChecksum.verify(b.array(), b.start(), hlen)) {
            return Problem.BAD_CHECKSUM;
        }
        return Problem.OK;
    }

    public static int version(PacketBuffer b) {
        return b.getU8(VERSION_IHL) >>> 4;
    }

    public static int headerLength(PacketBuffer b) {
        return (b.getU8(VERSION_IHL) & 0xF) * 4;
    }

    public static int tos(PacketBuffer b) {
        return b.getU8(TOS);
    }

    public static int totalLength(PacketBuffer b) {
        return b.getU16(TOTAL_LENGTH);
    }

    public static int identification(PacketBuffer b) {
        return b.getU16(IDENTIFICATION);
    }

    public static boolean dontFragment(PacketBuffer b) {
        return (b.getU16(FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    public static boolean moreFragments(PacketBuffer b) {
        return (b.getU16(FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** The fragment offset in bytes (the field counts 8-byte units). */
    public static int fragmentOffset(PacketBuffer b) {
        return (b.getU16(FLAGS_FRAGMENT) & OFFSET_MASK) * 8;
    }

    /** Whether this is a fragment (MF set or a non-zero offset). */
    public static boolean isFragment(PacketBuffer b) {
        return (b.getU16(FLAGS_FRAGMENT) & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public static int ttl(PacketBuffer b) {
        return b.getU8(TTL);
    }

    public static int protocol(PacketBuffer b) {
        return b.getU8(PROTOCOL);
    }

    public static int checksum(PacketBuffer b) {
        return b.getU16(CHECKSUM);
    }

    public static int source(PacketBuffer b) {
        return b.getI32(SOURCE);
    }

    public static int destination(PacketBuffer b) {
        return b.getI32(DESTINATION);
    }

    /**
     * Writes a 20-byte header (no options) in front of the payload in {@code b}, checksum
     * included.
     */
    public static void prepend(PacketBuffer b, int tos, int identification, int flagsAndOffset, int ttl,
                               int protocol, int source, int destination) {
        int total = b.length() + MIN_HEADER_LENGTH;
        if (total > MAX_LENGTH) {
            throw new IllegalArgumentException("an IPv4 datagram holds at most " + MAX_LENGTH + " bytes, not " + total);
        }
        b.prepend(MIN_HEADER_LENGTH);
        b.setU8(VERSION_IHL, 0x45);
        b.setU8(TOS, tos);
        b.setU16(TOTAL_LENGTH, total);
        b.setU16(IDENTIFICATION, identification);
        b.setU16(FLAGS_FRAGMENT, flagsAndOffset);
        b.setU8(TTL, ttl);
        b.setU8(PROTOCOL, protocol);
        b.setU16(CHECKSUM, 0);
        b.setI32(SOURCE, source);
        b.setI32(DESTINATION, destination);
        b.setU16(CHECKSUM, InternetChecksum.compute(b.array(), b.start(), MIN_HEADER_LENGTH));
    }

    /** Recomputes the header checksum in place (after changing fields). */
    public static void updateChecksum(PacketBuffer b) {
        b.setU16(CHECKSUM, 0);
        b.setU16(CHECKSUM, InternetChecksum.compute(b.array(), b.start(), headerLength(b)));
    }

    /** Decrements the TTL and patches the checksum incrementally (RFC 1624), as a router does. */
    public static void decrementTtl(PacketBuffer b) {
        int oldWord = b.getU16(TTL);
        int newWord = oldWord - 0x100;
        b.setU16(TTL, newWord);
        b.setU16(CHECKSUM, InternetChecksum.update(b.getU16(CHECKSUM), oldWord, newWord));
    }

    public static void setFlagsAndOffset(PacketBuffer b, int value) {
        b.setU16(FLAGS_FRAGMENT, value);
    }

    public static void setTotalLength(PacketBuffer b, int value) {
        b.setU16(TOTAL_LENGTH, value);
    }
}
