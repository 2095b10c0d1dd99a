package dev.tsunagu.ip;

import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.stack.NetInterface;

/**
 * One routing table entry: datagrams for {@code destination} leave through {@code iface},
 * directly to their destination when {@code gateway} is 0 (on-link), else to the gateway.
 *
 * @param source the preferred source address for datagrams on this route (the interface's
 *        address on the route's subnet), or 0 to let the stack choose
 */
public record Route(Ipv4Prefix destination, int gateway, NetInterface iface, int metric, int source) {
    /** Where a datagram for {@code dst} goes next on this route. */
    public int nextHop(int dst) {
        return gateway != 0 ? gateway : dst;
    }

    public boolean isOnLink() {
        return gateway == 0;
    }

    public int mtu() {
        return iface.mtu();
    }

    @Override
    public String toString() {
        return (destination.length() == 0 ? "default" : destination.toString())
                + (gateway != 0 ? " via " + Ipv4Address.format(gateway) : "")
                + " dev " + iface.name()
                + (source != 0 ? " src " + Ipv4Address.format(source) : "")
                + (metric != 0 ? " metric " + metric : "");
    }
}
