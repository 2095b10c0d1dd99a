package dev.tsunagu.ip.fragment;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.wire.Ipv4Header;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import dev.tsunagu.util.LongObjectMap;
import java.util.Arrays;
import java.util.Objects;

/**
 * IPv4 reassembly (RFC 791 section 3.2, with RFC 815's view of a datagram as holes to fill),
 * bounded in datagrams, bytes and time.
 *
 * <p>Fragments of one datagram share (source, destination, protocol, identification). Each
 * datagram in progress keeps its fragment buffers, as received, in a list sorted by offset;
 * when the fragments cover {@code [0, end)} with no hole (the last fragment, MF clear, gave the
 * end) they are copied once into one pooled buffer and released. Because overlaps are refused,
 * the fragments are disjoint, so "no hole" is simply "the data bytes received add up to the
 * end".
 *
 * <h2>What is refused</h2>
 * <ul>
 *   <li>An exact duplicate (same offset, same length) is ignored: released and counted
 *       ({@code DropFragDuplicate}); the datagram goes on.</li>
 *   <li>Any other overlap, a last fragment claiming a different end than the one known, or data
 *       beyond the known end drops the whole datagram ({@code DropFragOverlap}). RFC 791 lets a
 *       receiver overwrite overlapping data; RFC 5722 forbids overlaps for IPv6 because they
 *       are how firewalls are evaded, and the same stance is taken here for IPv4.</li>
 *   <li>A fragment with no data, or a non-last fragment whose data length is not a multiple of
 *       8 (no later fragment could start where it ends), drops the datagram
 *       ({@code DropFragBadLength}).</li>
 *   <li>Data reaching beyond 65535 bytes once the header is added (the "ping of death") drops
 *       the datagram ({@code DropFragTooLong}); the check uses the larger of this fragment's
 *       header and the first fragment's, since the first fragment's header (options and all)
 *       heads the reassembled datagram.</li>
 *   <li>Fragments whose ECN fields contradict each other, some Not-ECT and some ECT or CE, drop
 *       the datagram when it completes ({@code DropFragEcn}, RFC 3168 5.3, {@link Ecn#reassembled});
 *       a CE on any fragment otherwise makes the datagram CE, so reassembly never loses a
 *       congestion mark.</li>
 * </ul>
 *
 * <h2>Bounds</h2>
 * At most {@link Limits#maxDatagrams()} datagrams are in progress and at most
 * {@link Limits#maxBytes()} bytes of buffer memory are held over all of them (the capacity of
 * the buffers holding the fragments, like Linux's "truesize", so that a flood of tiny fragments
 * is bounded as tightly as a few large ones). A fragment that would exceed
 * either evicts the oldest datagrams (by arrival of their first fragment) until it fits
 * ({@code DropFragEvicted}, one per datagram); if its own datagram alone is too big, that one
 * goes. Each datagram has one timer, armed when its first fragment arrives and never pushed
 * back: after {@link Limits#timeoutNanos()} the datagram is abandoned ({@code ReasmTimeout}) and,
 * if its offset-0 fragment had arrived, the {@link TimeoutListener} is told so that an ICMP Time
 * Exceeded (code 1, "fragment reassembly time exceeded", RFC 792 / RFC 1122 3.3.2) can be sent.
 *
 * <p>Counters: {@code ReasmReqds} counts every fragment offered; every datagram in progress ends
 * either in {@code ReasmOKs} or in {@code ReasmFails} (timed out, evicted, or dropped for a bad
 * fragment), unless {@link #clear()} discards it. A bad fragment that arrives when its datagram
 * is not in progress is counted under its reason only: no datagram was abandoned.
 * *
 * <p>Not thread-safe: belongs to one event loop.
 */
public final class Reassembler {
    /** Bounds: datagrams in progress, bytes held across all of them, and how long one may take. */
    public record Limits(int maxDatagrams, int maxBytes, long timeoutNanos) {
        /** 64 datagrams, 1 MiB, 30 s (RFC 1122 3.3.2 recommends 60 s to 120 s; Linux uses 30 s). */
        public static final Limits DEFAULT = new Limits(64, 4 << 20, 30_000_000_000L);

        public Limits {
            if (maxDatagrams < 1) {
                throw new IllegalArgumentException("maxDatagrams must be at least 1: " + maxDatagrams);
            }
            if (maxBytes < 1) {
                throw new IllegalArgumentException("maxBytes must be at least 1: " + maxBytes);
            }
            if (timeoutNanos <= 0) {
                throw new IllegalArgumentException("timeoutNanos must be positive: " + timeoutNanos);
            }
        }
    }

