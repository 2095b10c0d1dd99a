package dev.tsunagu.stack;

/**
 * One protocol layer instance inside one stack, made by a {@link LayerProvider}. Its
 * lifecycle methods run on the event loop.
 */
public interface Layer {
    /** Where a layer sits; layers are created and started in this order, closed in reverse. */
    enum Kind {
        /** Framing and neighbour resolution (Ethernet, ARP). */
        LINK,
        /** Addressing and routing (IPv4, ICMP). */
        NETWORK,
        /** End-to-end protocols (UDP, TCP). */
        TRANSPORT,
        /** Services built on transports (the DNS resolver). */
        APPLICATION
    }

    /** Called once every layer exists: look up the services of other layers here. */
    default void start() {}

    /** The stack is closing: release sockets, cancel timers. */
    default void close() {}
}
