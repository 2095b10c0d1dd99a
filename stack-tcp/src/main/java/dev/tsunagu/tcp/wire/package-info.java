/**
 * The TCP header and its options (RFC 9293, RFC 7323, RFC 6691) twice: {@link
 * dev.tsunagu.tcp.wire.TcpHeader} is the view (named offsets and in-place accessors over the
 * bytes of a segment, the one validation, the one writer), and {@link dev.tsunagu.tcp.wire.TcpRepr}
 * the value (a normalised record with {@code parse} and {@code emit}, for tests and traces). The
 * running stack reads segments through the view into its reused, normalised holder
 * ({@code dev.tsunagu.tcp.Segment}), which refuses the flag combinations the value refuses, and
 * also a segment with none of SYN, ACK and RST (the value keeps it as {@code Control.NONE}).
 */
package dev.tsunagu.tcp.wire;