    /**
     * A datagram timed out after its first fragment (offset 0) had arrived. {@code firstFragment}
     * starts at that fragment's IP header and holds at least header + 8 data bytes (for an ICMP
     * Time Exceeded, code 1, RFC 792/1122). The listener does NOT own it (copy what you keep).
     * Called on the loop.
     */
    public interface TimeoutListener {
        void timedOut(NetInterface iface, PacketBuffer firstFragment);
    }

    private static final int INITIAL_FRAGMENTS = 4;
    private static final int FRAGMENT_FIELD_KEEP = 0xC000; // reserved bit and DF survive reassembly

    private final EventLoop loop;
    private final BufferPool pool;
    private final Limits limits;
    private final TimeoutListener listener;

    /** By {@link #key}; entries whose keys collide are chained through {@link Entry#nextSameKey}. */
    private final LongObjectMap<Entry> table;
    /** Datagrams in progress, oldest first (eviction order). */
    private Entry oldest;
    private Entry newest;
    private int datagrams;
    private int bytesHeld;

    private final Counter reasmReqds;
    private final Counter reasmOKs;
    private final Counter reasmFails;
    private final Counter reasmTimeout;
    private final Counter dropOverlap;
    private final Counter dropDuplicate;
    private final Counter dropBadLength;
    private final Counter dropTooLong;
    private final Counter dropEvicted;
    private final Counter dropEcn;

