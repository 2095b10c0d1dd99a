package dev.tsunagu.ipv6.nd;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The IPv6 neighbour cache and its state machine (RFC 4861 7.3.2 and appendix C).
 *
 * <pre>
 *            send, no entry                  solicited NA
 *   (none) ----------------> INCOMPLETE ------------------> REACHABLE
 *                             | 3 NS, no answer                |  ReachableTime passes
 *                             v                                v
 *                          (deleted)        NS/RA/unsolicited NA with a new MAC --> STALE
 *                                                               | a packet is sent
 *    REACHABLE <--- solicited NA ---- PROBE <-- 5 s --- DELAY <-+
 *                                       | 3 unicast NS, no answer: deleted
 * </pre>
 *
 * <p>Packets for an INCOMPLETE neighbour wait in a queue of {@code queuePerNeighbor} (the oldest
 * is dropped when it is full, 7.2.2); the cache holds at most {@code maxEntries} neighbours, and
 * a resolution beyond that is refused and counted. One timer per entry drives every transition.
 * Confirmation by upper layers (7.3.1's "forward progress" hints) is not used: reachability is
 * confirmed only by solicited advertisements. Loop thread only.
 */
public final class NeighborCache {
    /** RFC 4861 10: protocol constants. */
    public static final int MAX_MULTICAST_SOLICIT = 3;
    public static final int MAX_UNICAST_SOLICIT = 3;
    public static final long DELAY_FIRST_PROBE_TIME_NANOS = 5_000_000_000L;

    /** Sends a Neighbor Solicitation for {@code target}: multicast to its solicited-node group when {@code unicastMac} is -1. */
    public interface Solicitor {
        void solicit(NetInterface iface, Ipv6Address target, long unicastMac);
    }

    /** Sends an IPv6 packet in a frame to {@code mac} (takes ownership). */
    public interface Transmitter {
        void transmit(NetInterface iface, PacketBuffer packet, int etherType, long mac);
    }

    private record Key(int ifIndex, Ipv6Address address) {}

    private final class Entry {
        final NetInterface iface;
        final Ipv6Address address;
        final Timer timer;
        final ArrayDeque<PacketBuffer> queue = new ArrayDeque<>(2);
        long mac = -1;
        Neighbors.State state;
        int probes;
        boolean router;

        Entry(NetInterface iface, Ipv6Address address) {
            this.iface = iface;
            this.address = address;
            this.timer = loop.newTimer("nd " + address, () -> timeout(this));
        }
    }

    private final EventLoop loop;
    private final RandomGenerator random;
    private final Solicitor solicitor;
    private final Transmitter transmitter;
    private final long retransNanos;
    private final long baseReachableNanos;
    private final int maxEntries;
    private final int queuePerNeighbor;
    private final Map<Key, Entry> entries = new HashMap<>();

    private final Counter resolutionFailures;
    private final Counter cacheFull;
    private final Counter queueDrops;
    private final Counter unsolicitedIgnored;

    public NeighborCache(EventLoop loop, RandomGenerator random, CounterGroup counters, Solicitor solicitor,
                         Transmitter transmitter, long retransNanos, long baseReachableNanos, int maxEntries,
                         int queuePerNeighbor) {
        this.loop = loop;
        this.random = random;
        this.solicitor = solicitor;
        this.transmitter = transmitter;
        this.retransNanos = retransNanos;
        this.baseReachableNanos = baseReachableNanos;
        this.maxEntries = maxEntries;
        this.queuePerNeighbor = queuePerNeighbor;
        resolutionFailures = counters.counter("ResolutionFailures", "neighbours that did not answer (queued packets dropped)");
        cacheFull = counters.counter("DropCacheFull", "packets dropped because the neighbour cache was full");
        queueDrops = counters.counter("DropQueueFull", "packets dropped from a full queue of an unresolved neighbour");
        unsolicitedIgnored = counters.counter("AdvertNoEntry", "advertisements for neighbours not in the cache (ignored, 7.2.5)");
    }

    /** Sends {@code packet} to the unicast neighbour {@code nextHop} (7.2.2 and 7.3.3). Takes ownership. */
    public void send(NetInterface iface, PacketBuffer packet, int etherType, Ipv6Address nextHop) {
        Key key = new Key(iface.index(), nextHop);
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= maxEntries) {
                cacheFull.increment();
                packet.release();
                return;
            }
            e = new Entry(iface, nextHop);
            entries.put(key, e);
            e.state = Neighbors.State.INCOMPLETE;
            e.queue.add(packet);
            e.probes = 1;
            solicitor.solicit(iface, nextHop, -1);
            e.timer.scheduleAfter(retransNanos);
            return;
        }
        switch (e.state) {
            case INCOMPLETE -> {
                if (e.queue.size() >= queuePerNeighbor) {
                    queueDrops.increment();
                    e.queue.poll().release();
                }
                e.queue.add(packet);
            }
            case STALE -> {
                enter(e, Neighbors.State.DELAY, DELAY_FIRST_PROBE_TIME_NANOS);
                transmitter.transmit(iface, packet, etherType, e.mac);
            }
            case REACHABLE, DELAY, PROBE -> transmitter.transmit(iface, packet, etherType, e.mac);
        }
    }

    /**
     * A Neighbor Solicitation (7.2.3), Router Solicitation or Advertisement (6.3.4) from
     * {@code address} carried its link-layer address: make or update the entry, STALE when the
     * MAC is new, without confirming reachability.
     */
    public void learn(NetInterface iface, Ipv6Address address, long mac, boolean isRouter) {
        Entry e = entries.get(new Key(iface.index(), address));
        if (e == null) {
            if (entries.size() >= maxEntries) {
                return;
            }
            e = new Entry(iface, address);
            entries.put(new Key(iface.index(), address), e);
            e.mac = mac;
            e.state = Neighbors.State.STALE;
            e.router |= isRouter;
            return;
        }
        e.router |= isRouter;
        if (e.state == Neighbors.State.INCOMPLETE) {
            e.mac = mac;
            enter(e, Neighbors.State.STALE, 0);
            flushQueue(e);
        } else if (e.mac != mac) {
            e.mac = mac;
            enter(e, Neighbors.State.STALE, 0);
        }
    }

    /**
     * A Neighbor Advertisement for {@code target} (7.2.5).
     *
     * @param mac the Target Link-Layer Address option, or -1 if it had none
     */
    public void advertisement(NetInterface iface, Ipv6Address target, long mac, boolean solicited, boolean override,
                              boolean isRouter) {
        Entry e = entries.get(new Key(iface.index(), target));
        if (e == null) {
            unsolicitedIgnored.increment();
            return;
        }
        if (e.state == Neighbors.State.INCOMPLETE) {
            if (mac < 0) {
                return;
            }
            e.mac = mac;
            e.router = isRouter;
            if (solicited) {
                enter(e, Neighbors.State.REACHABLE, reachableTime());
            } else {
                enter(e, Neighbors.State.STALE, 0);
            }
            flushQueue(e);
            return;
        }
        boolean differs = mac >= 0 && mac != e.mac;
        if (!override && differs) {
            // Another MAC without the override flag: not believed, but our entry is in doubt.
            if (e.state == Neighbors.State.REACHABLE) {
                enter(e, Neighbors.State.STALE, 0);
            }
            return;
        }
        if (differs) {
            e.mac = mac;
        }
        e.router = isRouter;
        if (solicited) {
            enter(e, Neighbors.State.REACHABLE, reachableTime());
        } else if (differs) {
            enter(e, Neighbors.State.STALE, 0);
        }
    }

    private void timeout(Entry e) {
        switch (e.state) {
            case INCOMPLETE -> {
                if (e.probes < MAX_MULTICAST_SOLICIT) {
                    e.probes++;
                    solicitor.solicit(e.iface, e.address, -1);
                    e.timer.scheduleAfter(retransNanos);
                } else {
                    resolutionFailures.increment();
                    remove(e);
                }
            }
            case REACHABLE -> e.state = Neighbors.State.STALE;
            case DELAY -> {
                e.probes = 1;
                enter(e, Neighbors.State.PROBE, retransNanos);
                solicitor.solicit(e.iface, e.address, e.mac);
            }
            case PROBE -> {
                if (e.probes < MAX_UNICAST_SOLICIT) {
                    e.probes++;
                    solicitor.solicit(e.iface, e.address, e.mac);
                    e.timer.scheduleAfter(retransNanos);
                } else {
                    resolutionFailures.increment();
                    remove(e);
                }
            }
            case STALE -> { }
        }
    }

    /** Moves {@code e} to {@code state}, with its timer in {@code afterNanos} (0: none). */
    private void enter(Entry e, Neighbors.State state, long afterNanos) {
        e.state = state;
        e.timer.cancel();
        if (afterNanos > 0) {
            e.timer.scheduleAfter(afterNanos);
        }
    }

    /** RFC 4861 6.3.2: ReachableTime is BaseReachableTime times a random factor from 0.5 to 1.5. */
    private long reachableTime() {
        return baseReachableNanos / 2 + (long) (random.nextDouble() * baseReachableNanos);
    }

    private void flushQueue(Entry e) {
        PacketBuffer p;
        while ((p = e.queue.poll()) != null) {
            transmitter.transmit(e.iface, p, dev.tsunagu.net.EtherType.IPV6, e.mac);
        }
    }

    private void remove(Entry e) {
        e.timer.cancel();
        PacketBuffer p;
        while ((p = e.queue.poll()) != null) {
            p.release();
        }
        entries.remove(new Key(e.iface.index(), e.address));
    }

    /** The state of {@code address} on {@code iface}, or null if it has no entry. */
    public Neighbors.State state(NetInterface iface, Ipv6Address address) {
        Entry e = entries.get(new Key(iface.index(), address));
        return e == null ? null : e.state;
    }

    /** The known MAC of {@code address} on {@code iface}, or null. */
    public MacAddress lookup(NetInterface iface, Ipv6Address address) {
        Entry e = entries.get(new Key(iface.index(), address));
        return e == null || e.mac < 0 ? null : new MacAddress(e.mac);
    }

    /** The table as {@code ip -6 neigh} shows it. */
    public List<Neighbors.Entry> entries() {
        List<Neighbors.Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries.values()) {
            out.add(new Neighbors.Entry(e.iface.name(), e.address, e.mac < 0 ? null : new MacAddress(e.mac), e.state,
                    e.timer.isPending() ? e.timer.deadline() : Long.MAX_VALUE, e.queue.size()));
        }
        return out;
    }

    /** Forgets every neighbour on {@code iface} (it went down). */
    public void flush(NetInterface iface) {
        for (Entry e : new ArrayList<>(entries.values())) {
            if (e.iface == iface) {
                remove(e);
            }
        }
    }

    public void clear() {
        for (Entry e : new ArrayList<>(entries.values())) {
            remove(e);
        }
    }

    public int size() {
        return entries.size();
    }
}
