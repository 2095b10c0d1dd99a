package dev.tsunagu.ip;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What path MTU discovery (RFC 1191) has learnt: per destination, an MTU below the first hop's,
 * reported by a router's "fragmentation needed" (and believed by the transport that checked it,
 * RFC 5927). An entry expires {@code expiryNanos} after it was last lowered, so that a path that
 * grew is used again (RFC 1191 6.3: "at least 10 minutes"); the cache holds at most
 * {@code capacity} destinations, the entry learnt longest ago evicted first, so a flood of
 * forged errors for many addresses costs a bounded amount of memory.
 *
 * <p>Read when a transport sizes its segments ({@code mtuFor}), which happens per connection,
 * not per datagram. Loop thread only.
 */
final class PathMtuCache {
    /** RFC 1191 3 / RFC 791: the smallest MTU every IPv4 link carries. */
    static final int IPV4_MIN_MTU = 68;

    private record Entry(int mtu, long learntAt) {}

    private final int capacity;
    private final long expiryNanos;
    /** In insertion order: the eldest is the one learnt (or lowered) longest ago. */
    private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();

    PathMtuCache(int capacity, long expiryNanos) {
        this.capacity = capacity;
        this.expiryNanos = expiryNanos;
    }

    /**
     * The path MTU to {@code destination} at {@code now}: the learnt one if it is below
     * {@code linkMtu} (the route's) and not expired, else {@code linkMtu}.
     */
    int mtu(int destination, int linkMtu, long now) {
        if (entries.isEmpty()) {
            return linkMtu;
        }
        Entry e = entries.get(destination);
        if (e == null) {
            return linkMtu;
        }
        if (now - e.learntAt >= expiryNanos) {
            entries.remove(destination);
            return linkMtu;
        }
        return Math.min(e.mtu, linkMtu);
    }

    /**
     * Learns that datagrams to {@code destination} larger than {@code mtu} do not pass. Only a
     * lower value than what is known is taken (RFC 1191 6.3: an increase is never learnt from an
     * error).
     *
     * @return whether the path MTU went down
     */
    boolean lower(int destination, int mtu, int linkMtu, long now) {
        int current = mtu(destination, linkMtu, now);
        int m = Math.max(mtu, IPV4_MIN_MTU);
        if (m >= current) {
            return false;
        }
        entries.remove(destination); // re-inserted at the young end
        entries.put(destination, new Entry(m, now));
        if (entries.size() > capacity) {
            Iterator<Map.Entry<Integer, Entry>> eldest = entries.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
        return true;
    }

    int size() {
        return entries.size();
    }
}
