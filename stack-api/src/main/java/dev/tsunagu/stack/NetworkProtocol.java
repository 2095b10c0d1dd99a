package dev.tsunagu.stack;

import dev.tsunagu.buffer.PacketBuffer;

/**
 * A protocol carried directly in link frames and registered by EtherType: IPv4, ARP.
 * Runs on the event loop.
 */
public interface NetworkProtocol {
    /**
     * A packet for this protocol arrived; the link header is already consumed and link padding
     * is still present (the protocol knows its own length). Takes ownership of {@code packet}.
     *
     * @param deliveryClass {@link LinkLayer#UNICAST}, {@link LinkLayer#BROADCAST} or
     *        {@link LinkLayer#MULTICAST}
     */
    void receive(NetInterface iface, PacketBuffer packet, int deliveryClass);
}
