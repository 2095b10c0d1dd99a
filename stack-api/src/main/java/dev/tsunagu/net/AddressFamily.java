package dev.tsunagu.net;

/**
 * The two Internet address families. A family names its address length and the EtherType
 * its packets travel under, so that code above the network layer can stay family-neutral
 * and ask for "the IPv6 layer" without knowing anything else about it.
 */
public enum AddressFamily {
    /** IPv4 (RFC 791): 4-byte addresses, EtherType 0x0800. */
    IPV4(4, EtherType.IPV4),
    /** IPv6 (RFC 8200): 16-byte addresses, EtherType 0x86DD. */
    IPV6(16, EtherType.IPV6);

    private final int byteLength;
    private final int etherType;

    AddressFamily(int byteLength, int etherType) {
        this.byteLength = byteLength;
        this.etherType = etherType;
    }

    /** The length of an address of this family in bytes: 4 or 16. */
    public int byteLength() {
        return byteLength;
    }

    /** The EtherType of this family's packets. */
    public int etherType() {
        return etherType;
    }

    /** {@code IPv4} or {@code IPv6}. */
    public String displayName() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
