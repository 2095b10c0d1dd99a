package dev.tsunagu.stack;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A protocol carried in IPv4 and registered by protocol number: ICMP (1), TCP (6), UDP (17).
 * Runs on the event loop. The IPv4 layer validates the IP header, reassembles fragments and
 * passes the transport header and payload here.
 */
public interface TransportProtocol {
    /**
     * A datagram addressed to this host arrived. {@code packet} starts at the transport header
     * and holds exactly the IP payload. Takes ownership.
     */
    void receive(IpPacketInfo info, PacketBuffer packet);

    /**
     * An ICMP error (destination unreachable, time exceeded…) quoted a datagram of this
     * protocol that we sent; {@code quoted} starts at its transport header (at least 8 bytes).
     * The default ignores it. Does not take ownership.
     */
    default void receiveError(IcmpErrorInfo error, PacketBuffer quoted) {}
}
