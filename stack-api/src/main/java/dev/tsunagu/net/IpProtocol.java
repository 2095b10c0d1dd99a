package dev.tsunagu.net;

/** IP protocol numbers (IANA) that the stack knows by name. */
public final class IpProtocol {
    /** Internet Control Message Protocol (RFC 792). */
    public static final int ICMP = 1;
    /** Transmission Control Protocol (RFC 9293). */
    public static final int TCP = 6;
    /** User Datagram Protocol (RFC 768). */
    public static final int UDP = 17;
    /** Internet Control Message Protocol for IPv6 (RFC 4443). */
    public static final int ICMPV6 = 58;

    private IpProtocol() {}

    /** A readable name for {@code protocol}: {@code TCP}, {@code UDP}…, or its number. */
    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "ICMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            case ICMPV6 -> "ICMPv6";
            default -> Integer.toString(protocol);
        };
    }
}
