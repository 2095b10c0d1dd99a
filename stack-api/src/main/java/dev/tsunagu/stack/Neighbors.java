package dev.tsunagu.stack;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.MacAddress;
import java.util.List;

/**
 * The neighbour table (ARP for IPv4), as {@code ip neigh} shows it; published by the link layer.
 * IPv6's Neighbor Discovery keeps its own cache with the same rows (stack-ipv6's
 * {@code Ipv6Service.neighbors()}), in all five states of RFC 4861 7.3.2.
 */
public interface Neighbors {
    /** A neighbour entry's state. */
    enum State {
        /** An ARP request is out and no reply has come; packets for it wait (bounded). */
        INCOMPLETE,
        /** The MAC is known and fresh. */
        REACHABLE,
        /** IPv6 (RFC 4861 7.3.2): the MAC is known but not confirmed lately; nothing is done until a packet is sent. */
        STALE,
        /** IPv6: a packet went to a STALE neighbour; a probe follows unless reachability is confirmed soon. */
        DELAY,
        /** IPv6: unicast Neighbor Solicitations are out to confirm the neighbour. */
        PROBE
    }

    /**
     * One row of the table.
     *
     * @param interfaceName the interface the neighbour is on
     * @param address its address
     * @param mac its MAC, or null while INCOMPLETE
     * @param state its state (ARP uses INCOMPLETE and REACHABLE only)
     * @param expiresAtNanos when the entry lapses (REACHABLE) or the resolution gives up (INCOMPLETE)
     * @param queued packets waiting for this resolution
     */
    record Entry(String interfaceName, IpAddress address, MacAddress mac, State state, long expiresAtNanos, int queued) {}

    /** The table now. Loop thread only (use {@link NetworkStack#call} from elsewhere). */
    List<Entry> entries();

    /** The resolved MAC of {@code address} on {@code iface}, or null. Loop thread only. */
    MacAddress lookup(NetInterface iface, IpAddress address);
}
