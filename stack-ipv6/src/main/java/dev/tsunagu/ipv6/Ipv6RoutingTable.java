package dev.tsunagu.ipv6;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.Ipv6Prefix;
import dev.tsunagu.stack.NetInterface;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The IPv6 routing table: longest-prefix match over on-link prefixes, static routes via a
 * gateway and default routes (configured, or learned from Router Advertisements). As in
 * stack-ip's table, entries are kept sorted most specific first (lowest metric first among
 * equals) and a lookup is a short scan: hosts have a handful of routes. Our own addresses are
 * not routes; {@link Ipv6Layer} delivers them through loopback. Loop thread only.
 */
public final class Ipv6RoutingTable {
    private final List<Ipv6Route> routes = new ArrayList<>();
    private Ipv6Route[] sorted = new Ipv6Route[0];

    public void add(Ipv6Route route) {
        routes.add(route);
        rebuild();
    }

    /** Removes the routes {@code which} selects; whether any went. */
    public boolean removeIf(Predicate<Ipv6Route> which) {
        boolean removed = routes.removeIf(which);
        rebuild();
        return removed;
    }

    /** The most specific route to {@code destination} through an interface that is up; null if none. */
    public Ipv6Route lookup(Ipv6Address destination) {
        for (Ipv6Route r : sorted) {
            if (r.destination().contains(destination) && r.iface().isUp()) {
                return r;
            }
        }
        return null;
    }

    /** The on-link route through which {@code gateway} is reached, ignoring link state (interfaces come up after start). */
    public Ipv6Route onLinkRouteTo(Ipv6Address gateway) {
        for (Ipv6Route r : sorted) {
            if (r.isOnLink() && r.destination().contains(gateway)) {
                return r;
            }
        }
        return null;
    }

    /** Whether a route through {@code iface} to exactly {@code prefix} via {@code gateway} exists. */
    public Ipv6Route find(Ipv6Prefix prefix, Ipv6Address gateway, NetInterface iface) {
        for (Ipv6Route r : routes) {
            if (r.destination().equals(prefix) && r.gateway().equals(gateway) && r.iface() == iface) {
                return r;
            }
        }
        return null;
    }

    /** Every route, most specific first. */
    public List<Ipv6Route> routes() {
        return List.of(sorted);
    }

    private void rebuild() {
        List<Ipv6Route> copy = new ArrayList<>(routes);
        copy.sort(Comparator.comparingInt((Ipv6Route r) -> -r.destination().length()).thenComparingInt(Ipv6Route::metric));
        sorted = copy.toArray(Ipv6Route[]::new);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Ipv6Route r : sorted) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }
}
