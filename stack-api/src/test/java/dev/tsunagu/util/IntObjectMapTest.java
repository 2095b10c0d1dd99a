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

class IntObjectMapTest {

    @Test
    void emptyMap() {
        IntObjectMap<String> map = new IntObjectMap<>();
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
        IntObjectMap<String> map = new IntObjectMap<>();
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
        IntObjectMap<String> map = new IntObjectMap<>();
        int[] keys = {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 1};
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        assertThat(map.size()).isEqualTo(keys.length);
        for (int k : keys) {
            assertThat(map.get(k)).isEqualTo("v" + k);
        }
        assertThat(map.remove(0)).isEqualTo("v0");
        assertThat(map.containsKey(0)).isFalse();
        assertThat(map.get(-1)).isEqualTo("v-1");
        assertThat(map.remove(Integer.MIN_VALUE)).isEqualTo("v" + Integer.MIN_VALUE);
        assertThat(map.get(Integer.MAX_VALUE)).isEqualTo("v" + Integer.MAX_VALUE);
        assertThat(map.size()).isEqualTo(3);
    }

    @Test
    void nullValuesAndCallbacksAreRefused() {
        IntObjectMap<String> map = new IntObjectMap<>();
        assertThatThrownBy(() -> map.put(1, null)).isInstanceOf(NullPointerException.class);
        assertThat(map.isEmpty()).isTrue();
        assertThatThrownBy(() -> map.forEach(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> map.removeIf(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new IntObjectMap<String>(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void presizedMapDoesNotGrow() {
        IntObjectMap<String> map = new IntObjectMap<>(100);
        int capacity = map.capacity();
        for (int i = 0; i < 100; i++) {
            map.put(i, "x");
        }
        assertThat(map.capacity()).isEqualTo(capacity);
        assertThat(capacity).isGreaterThanOrEqualTo(200).isEqualTo(Integer.highestOneBit(capacity));
    }

    @Test
    void growsAndKeepsEveryEntry() {
        IntObjectMap<Integer> map = new IntObjectMap<>(0);
        int start = map.capacity();
        int n = 50_000;
        for (int i = 0; i < n; i++) {
            map.put(0x0A00_0000 + i * 7, i); // 10.0.0.0/8 addresses: equal high bits
        }
        assertThat(map.size()).isEqualTo(n);
        assertThat(map.capacity()).isGreaterThan(start).isGreaterThanOrEqualTo(2 * n);
        for (int i = 0; i < n; i++) {
            assertThat(map.get(0x0A00_0000 + i * 7)).isEqualTo(i);
        }
        assertThat(map.get(0x0A00_0000 + 1)).isNull();
    }

    @Test
    void addressesDifferingOnlyInTheTopByteSpreadInASmallTable() {
        IntObjectMap<String> map = new IntObjectMap<>();
        Set<Integer> slots = new HashSet<>();
        for (int net = 1; net <= 8; net++) {
            slots.add(IntObjectMap.hash(net << 24 | 1) & (map.capacity() - 1));
        }
        assertThat(slots).hasSizeGreaterThan(3);
    }

    @Test
    void clearKeepsTheMapUsable() {
        IntObjectMap<String> map = new IntObjectMap<>();
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
        IntObjectMap<String> map = new IntObjectMap<>();
        Map<Integer, String> expected = new HashMap<>();
        for (int i = -50; i < 50; i++) {
            map.put(i * 31, "v" + i);
            expected.put(i * 31, "v" + i);
        }
        Map<Integer, String> seen = new HashMap<>();
        map.forEach((k, v) -> assertThat(seen.put(k, v)).as("visited twice: %d", k).isNull());
        assertThat(seen).isEqualTo(expected);
    }

    /** Keys whose home slot is {@code slot} in a table of {@code capacity} slots. */
    private static List<Integer> keysHomedAt(int slot, int capacity, int count) {
        List<Integer> keys = new ArrayList<>();
        for (int k = 0; keys.size() < count; k++) {
            if ((IntObjectMap.hash(k) & (capacity - 1)) == slot) {
                keys.add(k);
            }
        }
        return keys;
    }

    /**
     * Eight keys in a 16-slot table form one cluster that wraps from the last slot to the first:
     * five homed at slot 15, three at slot 0, so backward shifts cross the wrap and mix homes.
     */
    private static List<Integer> wrappingCluster() {
        List<Integer> keys = new ArrayList<>(keysHomedAt(15, 16, 5));
        keys.addAll(keysHomedAt(0, 16, 3));
        return keys;
    }

    private static IntObjectMap<String> sixteenSlotMapWith(List<Integer> keys) {
        IntObjectMap<String> map = new IntObjectMap<>(8);
        assertThat(map.capacity()).isEqualTo(16);
        for (int k : keys) {
            map.put(k, "v" + k);
        }
        assertThat(map.capacity()).as("the test needs the keys to stay in one small table").isEqualTo(16);
        return map;
    }

    @Test
    void removingAnyCollidingKeyLeavesTheOthersReachable() {
        List<Integer> keys = wrappingCluster();
        for (int victim : keys) {
            IntObjectMap<String> map = sixteenSlotMapWith(keys);
            assertThat(map.remove(victim)).isEqualTo("v" + victim);
            for (int k : keys) {
                assertThat(map.get(k)).as("after removing %d, key %d", victim, k).isEqualTo(k == victim ? null : "v" + k);
            }
            assertThat(map.size()).isEqualTo(keys.size() - 1);
        }
    }

    @Test
    void removingCollidingKeysInEveryOrderKeepsTheRestReachable() {
        for (int seed = 0; seed < 200; seed++) {
            Random rnd = new Random(seed);
            List<Integer> keys = wrappingCluster();
            Collections.shuffle(keys, rnd); // insertion order decides the layout
            IntObjectMap<String> map = sixteenSlotMapWith(keys);
            List<Integer> order = new ArrayList<>(keys);
            Collections.shuffle(order, rnd);
            Set<Integer> left = new HashSet<>(keys);
            for (int victim : order) {
                assertThat(map.remove(victim)).as("seed %d", seed).isEqualTo("v" + victim);
                left.remove(victim);
                for (int k : keys) {
                    assertThat(map.get(k)).as("seed %d, key %d", seed, k).isEqualTo(left.contains(k) ? "v" + k : null);
                }
            }
            assertThat(map.isEmpty()).as("seed %d", seed).isTrue();
        }
    }

    @Test
    void removeIfEveryOtherAllOrNone() {
        IntObjectMap<Integer> map = new IntObjectMap<>();
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
        List<Integer> keys = wrappingCluster();
        // Every subset of the cluster as the set to remove, with the layout of several insertion orders.
        for (int seed = 0; seed < 8; seed++) {
            List<Integer> order = new ArrayList<>(keys);
            Collections.shuffle(order, new Random(seed));
            for (int subset = 0; subset < 1 << keys.size(); subset++) {
                Set<Integer> doomed = new HashSet<>();
                for (int b = 0; b < keys.size(); b++) {
                    if ((subset & 1 << b) != 0) {
                        doomed.add(keys.get(b));
                    }
                }
                IntObjectMap<String> map = sixteenSlotMapWith(order);
                List<Integer> asked = new ArrayList<>();
                int removed = map.removeIf((k, v) -> {
                    asked.add(k);
                    return doomed.contains(k);
                });
                assertThat(asked).as("seed %d, subset %s", seed, doomed).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(keys);
                assertThat(removed).isEqualTo(doomed.size());
                for (int k : keys) {
                    assertThat(map.get(k)).as("seed %d, subset %s, key %d", seed, doomed, k)
                            .isEqualTo(doomed.contains(k) ? null : "v" + k);
                }
            }
        }
    }

    /** A key drawn from pools that make hits, collisions and extremes common. */
    private static int randomKey(Random rnd, List<Integer> colliding) {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(64) - 32;
            case 1 -> colliding.get(rnd.nextInt(colliding.size()));
            case 2 -> new int[] {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE}[rnd.nextInt(5)];
            case 3 -> 0x0A00_0000 | rnd.nextInt(256) << 16 | 1; // 10.x.0.1: differ in one byte
            default -> rnd.nextInt();
        };
    }

    @Test
    void behavesLikeHashMap() {
        List<Integer> colliding = keysHomedAt(5, 64, 40); // collide in every table up to 64 slots
        for (int seed = 1; seed <= 100; seed++) {
            Random rnd = new Random(seed);
            IntObjectMap<Integer> map = new IntObjectMap<>(rnd.nextInt(16));
            Map<Integer, Integer> ref = new HashMap<>();
            for (int op = 0; op < 10_000; op++) {
                int key = randomKey(rnd, colliding);
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
                    Set<Integer> asked = new HashSet<>();
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
    private static void same(Object actual, Object expected, int seed, int op, int key, String what) {
        if (!Objects.equals(actual, expected)) {
            assertThat(actual).as("seed %d, op %d (%s), key %d", seed, op, what, key).isEqualTo(expected);
        }
    }

    private static void assertSameContents(IntObjectMap<Integer> map, Map<Integer, Integer> ref, String where) {
        Map<Integer, Integer> copy = new HashMap<>();
        map.forEach(copy::put);
        assertThat(copy).as(where).isEqualTo(ref);
        for (Map.Entry<Integer, Integer> e : ref.entrySet()) {
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
        IntObjectMap<String> map = new IntObjectMap<>(n);
        IntObjectMap.IntObjectConsumer<String> noop = (k, v) -> { };
        IntObjectMap.IntObjectPredicate<String> none = (k, v) -> false;
        churn(map, values, noop, none); // warm up: class loading, lambda linkage
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 20; round++) {
            churn(map, values, noop, none);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 100k+ operations").isLessThan(64 * 1024);
    }

    private static void churn(IntObjectMap<String> map, String[] values,
                              IntObjectMap.IntObjectConsumer<String> noop, IntObjectMap.IntObjectPredicate<String> none) {
        for (int i = 0; i < values.length; i++) {
            map.put(i * 0x01000193, values[i]);
        }
        for (int i = 0; i < values.length; i++) {
            map.get(i * 0x01000193);
            map.containsKey(-i);
            map.remove(i * 0x01000193);
            map.put(i * 0x01000193, values[i]);
        }
        map.forEach(noop);
        map.removeIf(none);
        map.clear();
    }
}
