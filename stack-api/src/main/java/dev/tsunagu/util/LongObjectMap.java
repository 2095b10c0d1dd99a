package dev.tsunagu.util;

import java.util.Arrays;
import java.util.Objects;

/**
 * A map from {@code long} keys to non-null objects that never boxes a key and never allocates
 * except when it grows.
 *
 * <p>Why: the per-packet path looks things up by primitive keys, packed into a long (an address
 * with a port, a MAC address, a connection id) or an {@code int} widened to one (an IPv4
 * address, a port, an ICMP sequence number), and a {@code HashMap<Long, V>} would box the key
 * and chase a node per lookup. One map serves both: an {@code int} widens losslessly, and
 * measured with {@code int} keys this map is within the noise of an {@code int}-keyed copy
 * (about 4 ns a lookup either way), so a second class would buy nothing. This map keeps the keys in one {@code long[]} and the values in a
 * parallel {@code Object[]}: open addressing with linear probing over a power-of-two table kept
 * at most half full, so a probe usually touches one or two adjacent slots.
 *
 * <p>Every {@code long} is a valid key (0 and -1 included): a slot is free exactly when its value
 * is {@code null}, which is why null values are refused. Removal uses backward-shift deletion,
 * so there are no tombstones and lookups never slow down after churn.
 *
 * <p>Not thread-safe: each instance belongs to one thread (typically an event loop). Callbacks
 * passed to {@link #forEach} and {@link #removeIf} must not modify the map.
 *
 * @param <V> the value type
 */
public final class LongObjectMap<V> {
    private static final int MIN_CAPACITY = 8;
    private static final int MAX_CAPACITY = 1 << 30;

    private long[] keys;
    /** {@code null} marks a free slot. */
    private Object[] values;
    private int mask;
    /** At most half the slots are used: short probes matter more than memory here. */
    private int maxSize;
    private int size;

    /** Receives the entries of {@link #forEach}. */
    @FunctionalInterface
    public interface LongObjectConsumer<V> {
        /** Called once per entry. */
        void accept(long key, V value);
    }

    /** Chooses the entries that {@link #removeIf} removes. */
    @FunctionalInterface
    public interface LongObjectPredicate<V> {
        /** Whether to remove this entry. */
        boolean test(long key, V value);
    }

    /** An empty map with room for 8 entries before it first grows. */
    public LongObjectMap() {
        this(8);
    }

    /** An empty map that holds {@code expectedSize} entries without growing. */
    public LongObjectMap(int expectedSize) {
        if (expectedSize < 0 || expectedSize > MAX_CAPACITY / 2) {
            throw new IllegalArgumentException("expected size out of range: " + expectedSize);
        }
        int capacity = Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, expectedSize * 2 - 1)) << 1);
        allocate(capacity);
    }

    /**
     * Spreads the key's 64 bits over the 32 used for indexing (murmur3's fmix64). Keys here are
     * often packed tuples, such as an address and a port in one long, whose variety sits in a
     * few bit ranges; every input bit must reach the low bits that small tables index by.
     */
    static int hash(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h;
    }

    /** The value mapped to {@code key}, or {@code null}; allocates nothing. */
    public V get(long key) {
        int i = indexOf(key);
        return i >= 0 ? valueAt(i) : null;
    }

    /** Whether {@code key} is mapped. */
    public boolean containsKey(long key) {
        return indexOf(key) >= 0;
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @return the value it replaced, or {@code null} if the key was absent
     * @throws NullPointerException if {@code value} is null
     */
    public V put(long key, V value) {
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
    public V remove(long key) {
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
    public void forEach(LongObjectConsumer<? super V> action) {
        Objects.requireNonNull(action, "action");
        long[] ks = keys;
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
    public int removeIf(LongObjectPredicate<? super V> filter) {
        Objects.requireNonNull(filter, "filter");
        if (size == 0) {
            return 0;
        }
        long[] ks = keys;
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
    private int indexOf(long key) {
        long[] ks = keys;
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
        long[] ks = keys;
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
            throw new IllegalStateException("LongObjectMap cannot grow beyond " + size + " entries");
        }
        long[] oldKeys = keys;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        long[] ks = keys;
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
        keys = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        maxSize = capacity / 2;
    }

    @SuppressWarnings("unchecked")
    private V valueAt(int i) {
        return (V) values[i];
    }
}
