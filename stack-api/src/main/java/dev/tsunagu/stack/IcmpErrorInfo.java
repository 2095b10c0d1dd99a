package dev.tsunagu.stack;

import dev.tsunagu.net.IpAddress;

/**
 * An ICMP (or ICMPv6) error as delivered to the transport that sent the quoted datagram.
 * Transports decide by the family-neutral {@link Kind}; type and code are kept for messages.
 *
 * @param kind what the error says, whatever the family
 * @param type ICMP type (3 destination unreachable, 11 time exceeded, 12 parameter problem)
 * @param code ICMP code (3 port unreachable, 4 fragmentation needed…)
 * @param reporter who sent the error (a router or the destination)
 * @param quotedSource the quoted datagram's source address (ours)
 * @param quotedDestination the quoted datagram's destination
 * @param nextHopMtu for "fragmentation needed" / "packet too big", the MTU the router reported, else 0
 */
public record IcmpErrorInfo(Kind kind, int type, int code, IpAddress reporter, IpAddress quotedSource,
                            IpAddress quotedDestination, int nextHopMtu) {
    /** The meaning of an error, as RFC 1122 4.2.3.9 and RFC 4443 3 sort them for transports. */
    public enum Kind {
        /** The destination has no such protocol (hard: a connection attempt is refused). */
        PROTOCOL_UNREACHABLE,
        /** The destination has nothing on that port (hard: a connection attempt is refused). */
        PORT_UNREACHABLE,
        /** The network or host is unreachable, or communication is prohibited. */
        UNREACHABLE,
        /** Fragmentation needed with DF set (IPv4), packet too big (IPv6): {@code nextHopMtu} says how big. */
        PACKET_TOO_BIG,
        /** Time or hop limit exceeded in transit, or reassembly timed out. */
        TIME_EXCEEDED,
        /** A header field was wrong. */
        PARAMETER_PROBLEM,
        /** Anything else. */
        OTHER;

        /** Whether a connection attempt should fail with "connection refused" (protocol or port unreachable). */
        public boolean isRefusal() {
            return this == PROTOCOL_UNREACHABLE || this == PORT_UNREACHABLE;
        }
    }
}
