package dev.tsunagu.ip.icmp;

import dev.tsunagu.net.Ipv4Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends ICMP echo requests (RFC 792) and reports how each ended; published by the IPv4 layer
 * as a stack service. Thread-safe: calls hop onto the stack's loop.
 */
public interface PingService {
    /**
     * Sends one echo request with {@code payloadSize} bytes of data (the first 8 carry a
     * timestamp, as iputils does). The future completes with a {@link PingResult}; it fails
     * with {@link java.net.NoRouteToHostException} if there is no route.
     */
    CompletableFuture<PingResult> ping(Ipv4Address target, int payloadSize, Duration timeout);

    /** Same, with a chosen TTL (0: the default), e.g. for traceroute-style probes. */
    CompletableFuture<PingResult> ping(Ipv4Address target, int payloadSize, int ttl, Duration timeout);
}
