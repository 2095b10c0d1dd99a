package dev.tsunagu.tcp.buffer;

import java.util.Arrays;
import java.util.Objects;

/**
 * The receive side of a connection: in-order bytes waiting for the application, and
 * out-of-order bytes waiting for the gap before them to fill, in a ring over one
 * {@code byte[]}.
 *
 * <pre>
 *  head (first unread byte)          RCV.NXT                                    window() ends here
 *  | readable(): in order, unread     | gap | held out of order | gap | held |  ... |
 *                                     offset 0 of insert() and of the ranges
 * </pre>
 *
 * <p>Out-of-order data is written in place, at its distance from RCV.NXT, so it costs no copy
 * and no memory beyond the ring; what is held is described by a small sorted array of
 * disjoint, non-adjacent {@code [start, end)} ranges relative to RCV.NXT (a range never starts
 * at 0: such data is in order). When a segment fills the gap at RCV.NXT, RCV.NXT moves over it
 * and over every held range it now reaches, and the ranges left are shifted down.
 *
 * <p>The window is {@code capacity() - readable()}: out-of-order data lies inside it and does
 * not shrink it, since those bytes will be counted as readable once the gap fills.
 *
 * <p>Out-of-order data is bounded by bytes, like in-order data: it lies inside the window, so
 * the ring never holds more than the capacity. The ranges' bookkeeping (8 bytes a range) is
 * bounded by the capacity too: at most one range per {@link #BYTES_PER_RANGE} bytes of it (an
 * eighth of the buffer at worst, reached only by a peer sending tiny segments with gaps), and
 * never fewer than {@link #MIN_RANGES}; {@code maxOutOfOrderRanges} can lower that further.
 * A segment that would need one more range is refused whole ({@link #refusedLast()}); one that
 * touches or overlaps a held range, or fills the gap at RCV.NXT, is always taken. A small count
 * is not enough: a slow start overshooting a deep buffer loses hundreds of segments of one
 * window, and every range refused is data the sender must send again, found one probe at a
 * time. Overlapping bytes are stored again: a conforming peer sends the same bytes for the
 * same sequence numbers.
 *
 * <p>Memory: a new buffer holds no array. The first data allocates 4 KiB (or the capacity, if
 * smaller, or more if the data lies further out), and the array doubles only when data needs
 * more room, up to exactly the capacity. Growing copies the ring once, in order from the first
 * unread byte, so readable and out-of-order bytes keep their distances from RCV.NXT. The range
 * array is allocated on the first out-of-order segment and doubles as ranges need it.
 * {@link #trim()} gives both back when nothing is held. Once grown, inserting and reading
 * allocate nothing.
 *
 * <p>Not thread-safe: belongs to one event loop.
 */
public final class ReceiveBuffer {
    /** The largest capacity: 1 GiB, the most a window scale of 14 can advertise (RFC 7323). */
    public static final int MAX_CAPACITY = SendBuffer.MAX_CAPACITY;

    /** Bytes of capacity per out-of-order range the buffer may keep (see the class comment). */
    public static final int BYTES_PER_RANGE = 64;
    /** The fewest out-of-order ranges any buffer may keep (unless {@code maxOutOfOrderRanges} says fewer). */
    public static final int MIN_RANGES = 64;

    private static final byte[] NONE = new byte[0];
    private static final int[] NO_RANGES = new int[0];
    /** The first range array: 8 ranges. */
    private static final int FIRST_RANGES = 8;

    private final int capacity;
    private final int maxRanges;
    private final RingPool pool;
    private byte[] ring = NONE;
    /** Index in {@link #ring} of the first unread byte; RCV.NXT sits {@link #readable} bytes after it. */
    private int head;
    private int readable;
    /** {@code [start, end)} pairs relative to RCV.NXT: sorted, disjoint, not adjacent, start > 0, end <= window. */
    private int[] ranges = NO_RANGES;
    private int rangeCount;
    private boolean refusedLast;

