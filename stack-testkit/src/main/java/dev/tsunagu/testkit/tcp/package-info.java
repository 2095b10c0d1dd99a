/**
 * A raw TCP peer for the stack under test ({@link dev.tsunagu.testkit.tcp.TcpPeer}): segments
 * built field by field and sent over the cable, everything the stack answers parsed by the
 * kit's own {@link dev.tsunagu.testkit.wire.TcpRepr} and stamped with the virtual instant it
 * left, and fixtures that drive the stack into each state of RFC 9293 3.3.2. stack-tcp's
 * conformance and data-path tests both use it; it needs only stack-api's TCP contract, so it
 * lives here and not in stack-tcp.
 */
package dev.tsunagu.testkit.tcp;
