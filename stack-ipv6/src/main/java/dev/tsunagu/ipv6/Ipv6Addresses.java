package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;

/**
 * The well-known IPv6 addresses and mappings a host needs (RFC 4291, RFC 4861, RFC 2464): the
 * link-local address from a MAC, the solicited-node group of an address, the multicast MAC of a
 * group, address scopes.
 */
public final class Ipv6Addresses {
    /** {@code ff02::1}: all nodes on the link. */
    public static final Ipv6Address ALL_NODES = Ipv6Address.parse("ff02::1");
    /** {@code ff02::2}: all routers on the link. */
    public static final Ipv6Address ALL_ROUTERS = Ipv6Address.parse("ff02::2");
    /** {@code fe80::/64}: the link-local prefix (RFC 4291 2.5.6). */
    public static final Ipv6Prefix LINK_LOCAL_PREFIX = Ipv6Prefix.parse("fe80::/64");

    private static final long SOLICITED_NODE_HIGH = 0xFF02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LOW = 0x0000_0001_FF00_0000L;

    private Ipv6Addresses() {}

    /**
     * The modified EUI-64 interface identifier of a 48-bit MAC (RFC 4291 appendix A, RFC 2464
     * 4): {@code ff:fe} inserted in the middle and the universal/local bit inverted.
     */
    public static long interfaceIdentifier(long mac) {
        long oui = (mac >>> 24) & 0xFF_FFFF;
        long nic = mac & 0xFF_FFFF;
        return ((oui ^ 0x02_0000L) << 40) | (0xFFFEL << 24) | nic;
    }

    /** {@code fe80::} followed by the interface identifier of {@code mac} (RFC 4862 5.3). */
    public static Ipv6Address linkLocal(long mac) {
        return new Ipv6Address(0xFE80_0000_0000_0000L, interfaceIdentifier(mac));
    }

    /** {@code prefix} (its high 64 bits) with the interface identifier of {@code mac} (SLAAC, RFC 4862 5.5.3). */
    public static Ipv6Address withInterfaceIdentifier(Ipv6Address prefix, long mac) {
        return new Ipv6Address(prefix.high(), interfaceIdentifier(mac));
    }

    /** The solicited-node multicast group of {@code a}: {@code ff02::1:ff} + its low 24 bits (RFC 4291 2.7.1). */
    public static Ipv6Address solicitedNode(Ipv6Address a) {
        return new Ipv6Address(SOLICITED_NODE_HIGH, SOLICITED_NODE_LOW | (a.low() & 0xFF_FFFF));
    }

    /** Whether {@code a} is a solicited-node multicast group. */
    public static boolean isSolicitedNode(Ipv6Address a) {
        return a.high() == SOLICITED_NODE_HIGH && (a.low() & ~0xFF_FFFFL) == SOLICITED_NODE_LOW;
    }

    /** The Ethernet address a multicast group maps to: {@code 33:33} + its low 32 bits (RFC 2464 7). */
    public static long multicastMac(Ipv6Address group) {
        return 0x3333_0000_0000L | (group.low() & 0xFFFF_FFFFL);
    }

    /** Whether {@code a} is link-local unicast, {@code fe80::/10}. */
    public static boolean isLinkLocal(Ipv6Address a) {
        return (a.high() >>> 54) == (0xFE80L >>> 6);
    }

    /** Whether {@code a} is a multicast group of link-local (or interface-local) scope, {@code ff01::/16}, {@code ff02::/16}. */
    public static boolean isLinkScopeMulticast(Ipv6Address a) {
        long top = a.high() >>> 48;
        return (top & 0xFF00) == 0xFF00 && (top & 0xF) <= 2;
    }
}
