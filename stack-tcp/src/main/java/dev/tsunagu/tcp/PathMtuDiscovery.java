package dev.tsunagu.tcp;

/**
 * The numbers of path MTU discovery as TCP uses it (RFC 1191 for IPv4, RFC 8201 for IPv6): what
 * an ICMP "fragmentation needed" / "packet too big" is taken to say. The connection checks that
 * the error quotes a segment in flight (RFC 5927 4.1, in {@code TcpLayer.receiveError}), asks
 * this class for the MTU to believe, tells the network layer (its per-destination cache), and
 * lowers its MSS; the segments the router dropped go again at once at the new size
 * ({@code LossRecovery.onMssReduced}).
 */
final class PathMtuDiscovery {
    /**
     * The smallest path MTU believed for IPv4 (Linux's min_pmtu, 512 + 20 + 20): RFC 5927 7.2 warns
     * that a forged error reporting a tiny MTU makes a connection crawl in tiny segments, so a
     * lower report is taken as this much.
     */
    static final int IPV4_FLOOR = 552;
    /** IPv6 links carry 1280 bytes (RFC 8200 5): nothing less is believed. */
    static final int IPV6_FLOOR = 1280;
    /**
     * RFC 1191 7, table 7-1: the plateaus to try when an old router reports no next-hop MTU (a
     * zero in the field, RFC 1191 5): the next one below the current path MTU.
     */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private PathMtuDiscovery() {}

    /**
     * The path MTU to believe from an error reporting {@code reported} (0: none) while the path
     * MTU is {@code current}, over a network header of {@code headerLength} bytes (20 for IPv4,
     * 40 for IPv6); -1 if the error is to be ignored because it would not lower the MTU (RFC 1191
     * 6.3: an error never raises it).
     */
    static int believe(int reported, int current, int headerLength) {
        int floor = headerLength >= 40 ? IPV6_FLOOR : IPV4_FLOOR;
        int mtu = reported > 0 ? reported : plateauBelow(current);
        mtu = Math.max(mtu, floor);
        return mtu < current ? mtu : -1;
    }

    /** RFC 1191 7: the largest plateau below {@code mtu}. */
    static int plateauBelow(int mtu) {
        for (int p : PLATEAUS) {
            if (p < mtu) {
                return p;
            }
        }
        return PLATEAUS[PLATEAUS.length - 1];
    }
}
