package dev.tsunagu.net;

/** EtherType values (IEEE 802.3 / IANA) that the stack knows by name. */
public final class EtherType {
    /** IPv4 (RFC 894). */
    public static final int IPV4 = 0x0800;
    /** ARP (RFC 826). */
    public static final int ARP = 0x0806;
    /** An IEEE 802.1Q VLAN tag. */
    public static final int VLAN = 0x8100;
    /** IPv6 (RFC 8200); recognised, not implemented. */
    public static final int IPV6 = 0x86DD;

    /** Values below this are 802.3 length fields, not EtherTypes. */
    public static final int MIN_ETHERTYPE = 0x0600;

    private EtherType() {}

    /** A readable name for {@code type}: {@code IPv4}, {@code ARP}…, or its hex value. */
    public static String name(int type) {
        return switch (type) {
            case IPV4 -> "IPv4";
            case ARP -> "ARP";
            case VLAN -> "802.1Q";
            case IPV6 -> "IPv6";
            default -> String.format("0x%04x", type);
        };
    }
}
