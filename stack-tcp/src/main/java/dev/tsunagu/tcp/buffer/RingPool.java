package dev.tsunagu.tcp.buffer;

/**
 * Ring arrays that emptied buffers gave back, for the next buffer that needs room to take.
 *
 * <p>Why: a buffer frees its array as soon as it is empty, so that an idle connection holds no
 * memory. In a bulk transfer whose reader keeps up, the receive ring empties after almost
 * every segment; without a pool each next segment allocated a fresh 4 KiB array and doubled it
 * back up to the window, copying as it went (93% of the bytes allocated in a 1 GiB transfer).
 * With the pool the same array goes back and forth and steady transfer allocates nothing.
 *
 * <p>Bounded: at most {@link #MAX_ARRAYS} arrays and {@link #MAX_BYTES} bytes are kept; what
 * does not fit is left to the garbage collector. One pool per stack, used on its event loop
 * only (not thread-safe).
 */
public final class RingPool {
    static final int MAX_ARRAYS = 32;
    static final long MAX_BYTES = 64L << 20;

    private final byte[][] arrays = new byte[MAX_ARRAYS][];
    private int count;
    private long bytes;

    /**
     * Takes the largest pooled array whose length is in {@code [min, max]}, or returns null.
     * The largest, so that a buffer refilling after it emptied gets its old size back at once.
     */
    byte[] take(int min, int max) {
        int best = -1;
        for (int i = 0; i < count; i++) {
            int len = arrays[i].length;
            if (len >= min && len <= max && (best < 0 || len > arrays[best].length)) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        byte[] a = arrays[best];
        arrays[best] = arrays[--count];
        arrays[count] = null;
        bytes -= a.length;
        return a;
    }

    /** Keeps {@code array} for a later {@link #take} if there is room (its contents are stale, never read). */
    void give(byte[] array) {
        if (array.length == 0 || count == MAX_ARRAYS || bytes + array.length > MAX_BYTES) {
            return;
        }
        arrays[count++] = array;
        bytes += array.length;
    }

    /** Arrays held. */
    public int size() {
        return count;
    }

    /** Bytes held. */
    public long bytes() {
        return bytes;
    }
}