    /**
     * @param capacity the most bytes held at once (the largest window), 1 to {@link #MAX_CAPACITY}
     * @param maxOutOfOrderRanges the most separate out-of-order ranges held, 0 or more (0: out-of-order data is
     *     refused), below the capacity's own bound ({@link Integer#MAX_VALUE}: that bound alone)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public ReceiveBuffer(int capacity, int maxOutOfOrderRanges) {
        this(capacity, maxOutOfOrderRanges, null);
    }

    /**
     * A buffer that takes its ring from {@code pool} and gives it back when it empties.
     *
     * @param pool where emptied rings go and new ones come from, or null for none
     */
    public ReceiveBuffer(int capacity, int maxOutOfOrderRanges, RingPool pool) {
        this.pool = pool;
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1 to " + MAX_CAPACITY + ": " + capacity);
        }
        if (maxOutOfOrderRanges < 0) {
            throw new IllegalArgumentException("maxOutOfOrderRanges must not be negative: " + maxOutOfOrderRanges);
        }
        this.capacity = capacity;
        this.maxRanges = Math.min(maxOutOfOrderRanges, Math.max(MIN_RANGES, capacity / BYTES_PER_RANGE));
    }

    /** The most out-of-order ranges this buffer keeps: the capacity's bound, or the constructor's if lower. */
    public int maxOutOfOrderRanges() {
        return maxRanges;
    }

    public int capacity() {
        return capacity;
    }

    /** In-order bytes waiting for the application. */
    public int readable() {
        return readable;
    }

    /**
     * How many bytes past RCV.NXT can be accepted: capacity - readable (out-of-order data sits
     * inside this window and does not shrink it).
     */
    public int window() {
        return capacity - readable;
    }

    /**
     * Stores {@code len} bytes of {@code src} that begin {@code offset} bytes past RCV.NXT
     * ({@code offset >= 0}; 0 = in order). Bytes at or beyond {@link #window()} are cut off;
     * bytes overlapping data already held out of order are stored again harmlessly (same data).
     *
     * <p>If the data would need a new out-of-order range beyond {@code maxOutOfOrderRanges},
     * nothing is stored, 0 is returned and {@link #refusedLast()} is true.
     *
     * @return how far RCV.NXT advanced: the in-order bytes this made available, including held
     *         out-of-order ranges that now connect
     * @throws IllegalArgumentException if {@code offset} is negative
     * @throws IndexOutOfBoundsException if the source range is not inside {@code src}
     */
    public int insert(int offset, byte[] src, int srcOff, int len) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        Objects.checkFromIndexSize(srcOff, len, src.length);
        refusedLast = false;
        int window = capacity - readable;
        if (len == 0 || offset >= window) {
            return 0;
        }
        int end = offset + Math.min(len, window - offset);

        // Held ranges [i, j) touch or overlap [offset, end) and merge with it.
        int[] r = ranges;
        int n = rangeCount;
        int i = firstEndingAtOrAfter(offset);
        int j = i;
        while (j < n && r[2 * j] <= end) {
            j++;
        }
        if (i == j && offset > 0 && n >= maxRanges) {
            refusedLast = true;
            return 0;
        }

        if (readable + end > ring.length) {
            grow(readable + end);
        }
        copyIn(src, srcOff, readable + offset, end - offset);

        int start = offset;
        if (i < j) {
            start = Math.min(start, r[2 * i]);
            end = Math.max(end, r[2 * j - 1]);
        }
        if (start == 0) {
            // In order (held ranges all start past 0, so i == 0): RCV.NXT moves over [0, end).
            int left = n - j;
            for (int k = 0; k < left; k++) {
                r[2 * k] = r[2 * (j + k)] - end;
                r[2 * k + 1] = r[2 * (j + k) + 1] - end;
            }
            rangeCount = left;
            readable += end;
            return end;
        }
        if (i == j && 2 * n == r.length) {
            r = ranges = Arrays.copyOf(r, 2 * Math.min(maxRanges, Math.max(FIRST_RANGES, 2 * n)));
        }
        // Replace ranges [i, j) with the one [start, end).
        int newCount = n - (j - i) + 1;
        if (j != i + 1) {
            System.arraycopy(r, 2 * j, r, 2 * (i + 1), 2 * (n - j));
        }
        r[2 * i] = start;
        r[2 * i + 1] = end;
        rangeCount = newCount;
        return 0;
    }

    /** The first held range whose end is at or after {@code offset} (binary search: there may be thousands). */
    private int firstEndingAtOrAfter(int offset) {
        int lo = 0;
        int hi = rangeCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[2 * mid + 1] < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Whether the last {@link #insert} was refused for want of an out-of-order range. */
    public boolean refusedLast() {
        return refusedLast;
    }

    public boolean hasOutOfOrder() {
        return rangeCount > 0;
    }

    public int outOfOrderRanges() {
        return rangeCount;
    }

    /** Where out-of-order range {@code i} (0 = lowest) starts, relative to RCV.NXT. */
    public int rangeStart(int i) {
        Objects.checkIndex(i, rangeCount);
        return ranges[2 * i];
    }

    /** Where out-of-order range {@code i} ends (exclusive), relative to RCV.NXT. */
    public int rangeEnd(int i) {
        Objects.checkIndex(i, rangeCount);
        return ranges[2 * i + 1];
    }

    /**
     * The out-of-order ranges as {@code [start, end)} offsets relative to RCV.NXT, in order, as
     * a flat array {@code {start0, end0, start1, end1, ...}} (for tests and traces).
     * Allocates; not for the per-segment path.
     */
    public int[] outOfOrderRangesSnapshot() {
        return Arrays.copyOf(ranges, 2 * rangeCount);
    }

    /**
     * Copies up to {@code len} in-order bytes into {@code dst[off, ...)} and removes them.
     *
     * @return the count, {@code min(len, readable())} (0 if none)
     * @throws IndexOutOfBoundsException if the destination range is not inside {@code dst}
     */
    public int read(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, readable);
        if (n == 0) {
            return 0;
        }
        int size = ring.length;
        int first = Math.min(n, size - head);
        System.arraycopy(ring, head, dst, off, first);
        if (first < n) {
            System.arraycopy(ring, 0, dst, off + first, n - first);
        }
        readable -= n;
        if (readable == 0 && rangeCount == 0) {
            head = 0;
        } else {
            head += n;
            if (head >= size) {
                head -= size;
            }
        }
        return n;
    }

    /** Discards everything held, in order and out of order; keeps the arrays (see {@link #trim()}). */
    public void clear() {
        readable = 0;
        head = 0;
        rangeCount = 0;
        refusedLast = false;
    }

    /** Frees the arrays if nothing is held (idle connections keep no memory). */
    public void trim() {
        if (readable == 0 && rangeCount == 0) {
            if (pool != null) {
                pool.give(ring);
            }
            ring = NONE;
            ranges = NO_RANGES;
            head = 0;
        }
    }

    /** Bytes of data array currently allocated (for heap-per-connection accounting; the small range array is not counted). */
    public int allocated() {
        return ring.length;
    }

    /** Copies {@code len} bytes to the ring, {@code at} bytes after the first unread byte. */
    private void copyIn(byte[] src, int srcOff, int at, int len) {
        int size = ring.length;
        int to = head + at;
        if (to >= size) {
            to -= size;
        }
        int first = Math.min(len, size - to);
        System.arraycopy(src, srcOff, ring, to, first);
        if (first < len) {
            System.arraycopy(src, srcOff + first, ring, 0, len - first);
        }
    }

    /**
     * Replaces the ring with one of at least {@code needed} bytes. The whole old ring is copied
     * in order from the first unread byte to index 0, so every byte, readable or out of order,
     * keeps its distance from the head.
     */
    private void grow(int needed) {
        int size = ring.length;
        int target = SendBuffer.nextSize(size, needed, capacity);
        byte[] bigger = pool != null ? pool.take(target, capacity) : null;
        if (bigger == null) {
            bigger = new byte[target];
        }
        if (size > 0) {
            System.arraycopy(ring, head, bigger, 0, size - head);
            System.arraycopy(ring, 0, bigger, size - head, head);
            if (pool != null) {
                pool.give(ring);
            }
        }
        ring = bigger;
        head = 0;
    }

    @Override
    public String toString() {
        return "ReceiveBuffer[readable=" + readable + ", window=" + window() + ", outOfOrder="
                + rangeCount + ", capacity=" + capacity + ", allocated=" + ring.length + "]";
    }
}
