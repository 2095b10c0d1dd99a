package dev.tsunagu.socket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seeds' descriptors: small integers that name sockets, the lowest free one first (as a
 * Unix process's file descriptors are), from 3 up so they never look like stdin/stdout/stderr.
 * One table per stack, shared by every transport; thread-safe.
 *
 * <p>Sockets sit in an array indexed by descriptor, with a bit set of the numbers in use and a
 * hint below which every number is taken, so allocating is amortised O(1) and a million open
 * descriptors cost about 4 bytes each (a tree map of boxed keys made opening N sockets
 * O(N²) and cost ~60 bytes each).
 */
public final class DescriptorTable {
    /** The first descriptor handed out. */
    public static final int FIRST = 3;

    private Object[] sockets = new Object[64];
    private final BitSet used = new BitSet();
    /** Every descriptor in [FIRST, lowestFree) is in use. */
    private int lowestFree = FIRST;
    private int size;

    /** An empty table; a stack makes one, and its transports and socket library share it. */
    public DescriptorTable() {}

    /** Allocates the lowest free descriptor for {@code socket}. */
    public synchronized int allocate(Object socket) {
        int fd = used.nextClearBit(lowestFree);
        used.set(fd);
        lowestFree = fd + 1;
        if (fd >= sockets.length) {
            sockets = Arrays.copyOf(sockets, Math.max(fd + 1, sockets.length * 2));
        }
        sockets[fd] = socket;
        size++;
        return fd;
    }

    /**
     * Makes {@code fd} name {@code socket} instead of what it named (the socket library's
     * {@code socket()} reserves a number before it knows what it will be).
     *
     * @throws IllegalArgumentException if {@code fd} is not open
     */
    public synchronized void replace(int fd, Object socket) {
        if (!isOpen(fd)) {
            throw new IllegalArgumentException("descriptor " + fd + " is not open");
        }
        sockets[fd] = socket;
    }

    /** Frees {@code fd}; freeing a free descriptor does nothing. */
    public synchronized void release(int fd) {
        if (!isOpen(fd)) {
            return;
        }
        used.clear(fd);
        sockets[fd] = null;
        size--;
        lowestFree = Math.min(lowestFree, fd);
    }

    /** The socket named by {@code fd}, or null. */
    public synchronized Object lookup(int fd) {
        return isOpen(fd) ? sockets[fd] : null;
    }

    /** How many descriptors are open. */
    public synchronized int size() {
        return size;
    }

    /** Descriptor → socket, in order. */
    public synchronized Map<Integer, Object> snapshot() {
        TreeMap<Integer, Object> m = new TreeMap<>();
        for (int fd = used.nextSetBit(FIRST); fd >= 0; fd = used.nextSetBit(fd + 1)) {
            m.put(fd, sockets[fd]);
        }
        return m;
    }

    /** The open descriptors, in increasing order. */
    public synchronized List<Integer> descriptors() {
        List<Integer> l = new ArrayList<>(size);
        for (int fd = used.nextSetBit(FIRST); fd >= 0; fd = used.nextSetBit(fd + 1)) {
            l.add(fd);
        }
        return l;
    }

    private boolean isOpen(int fd) {
        return fd >= FIRST && used.get(fd);
    }
}
