package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.NetInterface;

/**
 * One IPv6 routing table entry: packets for {@code destination} leave through {@code iface},
 * directly when {@code gateway} is {@code ::} (on-link), else to the gateway (a router's
 * link-local or global address).
 *
 * @param source the preferred source address on this route, or null to let the layer choose
 * @param expiresAtNanos when a route learned from a Router Advertisement lapses, or {@link Long#MAX_VALUE}
 */
public record Ipv6Route(Ipv6Prefix destination, Ipv6Address gateway, NetInterface iface, int metric,
                        Ipv6Address source, long expiresAtNanos) {
    /** A static on-link route. */
    public Ipv6Route(Ipv6Prefix destination, NetInterface iface, Ipv6Address source) {
        this(destination, Ipv6Address.ANY, iface, 0, source, Long.MAX_VALUE);
    }

    /** Where a packet for {@code dst} goes next on this route: the gateway, or {@code dst} itself on-link. */
    public Ipv6Address nextHop(Ipv6Address dst) {
        return isOnLink() ? dst : gateway;
    }

    public boolean isOnLink() {
        return gateway.isAny();
    }

    @Override
    public String toString() {
        return (destination.length() == 0 ? "default" : destination.toString())
                + (!isOnLink() ? " via " + gateway : "")
                + " dev " + iface.name()
                + (source != null ? " src " + source : "")
                + (metric != 0 ? " metric " + metric : "")
                + (expiresAtNanos != Long.MAX_VALUE ? " (learned)" : "");
    }
}
