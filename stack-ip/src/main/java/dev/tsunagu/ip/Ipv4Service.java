package dev.tsunagu.ip;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;

/**
 * What the IPv4 layer offers beyond the family-neutral {@link IpService}, published as a stack
 * service ({@code stack.service(Ipv4Service.class)}) for users and tools: the routing table,
 * addresses as {@code int}s, ICMP errors of any type, reassembly figures. Transports go
 * through {@link IpService} ({@code StackContext.ipService(AddressFamily.IPV4)}), never this.
 * Loop thread only.
 */
public interface Ipv4Service extends IpService {
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
     * {@link IpService#send} with addresses as {@code int}s.
     *
     * @param source our address to send from, or 0 to pick the route's
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
