package dev.tsunagu.stack;

import dev.tsunagu.net.IpAddress;

/**
 * What a transport needs to know about a received datagram, in either address family.
 * Implementations are reused flyweights valid only during the {@code receive} call: copy what
 * you keep (the addresses are immutable values and may be kept).
 *
 * <p>The transport checksum's pseudo-header is the network layer's business (its layout
 * differs between RFC 768/9293 for IPv4 and RFC 8200 8.1 for IPv6), so the info supplies its
 * sum and TCP and UDP never build one.
 */
public interface IpPacketInfo {
    /** The interface the datagram arrived on. */
    NetInterface inInterface();

    /** The source address. */
    IpAddress source();

    /** The destination address: ours, a broadcast or a multicast group. */
    IpAddress destination();

    /**
     * The sum (unfolded, as {@link dev.tsunagu.net.InternetChecksum#add} keeps it) of the
     * pseudo-header for this datagram's addresses, {@code protocol} and an upper-layer
     * {@code length}: add the transport header and payload to it to verify the checksum.
     */
    long pseudoHeaderSum(int protocol, int length);

    /** The time-to-live (IPv4) or hop limit (IPv6) the datagram arrived with. */
    int ttl();

    /** The type-of-service (IPv4) or traffic-class (IPv6) byte: DSCP and ECN bits. */
    int tos();

    /** The frame's delivery class ({@link LinkLayer#UNICAST}…): no ICMP errors about broadcasts. */
    int deliveryClass();

    /** Whether the destination is a broadcast or multicast address. */
    boolean isBroadcastOrMulticast();
}
