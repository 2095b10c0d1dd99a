package dev.tsunagu.socket;

import dev.tsunagu.net.AddressFamily;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * least one, in the order the implementation prefers. {@link #lookup(String, AddressFamily)} asks
 * for one family (IPv6: AAAA records), and {@link #lookupBothFamilies} for both, IPv6 first, as a
 * stack with an IPv6 address wants them. Failures are {@link UnknownHostException}s
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

    /**
     * The addresses of {@code name} of one family: {@link AddressFamily#IPV4} is {@link #lookup(String)}
     * (A records), {@link AddressFamily#IPV6} the AAAA records. A resolver that cannot ask for
     * IPv6 addresses keeps this default, which answers IPv6 with a {@link NoSuchHostException}.
     */
    default List<InetAddress> lookup(String name, AddressFamily family) throws UnknownHostException {
        if (family == AddressFamily.IPV4) {
            return lookup(name);
        }
        throw new NoSuchHostException(name + ": this resolver does not ask for IPv6 addresses");
    }

    /**
     * The addresses of {@code name} of both families, for a stack that has both: AAAA asked
     * first, then A (RFC 8305 section 3), and the answers interleaved starting with IPv6 (section
     * 4, without RFC 6724's finer ordering), so a caller that tries them in order prefers IPv6
     * and reaches IPv4 second. One family failing is no failure while the other answers; when
     * both fail, the IPv4 failure is thrown (its message is the one IPv4-only callers saw). The
     * two lookups run one after the other: a simplification of section 3's parallel queries,
     * which costs one round trip when nothing is cached.
     */
    default List<InetAddress> lookupBothFamilies(String name) throws UnknownHostException {
        List<InetAddress> v6;
        try {
            v6 = lookup(name, AddressFamily.IPV6);
        } catch (UnknownHostException e) {
            v6 = List.of();
        }
        List<InetAddress> v4;
        try {
            v4 = lookup(name, AddressFamily.IPV4);
        } catch (UnknownHostException e) {
            if (v6.isEmpty()) {
                throw e;
            }
            v4 = List.of();
        }
        Set<InetAddress> interleaved = new LinkedHashSet<>(); // a literal answers both lookups with itself
        for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
            if (i < v6.size()) {
                interleaved.add(v6.get(i));
            }
            if (i < v4.size()) {
                interleaved.add(v4.get(i));
            }
        }
        return List.copyOf(interleaved);
    }
}
