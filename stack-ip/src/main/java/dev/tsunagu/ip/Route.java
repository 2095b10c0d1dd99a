package dev.tsunagu.ip;

import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.stack.NetInterface;

/**
 * One routing table entry: datagrams for {@code destination} leave through {@code iface},
 * directly to their destination when {@code gateway} is {@code 0.0.0.0} (on-link), else to
 * the gateway. The gateway is held as the record the link layer takes as next hop, so that
 * sending through it allocates nothing.
 *
 * @param source the preferred source address for datagrams on this route (the interface's
 *        address on the route's subnet), or 0 to let the stack choose
 */
public record Route(Ipv4Prefix destination, Ipv4Address gateway, NetInterface iface, int metric, int source) {
    /** An on-link route (no gateway). */
    public Route(Ipv4Prefix destination, NetInterface iface, int metric, int source) {
        this(destination, Ipv4Address.ANY, iface, metric, source);
    }

    /** Where a datagram for {@code dst} goes next on this route: the gateway, or {@code dst} itself on-link. */
    public Ipv4Address nextHop(Ipv4Address dst) {
        return isOnLink() ? dst : gateway;
    }

    /** Whether destinations on this route are reached directly. */
    public boolean isOnLink() {
        return gateway.isAny();
    }

    public int mtu() {
        return iface.mtu();
    }

    @Override
    public String toString() {
        return (destination.length() == 0 ? "default" : destination.toString())
                + (!isOnLink() ? " via " + gateway : "")
                + " dev " + iface.name()
                + (source != 0 ? " src " + Ipv4Address.format(source) : "")
                + (metric != 0 ? " metric " + metric : "");
    }
}
