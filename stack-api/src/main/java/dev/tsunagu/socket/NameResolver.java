package dev.tsunagu.socket;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Host names to addresses, as the socket library and applications need them: the contract
 * between whoever looks names up ({@code SocketLibrary}, the HTTP client) and whoever answers.
 * The {@code stack-udp} module's DNS stub resolver ({@code dev.tsunagu.udp.dns.Resolver})
 * implements it and publishes it as a stack service, so a transport that needs names (TCP's
 * socket library) depends on this interface and not on UDP:
 *
 * <pre>{@code
 * NameResolver r = stack.service(NameResolver.class).orElseThrow(...);   // absent without stack-udp
 * List<InetAddress> a = r.lookup("www.example.test");
 * }</pre>
 *
 * <p>What a lookup gives: a literal address is its own answer and {@code localhost} is the
 * loopback address, without a query; otherwise the IPv4 addresses of the name (A records), at
 * least one, in the order the implementation prefers. Failures are {@link UnknownHostException}s
 * whose message says why; two kinds are told apart by type, because a caller may act on them
 * differently (give up, or try again later):
 * <ul>
 *   <li>{@link NoSuchHostException}: a server answered that the name does not exist (NXDOMAIN)
 *       or has no address of the kind asked (NODATA); asking again will not help;</li>
 *   <li>{@link NameResolutionTimeoutException}: no server answered in time on any attempt.</li>
 * </ul>
 * Anything else (a server failure, a refused query, a closed stack) is a plain
 * {@link UnknownHostException}.
 *
 * <p>Threads: {@link #resolve} never blocks and may be called from any thread; its future
 * completes on the stack's event loop. {@link #lookup} blocks its caller, cheap on a virtual
 * thread, and waits at most as long as the implementation's retries take.
 */
public interface NameResolver {
    /**
     * The addresses of {@code name}. Never blocks; the future fails with an
     * {@link UnknownHostException} (see the kinds above).
     */
    CompletableFuture<List<InetAddress>> resolve(String name);

    /** {@link #resolve} waited for: the addresses, or the failure thrown. */
    List<InetAddress> lookup(String name) throws UnknownHostException;
}
