package dev.tsunagu.tcp.buffer;

import java.util.Objects;

/**
 * The send side of a connection: the bytes from SND.UNA to the end of what the application
 * wrote, in a ring over one {@code byte[]}.
 *
 * <pre>
 *  offset 0 = SND.UNA                                     length()            capacity()
 *  | sent, not yet acknowledged | not yet sent              |     free()          |
 * </pre>
 *
 * <p>The buffer does not know SND.NXT: the sender reads at whatever offset it wants to
 * (segmentation from SND.NXT - SND.UNA, retransmission from 0) and {@link #drop drops} what is
 * acknowledged.
 *
 * <p>Memory: a new buffer holds no array. The first write allocates {@value #INITIAL_SIZE}
 * bytes (or the capacity, if smaller, or more if the write needs it), and the array doubles
 * only when data needs more room, up to exactly the capacity. Growing copies the held bytes
 * once, to the start of the new array. {@link #trim()} gives the array back when the buffer is
 * empty, so an idle connection costs a few fields. Once grown, writing, reading and dropping
 * allocate nothing.
 *
 * <p>Not thread-safe: belongs to one event loop.
 */
public final class SendBuffer {
    /** The largest capacity: 1 GiB, the most a window scale of 14 can advertise (RFC 7323). */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Bytes allocated by the first write (or the capacity, if smaller). */
    static final int INITIAL_SIZE = 4096;

    private static final byte[] NONE = new byte[0];

    private int capacity;
    private final RingPool pool;
    private byte[] ring = NONE;
    /** Index in {@link #ring} of the byte at SND.UNA; 0 when the ring is empty. */
    private int head;
    private int length;

    /**
     * @param capacity the most bytes held at once, 1 to {@link #MAX_CAPACITY}
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public SendBuffer(int capacity) {
        this(capacity, null);
    }

    /**
     * A buffer that takes its array from {@code pool} and gives it back when it empties.
     *
     * @param pool where emptied arrays go and new ones come from, or null for none
     */
    public SendBuffer(int capacity, RingPool pool) {
        this.pool = pool;
        this.capacity = checkCapacity(capacity);
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 1 to " + MAX_CAPACITY + ": " + capacity);
        }
        return capacity;
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Changes the capacity of a live buffer ({@code SO_SNDBUF} set on a connected socket). Bytes
     * held are kept even beyond a smaller capacity: {@link #free()} is then 0 until
     * acknowledgements bring the length below it. The array is not reallocated here; it grows
     * as before, up to the new capacity.
     *
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public void setCapacity(int capacity) {
        this.capacity = checkCapacity(capacity);
    }

    /** Bytes held: from SND.UNA (offset 0) to the end of what the application wrote (sent-but-unacknowledged plus unsent). */
    public int length() {
        return length;
    }

    /** Bytes that can still be written: {@code capacity() - length()}, or 0 after the capacity shrank below the length. */
    public int free() {
        return Math.max(0, capacity - length);
    }

    /**
     * Appends as much of {@code src[off, off+len)} as fits; returns how many bytes were taken.
     *
     * @return the bytes taken, {@code min(len, free())}
     * @throws IndexOutOfBoundsException if the range is not inside {@code src}
     */
    public int write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, free());
        if (n == 0) {
            return 0;
        }
        int needed = length + n;
        if (needed > ring.length) {
            grow(needed);
        }
        int size = ring.length;
        int tail = head + length;
        if (tail >= size) {
            tail -= size;
        }
        int first = Math.min(n, size - tail);
        System.arraycopy(src, off, ring, tail, first);
        if (first < n) {
            System.arraycopy(src, off + first, ring, 0, n - first);
        }
        length = needed;
        return n;
    }

    /**
     * Copies {@code len} bytes starting {@code offset} bytes after SND.UNA into
     * {@code dst[dstOff, dstOff+len)} without removing them (segmentation and retransmission
     * read from here).
     *
     * @throws IndexOutOfBoundsException if {@code [offset, offset+len)} is not inside
     *         {@code [0, length())} or the destination range is not inside {@code dst}
     */
    public void read(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) {
            return;
        }
        int size = ring.length;
        int from = head + offset;
        if (from >= size) {
            from -= size;
        }
        int first = Math.min(len, size - from);
        System.arraycopy(ring, from, dst, dstOff, first);
        if (first < len) {
            System.arraycopy(ring, 0, dst, dstOff + first, len - first);
        }
    }

    /**
     * Releases the first {@code n} bytes (they were acknowledged); SND.UNA moves {@code n} on.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than {@link #length()}
     */
    public void drop(int n) {
        if (n < 0 || n > length) {
            throw new IllegalArgumentException("cannot drop " + n + " of " + length + " bytes");
        }
        length -= n;
        if (length == 0) {
            head = 0;
        } else {
            head += n;
            if (head >= ring.length) {
                head -= ring.length;
            }
        }
    }

    /** Discards everything held; keeps the array (see {@link #trim()}). */
    public void clear() {
        length = 0;
        head = 0;
    }

    /** Frees the array if empty (idle connections keep no memory). */
    public void trim() {
        if (length == 0) {
            if (pool != null) {
                pool.give(ring);
            }
            ring = NONE;
            head = 0;
        }
    }

    /** Bytes of array currently allocated (for heap-per-connection accounting). */
    public int allocated() {
        return ring.length;
    }

    /** Replaces the ring with one of at least {@code needed} bytes, the held bytes moved to its start. */
    private void grow(int needed) {
        int size = nextSize(ring.length, needed, capacity);
        byte[] bigger = pool != null ? pool.take(size, capacity) : null;
        if (bigger == null) {
            bigger = new byte[size];
        }
        if (length > 0) {
            int first = Math.min(length, ring.length - head);
            System.arraycopy(ring, head, bigger, 0, first);
            System.arraycopy(ring, 0, bigger, first, length - first);
        }
        if (pool != null) {
            pool.give(ring);
        }
        ring = bigger;
        head = 0;
    }

    /** The size after {@code current}: doubling from {@link #INITIAL_SIZE} until {@code needed} fits, never past {@code capacity}. */
    static int nextSize(int current, int needed, int capacity) {
        int size = Math.max(current, Math.min(INITIAL_SIZE, capacity));
        while (size < needed) {
            size = size > capacity / 2 ? capacity : size * 2;
        }
        return size;
    }

    @Override
    public String toString() {
        return "SendBuffer[length=" + length + ", capacity=" + capacity + ", allocated=" + ring.length + "]";
    }
}
