package dev.tsunagu.ipv6.wire;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A view of the Fragment extension header (RFC 8200 section 4.5), 8 bytes at {@code at} in a
 * buffer that starts at the IPv6 header.
 *
 * <pre>
 * +---------------+---------------+-------------------------+--+-+
 * |  next header  |   reserved    |     fragment offset     |res|M|
 * +---------------+---------------+-------------------------+--+-+
 * |                        identification                        |
 * </pre>
 */
public final class FragmentHeader {
    public static final int LENGTH = 8;
    public static final int NEXT_HEADER = 0;
    public static final int OFFSET_FLAGS = 2;
    public static final int IDENTIFICATION = 4;
    private static final int MORE = 1;

    private FragmentHeader() {}

    public static int nextHeader(PacketBuffer b, int at) {
        return b.getU8(at + NEXT_HEADER);
    }

    /** The fragment offset in bytes (the field counts 8-byte units). */
    public static int offset(PacketBuffer b, int at) {
        return b.getU16(at + OFFSET_FLAGS) & ~7;
    }

    public static boolean moreFragments(PacketBuffer b, int at) {
        return (b.getU16(at + OFFSET_FLAGS) & MORE) != 0;
    }

    public static int identification(PacketBuffer b, int at) {
        return b.getI32(at + IDENTIFICATION);
    }

    /**
     * An atomic fragment (RFC 6946, RFC 8021): offset 0 and M clear, a whole packet that merely
     * carries a Fragment header. It is processed on its own, never joined with real fragments.
     */
    public static boolean isAtomic(PacketBuffer b, int at) {
        return (b.getU16(at + OFFSET_FLAGS) & ~6) == 0;
    }

    /** Writes a Fragment header at {@code at}. */
    public static void write(PacketBuffer b, int at, int nextHeader, int offset, boolean more, int identification) {
        b.setU8(at + NEXT_HEADER, nextHeader);
        b.setU8(at + 1, 0);
        b.setU16(at + OFFSET_FLAGS, (offset & ~7) | (more ? MORE : 0));
        b.setI32(at + IDENTIFICATION, identification);
    }
}
