package dev.tsunagu.trace;

import dev.tsunagu.net.Endpoint;
import java.net.InetSocketAddress;

/**
 * Which connection an event is about: the stack it lives in and its two ends, as that stack
 * sees them. Made once per traced connection; every event of it shares the one record.
 *
 * @param stack the stack's name ({@code NetworkStack.builder().name(...)})
 * @param local our address and port
 * @param remote the peer's address and port
 */
public record TcpConnectionId(String stack, InetSocketAddress local, InetSocketAddress remote) {
    /** {@code stack local -> remote}, with plain addresses (no host names; IPv6 as {@code [fd00::2]:80}). */
    @Override
    public String toString() {
        return stack + " " + Endpoint.format(local) + " -> " + Endpoint.format(remote);
    }

}
