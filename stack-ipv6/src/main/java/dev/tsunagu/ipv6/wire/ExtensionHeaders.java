package dev.tsunagu.ipv6.wire;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * Walks the extension-header chain of an IPv6 packet (RFC 8200 section 4) from the fixed header
 * to the upper-layer header, doing what each header asks of a destination node. One mutable
 * {@link Walk} holds the outcome, so a packet costs no allocation.
 *
 * <ul>
 *   <li><b>Hop-by-Hop Options</b> (0) only directly after the fixed header (4.3); elsewhere it is
 *       an unrecognised next header (Parameter Problem code 1).</li>
 *   <li><b>Destination Options</b> (60) and Hop-by-Hop: each option is a TLV; Pad1 and PadN are
 *       padding, Router Alert (RFC 2711) is understood, and any other option is handled by the
 *       two high bits of its type (4.2): 00 skip it, 01 discard the packet, 10 discard and send
 *       Parameter Problem code 2 pointing at the option, 11 the same unless the destination was
 *       multicast.</li>
 *   <li><b>Routing</b> (43): with Segments Left 0 it is ignored (4.4). Otherwise type 0 is refused
 *       (RFC 5095: it is deprecated, and treated as an unrecognised type) and so is every type
 *       this host does not implement (all of them: a host is the final destination or nothing):
 *       Parameter Problem code 0 pointing at the Routing Type field.</li>
 *   <li><b>Fragment</b> (44): an atomic fragment (offset 0, M clear; RFC 8021 and 4.5) is a
 *       whole packet and the walk goes on; any other stops the walk with {@link Status#FRAGMENT}
 *       so the caller reassembles and walks again.</li>
 *   <li><b>No Next Header</b> (59): the packet ends here ({@link Status#NO_NEXT_HEADER}).</li>
 * </ul>
 *
 * <p>A header that does not fit in the packet gives {@link Status#TRUNCATED}. Any other value
 * is the upper-layer protocol; the caller finds out whether anything handles it.
 */
public final class ExtensionHeaders {
    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AUTHENTICATION = 51;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    /** Option types (RFC 8200 4.2, RFC 2711). */
    public static final int OPTION_PAD1 = 0;
    public static final int OPTION_PADN = 1;
    public static final int OPTION_ROUTER_ALERT = 5;

    /** A Hop-by-Hop header holding only a Router Alert option: 8 bytes. */
    public static final int ROUTER_ALERT_HOP_BY_HOP_LENGTH = 8;
    /** Router Alert value for MLD messages (RFC 2711 2.1). */
    public static final int ROUTER_ALERT_MLD = 0;

    /** Parameter Problem codes (RFC 4443 3.4). */
    public static final int CODE_ERRONEOUS_FIELD = 0;
    public static final int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int CODE_UNRECOGNIZED_OPTION = 2;

    /** How a walk ended. */
    public enum Status {
        /** At the upper-layer header: {@link Walk#protocol} at {@link Walk#offset}. */
        UPPER_LAYER,
        /** A (non-atomic) Fragment header at {@link Walk#offset}: reassemble, then walk again. */
        FRAGMENT,
        /** No Next Header (59): nothing follows. */
        NO_NEXT_HEADER,
        /** A header runs past the end of the packet. */
        TRUNCATED,
        /** Discard silently (an unknown option with action 01, or 11 to a multicast destination). */
        DISCARD,
        /** Discard and send Parameter Problem {@link Walk#code} with {@link Walk#pointer}. */
        PARAMETER_PROBLEM
    }

    /** The outcome of {@link #walk}: reused, valid until the next walk. */
    public static final class Walk {
        public Status status;
        /** The upper-layer protocol (for {@link Status#UPPER_LAYER}). */
        public int protocol;
        /** Where the upper-layer header (or the Fragment header) starts, from the IPv6 header. */
        public int offset;
        /** The offset of the Next Header field that named the header at {@link #offset}. */
        public int nextHeaderAt;
        /** Parameter Problem code and pointer (from the IPv6 header). */
        public int code;
        public int pointer;
        /** Whether the packet carried a Router Alert option (MLD and RSVP use it). */
        public boolean routerAlert;
        /**
         * Whether the Parameter Problem may be sent even about a multicast packet (an option
         * whose action bits are 10, RFC 4443 2.4 (e.3)).
         */
        public boolean reportEvenIfMulticast;

        private Status problem(int problemCode, int at) {
            code = problemCode;
            pointer = at;
            return status = Status.PARAMETER_PROBLEM;
        }
    }

    private ExtensionHeaders() {}

    /**
     * Walks {@code b} (starting at a checked IPv6 header and trimmed to its payload length).
     *
     * @param multicastDestination whether the destination is multicast (option action 11)
     */
    public static Status walk(PacketBuffer b, boolean multicastDestination, Walk w) {
        return walk(b, multicastDestination, w, true);
    }

    /**
     * Finds the upper-layer header only, doing nothing the headers ask (unknown options, routing
     * segments left): for looking into a packet that is not being received, such as one about
     * to be quoted in an ICMPv6 error or one quoted in an error received.
     */
    public static Status locate(PacketBuffer b, Walk w) {
        return walk(b, false, w, false);
    }

    private static Status walk(PacketBuffer b, boolean multicastDestination, Walk w, boolean act) {
        w.routerAlert = false;
        w.reportEvenIfMulticast = false;
        int end = b.length();
        int nextHeaderAt = Ipv6Header.NEXT_HEADER;
        int at = Ipv6Header.HEADER_LENGTH;
        // Every extension header is at least 8 bytes, so the loop ends within length/8 turns.
        while (true) {
            int next = b.getU8(nextHeaderAt);
            w.nextHeaderAt = nextHeaderAt;
            w.offset = at;
            switch (next) {
                case HOP_BY_HOP, DESTINATION_OPTIONS -> {
                    if (next == HOP_BY_HOP && at != Ipv6Header.HEADER_LENGTH) {
                        return w.problem(CODE_UNRECOGNIZED_NEXT_HEADER, nextHeaderAt);
                    }
                    if (at + 2 > end) {
                        return w.status = Status.TRUNCATED;
                    }
                    int len = (b.getU8(at + 1) + 1) * 8;
                    if (at + len > end) {
                        return w.status = Status.TRUNCATED;
                    }
                    Status s = act ? options(b, at + 2, at + len, multicastDestination, w) : null;
                    if (s != null) {
                        return s;
                    }
                    nextHeaderAt = at;
                    at += len;
                }
                case ROUTING -> {
                    if (at + 8 > end) {
                        return w.status = Status.TRUNCATED;
                    }
                    int len = (b.getU8(at + 1) + 1) * 8;
                    if (at + len > end) {
                        return w.status = Status.TRUNCATED;
                    }
                    if (act && b.getU8(at + 3) != 0) { // segments left
                        // No routing type is implemented, type 0 least of all (RFC 5095 3).
                        return w.problem(CODE_ERRONEOUS_FIELD, at + 2);
                    }
                    nextHeaderAt = at;
                    at += len;
                }
                case FRAGMENT -> {
                    if (at + FragmentHeader.LENGTH > end) {
                        return w.status = Status.TRUNCATED;
                    }
                    if (!FragmentHeader.isAtomic(b, at)) {
                        return w.status = Status.FRAGMENT;
                    }
                    nextHeaderAt = at;
                    at += FragmentHeader.LENGTH;
                }
                case NO_NEXT_HEADER -> {
                    return w.status = Status.NO_NEXT_HEADER;
                }
                default -> {
                    w.protocol = next;
                    return w.status = Status.UPPER_LAYER;
                }
            }
        }
    }

    /** The TLV options in {@code [at, end)}; null to go on, else the walk's end. */
    private static Status options(PacketBuffer b, int at, int end, boolean multicastDestination, Walk w) {
        while (at < end) {
            int type = b.getU8(at);
            if (type == OPTION_PAD1) {
                at++;
                continue;
            }
            if (at + 2 > end) {
                return w.status = Status.TRUNCATED;
            }
            int len = b.getU8(at + 1);
            if (at + 2 + len > end) {
                return w.status = Status.TRUNCATED;
            }
            switch (type) {
                case OPTION_PADN -> { }
                case OPTION_ROUTER_ALERT -> w.routerAlert = true;
                default -> {
                    switch (type >>> 6) {
                        case 0 -> { }
                        case 1 -> {
                            return w.status = Status.DISCARD;
                        }
                        case 2 -> {
                            w.reportEvenIfMulticast = true;
                            return w.problem(CODE_UNRECOGNIZED_OPTION, at);
                        }
                        default -> {
                            if (multicastDestination) {
                                return w.status = Status.DISCARD;
                            }
                            return w.problem(CODE_UNRECOGNIZED_OPTION, at);
                        }
                    }
                }
            }
            at += 2 + len;
        }
        return null;
    }

    /**
     * Writes a Hop-by-Hop Options header in front of {@code b} holding a Router Alert option
     * with {@code value} (RFC 2711) and a PadN of 0 bytes to fill the 8 bytes (RFC 8200 4.2),
     * followed by {@code nextHeader}.
     */
    public static void prependRouterAlert(PacketBuffer b, int nextHeader, int value) {
        b.prepend(ROUTER_ALERT_HOP_BY_HOP_LENGTH);
        b.setU8(0, nextHeader);
        b.setU8(1, 0); // Hdr Ext Len: 8 bytes in all
        b.setU8(2, OPTION_ROUTER_ALERT);
        b.setU8(3, 2);
        b.setU16(4, value);
        b.setU8(6, OPTION_PADN);
        b.setU8(7, 0);
    }
}
