package dev.tsunagu.net;

/**
 * The ECN field (RFC 3168 5): the two low bits of the IPv4 TOS byte and of the IPv6 traffic
 * class, which {@code IpService.send} takes and {@code IpPacketInfo.tos()} gives whole. An
 * ECN-capable transport marks its packets ECT; a router under congestion may set CE in an ECT
 * packet instead of dropping it; nobody else sets CE.
 *
 * <p>Also the reassembly rule both IP layers apply (RFC 3168 5.3), here once: a fragment's CE
 * must not be lost in reassembly, and CE must not appear on a packet any of whose fragments
 * said its transport is not ECN-capable. Keep a mask of the codepoints seen with
 * {@link #seen}; {@link #reassembled} gives the reassembled packet's.
 */
public final class Ecn {
    /** Not ECN-capable transport. */
    public static final int NOT_ECT = 0;
    /** ECN-capable transport, codepoint 1 (RFC 3168 5; L4S uses it, RFC 9331). */
    public static final int ECT_1 = 1;
    /** ECN-capable transport, codepoint 0: what RFC 3168 senders set. */
    public static final int ECT_0 = 2;
    /** Congestion experienced: set by a router in an ECT packet. */
    public static final int CE = 3;
    /** The ECN bits of a TOS or traffic-class byte. */
    public static final int MASK = 3;

    /** {@link #reassembled}'s answer when the fragments disagree: drop the packet. */
    public static final int DROP = -1;
    /** {@link #reassembled}'s answer when the fragments agree: the first fragment's codepoint stands. */
    public static final int KEEP = -2;

    private Ecn() {}

    /** The ECN codepoint of a TOS (IPv4) or traffic-class (IPv6) byte. */
    public static int of(int tos) {
        return tos & MASK;
    }

    /** {@code tos} with its ECN field set to {@code codepoint}, its DSCP kept. */
    public static int with(int tos, int codepoint) {
        return (tos & ~MASK & 0xFF) | (codepoint & MASK);
    }

    /** A mask of the codepoints seen so far ({@code mask} 0: none), with that of a fragment's {@code tos} added. */
    public static int seen(int mask, int tos) {
        return mask | 1 << of(tos);
    }

    /**
     * RFC 3168 5.3: the ECN codepoint of a packet reassembled from fragments whose codepoints
     * make up {@code mask} (from {@link #seen}), or {@link #DROP}. CE on any fragment makes the
     * packet CE, unless some fragment was Not-ECT: then the fragments contradict each other,
     * and the packet is dropped rather than lose the mark or forge one (Linux's choice too). A
     * Not-ECT fragment among ECT ones (no CE) is the same contradiction. Otherwise the
     * fragments agree, and the packet keeps the first fragment's codepoint.
     *
     * @return {@link #CE}, {@link #DROP} or {@link #KEEP}
     */
    public static int reassembled(int mask) {
        boolean notEct = (mask & 1 << NOT_ECT) != 0;
        boolean ect = (mask & (1 << ECT_0 | 1 << ECT_1 | 1 << CE)) != 0;
        if (notEct && ect) {
            return DROP;
        }
        return (mask & 1 << CE) != 0 ? CE : KEEP;
    }

}
