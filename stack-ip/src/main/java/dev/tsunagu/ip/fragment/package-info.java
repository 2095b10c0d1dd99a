/**
 * Fragmentation on send and bounded, timed reassembly on receive (RFC 791, RFC 815).
 *
 * <p>{@link dev.tsunagu.ip.fragment.Fragmenter} splits a datagram too big for a link into
 * pooled fragments (copied options in every fragment, the rest only in the first).
 * {@link dev.tsunagu.ip.fragment.Reassembler} collects fragments by (source, destination,
 * protocol, identification) and hands back the whole datagram in one pooled buffer. It refuses
 * overlaps (RFC 5722's stance, applied to IPv4), lengths that cannot be right and datagrams
 * beyond 65535 bytes, and it is bounded: a limited number of datagrams and bytes in progress
 * (the oldest are evicted first) and a timeout per datagram, after which an ICMP Time Exceeded
 * can be sent if the first fragment had arrived. {@link dev.tsunagu.ip.fragment.FragmentOutput}
 * sends the fragments, for IPv6 (module stack-ipv6) too.
 */
package dev.tsunagu.ip.fragment;
