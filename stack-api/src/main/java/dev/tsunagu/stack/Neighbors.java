package dev.tsunagu.stack;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.MacAddress;
import java.util.List;

/** The neighbour table (ARP for IPv4), as {@code ip neigh} shows it; published by the link layer. */
public interface Neighbors {
    /** A neighbour entry's state. */
    enum State {
        /** An ARP request is out and no reply has come; packets for it wait (bounded). */
        INCOMPLETE,
        /** The MAC is known and fresh. */
        REACHABLE
    }

    /**
     * One row of the table.
     *
     * @param interfaceName the interface the neighbour is on
     * @param address its address
     * @param mac its MAC, or null while INCOMPLETE
     * @param state INCOMPLETE or REACHABLE
     * @param expiresAtNanos when the entry lapses (REACHABLE) or the resolution gives up (INCOMPLETE)
     * @param queued packets waiting for this resolution
     */
    record Entry(String interfaceName, IpAddress address, MacAddress mac, State state, long expiresAtNanos, int queued) {}

    /** The table now. Loop thread only (use {@link NetworkStack#call} from elsewhere). */
    List<Entry> entries();

    /** The resolved MAC of {@code address} on {@code iface}, or null. Loop thread only. */
    MacAddress lookup(NetInterface iface, IpAddress address);
}
