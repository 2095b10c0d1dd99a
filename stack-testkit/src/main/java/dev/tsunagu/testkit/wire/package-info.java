/**
 * Wire values for tests: an IPv4 header ({@link dev.tsunagu.testkit.wire.Ipv4Repr}), an ICMP
 * message ({@link dev.tsunagu.testkit.wire.IcmpRepr}), a UDP datagram
 * ({@link dev.tsunagu.testkit.wire.UdpRepr}) and a TCP segment
 * ({@link dev.tsunagu.testkit.wire.TcpRepr}), each a normalised, immutable value that parses
 * and emits bytes.
 *
 * <p>They are the tests' oracle, so they parse and emit <em>on their own</em>, from the RFCs'
 * layouts, sharing no code with the production views they check ({@code Ipv4Header},
 * {@code IcmpHeader}, {@code UdpHeader}, {@code TcpHeader}): a parser checked against itself
 * would pass its own mistakes. Only the Internet checksum ({@code dev.tsunagu.net}, tested on
 * its own in stack-api) is shared. Each rejects what the RFC calls malformed with a
 * {@code Reason}, named as the production counters are, so a test can compare the two.
 */
package dev.tsunagu.testkit.wire;
