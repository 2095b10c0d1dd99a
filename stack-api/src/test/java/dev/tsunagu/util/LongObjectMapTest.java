package dev.tsunagu.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LongObjectMapTest {

    @Test
    void emptyMap() {
        LongObjectMap<String> map = new LongObjectMap<>();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.size()).isZero();
        assertThat(map.get(0)).isNull();
        assertThat(map.containsKey(0)).isFalse();
        assertThat(map.remove(0)).isNull();
        assertThat(map.removeIf((k, v) -> true)).isZero();
        assertThat(map).hasToString("{}");
    }

    @Test
    void putGetReplaceRemove() {
        LongObjectMap<String> map = new LongObjectMap<>();
        assertThat(map.put(7, "a")).isNull();
        assertThat(map.get(7)).isEqualTo("a");
        assertThat(map.containsKey(7)).isTrue();
        assertThat(map.put(7, "b")).isEqualTo("a");
        assertThat(map.size()).isEqualTo(1);
        assertThat(map.get(7)).isEqualTo("b");
        assertThat(map).hasToString("{7=b}");
        assertThat(map.remove(7)).isEqualTo("b");
        assertThat(map.remove(7)).isNull();
        assertThat(map.containsKey(7)).isFalse();
        assertThat(map.isEmpty()).isTrue();
    }

    @Test
    void extremeKeysAreOrdinaryKeys() {
        LongObjectMap<String> map = new LongObjectMap<>();
        long[] keys = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1, Integer.MIN_VALUE, 1L << 32};
        for (long k : keys) {
            map.put(k, "v" + k);
        }
        assertThat(map.size()).isEqualTo(keys.length);
        for (long k : keys) {
            assertThat(map.get(k)).isEqualTo("v" + k);
        }
        assertThat(map.remove(0)).isEqualTo("v0");
        assertThat(map.containsKey(0)).isFalse();
        assertThat(map.get(-1)).isEqualTo("v-1");
        assertThat(map.remove(Long.MIN_VALUE)).isEqualTo("v" + Long.MIN_VALUE);
        assertThat(map.get(Long.MAX_VALUE)).isEqualTo("v" + Long.MAX_VALUE);
        assertThat(map.get(1L << 32)).isEqualTo("v" + (1L << 32));
        assertThat(map.containsKey(0x1_0000_0001L)).isFalse();
        assertThat(map.size()).isEqualTo(5);
    }

    @Test
    void nullValuesAndCallbacksAreRefused() {
        LongObjectMap<String> map = new LongObjectMap<>();
        assertThatThrownBy(() -> map.put(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(map.isEmpty()).isTrue();
        assertThatThrownBy(() -> map.forEach(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.removeIf(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new LongObjectMap<String>(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void presizedMapDoesNotGrow() {
        LongObjectMap<String> map = new LongObjectMap<>(100);
        int capacity = map.capacity();
        for (int i = 0; i < 100; i++) {
            map.put(i, "x");
        }
        assertThat(map.capacity()).isEqualTo(capacity);
        assertThat(capacity).isGreaterThanOrEqualTo(200).isEqualTo(Integer.highestOneBit(capacity));
    }

    @Test
    void growsAndKeepsEveryEntry() {
        LongObjectMap<Integer> map = new LongObjectMap<>(0);
        int start = map.capacity();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            map.put((long) i << 32 | 443, i); // packed (connection, port): variety only in the high half
        }
        assertThat(map.size()).isEqualTo(n);
        assertThat(map.capacity()).isGreaterThan(start).isGreaterThanOrEqualTo(2 * n);
        for (int i = 0; i < n; i++) {
            assertThat(map.get((long) i << 32 | 443)).isEqualTo(i);
        }
        assertThat(map.get(443)).isEqualTo(0);
        assertThat(map.get(444)).isNull();
    }

    @Test
    void keysDifferingOnlyInTheTopByteSpreadInASmallTable() {
        LongObjectMap<String> map = new LongObjectMap<>();
        Set<Integer> slots = new HashSet<>();
        for (int net = 1; net <= 8; net++) {
            slots.add(LongObjectMap.hash((long) net << 56 | 1) & (map.capacity() - 1));
        }
        assertThat(slots).hasSizeGreaterThan(3);
    }

    /** IPv4 addresses, ports and sequence numbers are int keys, widened; sign extension must not hurt. */
    @Test
    void intKeysWidenedKeepEveryEntryAndSpread() {
        LongObjectMap<Integer> map = new LongObjectMap<>(0);
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            map.put(0x0A00_0000 + i * 7, i); // 10.0.0.0/8 addresses: equal high bits
            map.put(0xC0A8_0000 + i * 7, -i); // 192.168/16: negative as an int, sign-extended
        }
        assertThat(map.size()).isEqualTo(2 * n);
        for (int i = 0; i < n; i++) {
            assertThat(map.get(0x0A00_0000 + i * 7)).isEqualTo(i);
            assertThat(map.get(0xC0A8_0000 + i * 7)).isEqualTo(-i);
        }
        assertThat(map.get(0x0A00_0000 + 1)).isNull();
        assertThat(map.get(0xC0A8_0000L + 7)).as("the zero-extended twin is another key").isNull();

        Set<Integer> slots = new HashSet<>();
        for (int net = 1; net <= 8; net++) {
            slots.add(LongObjectMap.hash(net << 24 | 1) & (new LongObjectMap<>().capacity() - 1));
        }
        assertThat(slots).as("addresses differing only in the top byte").hasSizeGreaterThan(3);
    }

    @Test
    void clearKeepsTheMapUsable() {
        LongObjectMap<String> map = new LongObjectMap<>();
        for (int i = 0; i < 100; i++) {
            map.put(i, "x");
        }
        int capacity = map.capacity();
        map.clear();
        assertThat(map.isEmpty()).isTrue();
        assertThat(map.get(5)).isNull();
        assertThat(map.capacity()).isEqualTo(capacity);
        map.put(5, "y");
        assertThat(map.get(5)).isEqualTo("y");
        assertThat(map.size()).isEqualTo(1);
    }

    @Test
    void forEachVisitsEveryEntryOnce() {
        LongObjectMap<String> map = new LongObjectMap<>();
        Map<Long, String> expected = new HashMap<>();
        for (int i = -50; i < 50; i++) {
            map.put(i * 0x7_0000_001FL, "v" + i);
            expected.put(i * 0x7_0000_001FL, "v" + i);
        }
        Map<Long, String> seen = new HashMap<>();
        map.forEach((k, v) -> assertThat(seen.put(k, v)).as("visited twice: %d", k).isNull());
        assertThat(seen).isEqualTo(expected);
    }

    /** Keys whose home slot is {@code slot} in a table of {@code capacity} slots. */
    private static List<Long> keysHomedAt(int slot, int capacity, int count) {
        List<Long> keys = new ArrayList<>();
        for (long k = 0; keys.size() < count; k++) {
            if ((LongObjectMap.hash(k) & (capacity - 1)) == slot) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * Eight keys in a 16-slot table form one cluster that wraps from the last slot to the first:
     * five homed at slot 15, three at slot 0, so backward shifts cross the wrap and mix homes.
     */
    private static List<Long> wrappingCluster() {
        List<Long> keys = new ArrayList<>(keysHomedAt(15, 16, 5));
        keys.addAll(keysHomedAt(0, 16, 3));
        return keys;
    }

    private static LongObjectMap<String> sixteenSlotMapWith(List<Long> keys) {
        LongObjectMap<String> map = new LongObjectMap<>(8);
        assertThat(map.capacity()).isEqualTo(16);
        for (long k : keys) {
            map.put(k, "v" + k);
        }
        assertThat(map.capacity()).as("the test needs the keys to stay in one small table").isEqualTo(16);
        return map;
    }

    @Test
    void removingAnyCollidingKeyLeavesTheOthersReachable() {
        List<Long> keys = wrappingCluster();
        for (long victim : keys) {
            LongObjectMap<String> map = sixteenSlotMapWith(keys);
            assertThat(map.remove(victim)).isEqualTo("v" + victim);
            for (long k : keys) {
                assertThat(map.get(k)).as("after removing %d, key %d", victim, k).isEqualTo(k == victim ? null : "v" + k);
            }
            assertThat(map.size()).isEqualTo(keys.size() - 1);
        }
    }

    @Test
    void removingCollidingKeysInEveryOrderKeepsTheRestReachable() {
        for (int seed = 0; seed < 200; seed++) {
            Random rnd = new Random(seed);
            List<Long> keys = wrappingCluster();
            Collections.shuffle(keys, rnd); // insertion order decides the layout
            LongObjectMap<String> map = sixteenSlotMapWith(keys);
            List<Long> order = new ArrayList<>(keys);
            Collections.shuffle(order, rnd);
            Set<Long> left = new HashSet<>(keys);
            for (long victim : order) {
                assertThat(map.remove(victim)).as("seed %d", seed).isEqualTo("v" + victim);
                left.remove(victim);
                for (long k : keys) {
                    assertThat(map.get(k)).as("seed %d, key %d", seed, k).isEqualTo(left.contains(k) ? "v" + k : null);
                }
            }
            assertThat(map.isEmpty()).as("seed %d", seed).isTrue();
        }
    }

    @Test
    void removeIfEveryOtherAllOrNone() {
        LongObjectMap<Integer> map = new LongObjectMap<>();
        for (int i = 0; i < 1000; i++) {
            map.put(i, i);
        }
        assertThat(map.removeIf((k, v) -> false)).isZero();
        assertThat(map.size()).isEqualTo(1000);

        assertThat(map.removeIf((k, v) -> (k & 1) == 0)).isEqualTo(500);
        assertThat(map.size()).isEqualTo(500);
        for (int i = 0; i < 1000; i++) {
            assertThat(map.get(i)).as("key %d", i).isEqualTo((i & 1) == 0 ? null : i);
        }

        assertThat(map.removeIf((k, v) -> true)).isEqualTo(500);
        assertThat(map.isEmpty()).isTrue();
        map.put(3, 3);
        assertThat(map.get(3)).isEqualTo(3);
    }

    @Test
    void removeIfOverAWrappingClusterAsksOncePerEntry() {
        List<Long> keys = wrappingCluster();
        // Every subset of the cluster as the set to remove, with the layout of several insertion orders.
        for (int seed = 0; seed < 8; seed++) {
            List<Long> order = new ArrayList<>(keys);
            Collections.shuffle(order, new Random(seed));
            for (int subset = 0; subset < 1 << keys.size(); subset++) {
                Set<Long> doomed = new HashSet<>();
                for (int b = 0; b < keys.size(); b++) {
                    if ((subset & 1 << b) != 0) {
                        doomed.add(keys.get(b));
                    }
                }
                LongObjectMap<String> map = sixteenSlotMapWith(order);
                List<Long> asked = new ArrayList<>();
                int removed = map.removeIf((k, v) -> {
                    asked.add(k);
                    return doomed.contains(k);
                });
                assertThat(asked).as("seed %d, subset %s", seed, doomed).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(keys);
                assertThat(removed).isEqualTo(doomed.size());
                for (long k : keys) {
                    assertThat(map.get(k)).as("seed %d, subset %s, key %d", seed, doomed, k)
                            .isEqualTo(doomed.contains(k) ? null : "v" + k);
                }
            }
        }
    }

    /** A key drawn from pools that make hits, collisions and extremes common. */
    private static long randomKey(Random rnd, List<Long> colliding) {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(64) - 32;
            case 1 -> colliding.get(rnd.nextInt(colliding.size()));
            case 2 -> new long[] {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, -1L << 32}[rnd.nextInt(7)];
            case 3 -> 0x0A00_0001_0000L | rnd.nextInt(64) << 8; // 10.0.0.1 with a port: differ in one byte
            default -> rnd.nextLong();
        };
    }

    @Test
    void behavesLikeHashMap() {
        List<Long> colliding = keysHomedAt(5, 64, 40); // collide in every table up to 64 slots
        for (int seed = 1; seed <= 100; seed++) {
            Random rnd = new Random(seed);
            LongObjectMap<Integer> map = new LongObjectMap<>(rnd.nextInt(16));
            Map<Long, Integer> ref = new HashMap<>();
            for (int op = 0; op < 10_000; op++) {
                long key = randomKey(rnd, colliding);
                int r = rnd.nextInt(1000);
                if (r < 400) {
                    same(map.put(key, op), ref.put(key, op), seed, op, key, "put");
                } else if (r < 700) {
                    same(map.remove(key), ref.remove(key), seed, op, key, "remove");
                } else if (r < 850) {
                    same(map.get(key), ref.get(key), seed, op, key, "get");
                } else if (r < 990) {
                    same(map.containsKey(key), ref.containsKey(key), seed, op, key, "containsKey");
                } else if (r < 999) {
                    String where = "seed " + seed + ", op " + op + " (removeIf)";
                    int bits = rnd.nextInt(4);
                    Set<Long> asked = new HashSet<>();
                    int removed = map.removeIf((k, v) -> {
                        assertThat(asked.add(k)).as("%s: asked twice about %d", where, k).isTrue();
                        return ((k ^ v) & 3) == bits;
                    });
                    assertThat(asked).as(where).isEqualTo(ref.keySet());
                    int before = ref.size();
                    ref.entrySet().removeIf(e -> ((e.getKey() ^ e.getValue()) & 3) == bits);
                    assertThat(removed).as(where).isEqualTo(before - ref.size());
                } else {
                    map.clear();
                    ref.clear();
                }
                same(map.size(), ref.size(), seed, op, key, "size");
                if (op % 1000 == 999) {
                    assertSameContents(map, ref, "seed " + seed + ", op " + op);
                }
            }
            assertSameContents(map, ref, "seed " + seed + " at the end");
        }
    }

    /** Builds an assertion only on a mismatch: a description per operation would dominate the run time. */
    private static void same(Object actual, Object expected, int seed, int op, long key, String what) {
        if (!Objects.equals(actual, expected)) {
            assertThat(actual).as("seed %d, op %d (%s), key %d", seed, op, what, key).isEqualTo(expected);
        }
    }

    private static void assertSameContents(LongObjectMap<Integer> map, Map<Long, Integer> ref, String where) {
        Map<Long, Integer> copy = new HashMap<>();
        map.forEach(copy::put);
        assertThat(copy).as(where).isEqualTo(ref);
        for (Map.Entry<Long, Integer> e : ref.entrySet()) {
            assertThat(map.get(e.getKey())).as(where).isEqualTo(e.getValue());
        }
    }

    @Test
    void steadyStateOperationsDoNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int n = 1000;
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = "v" + i;
        }
        LongObjectMap<String> map = new LongObjectMap<>(n);
        LongObjectMap.LongObjectConsumer<String> noop = (k, v) -> { };
        LongObjectMap.LongObjectPredicate<String> none = (k, v) -> false;
        churn(map, values, noop, none); // warm up: class loading, lambda linkage
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 20; round++) {
            churn(map, values, noop, none);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 100k+ operations").isLessThan(64 * 1024);
    }

    private static void churn(LongObjectMap<String> map, String[] values,
                              LongObjectMap.LongObjectConsumer<String> noop, LongObjectMap.LongObjectPredicate<String> none) {
        for (int i = 0; i < values.length; i++) {
            map.put(i * 0x100000001B3L, values[i]);
        }
        for (int i = 0; i < values.length; i++) {
            map.get(i * 0x100000001B3L);
            map.containsKey(-i);
            map.remove(i * 0x100000001B3L);
            map.put(i * 0x100000001B3L, values[i]);
        }
        map.forEach(noop);
        map.removeIf(none);
        map.clear();
    }
}
