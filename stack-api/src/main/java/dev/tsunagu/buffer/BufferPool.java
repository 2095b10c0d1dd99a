package dev.tsunagu.buffer;

import dev.tsunagu.util.BoundedMpmcQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * A thread-safe pool of {@link PacketBuffer}s in a few size classes, so that the steady-state
 * packet path allocates nothing.
 *
 * <p>Buffers are taken on driver threads and on the event loop and may be released on another
 * thread than the one that took them, so the free lists are lock-free bounded queues. The pool
 * is not a hard cap on memory: when a class runs dry a new buffer is allocated (and counted
 * in {@link #misses()}); when a free list is full a released buffer is left to the garbage
 * collector. What bounds memory is that every queue a buffer can sit in is bounded.
 *
 * <p>Every buffer handed out has {@link #headroom()} bytes in front, enough for the largest
 * Ethernet + IPv4 + TCP header stack (14 + 4 + 60 + 60 bytes), so layers prepend headers
 * without copying.
 */
public final class BufferPool {
    /** Room in front of the payload: Ethernet (14) + VLAN (4) + IPv4 max (60) + TCP max (60), rounded up. */
    public static final int DEFAULT_HEADROOM = 160;

    /** Size classes: standard frames (MTU 1500), jumbo frames (MTU 9000), the largest IP packet. */
    private static final int[] DEFAULT_CLASSES = {2048, 16 * 1024, 65535 + 14 + 4 + DEFAULT_HEADROOM};
    private static final int[] DEFAULT_RETAINED = {4096, 512, 128};

    private final int headroom;
    private final int[] classSizes;
    private final BoundedMpmcQueue<PacketBuffer>[] free;
    private final LongAdder misses = new LongAdder();

    /**
     * A pool with {@link #DEFAULT_HEADROOM} and three size classes: standard frames (2 KiB),
     * jumbo frames (16 KiB) and the largest IP packet (64 KiB plus headers), keeping up to
     * 4096, 512 and 128 free buffers of each.
     */
    public BufferPool() {
        this(DEFAULT_HEADROOM, DEFAULT_CLASSES, DEFAULT_RETAINED);
    }

    /**
     * A pool with the given size classes (capacities, increasing) and how many free buffers
     * each keeps. A retained count is rounded up to a power of two (the free lists are
     * power-of-two rings); 0 means that class is not pooled at all.
     */
    @SuppressWarnings("unchecked")
    public BufferPool(int headroom, int[] classSizes, int[] retained) {
        if (classSizes.length == 0 || classSizes.length != retained.length) {
            throw new IllegalArgumentException("one retained count per size class");
        }
        for (int i = 1; i < classSizes.length; i++) {
            if (classSizes[i] <= classSizes[i - 1]) {
                throw new IllegalArgumentException("size classes must increase");
            }
        }
        this.headroom = headroom;
        this.classSizes = classSizes.clone();
        this.free = new BoundedMpmcQueue[classSizes.length];
        for (int i = 0; i < classSizes.length; i++) {
            if (retained[i] < 0) {
                throw new IllegalArgumentException("retained counts cannot be negative: " + retained[i]);
            }
            free[i] = retained[i] == 0 ? null : new BoundedMpmcQueue<>(retained[i]);
        }
    }

    /** Bytes of room in front of the data of every buffer handed out. */
    public int headroom() {
        return headroom;
    }

    /** The largest packet (after headroom) a pooled buffer can hold. */
    public int maxLength() {
        return classSizes[classSizes.length - 1] - headroom;
    }

    /**
     * Takes an empty buffer that can hold {@code length} bytes after the standard headroom.
     *
     * @throws IllegalArgumentException if {@code length} exceeds {@link #maxLength()}
     */
    public PacketBuffer acquire(int length) {
        int need = length + headroom;
        for (int c = 0; c < classSizes.length; c++) {
            if (need <= classSizes[c]) {
                PacketBuffer b = free[c] == null ? null : free[c].poll();
                if (b == null) {
                    misses.increment();
                    b = new PacketBuffer(new byte[classSizes[c]], this, c);
                }
                b.markAcquired(headroom);
                return b;
            }
        }
        throw new IllegalArgumentException("no buffer class holds " + length + " bytes (max " + maxLength() + ")");
    }

    /** A pooled copy of {@code src}'s data, with the standard headroom. */
    public PacketBuffer copyOf(PacketBuffer src) {
        PacketBuffer b = acquire(src.length());
        b.append(src.array(), src.start(), src.length());
        return b;
    }

    /**
     * A pooled copy of {@code data[offset, offset + length)}, with the standard headroom; the
     * caller owns it.
     */
    public PacketBuffer copyOf(byte[] data, int offset, int length) {
        PacketBuffer b = acquire(length);
        b.append(data, offset, length);
        return b;
    }

    void recycle(PacketBuffer b) {
        BoundedMpmcQueue<PacketBuffer> q = free[b.sizeClass()];
        if (q != null) {
            q.offer(b); // full: leave it to the GC
        }
    }

    /** How many buffers had to be allocated because a free list was empty. */
    public long misses() {
        return misses.sum();
    }

    /** Free buffers currently held, over all classes. */
    public int pooled() {
        int n = 0;
        for (BoundedMpmcQueue<PacketBuffer> q : free) {
            n += q == null ? 0 : q.size();
        }
        return n;
    }
}
