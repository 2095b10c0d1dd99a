package dev.tsunagu.ip;

import dev.tsunagu.net.IpAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What path MTU discovery has learnt (RFC 1191 for IPv4, RFC 8201 for IPv6): per destination,
 * an MTU below the first hop's, reported by a router's "fragmentation needed" or "packet too
 * big". An entry expires {@code expiryNanos} after it was last lowered, so that a path that grew
 * is used again (RFC 1191 6.3, RFC 8201 4: "at least 10 minutes"); the cache holds at most
 * {@code capacity} destinations, the entry learnt longest ago evicted first, so a flood of
 * forged errors for many addresses costs a bounded amount of memory. No report is believed
 * below the family's smallest MTU ({@code minMtu}: 68 for IPv4, 1280 for IPv6).
 *
 * <p>One class for both families, keyed by the address records the callers already hold (no
 * boxing); the IPv4 and IPv6 layers each keep one. Read when a transport sizes its segments, and
 * by the IPv6 layer per packet: an empty cache answers without a lookup or a clock read. Loop
 * thread only.
 */
public final class PathMtuCache {
    /** RFC 1191 3 / RFC 791: the smallest MTU every IPv4 link carries. */
    public static final int IPV4_MIN_MTU = 68;

    private record Entry(int mtu, long learntAt) {}

    private final int capacity;
    private final long expiryNanos;
    private final int minMtu;
    private final LongSupplier clock;
    /** In insertion order: the eldest is the one learnt (or lowered) longest ago. */
    private final LinkedHashMap<IpAddress, Entry> entries = new LinkedHashMap<>();

    /**
     * @param capacity destinations remembered at most
     * @param expiryNanos how long a learnt MTU lasts
     * @param minMtu the family's smallest MTU: a lower report is taken as this much
     * @param clock the loop's clock, in nanoseconds
     */
    public PathMtuCache(int capacity, long expiryNanos, int minMtu, LongSupplier clock) {
        this.capacity = capacity;
        this.expiryNanos = expiryNanos;
        this.minMtu = minMtu;
        this.clock = clock;
    }

    /**
     * The path MTU to {@code destination}: the learnt one if it is below {@code linkMtu} (the
     * route's) and not expired, else {@code linkMtu}.
     */
    public int mtu(IpAddress destination, int linkMtu) {
        if (entries.isEmpty()) {
            return linkMtu;
        }
        Entry e = entries.get(destination);
        if (e == null) {
            return linkMtu;
        }
        if (clock.getAsLong() - e.learntAt >= expiryNanos) {
            entries.remove(destination);
            return linkMtu;
        }
        return Math.min(e.mtu, linkMtu);
    }

    /**
     * Learns that datagrams to {@code destination} larger than {@code mtu} do not pass. Only a
     * lower value than what is known ({@code linkMtu} if nothing is learnt) is taken: an error
     * never raises the path MTU (RFC 1191 6.3, RFC 8201 4).
     *
     * @return whether the path MTU went down
     */
    public boolean lower(IpAddress destination, int mtu, int linkMtu) {
        int current = mtu(destination, linkMtu);
        int m = Math.max(mtu, minMtu);
        if (m >= current) {
            return false;
        }
        entries.remove(destination); // re-inserted at the young end
        entries.put(destination, new Entry(m, clock.getAsLong()));
        if (entries.size() > capacity) {
            Iterator<Map.Entry<IpAddress, Entry>> eldest = entries.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    /** Destinations with a learnt MTU (expired ones included until they are next looked up). */
    public int size() {
        return entries.size();
    }
}
