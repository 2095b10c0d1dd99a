/**
 * The TCP header and its options (RFC 9293, RFC 7323, RFC 6691): {@link
 * dev.tsunagu.tcp.wire.TcpHeader} is the view (named offsets and in-place accessors over the
 * bytes of a segment, the one validation, the one writer). The running stack reads segments
 * through it into its reused, normalised holder ({@code dev.tsunagu.tcp.Segment}), which refuses
 * the flag combinations no state can take, and a segment with none of SYN, ACK and RST. The value
 * record the tests use ({@code TcpRepr}) lives in stack-testkit and parses on its own, so the
 * tests do not check this parser against itself.
 */
package dev.tsunagu.tcp.wire;