    public Reassembler(EventLoop loop, BufferPool pool, CounterGroup counters, Limits limits, TimeoutListener listener) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = listener;
        this.table = new LongObjectMap<>(Math.min(limits.maxDatagrams(), 1024));
        reasmReqds = counters.counter("ReasmReqds", "IP fragments received for reassembly");
        reasmOKs = counters.counter("ReasmOKs", "IP datagrams successfully reassembled");
        reasmFails = counters.counter("ReasmFails", "IP datagrams abandoned by reassembly (timeout, bad fragment, eviction)");
        reasmTimeout = counters.counter("ReasmTimeout", "IP datagrams whose reassembly timed out");
        dropOverlap = counters.counter("DropFragOverlap", "datagrams dropped for overlapping or contradictory fragments");
        dropDuplicate = counters.counter("DropFragDuplicate", "exact duplicate fragments ignored");
        dropBadLength = counters.counter("DropFragBadLength", "fragments with no data or a non-last length not a multiple of 8");
        dropTooLong = counters.counter("DropFragTooLong", "fragments reaching beyond 65535 bytes (ping of death)");
        dropEvicted = counters.counter("DropFragEvicted", "datagrams evicted to stay within the reassembly limits");
        dropEcn = counters.counter("DropFragEcn", "datagrams whose fragments were both Not-ECT and ECT or CE (RFC 3168 5.3)");
    }

    /**
     * {@code fragment} starts at an IPv4 header already validated by {@link Ipv4Header#check} and
     * trimmed to its total length, and is a fragment (MF set or offset != 0). Takes ownership.
     * Returns the reassembled datagram in a new buffer from the pool (the first fragment's IP
     * header, options included, then all data; total length set, MF and offset cleared,
     * checksum recomputed), or null if the datagram is still incomplete or this fragment was
     * dropped. A packet that is not a fragment at all is handed back as it is.
     */
    public PacketBuffer offer(NetInterface iface, PacketBuffer fragment) {
        if (!Ipv4Header.isFragment(fragment)) {
            return fragment;
        }
        reasmReqds.increment();
        int hlen = Ipv4Header.headerLength(fragment);
        int dataLength = Ipv4Header.totalLength(fragment) - hlen;
        int offset = Ipv4Header.fragmentOffset(fragment);
        boolean last = !Ipv4Header.moreFragments(fragment);
        int end = offset + dataLength;
        int source = Ipv4Header.source(fragment);
        int destination = Ipv4Header.destination(fragment);
        int protocol = Ipv4Header.protocol(fragment);
        int id = Ipv4Header.identification(fragment);
        long key = key(source, destination, protocol, id);
        Entry e = find(key, source, destination, protocol, id);

        // The fragment alone: lengths.
        int headerForLimit = e == null ? hlen : Math.max(hlen, e.firstHeaderLength);
        if (end > Ipv4Header.MAX_LENGTH - headerForLimit
                || (offset == 0 && e != null && Math.max(e.maxEnd, e.end) > Ipv4Header.MAX_LENGTH - hlen)) {
            return refuse(fragment, e, dropTooLong);
        }
        if (dataLength == 0 || (!last && (dataLength & 7) != 0)) {
            return refuse(fragment, e, dropBadLength);
        }

        // Against what the datagram already has: the end, then the neighbours.
        int at = 0;
        if (e != null) {
            if (last) {
                if (e.end >= 0 ? end != e.end : e.maxEnd > end) {
                    return refuse(fragment, e, dropOverlap);
                }
            } else if (e.end >= 0 && end > e.end) {
                return refuse(fragment, e, dropOverlap);
            }
            at = e.search(offset);
            if (at >= 0) {
                if (e.ends[at] != end) {
                    return refuse(fragment, e, dropOverlap);
                }
                // An exact duplicate. A last fragment duplicating a non-last one still tells the end.
                dropDuplicate.increment();
                fragment.release();
                if (last && e.end < 0) {
                    e.end = end;
                    return e.isComplete() ? complete(e) : null;
                }
                return null;
            }
            at = -at - 1;
            if ((at > 0 && e.ends[at - 1] > offset) || (at < e.count && e.starts[at] < end)) {
                return refuse(fragment, e, dropOverlap);
            }
        }

        // Room for it. Memory is what the buffers cost, not just their data, so a flood of
        // tiny fragments is bounded as tightly as a few large ones.
        int cost = fragment.capacity();
        if (cost > limits.maxBytes()) {
            return refuse(fragment, e, dropEvicted);
        }
        if (e == null) {
            while (datagrams >= limits.maxDatagrams()) {
                evict(oldest);
            }
        }
        while (bytesHeld + cost > limits.maxBytes()) {
            Entry victim = oldest == e ? e.newer : oldest;
            if (victim == null) { // only its own datagram is left, and it has grown too big
                return refuse(fragment, e, dropEvicted);
            }
            evict(victim);
        }
        if (e == null) {
            e = new Entry(key, source, destination, protocol, id);
            insert(e);
            e.timer.scheduleAfter(limits.timeoutNanos());
        }

        e.add(at, fragment, offset, end);
        e.ecn = Ecn.seen(e.ecn, Ipv4Header.tos(fragment));
        bytesHeld += cost;
        if (offset == 0) {
            e.firstHeaderLength = hlen;
            e.firstIface = iface;
        }
        if (last) {
            e.end = end;
        }
        return e.isComplete() ? complete(e) : null;
    }

    /** Datagrams currently being reassembled. */
    public int datagramsInProgress() {
        return datagrams;
    }

    /** Data bytes held in fragments, over all datagrams in progress. */
    public int bytesHeld() {
        return bytesHeld;
    }

    public Limits limits() {
        return limits;
    }

    /** Drops everything (the stack is closing): releases buffers, cancels timers. Counts nothing. */
    public void clear() {
        while (oldest != null) {
            Entry e = oldest;
            remove(e);
            e.releaseAll();
        }
        table.clear();
    }

    // ---- outcomes ----

    /** Drops {@code fragment} and, if it is in progress, its whole datagram. */
    private PacketBuffer refuse(PacketBuffer fragment, Entry e, Counter reason) {
        reason.increment();
        fragment.release();
        if (e != null) {
            reasmFails.increment();
            remove(e);
            e.releaseAll();
        }
        return null;
    }

    private void evict(Entry e) {
        dropEvicted.increment();
        reasmFails.increment();
        remove(e);
        e.releaseAll();
    }

    private void expire(Entry e) {
        reasmTimeout.increment();
        reasmFails.increment();
        remove(e);
        try {
            if (e.firstHeaderLength != 0 && listener != null) {
                listener.timedOut(e.firstIface, e.buffers[0]);
            }
        } finally {
            e.releaseAll();
        }
    }

    private PacketBuffer complete(Entry e) {
        remove(e);
        int ecn = Ecn.reassembled(e.ecn);
        if (ecn == Ecn.DROP) {
            dropEcn.increment();
            reasmFails.increment();
            e.releaseAll();
            return null;
        }
        PacketBuffer first = e.buffers[0];
        int hlen = e.firstHeaderLength;
        int total = hlen + e.end;
        PacketBuffer out;
        try {
            out = pool.acquire(total);
            out.append(first.array(), first.start(), hlen);
            for (int i = 0; i < e.count; i++) {
                PacketBuffer f = e.buffers[i];
                int fh = Ipv4Header.headerLength(f);
                out.append(f.array(), f.start() + fh, e.ends[i] - e.starts[i]);
            }
        } finally {
            e.releaseAll();
        }
        Ipv4Header.setTotalLength(out, total);
        Ipv4Header.setFlagsAndOffset(out, out.getU16(Ipv4Header.FLAGS_FRAGMENT) & FRAGMENT_FIELD_KEEP);
        if (ecn == Ecn.CE) {
            out.setU8(Ipv4Header.TOS, Ecn.with(Ipv4Header.tos(out), Ecn.CE));
        }
        Ipv4Header.updateChecksum(out);
        reasmOKs.increment();
        return out;
    }

    // ---- the table and the age list ----

    /** Source and destination folded into 32 bits, then protocol and identification: 56 bits. */
    private static long key(int source, int destination, int protocol, int id) {
        long hosts = (source ^ Integer.rotateLeft(destination, 16)) & 0xFFFF_FFFFL;
        return hosts << 24 | (long) protocol << 16 | id;
    }

    private Entry find(long key, int source, int destination, int protocol, int id) {
        for (Entry e = table.get(key); e != null; e = e.nextSameKey) {
            if (e.source == source && e.destination == destination && e.protocol == protocol && e.id == id) {
                return e;
            }
        }
        return null;
    }

    private void insert(Entry e) {
        Entry head = table.get(e.key);
        e.nextSameKey = head;
        table.put(e.key, e);
        e.older = newest;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
        datagrams++;
    }

    /** Unlinks {@code e} from the table and the age list, cancels its timer, forgets its bytes. */
    private void remove(Entry e) {
        Entry head = table.get(e.key);
        if (head == e) {
            if (e.nextSameKey == null) {
                table.remove(e.key);
            } else {
                table.put(e.key, e.nextSameKey);
            }
        } else {
            Entry p = head;
            while (p.nextSameKey != e) {
                p = p.nextSameKey;
            }
            p.nextSameKey = e.nextSameKey;
        }
        e.nextSameKey = null;
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.older = e.newer = null;
        e.timer.cancel();
        datagrams--;
        bytesHeld -= e.memory;
    }

    /** One datagram in progress: its fragments sorted by offset, disjoint. */
    private final class Entry {
        final long key;
        final int source;
        final int destination;
        final int protocol;
        final int id;
        final Timer timer;
        Entry nextSameKey;
        Entry older;
        Entry newer;

        PacketBuffer[] buffers = new PacketBuffer[INITIAL_FRAGMENTS];
        /** Data offsets {@code [starts[i], ends[i])} of fragment {@code i}. */
        int[] starts = new int[INITIAL_FRAGMENTS];
        int[] ends = new int[INITIAL_FRAGMENTS];
        int count;
        /** Data bytes held (the fragments are disjoint, so this is how much of the datagram is covered). */
        int received;
        /** Memory held: the capacity of the buffers holding the fragments (Linux's "truesize"). */
        int memory;
        /** The greatest fragment end seen. */
        int maxEnd;
        /** The end given by the last fragment (MF clear), or -1 while unknown. */
        int end = -1;
        /** The ECN codepoints of the fragments so far, as {@link Ecn#seen} keeps them. */
        int ecn;
        /** Header length of the offset-0 fragment, or 0 while it has not arrived. */
        int firstHeaderLength;
        NetInterface firstIface;

        Entry(long key, int source, int destination, int protocol, int id) {
            this.key = key;
            this.source = source;
            this.destination = destination;
            this.protocol = protocol;
            this.id = id;
            this.timer = loop.newTimer("ip-reassembly", () -> expire(this));
        }

        /** Index of the fragment starting at {@code offset}, or {@code -(insertion point) - 1}. */
        int search(int offset) {
            return Arrays.binarySearch(starts, 0, count, offset);
        }

        void add(int at, PacketBuffer b, int start, int stop) {
            if (count == buffers.length) {
                int n = count * 2;
                buffers = Arrays.copyOf(buffers, n);
                starts = Arrays.copyOf(starts, n);
                ends = Arrays.copyOf(ends, n);
            }
            int tail = count - at;
            if (tail > 0) {
                System.arraycopy(buffers, at, buffers, at + 1, tail);
                System.arraycopy(starts, at, starts, at + 1, tail);
                System.arraycopy(ends, at, ends, at + 1, tail);
            }
            buffers[at] = b;
            starts[at] = start;
            ends[at] = stop;
            count++;
            received += stop - start;
            memory += b.capacity();
            maxEnd = Math.max(maxEnd, stop);
        }

        boolean isComplete() {
            return end >= 0 && received == end;
        }

        void releaseAll() {
            for (int i = 0; i < count; i++) {
                buffers[i].release();
                buffers[i] = null;
            }
            count = 0;
            received = 0;
            memory = 0;
            ecn = 0;
            firstIface = null;
        }
    }
}
