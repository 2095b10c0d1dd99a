package dev.tsunagu.tcp.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The receive ring: in-order and out-of-order data in place, the window, the range limit, growth, trim. */
class ReceiveBufferTest {

    /** The byte at stream position {@code p}: any byte misplaced by one shows. */
    private static byte at(long p) {
        long x = p * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ x >>> 29 ^ p);
    }

    private static byte[] stream(long from, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = at(from + i);
        }
        return b;
    }

    /** Inserts stream bytes [from, from+len) at {@code offset} past RCV.NXT (the caller knows RCV.NXT is at {@code from - offset}). */
    private static int insert(ReceiveBuffer rb, int offset, long from, int len) {
        byte[] src = new byte[len + 2];
        System.arraycopy(stream(from, len), 0, src, 1, len);
        return rb.insert(offset, src, 1, len);
    }

    private static byte[] readAll(ReceiveBuffer rb) {
        byte[] b = new byte[rb.readable()];
        assertThat(rb.read(b, 0, b.length)).isEqualTo(b.length);
        return b;
    }

    // ---------------------------------------------------------------- examples

    @Test
    void aNewBufferHoldsNoArrayAndOffersItsWholeCapacity() {
        ReceiveBuffer rb = new ReceiveBuffer(256 * 1024, 64);
        assertThat(rb.allocated()).isZero();
        assertThat(rb.capacity()).isEqualTo(256 * 1024);
        assertThat(rb.window()).isEqualTo(256 * 1024);
        assertThat(rb.readable()).isZero();
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(rb.outOfOrderRangesSnapshot()).isEmpty();
        assertThat(rb.read(new byte[10], 0, 10)).isZero();
        assertThat(rb.insert(0, new byte[10], 0, 0)).isZero();
        assertThat(rb.insert(1000, new byte[10], 0, 0)).isZero();
        assertThat(rb.allocated()).as("nothing stored, nothing allocated").isZero();
        assertThat(rb.refusedLast()).isFalse();
    }

    @Test
    void inOrderDataIsReadableAtOnce() {
        ReceiveBuffer rb = new ReceiveBuffer(10_000, 4);
        assertThat(insert(rb, 0, 0, 1000)).isEqualTo(1000);
        assertThat(insert(rb, 0, 1000, 500)).isEqualTo(500);
        assertThat(rb.readable()).isEqualTo(1500);
        assertThat(rb.window()).isEqualTo(8500);
        byte[] dst = new byte[2000];
        assertThat(rb.read(dst, 100, 700)).isEqualTo(700);
        assertThat(Arrays.copyOfRange(dst, 100, 800)).isEqualTo(stream(0, 700));
        assertThat(rb.read(dst, 0, 2000)).as("only what is there").isEqualTo(800);
        assertThat(Arrays.copyOf(dst, 800)).isEqualTo(stream(700, 800));
        assertThat(rb.window()).isEqualTo(10_000);
    }

    @Test
    void outOfOrderDataWaitsForTheGapAndThenArrivesAllAtOnce() {
        ReceiveBuffer rb = new ReceiveBuffer(10_000, 4);
        assertThat(insert(rb, 10, 10, 5)).isZero();
        assertThat(insert(rb, 20, 20, 5)).isZero();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(10, 15, 20, 25);
        assertThat(rb.readable()).isZero();
        assertThat(rb.window()).as("out-of-order data does not shrink the window").isEqualTo(10_000);
        assertThat(insert(rb, 0, 0, 10)).as("0..10 joins 10..15").isEqualTo(15);
        assertThat(rb.outOfOrderRangesSnapshot()).as("relative to the new RCV.NXT").containsExactly(5, 10);
        assertThat(insert(rb, 0, 15, 5)).isEqualTo(10);
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(readAll(rb)).isEqualTo(stream(0, 25));
    }

    @Test
    void rangesMergeWhenAdjacentOrOverlapping() {
        ReceiveBuffer rb = new ReceiveBuffer(10_000, 8);
        insert(rb, 100, 100, 10); // [100,110)
        insert(rb, 120, 120, 10); // [120,130)
        insert(rb, 140, 140, 10); // [140,150)
        assertThat(rb.outOfOrderRanges()).isEqualTo(3);
        insert(rb, 110, 110, 5); // adjacent to the first
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(100, 115, 120, 130, 140, 150);
        insert(rb, 118, 118, 2); // adjacent to the second on its left
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(100, 115, 118, 130, 140, 150);
        insert(rb, 105, 105, 40); // over the first three, into the fourth
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(100, 150);
        insert(rb, 90, 90, 70); // around all
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(90, 160);
        insert(rb, 120, 120, 10); // inside: a duplicate
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(90, 160);
        insert(rb, 50, 50, 10);
        insert(rb, 30, 30, 10);
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(30, 40, 50, 60, 90, 160);
        assertThat(insert(rb, 0, 0, 30)).isEqualTo(40);
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(10, 20, 50, 120);
        assertThat(insert(rb, 5, 45, 50)).as("from inside the gap over both").isZero();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(5, 120);
        assertThat(insert(rb, 0, 40, 7)).isEqualTo(120);
        assertThat(readAll(rb)).isEqualTo(stream(0, 160));
    }

    @Test
    void dataIsCutAtTheWindowEdge() {
        ReceiveBuffer rb = new ReceiveBuffer(100, 4);
        assertThat(insert(rb, 90, 90, 20)).isZero();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(90, 100);
        assertThat(insert(rb, 100, 100, 5)).as("entirely beyond").isZero();
        assertThat(rb.refusedLast()).as("cut, not refused").isFalse();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(90, 100);
        assertThat(insert(rb, 0, 0, 95)).isEqualTo(100);
        assertThat(rb.window()).isZero();
        assertThat(insert(rb, 0, 100, 10)).as("a zero window takes nothing").isZero();
        assertThat(rb.allocated()).isEqualTo(100);
        byte[] dst = new byte[30];
        assertThat(rb.read(dst, 0, 30)).isEqualTo(30);
        assertThat(rb.window()).isEqualTo(30);
        assertThat(insert(rb, 0, 100, 50)).as("cut to the window, across the wrap").isEqualTo(30);
        assertThat(readAll(rb)).isEqualTo(stream(30, 100));
    }

    @Test
    void theRangeLimitRefusesANewRangeButNeverInOrderOrMergingData() {
        ReceiveBuffer rb = new ReceiveBuffer(10_000, 2);
        insert(rb, 10, 10, 10);
        insert(rb, 30, 30, 10);
        assertThat(insert(rb, 50, 50, 10)).isZero();
        assertThat(rb.refusedLast()).isTrue();
        assertThat(rb.outOfOrderRangesSnapshot()).as("unchanged").containsExactly(10, 20, 30, 40);
        assertThat(insert(rb, 40, 40, 5)).isZero();
        assertThat(rb.refusedLast()).as("adjacent: merged").isFalse();
        assertThat(insert(rb, 5, 5, 2)).isZero();
        assertThat(rb.refusedLast()).isTrue();
        assertThat(insert(rb, 15, 15, 20)).as("bridging two").isZero();
        assertThat(rb.refusedLast()).isFalse();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(10, 45);
        insert(rb, 60, 60, 5);
        assertThat(rb.outOfOrderRanges()).isEqualTo(2);
        assertThat(insert(rb, 0, 0, 3)).as("in order at the limit").isEqualTo(3);
        assertThat(rb.refusedLast()).isFalse();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(7, 42, 57, 62);
        assertThat(insert(rb, 0, 3, 7)).isEqualTo(42);
        assertThat(readAll(rb)).isEqualTo(stream(0, 45));
    }

    @Test
    void withNoRangesAllowedOnlyInOrderDataIsTaken() {
        ReceiveBuffer rb = new ReceiveBuffer(1000, 0);
        assertThat(insert(rb, 1, 1, 10)).isZero();
        assertThat(rb.refusedLast()).isTrue();
        assertThat(rb.allocated()).isZero();
        assertThat(insert(rb, 0, 0, 10)).isEqualTo(10);
        assertThat(rb.refusedLast()).isFalse();
        assertThat(readAll(rb)).isEqualTo(stream(0, 10));
    }

    @Test
    void growsByDoublingToExactlyTheCapacity() {
        ReceiveBuffer rb = new ReceiveBuffer(10_000, 4);
        assertThat(insert(rb, 0, 0, 1)).isEqualTo(1);
        assertThat(rb.allocated()).isEqualTo(4096);
        assertThat(insert(rb, 5000, 5001, 10)).isZero();
        assertThat(rb.allocated()).as("1 readable + 5010 out").isEqualTo(8192);
        assertThat(insert(rb, 9000, 9001, 1500)).as("cut at the window").isZero();
        assertThat(rb.allocated()).isEqualTo(10_000);
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(5000, 5010, 9000, 9999);
        assertThat(insert(rb, 0, 1, 9999)).isEqualTo(9999);
        assertThat(readAll(rb)).isEqualTo(stream(0, 10_000));
        assertThat(new ReceiveBuffer(100, 1).insert(0, new byte[1], 0, 1)).isEqualTo(1);
    }

    @Test
    void growthKeepsReadableAndOutOfOrderBytesInPlaceAcrossTheWrap() {
        ReceiveBuffer rb = new ReceiveBuffer(1 << 20, 8);
        insert(rb, 0, 0, 4000);
        byte[] sink = new byte[4000];
        rb.read(sink, 0, 3990); // head at index 3990 of 4096, 10 readable: RCV.NXT at index 4000
        assertThat(insert(rb, 50, 4050, 40)).isZero(); // ring indices 4050..4090
        assertThat(insert(rb, 100, 4100, 30)).isZero(); // wrapped: indices 4..34
        assertThat(insert(rb, 80, 4080, 15)).isZero(); // joins 50..90
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(50, 95, 100, 130);
        assertThat(rb.allocated()).isEqualTo(4096);
        assertThat(insert(rb, 7000, 11_000, 100)).isZero(); // needs 10 + 7100 bytes: grows
        assertThat(rb.allocated()).isEqualTo(8192);
        assertThat(rb.readable()).isEqualTo(10);
        assertThat(insert(rb, 130, 4130, 6870)).isZero();
        assertThat(insert(rb, 95, 4095, 5)).isZero();
        assertThat(rb.outOfOrderRangesSnapshot()).containsExactly(50, 7100);
        assertThat(insert(rb, 0, 4000, 50)).isEqualTo(7100);
        byte[] all = readAll(rb);
        assertThat(all).isEqualTo(stream(3990, 7110));
    }

    @Test
    void trimGivesMemoryBackOnlyWhenNothingIsHeld() {
        ReceiveBuffer rb = new ReceiveBuffer(64 * 1024, 4);
        insert(rb, 0, 0, 100);
        rb.trim();
        assertThat(rb.allocated()).as("readable bytes held").isEqualTo(4096);
        readAll(rb);
        insert(rb, 10, 110, 10);
        rb.trim();
        assertThat(rb.allocated()).as("out-of-order bytes held").isEqualTo(4096);
        assertThat(insert(rb, 0, 100, 10)).isEqualTo(20);
        assertThat(readAll(rb)).isEqualTo(stream(100, 20));
        rb.trim();
        assertThat(rb.allocated()).isZero();
        assertThat(insert(rb, 5, 125, 5)).isZero();
        assertThat(insert(rb, 0, 120, 5)).isEqualTo(10);
        assertThat(readAll(rb)).isEqualTo(stream(120, 10));
    }

    @Test
    void clearDropsEverythingButKeepsTheArray() {
        ReceiveBuffer rb = new ReceiveBuffer(64 * 1024, 1);
        insert(rb, 0, 0, 100);
        insert(rb, 200, 300, 100);
        insert(rb, 500, 600, 100);
        assertThat(rb.refusedLast()).isTrue();
        rb.clear();
        assertThat(rb.readable()).isZero();
        assertThat(rb.hasOutOfOrder()).isFalse();
        assertThat(rb.refusedLast()).isFalse();
        assertThat(rb.window()).isEqualTo(64 * 1024);
        assertThat(rb.allocated()).isEqualTo(4096);
        assertThat(insert(rb, 0, 7, 3)).isEqualTo(3);
        assertThat(readAll(rb)).isEqualTo(stream(7, 3));
    }

    @Test
    void theOutOfOrderBoundIsTheBuffersBytesNotASmallCount() {
        assertThat(new ReceiveBuffer(2048, Integer.MAX_VALUE).maxOutOfOrderRanges()).as("the floor").isEqualTo(64);
        assertThat(new ReceiveBuffer(1 << 20, Integer.MAX_VALUE).maxOutOfOrderRanges()).as("one per 64 bytes")
                .isEqualTo(16_384);
        assertThat(new ReceiveBuffer(1 << 20, 10).maxOutOfOrderRanges()).as("a lower count still applies").isEqualTo(10);
        // A window that lost every other segment, 1,000 times: every segment past the holes is
        // kept (64 ranges used to be the default), and filling the holes makes it all readable.
        int mss = 1000;
        ReceiveBuffer rb = new ReceiveBuffer(4 << 20, Integer.MAX_VALUE);
        byte[] seg = new byte[mss];
        for (int i = 1; i < 2_000; i += 2) {
            rb.insert(i * mss, seg, 0, mss);
            assertThat(rb.refusedLast()).isFalse();
        }
        assertThat(rb.outOfOrderRanges()).isEqualTo(1_000);
        int advanced = 0;
        for (int i = 0; i < 2_000; i += 2) {
            advanced += rb.insert(i * mss - advanced, seg, 0, mss);
        }
        assertThat(advanced).isEqualTo(2_000 * mss);
        assertThat(rb.hasOutOfOrder()).isFalse();
    }

    @Test
    void argumentsAreChecked() {
        assertThatThrownBy(() -> new ReceiveBuffer(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveBuffer((1 << 30) + 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReceiveBuffer(100, -1)).isInstanceOf(IllegalArgumentException.class);
        ReceiveBuffer rb = new ReceiveBuffer(1 << 30, 64);
        assertThat(rb.window()).isEqualTo(1 << 30);
        assertThatThrownBy(() -> rb.insert(-1, new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rb.insert(0, new byte[1], 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> rb.read(new byte[1], 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(rb.insert(Integer.MAX_VALUE, new byte[10], 0, 10)).as("far beyond the window").isZero();
        assertThat(rb.insert(1 << 30, new byte[10], 0, 10)).as("just beyond the window").isZero();
        assertThat(rb.allocated()).isZero();
    }

    // ---------------------------------------------------------------- whole streams

    enum Order { IN_ORDER, REVERSED, SHUFFLED, DUPLICATED, OVERLAPPING }

    /**
     * A sender sends a stream as segments in the given order and, like a go-back-N sender,
     * sends again every round whatever is not yet acknowledged; the application reads at random
     * moments. Whatever the order, the capacity and the range limit, the application reads
     * exactly the stream.
     */
    @ParameterizedTest
    @EnumSource(Order.class)
    void anyArrivalOrderDeliversExactlyTheStream(Order order) {
        for (int seed = 0; seed < 500; seed++) {
            Random rnd = new Random(seed * 31L + order.ordinal());
            int capacity = switch (rnd.nextInt(5)) {
                case 0 -> 1 + rnd.nextInt(16);
                case 1 -> 1 + rnd.nextInt(2000);
                case 2 -> 4096;
                case 3 -> 5000 + rnd.nextInt(30_000);
                default -> 65536;
            };
            int maxRanges = new int[] {0, 1, 2, 3, 8, 64}[rnd.nextInt(6)];
            int maxSeg = 1 + rnd.nextInt(Math.min(1460, 2 * capacity));
            int length = 1 + rnd.nextInt(Math.min(200 * maxSeg, Math.min(40 * capacity, 60_000)));
            List<int[]> segments = segments(order, length, maxSeg, rnd);
            String where = "order " + order + " seed " + seed + " capacity " + capacity + " maxRanges " + maxRanges
                    + " length " + length + " maxSeg " + maxSeg;

            ReceiveBuffer rb = new ReceiveBuffer(capacity, maxRanges);
            byte[] src = stream(0, length);
            ByteArrayOutputStream app = new ByteArrayOutputStream();
            byte[] dst = new byte[capacity + 8];
            int rcvNxt = 0;
            int rounds = 0;
            while (rcvNxt < length) {
                if (++rounds > 10 * segments.size() + 1000) {
                    fail(where + ": no progress after " + rounds + " rounds at RCV.NXT " + rcvNxt);
                }
                for (int[] seg : segments) {
                    if (seg[1] <= rcvNxt) {
                        continue;
                    }
                    int start = Math.max(seg[0], rcvNxt);
                    int windowBefore = rb.window();
                    int rangesBefore = rb.outOfOrderRanges();
                    int advanced = rb.insert(start - rcvNxt, src, start, seg[1] - start);
                    int nxt = rcvNxt;
                    int round = rounds;
                    Supplier<String> at = () -> where + " round " + round + " segment [" + seg[0] + "," + seg[1]
                            + ") at RCV.NXT " + nxt + ": " + rb + " ranges " + Arrays.toString(rb.outOfOrderRangesSnapshot());
                    check(advanced >= 0 && advanced <= windowBefore, at);
                    check(!rb.refusedLast() || advanced == 0 && rb.outOfOrderRanges() == rangesBefore, at);
                    rcvNxt += advanced;
                    checkInvariants(rb, maxRanges, at);
                    if (rnd.nextInt(3) == 0) {
                        appRead(rb, rnd, dst, app, at);
                    }
                }
                if (rb.window() == 0 || rnd.nextBoolean()) {
                    appRead(rb, rnd, dst, app, () -> where);
                }
                assertThat(app.size() + rb.readable()).as(where).isEqualTo(rcvNxt);
            }
            while (rb.readable() > 0) {
                appRead(rb, rnd, dst, app, () -> where);
            }
            assertThat(rb.hasOutOfOrder()).as(where).isFalse();
            assertThat(app.toByteArray()).as(where).isEqualTo(src);
            assertThat(rb.allocated()).as(where).isLessThanOrEqualTo(capacity);
            rb.trim();
            assertThat(rb.allocated()).as(where).isZero();
        }
    }

    private static List<int[]> segments(Order order, int length, int maxSeg, Random rnd) {
        List<int[]> split = new ArrayList<>();
        for (int s = 0; s < length; ) {
            int e = Math.min(length, s + 1 + rnd.nextInt(maxSeg));
            split.add(new int[] {s, e});
            s = e;
        }
        List<int[]> out = new ArrayList<>(split);
        switch (order) {
            case IN_ORDER -> {}
            case REVERSED -> Collections.reverse(out);
            case SHUFFLED -> Collections.shuffle(out, rnd);
            case DUPLICATED -> {
                for (int[] seg : split) {
                    for (int k = rnd.nextInt(3); k > 0; k--) {
                        out.add(seg);
                    }
                }
                Collections.shuffle(out, rnd);
            }
            case OVERLAPPING -> {
                for (int k = split.size(); k > 0; k--) {
                    int s = rnd.nextInt(length);
                    int e = Math.min(length, s + 1 + rnd.nextInt(3 * maxSeg));
                    out.add(new int[] {s, e});
                }
                Collections.shuffle(out, rnd);
            }
        }
        return out;
    }

    private static void appRead(ReceiveBuffer rb, Random rnd, byte[] dst, ByteArrayOutputStream app, Supplier<String> where) {
        int readable = rb.readable();
        int off = rnd.nextInt(8);
        int len = 1 + rnd.nextInt(dst.length - off);
        int n = rb.read(dst, off, len);
        check(n == Math.min(len, readable) && rb.readable() == readable - n, where);
        app.write(dst, off, n);
        checkInvariants(rb, Integer.MAX_VALUE, where);
    }

    private static void check(boolean ok, Supplier<String> where) {
        if (!ok) {
            fail(where.get());
        }
    }

    /** What must hold after every call; plain checks, so that millions of them stay cheap. */
    private static void checkInvariants(ReceiveBuffer rb, int maxRanges, Supplier<String> where) {
        check(rb.readable() >= 0 && rb.readable() <= rb.capacity(), where);
        check(rb.window() == rb.capacity() - rb.readable() && rb.window() >= 0, where);
        int[] r = rb.outOfOrderRangesSnapshot();
        check(r.length == 2 * rb.outOfOrderRanges() && rb.hasOutOfOrder() == (r.length > 0), where);
        check(rb.outOfOrderRanges() <= maxRanges, () -> where.get() + ": too many ranges");
        int prevEnd = 0;
        for (int i = 0; i < r.length; i += 2) {
            check(r[i] > prevEnd && r[i + 1] > r[i], () -> where.get() + ": ranges not sorted, disjoint, apart");
            prevEnd = r[i + 1];
        }
        check(prevEnd <= rb.window(), () -> where.get() + ": out-of-order data outside the window");
        check(rb.allocated() >= rb.readable() + prevEnd && rb.allocated() <= rb.capacity(),
                () -> where.get() + ": allocated " + rb.allocated());
    }

    // ---------------------------------------------------------------- differential

    /** The obvious receiver: the stream by position, a bit per received byte. */
    private static final class Model {
        final int capacity;
        final int maxRanges;
        int readPos;
        int rcvNxt;
        BitSet held = new BitSet();
        boolean refused;

        Model(int capacity, int maxRanges) {
            this.capacity = capacity;
            this.maxRanges = maxRanges;
        }

        int readable() {
            return rcvNxt - readPos;
        }

        int window() {
            return capacity - readable();
        }

        int insert(int offset, int len) {
            refused = false;
            if (len == 0 || offset >= window()) {
                return 0;
            }
            int end = (int) Math.min((long) offset + len, window());
            BitSet trial = (BitSet) held.clone();
            trial.set(rcvNxt + offset, rcvNxt + end);
            int nxt = trial.get(rcvNxt) ? trial.nextClearBit(rcvNxt) : rcvNxt;
            if (ranges(trial, nxt).length / 2 > maxRanges) {
                refused = true;
                return 0;
            }
            trial.clear(rcvNxt, nxt);
            held = trial;
            int advanced = nxt - rcvNxt;
            rcvNxt = nxt;
            return advanced;
        }

        int[] ranges() {
            return ranges(held, rcvNxt);
        }

        private static int[] ranges(BitSet bits, int base) {
            List<Integer> r = new ArrayList<>();
            for (int s = bits.nextSetBit(base); s >= 0; s = bits.nextSetBit(s)) {
                int e = bits.nextClearBit(s);
                r.add(s - base);
                r.add(e - base);
                s = e;
            }
            return r.stream().mapToInt(Integer::intValue).toArray();
        }

        int read(int len) {
            int n = Math.min(len, readable());
            readPos += n;
            return n;
        }

        void clear() {
            held.clear();
            readPos = rcvNxt;
            refused = false;
        }

        boolean empty() {
            return readable() == 0 && held.isEmpty();
        }
    }

    @Test
    void behavesLikeTheReferenceModel() {
        for (int seed = 0; seed < 500; seed++) {
            Random rnd = new Random(seed);
            int capacity = switch (seed % 4) {
                case 0 -> 1 + rnd.nextInt(64);
                case 1 -> 4096;
                case 2 -> 1 + rnd.nextInt(20_000);
                default -> 4097 + rnd.nextInt(60_000);
            };
            int maxRanges = rnd.nextInt(6);
            int maxLen = 1 + rnd.nextInt(Math.min(capacity, 3000));
            ReceiveBuffer rb = new ReceiveBuffer(capacity, maxRanges);
            Model model = new Model(capacity, maxRanges);
            byte[] dst = new byte[capacity + 4];
            for (int step = 0; step < 300; step++) {
                int thisSeed = seed;
                int thisStep = step;
                Supplier<String> where = () -> "seed " + thisSeed + " step " + thisStep + " capacity " + capacity
                        + " maxRanges " + maxRanges + " " + rb + " model ranges " + Arrays.toString(model.ranges());
                int op = rnd.nextInt(100);
                if (op < 60) {
                    int window = model.window();
                    int offset = switch (rnd.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> rnd.nextInt(Math.max(1, Math.min(window, 8)));
                        case 2 -> rnd.nextInt(window + 10);
                        default -> {
                            int[] r = model.ranges();
                            yield r.length == 0 ? rnd.nextInt(window + 1) : Math.max(0, r[rnd.nextInt(r.length)] + rnd.nextInt(5) - 2);
                        }
                    };
                    int len = rnd.nextInt(maxLen + 1);
                    int want = model.insert(offset, len);
                    int got = insert(rb, offset, (long) model.rcvNxt - want + offset, len);
                    Supplier<String> at = () -> where.get() + " insert(" + offset + ", " + len + ")";
                    assertThat(got).as(at).isEqualTo(want);
                    assertThat(rb.refusedLast()).as(at).isEqualTo(model.refused);
                } else if (op < 95) {
                    int len = rnd.nextInt(dst.length - 4 + 1);
                    int from = model.readPos;
                    int want = model.read(len);
                    Supplier<String> at = () -> where.get() + " read " + len;
                    assertThat(rb.read(dst, 3, len)).as(at).isEqualTo(want);
                    assertThat(Arrays.copyOfRange(dst, 3, 3 + want)).as(at).isEqualTo(stream(from, want));
                } else if (op < 98) {
                    int before = rb.allocated();
                    rb.trim();
                    assertThat(rb.allocated()).as(() -> where.get() + " trim").isEqualTo(model.empty() ? 0 : before);
                } else {
                    rb.clear();
                    model.clear();
                }
                assertThat(rb.readable()).as(where).isEqualTo(model.readable());
                assertThat(rb.window()).as(where).isEqualTo(model.window());
                assertThat(rb.outOfOrderRangesSnapshot()).as(where).isEqualTo(model.ranges());
                checkInvariants(rb, maxRanges, where);
            }
        }
    }

    // ---------------------------------------------------------------- allocation

    @Test
    void theSteadyStateAllocatesNothing() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean,
                "com.sun.management.ThreadMXBean is not available: allocation not measured");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation measurement is not supported");
        threads.setThreadAllocatedMemoryEnabled(true);
        assumeTrue(threads.isThreadAllocatedMemoryEnabled(), "thread allocation measurement cannot be enabled");

        ReceiveBuffer rb = new ReceiveBuffer(64 * 1024, 8);
        byte[] src = stream(0, 1460);
        byte[] dst = new byte[8192];
        steadyLoop(rb, src, dst, 20_000); // grow to the working size, let the JIT settle
        // The JIT may still settle (an OSR transition, a deoptimisation) during one measured
        // interval; allocation on the steady path would show in every interval, so the quietest counts.
        long quietest = Long.MAX_VALUE;
        for (int interval = 0; interval < 5 && quietest > 0; interval++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            long overhead = threads.getCurrentThreadAllocatedBytes() - before;
            before = threads.getCurrentThreadAllocatedBytes();
            steadyLoop(rb, src, dst, 20_000);
            quietest = Math.min(quietest, threads.getCurrentThreadAllocatedBytes() - before - overhead);
        }
        assertThat(quietest)
                .as("bytes allocated by 20,000 rounds of reordered inserts and reads (quietest of up to 5 intervals)").isLessThan(256);
    }

    private static void steadyLoop(ReceiveBuffer rb, byte[] src, byte[] dst, int rounds) {
        for (int i = 0; i < rounds; i++) {
            rb.insert(1460, src, 0, 1460);
            rb.insert(3 * 1460, src, 0, 1460);
            rb.insert(2 * 1460, src, 0, 1460);
            rb.insert(0, src, 0, 1460);
            rb.read(dst, 0, dst.length);
            rb.read(dst, 0, i % 200);
        }
    }
}
