package dev.tsunagu.link.ethernet;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A view of an Ethernet II header at the front of a {@link PacketBuffer}.
 *
 * <p>Field offsets are named once here. {@link #isValid} is the one length check; after it
 * no accessor can read out of bounds. The class is all static methods over the buffer, so
 * reading a header allocates nothing.
 *
 * <pre>
 *  0                   6                   12      14
 * +-------------------+-------------------+-------+---------
 * | destination MAC   | source MAC        | type  | payload
 * +-------------------+-------------------+-------+---------
 * </pre>
 */
public final class EthernetFrame {
    public static final int DESTINATION = 0;
    public static final int SOURCE = 6;
    public static final int ETHER_TYPE = 12;
    public static final int HEADER_LENGTH = 14;
    /** The smallest frame on a wire (without FCS); shorter ones are padded by the sender's NIC. */
    public static final int MIN_FRAME_LENGTH = 60;

    private EthernetFrame() {}

    /** Whether the buffer holds at least a whole header. */
    public static boolean isValid(PacketBuffer b) {
        return b.length() >= HEADER_LENGTH;
    }

    public static long destination(PacketBuffer b) {
        return b.getU48(DESTINATION);
    }

    public static long source(PacketBuffer b) {
        return b.getU48(SOURCE);
    }

    public static int etherType(PacketBuffer b) {
        return b.getU16(ETHER_TYPE);
    }

    /** Prepends a header to the packet in {@code b} (which must have 14 bytes of headroom). */
    public static void prepend(PacketBuffer b, long destination, long source, int etherType) {
        b.prepend(HEADER_LENGTH);
        b.setU48(DESTINATION, destination);
        b.setU48(SOURCE, source);
        b.setU16(ETHER_TYPE, etherType);
    }
}
