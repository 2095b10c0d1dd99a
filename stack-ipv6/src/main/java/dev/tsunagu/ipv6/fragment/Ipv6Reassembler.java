package dev.tsunagu.ipv6.fragment;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ipv6.wire.FragmentHeader;
import dev.tsunagu.ipv6.wire.Ipv6Header;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stats.Counter;
import dev.tsunagu.stats.CounterGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * IPv6 reassembly (RFC 8200 section 4.5) with RFC 5722's rule on overlaps, bounded in packets,
 * bytes and time.
 *
 * <p>Fragments of one packet share (source, destination, identification). Each packet in
 * progress keeps its fragments, as received, sorted by offset; when they cover {@code [0, end)}
 * (the fragment with M clear gave the end) the first fragment's unfragmentable part (the fixed
 * header and the extension headers before the Fragment header) is copied into one pooled buffer
 * with the Fragment header left out, the Next Header field that named it set to the first
 * fragment's Next Header, and all data after it.
 *
 * <h2>What is refused</h2>
 * <ul>
 *   <li>A non-last fragment whose data is not a multiple of 8 bytes: Parameter Problem code 0
 *       pointing at the Payload Length field (4.5), through {@link ErrorListener}.</li>
 *   <li>Data beyond 65535 bytes: Parameter Problem code 0 pointing at the Fragment Offset field.</li>
 *   <li>RFC 5722: any overlap (other than an exact duplicate, which is ignored) abandons the whole
 *       packet, and fragments of it that arrive later are dropped too: the entry stays, empty, as
 *       a tombstone until its timer runs out ({@code DropFragOverlap}). So does a second last
 *       fragment claiming another end, or data beyond the known end.</li>
 *   <li>RFC 3168 5.3: fragments both Not-ECT and ECT or CE drop the packet when it completes
 *       ({@code DropFragEcn}); otherwise a CE on any fragment makes the packet CE
 *       ({@link Ecn#reassembled}).</li>
 * </ul>
 * Atomic fragments (offset 0, M clear) never reach this class: RFC 8021 and 4.5 say they are
 * whole packets, and {@link dev.tsunagu.ipv6.wire.ExtensionHeaders} passes them on as such.
 *
 * <h2>Bounds</h2>
 * At most {@code maxPackets} packets are in progress and {@code maxBytes} of buffer capacity
 * held; a fragment that would exceed either evicts the oldest packets ({@code DropFragEvicted}).
 * One timer per packet, armed at its first fragment and never pushed back: after the timeout
 * the packet is abandoned ({@code ReasmTimeout}) and, if its first fragment had arrived, the
 * {@link ErrorListener} may send Time Exceeded code 1 (4.5). Not thread-safe: one event loop.
 */
public final class Ipv6Reassembler {
    /** How a refused fragment should be answered; the listener does not own the fragment. */
    public interface ErrorListener {
        /** Parameter Problem code 0 about {@code fragment} (at its IPv6 header) pointing at {@code pointer}. */
        void parameterProblem(NetInterface iface, PacketBuffer fragment, int pointer);

        /** The packet timed out after its first fragment arrived: Time Exceeded code 1 about it. */
        void timedOut(NetInterface iface, PacketBuffer firstFragment);
    }

    private record Key(long srcHigh, long srcLow, long dstHigh, long dstLow, int id) {}

    /** A fragment as kept: the buffer (at its IPv6 header) and where its data lies in it. */
    private record Piece(PacketBuffer buffer, int dataAt, int offset, int length) {
        int end() {
            return offset + length;
        }
    }

    private final class Entry {
        final Key key;
        final NetInterface iface;
        final Timer timer;
        final List<Piece> pieces = new ArrayList<>(4);
        int end = -1;
        int received;
        int bytes;
        boolean tombstone;
        /** The Next Header field before the first fragment's Fragment header, and that header's offset. */
        int firstNextHeaderAt;
        int firstFragmentAt;
        /** The ECN codepoints of the fragments so far, as {@link Ecn#seen} keeps them. */
        int ecn;

        Entry(Key key, NetInterface iface) {
            this.key = key;
            this.iface = iface;
            this.timer = loop.newTimer("ipv6 reassembly", () -> expire(this));
        }
    }

    private final EventLoop loop;
    private final BufferPool pool;
    private final int maxPackets;
    private final int maxBytes;
    private final long timeoutNanos;
    private final ErrorListener listener;
    /** In order of first arrival: the first is the one to evict. */
    private final Map<Key, Entry> entries = new LinkedHashMap<>();
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

    public Ipv6Reassembler(EventLoop loop, BufferPool pool, CounterGroup counters, int maxPackets, int maxBytes,
                           long timeoutNanos, ErrorListener listener) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.pool = Objects.requireNonNull(pool, "pool");
        if (maxPackets < 1 || maxBytes < 1 || timeoutNanos <= 0) {
            throw new IllegalArgumentException("reassembly limits must be positive");
        }
        this.maxPackets = maxPackets;
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeoutNanos;
        this.listener = Objects.requireNonNull(listener, "listener");
        reasmReqds = counters.counter("ReasmReqds", "IPv6 fragments received for reassembly");
        reasmOKs = counters.counter("ReasmOKs", "IPv6 packets reassembled");
        reasmFails = counters.counter("ReasmFails", "IPv6 packets abandoned by reassembly (timeout, overlap, eviction)");
        reasmTimeout = counters.counter("ReasmTimeout", "IPv6 packets whose reassembly timed out");
        dropOverlap = counters.counter("DropFragOverlap", "fragments dropped for overlapping (RFC 5722) or contradicting others");
        dropDuplicate = counters.counter("DropFragDuplicate", "exact duplicate fragments ignored");
        dropBadLength = counters.counter("DropFragBadLength", "non-last fragments whose length is not a multiple of 8");
        dropTooLong = counters.counter("DropFragTooLong", "fragments reaching beyond 65535 bytes");
        dropEvicted = counters.counter("DropFragEvicted", "packets evicted to stay within the reassembly limits");
        dropEcn = counters.counter("DropFragEcn", "packets whose fragments were both Not-ECT and ECT or CE (RFC 3168 5.3)");
    }

    /**
     * A fragment: {@code p} starts at a checked IPv6 header trimmed to its payload length, with
     * a non-atomic Fragment header at {@code fragmentAt} named by the Next Header field at
     * {@code nextHeaderAt}. Takes ownership. Returns the reassembled packet (a new buffer) or
     * null if it is not complete yet or the fragment was refused.
     */
    public PacketBuffer offer(NetInterface iface, PacketBuffer p, int fragmentAt, int nextHeaderAt) {
        reasmReqds.increment();
        int dataAt = fragmentAt + FragmentHeader.LENGTH;
        int offset = FragmentHeader.offset(p, fragmentAt);
        int length = p.length() - dataAt;
        boolean more = FragmentHeader.moreFragments(p, fragmentAt);
        if (more && (length == 0 || (length & 7) != 0)) {
            dropBadLength.increment();
            listener.parameterProblem(iface, p, Ipv6Header.PAYLOAD_LENGTH);
            p.release();
            return null;
        }
        if (offset + length > Ipv6Header.MAX_PAYLOAD_LENGTH) {
            dropTooLong.increment();
            listener.parameterProblem(iface, p, fragmentAt + FragmentHeader.OFFSET_FLAGS);
            p.release();
            return null;
        }
        Key key = new Key(Ipv6Header.sourceHigh(p), Ipv6Header.sourceLow(p), Ipv6Header.destinationHigh(p),
                Ipv6Header.destinationLow(p), FragmentHeader.identification(p, fragmentAt));
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry(key, iface);
            entries.put(key, e);
            e.timer.scheduleAfter(timeoutNanos);
        }
        if (e.tombstone) {
            dropOverlap.increment();
            p.release();
            return null;
        }
        int end = offset + length;
        if (!more) {
            if ((e.end >= 0 && e.end != end) || lastEnd(e) > end) {
                return abandon(e, p);
            }
            e.end = end;
        } else if (e.end >= 0 && end > e.end) {
            return abandon(e, p);
        }
        int i = 0;
        while (i < e.pieces.size() && e.pieces.get(i).offset() < offset) {
            i++;
        }
        Piece before = i > 0 ? e.pieces.get(i - 1) : null;
        Piece after = i < e.pieces.size() ? e.pieces.get(i) : null;
        if (after != null && after.offset() == offset && after.length() == length) {
            dropDuplicate.increment();
            p.release();
            return null;
        }
        if ((before != null && before.end() > offset) || (after != null && after.offset() < end)) {
            return abandon(e, p);
        }
        int size = p.capacity();
        if (!makeRoom(e, size)) {
            p.release(); // its own packet was the oldest and had to go
            return null;
        }
        e.pieces.add(i, new Piece(p, dataAt, offset, length));
        e.ecn = Ecn.seen(e.ecn, Ipv6Header.trafficClass(p));
        e.received += length;
        e.bytes += size;
        bytesHeld += size;
        if (offset == 0) {
            e.firstNextHeaderAt = nextHeaderAt;
            e.firstFragmentAt = fragmentAt;
        }
        if (e.end >= 0 && e.received == e.end && e.pieces.get(0).offset() == 0) {
            return complete(e);
        }
        return null;
    }

    private static int lastEnd(Entry e) {
        return e.pieces.isEmpty() ? 0 : e.pieces.get(e.pieces.size() - 1).end();
    }

    /** RFC 5722: the packet is abandoned and stays a tombstone so that its later fragments are dropped too. */
    private PacketBuffer abandon(Entry e, PacketBuffer p) {
        dropOverlap.increment();
        reasmFails.increment();
        p.release();
        releasePieces(e);
        e.tombstone = true;
        return null;
    }

    /** Evicts the oldest packets until {@code size} more bytes fit; false if {@code incoming} itself went. */
    private boolean makeRoom(Entry incoming, int size) {
        while (bytesHeld + size > maxBytes || entries.size() > maxPackets) {
            Entry oldest = entries.values().iterator().next();
            dropEvicted.increment();
            if (!oldest.tombstone) {
                reasmFails.increment();
            }
            remove(oldest);
            if (oldest == incoming) {
                return false;
            }
        }
        return true;
    }

    private void expire(Entry e) {
        if (!e.tombstone) {
            reasmFails.increment();
            reasmTimeout.increment();
            if (!e.pieces.isEmpty() && e.pieces.get(0).offset() == 0) {
                listener.timedOut(e.iface, e.pieces.get(0).buffer());
            }
        }
        remove(e);
    }

    private PacketBuffer complete(Entry e) {
        int ecn = Ecn.reassembled(e.ecn);
        if (ecn == Ecn.DROP) {
            dropEcn.increment();
            reasmFails.increment();
            remove(e);
            return null;
        }
        Piece first = e.pieces.get(0);
        PacketBuffer src = first.buffer();
        int unfragmentable = e.firstFragmentAt;
        int nextHeader = FragmentHeader.nextHeader(src, e.firstFragmentAt);
        PacketBuffer out = pool.acquire(unfragmentable + e.end);
        out.append(src.array(), src.start(), unfragmentable);
        out.setU8(e.firstNextHeaderAt, nextHeader);
        for (Piece piece : e.pieces) {
            PacketBuffer b = piece.buffer();
            out.append(b.array(), b.start() + piece.dataAt(), piece.length());
        }
        Ipv6Header.setPayloadLength(out, out.length() - Ipv6Header.HEADER_LENGTH);
        if (ecn == Ecn.CE) {
            Ipv6Header.setTrafficClass(out, Ecn.with(Ipv6Header.trafficClass(out), Ecn.CE));
        }
        reasmOKs.increment();
        remove(e);
        return out;
    }

    private void releasePieces(Entry e) {
        for (Piece piece : e.pieces) {
            piece.buffer().release();
        }
        e.pieces.clear();
        bytesHeld -= e.bytes;
        e.bytes = 0;
    }

    private void remove(Entry e) {
        releasePieces(e);
        e.timer.cancel();
        entries.remove(e.key);
    }

    /** Packets in progress (tombstones included). */
    public int packetsInProgress() {
        return entries.size();
    }

    /** Buffer capacity held now. */
    public int bytesHeld() {
        return bytesHeld;
    }

    /** Drops everything (the stack is closing). */
    public void clear() {
        for (Entry e : new ArrayList<>(entries.values())) {
            remove(e);
        }
    }
}
