package dev.tsunagu.net;

/** EtherType values (IEEE 802.3 / IANA) that the stack knows by name. */
public final class EtherType {
    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    public static final int VLAN = 0x8100;
    public static final int IPV6 = 0x86DD;

    /** Values below this are 802.3 length fields, not EtherTypes. */
    public static final int MIN_ETHERTYPE = 0x0600;

    private EtherType() {}

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
