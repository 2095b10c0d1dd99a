package dev.tsunagu.stack;

/**
 * The IPv4 facts about a received datagram that a transport needs. Implementations are
 * reused flyweights valid only during the {@code receive} call: copy what you keep.
 */
public interface IpPacketInfo {
    /** The interface the datagram arrived on. */
    NetInterface inInterface();

    /** The source address, as an {@code int} ({@link dev.tsunagu.net.Ipv4Address#bits()}). */
    int sourceAddress();

    /** The destination address, as an {@code int}: ours, a broadcast or a multicast group. */
    int destinationAddress();

    /** The time-to-live the datagram arrived with. */
    int ttl();

    /** The type-of-service byte (DSCP and ECN bits). */
    int tos();

    /** The frame's delivery class ({@link LinkLayer#UNICAST}…): no ICMP errors about broadcasts. */
    int deliveryClass();

    /** Whether the destination is a broadcast or multicast address. */
    boolean isBroadcastOrMulticast();
}
