package dev.tsunagu.util;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A bounded, lock-free, multi-producer multi-consumer FIFO queue over a fixed array
 * (Dmitry Vyukov's algorithm). Nothing is allocated after construction.
 *
 * <p>Why: packets and commands cross between threads (driver to event loop, application to
 * loop) at line rate; a {@code ConcurrentLinkedQueue} allocates a node per element and an
 * {@code ArrayBlockingQueue} takes a lock. Here each slot carries a sequence number that says
 * whose turn it is: a producer may fill slot {@code pos & mask} when its sequence equals
 * {@code pos}, and publishes it by setting the sequence to {@code pos + 1}; a consumer may empty
 * it when the sequence is {@code pos + 1}, and hands it to the next lap by setting it to
 * {@code pos + capacity}. Producers and consumers only contend on their own counter's CAS.
 *
 * <p>Like every queue of this design it is not strictly linearizable: {@link #offer} can
 * report "full" while a consumer is still between claiming and releasing a slot, and
 * {@link #poll} can report "empty" while a producer that claimed an earlier slot has not yet
 * filled it, even though later slots are filled. Callers retry; nothing is lost.
 *
 * @param <E> the element type
 */
public final class BoundedMpmcQueue<E> extends BoundedMpmcQueuePad2 {
    private static final int MAX_CAPACITY = 1 << 30;
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    private final int mask;
    /**
     * The elements. Plain array accesses suffice: a producer's store is published by its release
     * store of the slot's sequence and seen by the consumer's acquire load of it (and the same
     * in the other direction for the consumer's clearing store).
     */
    private final Object[] buffer;
    private final long[] sequences;

    /**
     * A queue holding at least {@code capacity} elements: the capacity is rounded up to a power
     * of two (and to at least 2, which the sequence scheme needs to tell the laps apart).
     */
    public BoundedMpmcQueue(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
        int size = capacity <= 2 ? 2 : Integer.highestOneBit(capacity - 1) << 1;
        mask = size - 1;
        buffer = new Object[size];
        sequences = new long[size];
        for (int i = 0; i < size; i++) {
            sequences[i] = i;
        }
    }

    /**
     * Appends {@code e} if there is room; never blocks.
     *
     * @return {@code false} if the queue is full
     * @throws NullPointerException if {@code e} is null
     */
    public boolean offer(E e) {
        Objects.requireNonNull(e, "e");
        long[] seqs = sequences;
        int m = mask;
        long pos = tail;
        for (;;) {
            int i = (int) pos & m;
            long dif = (long) SEQUENCE.getAcquire(seqs, i) - pos;
            if (dif == 0) {
                if (casTail(pos, pos + 1)) {
                    buffer[i] = e;
                    SEQUENCE.setRelease(seqs, i, pos + 1);
                    return true;
                }
            } else if (dif < 0) {
                return false; // the slot still holds the element from the previous lap
            }
            pos = tail; // another producer took this position
        }
    }

    /** Removes and returns the head element, or {@code null} if the queue is empty. */
    public E poll() {
        long[] seqs = sequences;
        int m = mask;
        long pos = head;
        for (;;) {
            int i = (int) pos & m;
            long dif = (long) SEQUENCE.getAcquire(seqs, i) - (pos + 1);
            if (dif == 0) {
                if (casHead(pos, pos + 1)) {
                    @SuppressWarnings("unchecked")
                    E e = (E) buffer[i];
                    buffer[i] = null; // let the element be collected
                    SEQUENCE.setRelease(seqs, i, pos + m + 1);
                    return e;
                }
            } else if (dif < 0) {
                return null; // the slot has not been filled for this lap
            }
            pos = head; // another consumer took this position
        }
    }

    /**
     * Polls up to {@code limit} elements into {@code sink}, stopping early when the queue is
     * empty. An element whose {@code sink} call throws has already been removed.
     *
     * @return how many elements were handed to {@code sink}
     */
    public int drain(Consumer<? super E> sink, int limit) {
        Objects.requireNonNull(sink, "sink");
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit: " + limit);
        }
        int n = 0;
        while (n < limit) {
            E e = poll();
            if (e == null) {
                break;
            }
            sink.accept(e);
            n++;
        }
        return n;
    }

    /**
     * The number of elements, exact when the queue is quiescent and a snapshot that was true at
     * some instant otherwise (it counts slots claimed by producers but not yet filled).
     */
    public int size() {
        long after = head;
        for (;;) {
            long before = after;
            long t = tail;
            after = head;
            if (before == after) { // head did not move while tail was read: a consistent pair
                return (int) Math.min(Math.max(t - after, 0), mask + 1);
            }
        }
    }

    /** Whether the queue is empty; a snapshot, like {@link #size()}. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** The number of elements the queue holds when full (a power of two). */
    public int capacity() {
        return mask + 1;
    }
}

/*
 * The producer and consumer counters are written by different threads at a high rate. If they
 * shared a cache line, each write would invalidate the other side's copy ("false sharing").
 * Java lays out superclass fields before subclass fields, so a chain of classes separates
 * them with 120 bytes of padding on each side (128 covers CPUs that fetch line pairs).
 * @Contended is JDK-internal, hence the padding.
 */

abstract class BoundedMpmcQueuePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14;
}

abstract class BoundedMpmcQueueTail extends BoundedMpmcQueuePad0 {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(BoundedMpmcQueueTail.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The next position a producer will claim. */
    volatile long tail;

    final boolean casTail(long expected, long next) {
        return TAIL.compareAndSet(this, expected, next);
    }
}

abstract class BoundedMpmcQueuePad1 extends BoundedMpmcQueueTail {
    long p15, p16, p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29;
}

abstract class BoundedMpmcQueueHead extends BoundedMpmcQueuePad1 {
    private static final VarHandle HEAD;

    static {
        try {
            HEAD = MethodHandles.lookup().findVarHandle(BoundedMpmcQueueHead.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The next position a consumer will claim; never passes {@code tail}. */
    volatile long head;

    final boolean casHead(long expected, long next) {
        return HEAD.compareAndSet(this, expected, next);
    }
}

abstract class BoundedMpmcQueuePad2 extends BoundedMpmcQueueHead {
    long p30, p31, p32, p33, p34, p35, p36, p37, p38, p39, p40, p41, p42, p43, p44;
}
