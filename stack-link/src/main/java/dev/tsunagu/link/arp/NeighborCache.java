package dev.tsunagu.link.arp;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.util.LongObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The ARP cache: IPv4 address to MAC per interface, with the packets waiting for an answer.
 *
 * <p>An entry is INCOMPLETE while requests go out (one per {@code requestInterval}, RFC 1122
 * 2.3.2.1) with packets queued behind it (bounded per entry and in total); after
 * {@code maxRequests} unanswered requests it is removed and its packets are dropped and
 * counted. A REACHABLE entry lives {@code cacheTimeout} from its last confirmation and is then
 * removed by its own timer, so expiry is exact on a virtual clock. The cache holds at most
 * {@code cacheSize} entries; a new one evicts the least recently used (sent to, or confirmed).
 * A sender learnt from an ARP request (RFC 826 has us learn whoever asks for us) evicts only an
 * entry nothing was sent to for {@link #IN_USE}, and among the few least recently used first one
 * nothing was ever sent to; if they are all in use, it is not learnt (counted). So a flood of requests from made-up senders evicts its own
 * entries, never the neighbours traffic is flowing to, however fast it churns the cache (as
 * Linux's forced neighbour GC spares entries updated in the last 5 s). The entries are kept in
 * use order on a list through them, so eviction costs the same at any cache size.
 *
 * <p>Loop thread only. Lookups on the send path are a primitive-keyed map probe.
 */
public final class NeighborCache implements Neighbors {
    /** Sends an ARP request for {@code ip} on {@code iface}. */
    @FunctionalInterface
    public interface Requester {
        void request(NetInterface iface, int ip);
    }

    /** Sends a packet to a resolved MAC. */
    @FunctionalInterface
    public interface Sender {
        void send(NetInterface iface, PacketBuffer packet, int etherType, long mac);
    }

    private final EventLoop loop;
    private final Requester requester;
    private final Sender sender;
    private final long cacheTimeout;
    private final long requestInterval;
    private final int maxRequests;
    private final int cacheSize;
    private final int queuePerEntry;
    private final int queueTotal;
    /** An entry sent to this recently is not evicted to learn an asker. */
    static final long IN_USE = 5_000_000_000L;
    /** Entries looked at, from the least recently used on, for one that is not in use. */
    private static final int EVICTION_CANDIDATES = 8;

    private final LongObjectMap<Entry> entries = new LongObjectMap<>();
    /** The ends of the use order: {@code lru} is evicted first, {@code mru} was used last. */
    private Entry lru;
    private Entry mru;
    private int queued;

    private final Counter dropUnresolved;
    private final Counter dropQueueFull;
    private final Counter expired;
    private final Counter evicted;
    private final Counter resolved;
    private final Counter notLearnt;

    public NeighborCache(EventLoop loop, CounterGroup counters, Requester requester, Sender sender,
                         long cacheTimeoutNanos, long requestIntervalNanos, int maxRequests,
                         int cacheSize, int queuePerEntry, int queueTotal) {
        this.loop = loop;
        this.requester = requester;
        this.sender = sender;
        this.cacheTimeout = cacheTimeoutNanos;
        this.requestInterval = requestIntervalNanos;
        this.maxRequests = Math.max(1, maxRequests);
        this.cacheSize = Math.max(1, cacheSize);
        this.queuePerEntry = queuePerEntry;
        this.queueTotal = queueTotal;
        dropUnresolved = counters.counter("DropUnresolved", "packets dropped because their next hop never answered ARP");
        dropQueueFull = counters.counter("DropQueueFull", "packets dropped because too many already waited for ARP");
        expired = counters.counter("Expired", "resolved entries that timed out");
        evicted = counters.counter("Evicted", "entries removed to make room (cache full)");
        resolved = counters.counter("Resolved", "addresses resolved");
        notLearnt = counters.counter("NotLearnt",
                "askers not learnt from their requests: the cache was full of neighbours in use (an ARP flood)");
    }

    private static long key(NetInterface iface, int ip) {
        return ((long) iface.index() << 32) | (ip & 0xFFFF_FFFFL);
    }

    /** The MAC for {@code ip} if it is resolved, else -1. */
    public long lookupBits(NetInterface iface, int ip) {
        Entry e = entries.get(key(iface, ip));
        return e != null && e.mac >= 0 ? e.mac : -1;
    }

    @Override
    public MacAddress lookup(NetInterface iface, IpAddress address) {
        if (!(address instanceof Ipv4Address v4)) {
            return null; // ARP resolves IPv4 only
        }
        long mac = lookupBits(iface, v4.bits());
        return mac < 0 ? null : new MacAddress(mac);
    }

    /**
     * Sends {@code packet} to {@code ip} now if its MAC is known; otherwise queues it and starts
     * (or continues) resolution. Takes ownership.
     */
    public void send(NetInterface iface, PacketBuffer packet, int etherType, int ip) {
        long k = key(iface, ip);
        Entry e = entries.get(k);
        if (e != null && e.mac >= 0) {
            touch(e);
            e.sentAt = loop.now();
            sender.send(iface, packet, etherType, e.mac);
            return;
        }
        if (e == null) {
            e = newEntry(k, iface, ip);
        }
        e.sentAt = loop.now();
        if (e.pendingCount >= queuePerEntry || queued >= queueTotal) {
            dropQueueFull.increment();
            packet.release();
        } else {
            e.enqueue(packet, etherType);
            queued++;
        }
        if (e.requestsSent == 0) {
            sendRequest(e);
        }
    }

    /**
     * Records that {@code ip} is at {@code mac}, as learned from an ARP packet (RFC 826's merge
     * step). Creates the entry only if {@code create} (the packet was addressed to us); either
     * way an existing entry is refreshed and its waiting packets leave.
     *
     * @return whether an entry was updated or created
     */
    public boolean learn(NetInterface iface, int ip, long mac, boolean create) {
        long k = key(iface, ip);
        Entry e = entries.get(k);
        if (e == null) {
            if (!create) {
                return false;
            }
            if (entries.size() >= cacheSize && !evictNotInUse()) {
                notLearnt.increment();
                return false;
            }
            e = newEntry(k, iface, ip);
        }
        boolean wasResolved = e.mac >= 0;
        touch(e);
        e.mac = mac;
        e.requestsSent = 0;
        e.expiresAt = loop.now() + cacheTimeout;
        e.timer.scheduleAt(e.expiresAt);
        if (!wasResolved) {
            resolved.increment();
        }
        while (e.pendingCount > 0) {
            int type = e.pendingTypes[e.pendingHead];
            PacketBuffer p = e.dequeue();
            queued--;
            sender.send(iface, p, type, mac);
        }
        return true;
    }

    /** Forgets every entry on {@code iface} (it went down), dropping queued packets. */
    public void flush(NetInterface iface) {
        List<Entry> gone = new ArrayList<>();
        entries.forEach((k, e) -> {
            if (e.iface == iface) {
                gone.add(e);
            }
        });
        for (Entry e : gone) {
            remove(e, dropUnresolved);
        }
    }

    /** Entries now, for {@code ip neigh} and tests. */
    @Override
    public List<Neighbors.Entry> entries() {
        List<Neighbors.Entry> out = new ArrayList<>();
        entries.forEach((k, e) -> out.add(new Neighbors.Entry(e.iface.name(), new Ipv4Address(e.ip),
                e.mac >= 0 ? new MacAddress(e.mac) : null,
                e.mac >= 0 ? State.REACHABLE : State.INCOMPLETE, e.expiresAt, e.pendingCount)));
        out.sort(java.util.Comparator.comparing(Neighbors.Entry::interfaceName)
                .thenComparing(e -> (Ipv4Address) e.address()));
        return out;
    }

    public int size() {
        return entries.size();
    }

    /** Packets waiting for resolution, over all entries. */
    public int queuedPackets() {
        return queued;
    }

    /** Drops everything (the stack is closing). */
    public void clear() {
        List<Entry> all = new ArrayList<>();
        entries.forEach((k, e) -> all.add(e));
        for (Entry e : all) {
            remove(e, null);
        }
    }

    private Entry newEntry(long k, NetInterface iface, int ip) {
        if (entries.size() >= cacheSize) {
            evictOne();
        }
        Entry e = new Entry(k, iface, ip);
        entries.put(k, e);
        linkAsMostRecent(e);
        return e;
    }

    private void evictOne() {
        if (lru != null) {
            evicted.increment();
            remove(lru, dropUnresolved);
        }
    }

    /**
     * Evicts, among the first few least recently used, the first entry nothing was ever sent to,
     * else the first not sent to for {@link #IN_USE}; false if all are in use. Askers we never
     * talked to go first: a neighbour whose traffic paused (a transfer stalled by the very flood
     * that churns the cache, its retransmissions lost for seconds) outlives them however long
     * the pause.
     */
    private boolean evictNotInUse() {
        long busySince = loop.now() - IN_USE;
        Entry idle = null;
        Entry e = lru;
        for (int i = 0; i < EVICTION_CANDIDATES && e != null; i++, e = e.newer) {
            if (e.sentAt == Long.MIN_VALUE) {
                idle = e;
                break;
            }
            if (idle == null && e.sentAt < busySince) {
                idle = e;
            }
        }
        if (idle == null) {
            return false;
        }
        evicted.increment();
        remove(idle, dropUnresolved);
        return true;
    }

    /** {@code e} was just used: it is evicted last. */
    private void touch(Entry e) {
        if (e != mru) {
            unlink(e);
            linkAsMostRecent(e);
        }
    }

    private void linkAsMostRecent(Entry e) {
        e.older = mru;
        e.newer = null;
        if (mru != null) {
            mru.newer = e;
        } else {
            lru = e;
        }
        mru = e;
    }

    private void unlink(Entry e) {
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            lru = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            mru = e.older;
        }
        e.older = null;
        e.newer = null;
    }

    private void sendRequest(Entry e) {
        e.requestsSent++;
        e.expiresAt = loop.now() + requestInterval;
        e.timer.scheduleAt(e.expiresAt);
        requester.request(e.iface, e.ip);
    }

    private void onTimer(Entry e) {
        if (e.mac >= 0) {
            expired.increment();
            remove(e, null);
        } else if (e.requestsSent < maxRequests) {
            sendRequest(e);
        } else {
            remove(e, dropUnresolved);
        }
    }

    private void remove(Entry e, Counter dropCounter) {
        entries.remove(e.key);
        unlink(e);
        e.timer.cancel();
        while (e.pendingCount > 0) {
            e.dequeue().release();
            queued--;
            if (dropCounter != null) {
                dropCounter.increment();
            }
        }
    }

    /** One neighbour. {@code mac} is -1 while INCOMPLETE. */
    private final class Entry {
        final long key;
        final NetInterface iface;
        final int ip;
        final Timer timer;
        long mac = -1;
        long expiresAt;
        /** Neighbours in the use order ({@link #touch}). */
        Entry older;
        Entry newer;
        /** When a packet was last sent to it (or queued for it). */
        long sentAt = Long.MIN_VALUE;
        int requestsSent;
        PacketBuffer[] pending;
        int[] pendingTypes;
        int pendingHead;
        int pendingCount;

        Entry(long key, NetInterface iface, int ip) {
            this.key = key;
            this.iface = iface;
            this.ip = ip;
            this.timer = loop.newTimer("arp " + Ipv4Address.format(ip), () -> onTimer(this));
        }

        void enqueue(PacketBuffer p, int etherType) {
            if (pending == null) {
                pending = new PacketBuffer[queuePerEntry];
                pendingTypes = new int[queuePerEntry];
            }
            int at = (pendingHead + pendingCount) % pending.length;
            pending[at] = p;
            pendingTypes[at] = etherType;
            pendingCount++;
        }

        PacketBuffer dequeue() {
            PacketBuffer p = pending[pendingHead];
            pending[pendingHead] = null;
            pendingHead = (pendingHead + 1) % pending.length;
            pendingCount--;
            return p;
        }
    }
}
