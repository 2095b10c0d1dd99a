package dev.tsunagu.socket;

import java.net.InetSocketAddress;

/**
 * Whether a transparent ("any") listener takes a flow: asked on the event loop with the peer and
 * the destination the peer asked for, for each TCP SYN and for each UDP datagram (the stack keeps
 * no UDP flows; an application that does answers from its own table). A flow declined is refused as the destination itself would refuse it: a TCP
 * SYN with a RST, a UDP datagram with ICMP port unreachable. It runs on the event loop, so it must
 * decide at once (a table lookup, a policy), never wait.
 */
@FunctionalInterface
public interface FlowFilter {
    /** Takes every flow. */
    FlowFilter ALL = (source, originalDestination) -> true;

    /**
     * Decides.
     *
     * @param source the peer's address and port
     * @param originalDestination the address and port the peer sent to
     * @return true to take the flow, false to refuse it
     */
    boolean admit(InetSocketAddress source, InetSocketAddress originalDestination);
}
