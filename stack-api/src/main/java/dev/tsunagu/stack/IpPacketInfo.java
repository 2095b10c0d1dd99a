package dev.tsunagu.stack;

/**
 * The IPv4 facts about a received datagram that a transport needs. Implementations are
 * reused flyweights valid only during the {@code receive} call: copy what you keep.
 */
public interface IpPacketInfo {
    NetInterface inInterface();

    int sourceAddress();

    int destinationAddress();

    int ttl();

    int tos();

    /** The frame's delivery class ({@link LinkLayer#UNICAST}…): no ICMP errors about broadcasts. */
    int deliveryClass();

    /** Whether the destination is a broadcast or multicast address. */
    boolean isBroadcastOrMulticast();
}
