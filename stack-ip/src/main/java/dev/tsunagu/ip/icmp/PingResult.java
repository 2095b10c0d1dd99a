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
    }

    /** No answer within the timeout. */
    record Timeout(int sequence) implements PingResult {}
}
