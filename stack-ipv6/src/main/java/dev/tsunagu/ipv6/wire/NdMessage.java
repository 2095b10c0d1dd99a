package dev.tsunagu.ipv6.wire;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.Ipv6Address;

/**
 * Views of the Neighbor Discovery messages (RFC 4861 section 4) at the front of a buffer that
 * starts at the ICMPv6 header, and of their TLV options (4.6).
 *
 * <pre>
 * Neighbor Solicitation (135) / Advertisement (136):
 * | type | code | checksum | R S O reserved (NA) | target address (16) | options ...
 * Router Solicitation (133):   | type | code | checksum | reserved | options ...
 * Router Advertisement (134):  | type | code | checksum | cur hop limit | M O | router lifetime |
 *                              | reachable time | retrans timer | options ...
 * </pre>
 */
public final class NdMessage {
    public static final int NA_FLAGS = 4;
    public static final int TARGET = 8;
    public static final int NS_NA_OPTIONS = 24;
    public static final int RS_OPTIONS = 8;
    public static final int RA_CUR_HOP_LIMIT = 4;
    public static final int RA_FLAGS = 5;
    public static final int RA_ROUTER_LIFETIME = 6;
    public static final int RA_REACHABLE_TIME = 8;
    public static final int RA_RETRANS_TIMER = 12;
    public static final int RA_OPTIONS = 16;

    public static final int FLAG_ROUTER = 0x80;
    public static final int FLAG_SOLICITED = 0x40;
    public static final int FLAG_OVERRIDE = 0x20;

    public static final int OPTION_SOURCE_LINK_ADDRESS = 1;
    public static final int OPTION_TARGET_LINK_ADDRESS = 2;
    public static final int OPTION_PREFIX_INFORMATION = 3;
    public static final int OPTION_MTU = 5;

    /** Prefix Information option fields, from the option's start. */
    public static final int PREFIX_LENGTH = 2;
    public static final int PREFIX_FLAGS = 3;
    public static final int PREFIX_VALID_LIFETIME = 4;
    public static final int PREFIX_PREFERRED_LIFETIME = 8;
    public static final int PREFIX = 16;
    public static final int PREFIX_FLAG_ON_LINK = 0x80;
    public static final int PREFIX_FLAG_AUTONOMOUS = 0x40;

    private NdMessage() {}

    public static Ipv6Address target(PacketBuffer b) {
        return new Ipv6Address(b.getI64(TARGET), b.getI64(TARGET + 8));
    }

    public static int flags(PacketBuffer b) {
        return b.getU8(NA_FLAGS);
    }

    /**
     * Whether the options from {@code at} to the end are well formed: each at least 2 bytes of
     * header and a length that is not zero and fits (RFC 4861 4.6: a zero length means discard).
     */
    public static boolean optionsValid(PacketBuffer b, int at) {
        int end = b.length();
        while (at < end) {
            if (at + 2 > end) {
                return false;
            }
            int len = b.getU8(at + 1) * 8;
            if (len == 0 || at + len > end) {
                return false;
            }
            at += len;
        }
        return true;
    }

    /** The offset of the first option of {@code type} from {@code at} (valid options), or -1. */
    public static int findOption(PacketBuffer b, int at, int type) {
        int end = b.length();
        while (at < end) {
            if (b.getU8(at) == type) {
                return at;
            }
            at += b.getU8(at + 1) * 8;
        }
        return -1;
    }

    /**
     * The link-layer address in the Source or Target Link-Layer Address option at {@code at}, or
     * -1 if the option is not Ethernet-sized (8 bytes holding a 6-byte MAC, RFC 2464 8).
     */
    public static long linkAddress(PacketBuffer b, int at) {
        return at < 0 || b.getU8(at + 1) != 1 ? -1 : b.getU48(at + 2);
    }

    /** Appends a link-layer address option of {@code type} with {@code mac}. */
    public static void appendLinkAddress(PacketBuffer b, int type, long mac) {
        int at = b.length();
        b.append(8);
        b.setU8(at, type);
        b.setU8(at + 1, 1);
        b.setU48(at + 2, mac);
    }
}
