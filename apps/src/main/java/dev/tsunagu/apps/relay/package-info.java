/**
 * A transparent relay: every TCP connection and UDP flow that reaches a stack in transparent
 * mode (its "any" listener and socket), whatever its destination, carried to an
 * {@link dev.tsunagu.apps.relay.Upstream} toward that destination — the host's own sockets by
 * default — with half-close and resets carried both ways and idle UDP flows expired. This is
 * the engine of {@code tsunagu forward}, a gateway on a TUN device.
 */
package dev.tsunagu.apps.relay;
