package dev.tsunagu.ip.icmp;

import dev.tsunagu.net.IpAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends ICMP echo requests (RFC 792) and reports how each ended; published by the IPv4 layer
 * as a stack service. Thread-safe: calls hop onto the stack's loop.
 *
 * <p>Targets are {@code java.net} addresses, like every public entry point, of either family:
 * an IPv6 target goes to the IPv6 layer's {@link Ipv6PingService} (ICMPv6 echo), or, in a
 * stack without one, fails with a {@link java.net.NoRouteToHostException} saying so.
 */
public interface PingService {
    /**
     * Sends one echo request with {@code payloadSize} bytes of data (the first 8 carry a
     * timestamp, as iputils does). The future completes with a {@link PingResult}; it fails
     * with {@link java.net.NoRouteToHostException} if there is no route (or no layer for the
     * target's family).
     */
    default CompletableFuture<PingResult> ping(InetAddress target, int payloadSize, Duration timeout) {
        return ping(target, payloadSize, 0, timeout);
    }

    /** Same, with a chosen TTL (0: the default), e.g. for traceroute-style probes. */
    CompletableFuture<PingResult> ping(InetAddress target, int payloadSize, int ttl, Duration timeout);

    /** {@link #ping(InetAddress, int, Duration)} for an address the stack's own types hold. */
    default CompletableFuture<PingResult> ping(IpAddress target, int payloadSize, Duration timeout) {
        return ping(target.toInetAddress(), payloadSize, 0, timeout);
    }

    /** {@link #ping(InetAddress, int, int, Duration)} for an address the stack's own types hold. */
    default CompletableFuture<PingResult> ping(IpAddress target, int payloadSize, int ttl, Duration timeout) {
        return ping(target.toInetAddress(), payloadSize, ttl, timeout);
    }
}
