package dev.tsunagu.link.capture;

/**
 * Link-layer header types ({@code LINKTYPE_*} values from the tcpdump.org registry) as used in
 * the {@code network} field of a classic pcap header and the {@code LinkType} field of a pcapng
 * Interface Description Block. Only the types the stack can produce or is likely to read are
 * named here; any other value is carried through as a plain {@code int}.
 */
public final class LinkType {
    /** BSD loopback: a 4-byte protocol family in host byte order, then the packet. */
    public static final int NULL = 0;
    /** IEEE 802.3 Ethernet (DIX and 802.3 framing). */
    public static final int ETHERNET = 1;
    /** Raw IP: the packet begins with an IPv4 or IPv6 header (version nibble tells which). */
    public static final int RAW = 101;
    /** OpenBSD loopback: like {@link #NULL} but the family is big-endian. */
    public static final int LOOP = 108;
    /** Linux "cooked" capture, version 1. */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4: the packet begins with an IPv4 header. */
    public static final int RAW_IPV4 = 228;
    /** Raw IPv6: the packet begins with an IPv6 header. */
    public static final int RAW_IPV6 = 229;

    private LinkType() {}

    /** A short readable name for {@code type}, or {@code "linktype N"} for unnamed values. */
    public static String name(int type) {
        return switch (type) {
            case NULL -> "NULL";
            case ETHERNET -> "ETHERNET";
            case RAW -> "RAW";
            case LOOP -> "LOOP";
            case LINUX_SLL -> "LINUX_SLL";
            case RAW_IPV4 -> "IPV4";
            case RAW_IPV6 -> "IPV6";
            default -> "linktype " + type;
        };
    }
}
