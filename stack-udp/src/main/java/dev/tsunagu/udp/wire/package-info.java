/**
 * The UDP header as a view over a packet buffer ({@link dev.tsunagu.udp.wire.UdpHeader}), the
 * one UDP parser in production; the value record tests use ({@code UdpRepr}) lives in
 * {@code stack-testkit}.
 */
package dev.tsunagu.udp.wire;
