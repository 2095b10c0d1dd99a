package dev.tsunagu.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One named count, such as {@code InReceives} or {@code DropBadChecksum}.
 *
 * <p>Most counters are written only by their event loop, and a plain increment published
 * with an opaque store costs no more than a field write; readers on other threads see a
 * recent value. Counters written from several threads (driver receive threads) are created
 * {@linkplain CounterGroup#sharedCounter shared} and use an atomic add instead.
 */
public final class Counter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final String description;
    private volatile boolean shared;
    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    Counter(String name, String description, boolean shared) {
        this.name = name;
        this.description = description;
        this.shared = shared;
    }

    /** Adds one. On the owning loop thread unless the counter is shared. */
    public void increment() {
        add(1);
    }

    /** Adds {@code n}. On the owning loop thread unless the counter is shared. */
    public void add(long n) {
        if (shared) {
            VALUE.getAndAdd(this, n);
        } else {
            VALUE.setOpaque(this, (long) VALUE.getOpaque(this) + n);
        }
    }

    /** From now on, writes are atomic: another thread is going to write too. */
    void makeShared() {
        shared = true;
    }

    /** The count now, as recently as this thread can see it; any thread. */
    public long get() {
        return (long) VALUE.getOpaque(this);
    }

    /** The counter's name within its group ({@code InReceives}). */
    public String name() {
        return name;
    }

    /** One line saying what is counted. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return name + "=" + get();
    }
}
