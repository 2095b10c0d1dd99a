package dev.tsunagu.stack;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;

/**
 * Finds the link address of a next hop of one address family and sends packets to it: ARP
 * for IPv4 (RFC 826, in {@code stack-link}), Neighbor Discovery for IPv6 (RFC 4861) once an
 * IPv6 layer brings it. The link layer picks the resolver by the next hop's family
 * ({@link LinkLayer#registerNeighborResolver}); once a resolver knows the link address it
 * sends with {@link LinkLayer#transmit}. Loop thread only.
 */
public interface NeighborResolver {
    /** The family whose addresses this resolves. */
    AddressFamily family();

    /**
     * Sends {@code packet} to {@code nextHop} on {@code iface}: now if its link address is
     * known (broadcast and multicast addresses map directly), else after resolving it, queued
     * (bounded) meanwhile. Takes ownership.
     */
    void send(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop);

    /** The interface went down: forget what was learned on it and drop what waits. */
    default void flush(NetInterface iface) {}
}
