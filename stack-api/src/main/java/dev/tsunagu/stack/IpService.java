package dev.tsunagu.stack;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;

/**
 * A network layer as the transports see it: one per address family, registered with
 * {@link StackContext#registerIpService} and found with {@link StackContext#ipService}. TCP
 * and UDP go down through this and nothing else, so a new family is a new implementation
 * with the transports unchanged. Loop thread only.
 *
 * <p>Addresses passed in must be of this service's {@link #family()}.
 */
public interface IpService {
    /** {@link #send} results. */
    int SENT = 0;
    /** No route to the destination. */
    int NO_ROUTE = 1;
    /** Larger than the path MTU with don't-fragment set. */
    int TOO_BIG = 2;
    /** Dropped for another reason (counted). */
    int DROPPED = 3;

    /** The family this layer carries. */
    AddressFamily family();

    /** The source address to use towards {@code destination} (the route's), or null if there is no route. */
    IpAddress sourceAddressFor(IpAddress destination);

    /** Whether {@code address} is one of ours, on any interface (RFC 1122's weak host model). */
    boolean isLocalAddress(IpAddress address);

    /** The MTU of the route to {@code destination} (for MSS and datagram sizing), or 0 without a route. */
    int mtuFor(IpAddress destination);

    /** The bytes the network header takes in front of a transport header (20 for IPv4 without options, 40 for IPv6). */
    int headerLength();

    /**
     * The unfolded sum of the pseudo-header for a transport segment of {@code length} bytes
     * from {@code source} to {@code destination}: what the sender starts its checksum from.
     */
    long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length);

    /**
     * Sends {@code payload} (starting at the transport header, with headroom for the network
     * and link headers) as one datagram, fragmenting it if the family allows and it exceeds
     * the route's MTU and {@code dontFragment} is false. Takes ownership.
     *
     * @param source our address to send from, or null to pick the route's
     * @param ttl the TTL or hop limit, or 0 for the default
     * @return {@link #SENT}, {@link #NO_ROUTE}, {@link #TOO_BIG} or {@link #DROPPED}
     */
    int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl, int tos,
             boolean dontFragment);

    /**
     * Answers a datagram a transport is receiving ({@code payload} as handed to
     * {@code TransportProtocol.receive}, with {@code info} from the same call) with the
     * family's "port unreachable" (ICMP type 3 code 3; ICMPv6 type 1 code 4). The rules on
     * when an error may be sent apply (never about an error, a broadcast or multicast, a
     * non-first fragment) and the rate limit. Does not take ownership.
     */
    void sendPortUnreachable(IpPacketInfo info, PacketBuffer payload);

    /**
     * Path MTU discovery (RFC 1191; RFC 8201 for IPv6): a transport that checked an ICMP
     * "fragmentation needed" / "packet too big" against its own state (RFC 5927: it quotes
     * data in flight) reports that datagrams to {@code destination} larger than {@code mtu} do
     * not pass. {@link #mtuFor} says so from then on, until the entry expires. Only ever lowers;
     * the default, for a family without path MTU discovery, learns nothing.
     *
     * @return whether the path MTU to {@code destination} went down
     */
    default boolean learnPathMtu(IpAddress destination, int mtu) {
        return false;
    }

    /**
     * What the interface that carries packets to {@code destination} takes off the transports
     * ({@link dev.tsunagu.driver.DriverCapabilities#offloads()}): a transport may leave its
     * checksum partial, and TCP may hand over segments of up to the segmentation size, only
     * where this says so. {@link dev.tsunagu.driver.Offloads#NONE} without a route, and by default.
     */
    default dev.tsunagu.driver.Offloads offloadsFor(IpAddress destination) {
        return dev.tsunagu.driver.Offloads.NONE;
    }
}
