package dev.tsunagu.jdk;

import static java.net.spi.InetAddressResolver.LookupPolicy.IPV4;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV4_FIRST;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV6;
import static java.net.spi.InetAddressResolver.LookupPolicy.IPV6_FIRST;

import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.stack.NetworkStack;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The JDK's {@link InetAddressResolver} answered by a Tsunagu stack: first the static
 * {@link HostTable}, then the stack's {@link NameResolver} (its DNS stub resolver, asking its
 * DNS servers over the stack's own UDP). It is what {@code InetAddress.getByName} uses once the
 * JVM-wide switch selects Tsunagu ({@code dev.tsunagu.jdk.jvm}); on its own it answers for one
 * stack, so several stacks in one JVM each have theirs:
 *
 * <pre>{@code
 * InetAddressResolver r = TsunaguJdk.of(stack).resolver(HostTable.parse("db.test=10.0.0.5"));
 * r.lookupByName("www.example.test", LookupPolicy.of(LookupPolicy.IPV4));
 * }</pre>
 *
 * <p>What it answers: what the policy allows of what the stack can reach. A stack with an IPv6
 * address asks for AAAA records where the policy allows IPv6, and for both families where it
 * allows both (AAAA first, {@link NameResolver#lookupBothFamilies}, RFC 8305); a stack with only
 * IPv4 asks for A records alone, as a name's IPv6 addresses would be of no use to it (a lookup
 * that allows only IPv6 then finds only the host table's entries). The order follows the policy
 * ({@code IPV4_FIRST}, {@code IPV6_FIRST}, or as found: IPv6 first on a dual-stack host). Reverse lookups are answered from the
 * host table alone (the stub resolver sends no PTR queries), so {@code getHostName()} of another
 * address gives the literal, as the JDK does when no name is found. Failures are the stack
 * resolver's {@link UnknownHostException}s, whose messages say why (NXDOMAIN, which server timed
 * out, no DNS server configured).
 */
public final class TsunaguResolver implements InetAddressResolver {
    private final Supplier<NetworkStack> stack;
    private final HostTable hosts;

    /** Asks {@code stack}, which {@link TsunaguJdk} gives lazily (the JVM-wide stack starts on the first lookup). */
    TsunaguResolver(Supplier<NetworkStack> stack, HostTable hosts) {
        this.stack = Objects.requireNonNull(stack);
        this.hosts = Objects.requireNonNull(hosts);
    }

    @Override
    public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
        Objects.requireNonNull(host);
        int wanted = policy.characteristics();
        List<InetAddress> found = hosts.lookup(host);
        if (found.isEmpty()) {
            found = named(host, fromDns(host, wanted));
        }
        List<InetAddress> allowed = new ArrayList<>();
        for (InetAddress a : found) {
            boolean v4 = a instanceof Inet4Address;
            if ((wanted & (v4 ? IPV4 : IPV6)) != 0) {
                allowed.add(a);
            }
        }
        if (allowed.isEmpty()) {
            throw new UnknownHostException(host + ": no " + ((wanted & IPV4) == 0 ? "IPv6 " : "")
                    + "address (Tsunagu's resolver asks DNS for IPv6 addresses only on a stack with an IPv6 address)");
        }
        if ((wanted & IPV4_FIRST) != 0) {
            allowed.sort(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1));
        } else if ((wanted & IPV6_FIRST) != 0) {
            allowed.sort(Comparator.comparing(a -> a instanceof Inet4Address ? 1 : 0));
        }
        return allowed.stream();
    }

    @Override
    public String lookupByAddress(byte[] addr) throws UnknownHostException {
        if (addr.length != 4 && addr.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + addr.length);
        }
        return hosts.nameOf(addr).orElseThrow(() -> new UnknownHostException(
                "no name for this address in Tsunagu's host table (the DNS stub resolver sends no PTR queries)"));
    }

    /** The stack's DNS answers for the families the policy allows and the stack has an address of. */
    private List<InetAddress> fromDns(String host, int wanted) throws UnknownHostException {
        boolean v4 = (wanted & IPV4) != 0;
        boolean v6 = (wanted & IPV6) != 0 && stack.get().hasIpv6Address();
        if (!v4 && !v6) {
            return List.of();
        }
        NameResolver r = stackResolver(host);
        if (v4 && v6) {
            return r.lookupBothFamilies(host);
        }
        return v6 ? r.lookup(host, AddressFamily.IPV6) : r.lookup(host);
    }

    private NameResolver stackResolver(String host) throws UnknownHostException {
        NetworkStack s = stack.get();
        return s.service(NameResolver.class).orElseThrow(() -> new UnknownHostException(
                host + ": stack " + s.name() + " has no name resolver (add the stack-udp module)"));
    }

    /** The stack's answers, each carrying the name asked (so {@code getHostName()} needs no reverse lookup). */
    private static List<InetAddress> named(String host, List<InetAddress> addresses) throws UnknownHostException {
        List<InetAddress> named = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            named.add(InetAddress.getByAddress(host, a.getAddress()));
        }
        return named;
    }

    @Override
    public String toString() {
        return "TsunaguResolver[hosts " + hosts + "]";
    }
}
