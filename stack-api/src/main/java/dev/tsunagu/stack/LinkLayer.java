package dev.tsunagu.stack;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.net.IpAddress;

/**
 * Framing and neighbour resolution for frame-based interfaces: Ethernet II in
 * {@code stack-link}, with one {@link NeighborResolver} per address family (ARP for IPv4,
 * built in; NDP for IPv6 registers its own). There is exactly one such main link layer per
 * stack; media it does not {@linkplain #carries carry} (IP-only ones, a TUN device) get another
 * link layer registered beside it ({@link StackContext#addLinkLayer}), chosen per interface by
 * its driver's capabilities. All methods run on the event loop.
 */
public interface LinkLayer {
    /** Frame delivery classes, as the receiving network protocol needs to know them (RFC 1122 3.3.6). */
    /** Sent to our own link address. */
    int UNICAST = 0;
    /** Sent to the link broadcast address. */
    int BROADCAST = 1;
    /** Sent to a link multicast address. */
    int MULTICAST = 2;

    /**
     * Whether this link layer frames for a driver with these capabilities; each interface takes
     * the main link layer if it carries the driver's medium, else the first added one that does.
     * By default: every medium with a link header (not {@link DriverCapabilities#isIpOnly}).
     */
    default boolean carries(DriverCapabilities capabilities) {
        return !capabilities.isIpOnly();
    }

    /** A new interface exists (called before it comes up). */
    void attach(NetInterface iface);

    /** The interface's link came up (or went down): announce ourselves, flush state. */
    void linkStateChanged(NetInterface iface, boolean up);

    /** A frame arrived on {@code iface}. Takes ownership of {@code frame}. */
    void input(NetInterface iface, PacketBuffer frame);

    /**
     * Sends a network-layer packet to {@code nextHop} on {@code iface}: the resolver of the next
     * hop's family finds its link address (queueing the packet, bounded, while it does), the
     * link header goes in front and the frame to the driver. A family with no resolver is
     * counted and dropped. Takes ownership of {@code packet}, which must have room for the link
     * header in front.
     *
     * @param etherType the payload's EtherType ({@code 0x0800} for IPv4)
     * @param nextHop the next hop's address; for IPv4 the limited broadcast address
     *        {@code 255.255.255.255} (or the interface's directed broadcast) goes to the link
     *        broadcast address, and multicast groups to their mapped link address
     */
    void output(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop);

    /**
     * Sends a network-layer packet to a known link address (a resolver's last step). Takes
     * ownership of {@code packet}.
     */
    void transmit(NetInterface iface, PacketBuffer packet, int etherType, long linkAddress);

    /** Installs the resolver for its family's next hops; one per family. */
    void registerNeighborResolver(NeighborResolver resolver);
}
