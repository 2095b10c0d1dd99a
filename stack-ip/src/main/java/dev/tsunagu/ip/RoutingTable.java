package dev.tsunagu.ip;

import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv4Prefix;
import dev.tsunagu.stack.NetInterface;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The routing table: longest-prefix match over on-link routes (one per interface address),
 * static routes via gateways, and a default route (the seeds' "directly on the LAN or via a
 * gateway router").
 *
 * <p>Hosts have a handful of routes, so entries are kept sorted most-specific first and a
 * lookup is a short scan with a one-entry cache in front of it (the common case is the same
 * destination again). Our own addresses are not routes: {@link Ipv4Layer} delivers them
 * through loopback, as Linux's local table does. Loop thread only.
 */
public final class RoutingTable {
    private final List<Route> routes = new ArrayList<>();
    private Route[] sorted = new Route[0];
    private int cachedDestination;
    private Route cachedRoute;

    /** Adds the on-link route for an interface address (its subnet, no gateway). */
    public void addOnLink(NetInterface iface, Ipv4Prefix address) {
        add(new Route(new Ipv4Prefix(address.network(), address.length()), iface, 0, address.address().bits()));
    }

    /**
     * Adds a route to {@code destination} via {@code gateway}, which must be reachable on-link.
     *
     * @throws IllegalArgumentException if no on-link route reaches the gateway
     */
    public Route addVia(Ipv4Prefix destination, Ipv4Address gateway, int metric) {
        Route toGateway = find(gateway.bits(), false); // interfaces may not be up yet at start

        if (toGateway == null || !toGateway.isOnLink()) {
            throw new IllegalArgumentException("gateway " + gateway + " is not on a directly connected network");
        }
        Route r = new Route(new Ipv4Prefix(destination.network(), destination.length()), gateway,
                toGateway.iface(), metric, toGateway.source());
        add(r);
        return r;
    }

    /** Sets the default route (0.0.0.0/0) via {@code gateway}, replacing any other default. */
    public Route setDefaultGateway(Ipv4Address gateway) {
        routes.removeIf(r -> r.destination().length() == 0);
        rebuild();
        return addVia(Ipv4Prefix.parse("0.0.0.0/0"), gateway, 0);
    }

    public void add(Route route) {
        routes.add(route);
        rebuild();
    }

    /** Removes every route through {@code iface} (it went away). */
    public void removeInterface(NetInterface iface) {
        routes.removeIf(r -> r.iface() == iface);
        rebuild();
    }

    public boolean remove(Route route) {
        boolean removed = routes.remove(route);
        rebuild();
        return removed;
    }

    /** The most specific route to {@code destination}, lowest metric first among equals; null if none. */
    public Route lookup(int destination) {
        Route cached = cachedRoute;
        if (cached != null && cachedDestination == destination && cached.iface().isUp()) {
            return cached;
        }
        Route r = find(destination, true);
        if (r != null) {
            cachedDestination = destination;
            cachedRoute = r;
        }
        return r;
    }

    private Route find(int destination, boolean upOnly) {
        for (Route r : sorted) {
            if (r.destination().contains(destination) && (!upOnly || r.iface().isUp())) {
                return r;
            }
        }
        return null;
    }

    /** Every route, most specific first (as {@code ip route} lists them, roughly). */
    public List<Route> routes() {
        return List.of(sorted);
    }

    /** Forgets the lookup cache: call when an interface goes up or down. */
    public void invalidate() {
        cachedRoute = null;
    }

    private void rebuild() {
        List<Route> copy = new ArrayList<>(routes);
        copy.sort(Comparator.comparingInt((Route r) -> -r.destination().length()).thenComparingInt(Route::metric));
        sorted = copy.toArray(Route[]::new);
        cachedRoute = null;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Route r : sorted) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }
}
