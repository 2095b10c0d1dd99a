package dev.tsunagu.net;

/** IP protocol numbers (IANA) that the stack knows by name. */
public final class IpProtocol {
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;

    private IpProtocol() {}

    public static String name(int protocol) {
        return switch (protocol) {
            case ICMP -> "ICMP";
            case TCP -> "TCP";
            case UDP -> "UDP";
            default -> Integer.toString(protocol);
        };
    }
}
