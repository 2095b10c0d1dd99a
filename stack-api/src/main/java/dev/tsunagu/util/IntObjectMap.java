package dev.tsunagu.util;

import java.util.Arrays;
import java.util.Objects;

/**
 * A map from {@code int} keys to non-null objects that never boxes a key and never allocates
 * except when it grows.
 *
 * <p>Why: the per-packet path looks things up by IPv4 address, interface index or port, and a
 * {@code HashMap<Integer, V>} would box the key and chase a node per lookup. This map keeps the
 * keys in one {@code int[]} and the values in a parallel {@code Object[]}: open addressing with
 * linear probing over a power-of-two table kept at most half full, so a probe usually touches
 * one or two adjacent slots.
 *
 * <p>Every {@code int} is a valid key (0 and -1 included): a slot is free exactly when its value
 * is {@code null}, which is why null values are refused. Removal uses backward-shift deletion,
 * so there are no tombstones and lookups never slow down after churn.
 *
 * <p>Not thread-safe: each instance belongs to one thread (typically an event loop). Callbacks
 * passed to {@link #forEach} and {@link #removeIf} must not modify the map.
 *
 * @param <V> the value type
 */
public final class IntObjectMap<V> {
    private static final int MIN_CAPACITY = 8;
    private static final int MAX_CAPACITY = 1 << 30;

    private int[] keys;
    /** {@code null} marks a free slot. */
    private Object[] values;
    private int mask;
    /** At most half the slots are used: short probes matter more than memory here. */
    private int maxSize;
    private int size;

    /** Receives the entries of {@link #forEach}. */
    @FunctionalInterface
    public interface IntObjectConsumer<V> {
        /** Called once per entry. */
        void accept(int key, V value);
    }

    /** Chooses the entries that {@link #removeIf} removes. */
    @FunctionalInterface
    public interface IntObjectPredicate<V> {
        /** Whether to remove this entry. */
        boolean test(int key, V value);
    }

    /** An empty map with room for 8 entries before it first grows. */
    public IntObjectMap() {
        this(8);
    }

    /** An empty map that holds {@code expectedSize} entries without growing. */
    public IntObjectMap(int expectedSize) {
        if (expectedSize < 0 || expectedSize > MAX_CAPACITY / 2) {
            throw new IllegalArgumentException("expected size out of range: " + expectedSize);
        }
        int capacity = Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, expectedSize * 2 - 1)) << 1);
        allocate(capacity);
    }

    /**
     * Spreads the key over all 32 bits (murmur3's finaliser). A single multiply leaves keys that
     * differ only in their top byte, such as 10.0.0.1 and 11.0.0.1, in the same low bits, and
     * small tables index by the low bits.
     */
    static int hash(int key) {
        int h = key;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** The value mapped to {@code key}, or {@code null}; allocates nothing. */
    public V get(int key) {
        int i = indexOf(key);
        return i >= 0 ? valueAt(i) : null;
    }

    /** Whether {@code key} is mapped. */
    public boolean containsKey(int key) {
        return indexOf(key) >= 0;
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @return the value it replaced, or {@code null} if the key was absent
     * @throws NullPointerException if {@code value} is null
     */
    public V put(int key, V value) {
        Objects.requireNonNull(value, "value");
        int i = indexOf(key);
        if (i >= 0) {
            V old = valueAt(i);
            values[i] = value;
            return old;
        }
        if (size >= maxSize) {
            grow();
            i = indexOf(key);
        }
        int free = -i - 1;
        keys[free] = key;
        values[free] = value;
        size++;
        return null;
    }

    /** Removes the mapping for {@code key}; returns its value, or {@code null} if absent. */
    public V remove(int key) {
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        V old = valueAt(i);
        deleteAt(i);
        return old;
    }

    /** The number of entries. */
    public int size() {
        return size;
    }

    /** Whether there are no entries. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Removes every entry but keeps the table, so refilling it does not allocate. */
    public void clear() {
        if (size > 0) {
            Arrays.fill(values, null);
            size = 0;
        }
    }

    /** Calls {@code action} once per entry, in table order (unspecified, but stable). */
    public void forEach(IntObjectConsumer<? super V> action) {
        Objects.requireNonNull(action, "action");
        int[] ks = keys;
        Object[] vs = values;
        for (int i = 0; i < vs.length; i++) {
            if (vs[i] != null) {
                action.accept(ks[i], valueAt(i));
            }
        }
    }

    /**
     * Removes the entries that {@code filter} accepts, asking it exactly once per entry.
     *
     * <p>Backward shifting pulls later entries of a cluster into the freed slot, so a naive scan
     * from slot 0 would skip the entry pulled in, and would visit twice an entry that wrapped
     * around from the front of the table. So the scan starts just after a free slot: no cluster
     * then straddles the scan's start, a shift only ever moves entries not yet visited into the
     * slot under examination or beyond it, and re-examining that slot after a removal is enough.
     *
     * @return how many entries were removed
     */
    public int removeIf(IntObjectPredicate<? super V> filter) {
        Objects.requireNonNull(filter, "filter");
        if (size == 0) {
            return 0;
        }
        int[] ks = keys;
        Object[] vs = values;
        int m = mask;
        int start = 0;
        while (vs[start] != null) { // terminates: the table is at most half full
            start++;
        }
        int removed = 0;
        for (int offset = 1; offset <= m; ) {
            int i = (start + offset) & m;
            if (vs[i] != null && filter.test(ks[i], valueAt(i))) {
                deleteAt(i);
                removed++; // slot i may now hold a shifted, unvisited entry: look again
            } else {
                offset++;
            }
        }
        return removed;
    }

    /** The number of slots; for tests that need to know which keys collide. */
    int capacity() {
        return values.length;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v));
        return sb.append('}').toString();
    }

    /** The slot holding {@code key}, or {@code -(free slot) - 1} where it would go. */
    private int indexOf(int key) {
        int[] ks = keys;
        Object[] vs = values;
        int m = mask;
        for (int i = hash(key) & m; ; i = (i + 1) & m) {
            if (vs[i] == null) {
                return -i - 1;
            }
            if (ks[i] == key) {
                return i;
            }
        }
    }

    /**
     * Empties slot {@code hole}, then walks the rest of its cluster pulling back each entry
     * whose home slot lies cyclically at or before the hole, so that every entry stays reachable
     * from its home slot without crossing a free slot.
     */
    private void deleteAt(int hole) {
        int[] ks = keys;
        Object[] vs = values;
        int m = mask;
        for (int j = (hole + 1) & m; vs[j] != null; j = (j + 1) & m) {
            int home = hash(ks[j]) & m;
            if (((j - home) & m) >= ((j - hole) & m)) {
                ks[hole] = ks[j];
                vs[hole] = vs[j];
                hole = j;
            }
        }
        vs[hole] = null;
        size--;
    }

    private void grow() {
        if (values.length == MAX_CAPACITY) {
            throw new IllegalStateException("IntObjectMap cannot grow beyond " + size + " entries");
        }
        int[] oldKeys = keys;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        int[] ks = keys;
        Object[] vs = values;
        int m = mask;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] != null) {
                int i = hash(oldKeys[j]) & m;
                while (vs[i] != null) {
                    i = (i + 1) & m;
                }
                ks[i] = oldKeys[j];
                vs[i] = oldValues[j];
            }
        }
    }

    private void allocate(int capacity) {
        keys = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        maxSize = capacity / 2;
    }

    @SuppressWarnings("unchecked")
    private V valueAt(int i) {
        return (V) values[i];
    }
}
