package dev.tsunagu.ip.icmp;

import dev.tsunagu.net.IpAddress;

/** How one echo request ended: a reply, an ICMP error about it, or nothing in time. */
public sealed interface PingResult {
    int sequence();

    /**
     * An echo reply.
     *
     * @param bytes ICMP payload bytes in the reply
     * @param ttl the reply's IP TTL
     * @param rttNanos round-trip time on the stack's clock
     */
    record Reply(IpAddress from, int sequence, int bytes, int ttl, long rttNanos) implements PingResult {}

    /** An ICMP error about our request (e.g. "Time to live exceeded" from a router). */
    record Unreachable(IpAddress from, int sequence, int type, int code) implements PingResult {
        public String describe() {
            if (from instanceof dev.tsunagu.net.Ipv6Address) {
                return describeIcmpv6();
            }
            return switch (type) {
                case 3 -> switch (code) {
                    case 0 -> "Destination Net Unreachable";
                    case 1 -> "Destination Host Unreachable";
                    case 2 -> "Destination Protocol Unreachable";
                    case 3 -> "Destination Port Unreachable";
                    case 4 -> "Frag needed and DF set";
                    default -> "Destination Unreachable (code " + code + ")";
                };
                case 11 -> code == 0 ? "Time to live exceeded" : "Fragment reassembly time exceeded";
                case 12 -> "Parameter problem";
                default -> "ICMP type " + type + " code " + code;
            };
        }

        /** The ICMPv6 wording (RFC 4443 3), as iputils' {@code ping -6} prints it. */
        private String describeIcmpv6() {
            return switch (type) {
                case 1 -> switch (code) {
                    case 0 -> "No route";
                    case 1 -> "Administratively prohibited";
                    case 2 -> "Beyond scope of source address";
                    case 3 -> "Address unreachable";
                    case 4 -> "Port unreachable";
                    default -> "Destination unreachable (code " + code + ")";
                };
                case 2 -> "Packet too big";
                case 3 -> code == 0 ? "Time exceeded: Hop limit" : "Time exceeded: Defragmentation failure";
                case 4 -> "Parameter problem (code " + code + ")";
                default -> "ICMPv6 type " + type + " code " + code;
            };
        }
    }

    /** No answer within the timeout. */
    record Timeout(int sequence) implements PingResult {}
}
