package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.stack.IpPacketInfo;

/**
 * What the IPv4 layer offers transports and users, published as a stack service
 * ({@code stack.service(Ipv4Service.class)}). Loop thread only.
 */
public interface Ipv4Service {
    /** {@link #send} results. */
    int SENT = 0;
    /** No route to the destination. */
    int NO_ROUTE = 1;
    /** Larger than the path MTU with don't-fragment set. */
    int TOO_BIG = 2;
    /** Dropped for another reason (counted). */
    int DROPPED = 3;

    RoutingTable routes();

    /** The route to {@code destination}, or null (our own addresses route through loopback). */
    Route route(int destination);

    /** The source address to use towards {@code destination}, or 0 if there is no route. */
    int sourceAddressFor(int destination);

    /** Whether {@code address} is one of ours, on any interface (RFC 1122's weak host model). */
    boolean isLocalAddress(int address);

    /** The MTU of the route to {@code destination} (for MSS and datagram sizing), or 0 without a route. */
    int mtuFor(int destination);

    /**
     * Sends {@code payload} (starting at the transport header, with headroom for the IP and link
     * headers) as one IPv4 datagram, fragmenting it if it exceeds the route's MTU and
     * {@code dontFragment} is false. Takes ownership.
     *
     * @param source our address to send from, or 0 to pick the route's
     * @param ttl the TTL, or 0 for the default
     * @return {@link #SENT}, {@link #NO_ROUTE}, {@link #TOO_BIG} or {@link #DROPPED}
     */
    int send(PacketBuffer payload, int source, int destination, int protocol, int ttl, int tos, boolean dontFragment);

    /**
     * Sends an ICMP error about a datagram a transport is receiving ({@code payload} as handed
     * to {@code TransportProtocol.receive}, with {@code info} from the same call), e.g. port
     * unreachable. The RFC 1122 rules apply: never about an ICMP error, a broadcast or
     * multicast, or a non-first fragment; and the rate limit. Does not take ownership.
     */
    void sendIcmpError(IpPacketInfo info, PacketBuffer payload, int type, int code);

    /** Datagrams being reassembled now (bounded by {@code ip.reassemblyMaxDatagrams}). */
    int reassemblyDatagrams();

    /** Bytes held for reassembly now (bounded by {@code ip.reassemblyMaxBytes}). */
    int reassemblyBytes();
}
