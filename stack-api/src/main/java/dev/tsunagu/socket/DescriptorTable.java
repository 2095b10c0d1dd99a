package dev.tsunagu.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seeds' descriptors: small integers that name sockets, the lowest free one first (as a
 * Unix process's file descriptors are), from 3 up so they never look like stdin/stdout/stderr.
 * One table per stack, shared by every transport; thread-safe.
 */
public final class DescriptorTable {
    /** The first descriptor handed out. */
    public static final int FIRST = 3;

    private final TreeMap<Integer, Object> open = new TreeMap<>();

    /** An empty table; a stack makes one, and its transports and socket library share it. */
    public DescriptorTable() {}

    /** Allocates the lowest free descriptor for {@code socket}. */
    public synchronized int allocate(Object socket) {
        int fd = FIRST;
        for (Integer used : open.keySet()) {
            if (used != fd) {
                break;
            }
            fd++;
        }
        open.put(fd, socket);
        return fd;
    }

    /**
     * Makes {@code fd} name {@code socket} instead of what it named (the socket library's
     * {@code socket()} reserves a number before it knows what it will be).
     *
     * @throws IllegalArgumentException if {@code fd} is not open
     */
    public synchronized void replace(int fd, Object socket) {
        if (!open.containsKey(fd)) {
            throw new IllegalArgumentException("descriptor " + fd + " is not open");
        }
        open.put(fd, socket);
    }

    /** Frees {@code fd}; freeing a free descriptor does nothing. */
    public synchronized void release(int fd) {
        open.remove(fd);
    }

    /** The socket named by {@code fd}, or null. */
    public synchronized Object lookup(int fd) {
        return open.get(fd);
    }

    /** How many descriptors are open. */
    public synchronized int size() {
        return open.size();
    }

    /** Descriptor → socket, in order. */
    public synchronized Map<Integer, Object> snapshot() {
        return new TreeMap<>(open);
    }

    /** The open descriptors, in increasing order. */
    public synchronized List<Integer> descriptors() {
        return new ArrayList<>(open.keySet());
    }
}
