package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetInterface;
import java.util.List;

/**
 * What the IPv6 layer offers beyond the family-neutral {@link IpService}, published as a stack
 * service ({@code stack.service(Ipv6Service.class)}) for users, tools and tests: routes,
 * addresses with their states, the neighbour cache, path MTUs. Transports go through
 * {@link IpService}. Loop thread only.
 */
public interface Ipv6Service extends IpService {
    Ipv6RoutingTable routes();

    /** The IPv6 state of {@code iface}, or null if it does not take part in IPv6. */
    Ipv6Interface interfaceState(NetInterface iface);

    /** The neighbour cache's rows, in all five RFC 4861 states. */
    List<Neighbors.Entry> neighbors();

    /** The path MTU towards {@code destination}: the route's link MTU, lowered by Packet Too Big messages (RFC 8201). */
    int pathMtu(Ipv6Address destination);

    /** Packets being reassembled now. */
    int reassemblyPackets();

    /** Bytes held for reassembly now. */
    int reassemblyBytes();
}
