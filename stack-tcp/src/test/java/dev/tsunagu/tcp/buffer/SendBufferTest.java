package dev.tsunagu.tcp.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The send ring: geometric growth from nothing, wrap-around, partial writes, offsets, drop, trim. */
class SendBufferTest {

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

    private static byte[] readAll(SendBuffer sb, int offset, int len) {
        byte[] b = new byte[len];
        sb.read(offset, b, 0, len);
        return b;
    }

    @Test
    void aNewBufferHoldsNoArray() {
        SendBuffer sb = new SendBuffer(256 * 1024);
        assertThat(sb.allocated()).isZero();
        assertThat(sb.length()).isZero();
        assertThat(sb.free()).isEqualTo(256 * 1024);
        assertThat(sb.capacity()).isEqualTo(256 * 1024);
        assertThat(sb.write(new byte[10], 0, 0)).isZero();
        assertThat(sb.allocated()).as("an empty write allocates nothing").isZero();
        sb.read(0, new byte[0], 0, 0);
        sb.drop(0);
        sb.trim();
        assertThat(sb.allocated()).isZero();
    }

    @Test
    void growsByDoublingFromFourKiBToExactlyTheCapacityWithDataIntact() {
        int capacity = 100_000;
        SendBuffer sb = new SendBuffer(capacity);
        List<Integer> sizes = new ArrayList<>();
        long written = 0;
        while (sb.free() > 0) {
            int n = Math.min(1000, sb.free());
            assertThat(sb.write(stream(written, n), 0, n)).isEqualTo(n);
            written += n;
            if (sizes.isEmpty() || sizes.getLast() != sb.allocated()) {
                sizes.add(sb.allocated());
            }
            assertThat(sb.allocated()).isGreaterThanOrEqualTo(sb.length()).isLessThanOrEqualTo(capacity);
            assertThat(readAll(sb, 0, sb.length())).as("after %d bytes", written).isEqualTo(stream(0, sb.length()));
        }
        assertThat(sizes).containsExactly(4096, 8192, 16384, 32768, 65536, 100_000);
        assertThat(sb.length()).isEqualTo(capacity);
        assertThat(sb.write(new byte[1], 0, 1)).as("full").isZero();
    }

    @Test
    void growsFromAWrappedRingKeepingTheOrder() {
        SendBuffer sb = new SendBuffer(1 << 20);
        sb.write(stream(0, 4000), 0, 4000);
        sb.drop(3000);
        sb.write(stream(4000, 3000), 0, 3000); // 1000 + 3000 bytes, wrapped in the 4 KiB ring
        assertThat(sb.allocated()).isEqualTo(4096);
        sb.write(stream(7000, 5000), 0, 5000);
        assertThat(sb.allocated()).isEqualTo(16384);
        assertThat(readAll(sb, 0, 9000)).isEqualTo(stream(3000, 9000));
    }

    @Test
    void aLargeFirstWriteGrowsStraightToTheDoublingThatFits() {
        SendBuffer sb = new SendBuffer(1 << 20);
        assertThat(sb.write(stream(0, 20_000), 0, 20_000)).isEqualTo(20_000);
        assertThat(sb.allocated()).isEqualTo(32768);
        assertThat(readAll(sb, 0, 20_000)).isEqualTo(stream(0, 20_000));
    }

    @Test
    void aCapacityUnderFourKiBAllocatesOnlyTheCapacity() {
        SendBuffer sb = new SendBuffer(100);
        assertThat(sb.write(stream(0, 1), 0, 1)).isEqualTo(1);
        assertThat(sb.allocated()).isEqualTo(100);
        assertThat(new SendBuffer(1).write(new byte[5], 0, 5)).isEqualTo(1);
    }

    @Test
    void aWriteIsPartialWhenNearlyFull() {
        SendBuffer sb = new SendBuffer(10_000);
        assertThat(sb.write(stream(0, 9_990), 0, 9_990)).isEqualTo(9_990);
        byte[] src = stream(9_990, 100);
        assertThat(sb.write(src, 0, 100)).isEqualTo(10);
        assertThat(sb.free()).isZero();
        assertThat(sb.write(src, 10, 90)).isZero();
        sb.drop(25);
        assertThat(sb.write(src, 10, 90)).as("after a drop, into the wrap").isEqualTo(25);
        assertThat(sb.length()).isEqualTo(10_000);
        assertThat(readAll(sb, 0, 10_000)).isEqualTo(stream(25, 10_000));
        assertThat(sb.allocated()).isEqualTo(10_000);
    }

    @Test
    void theCapacityOfALiveBufferCanShrinkBelowWhatItHoldsAndGrow() {
        SendBuffer sb = new SendBuffer(10_000);
        assertThat(sb.write(stream(0, 6_000), 0, 6_000)).isEqualTo(6_000);
        sb.setCapacity(4_000);
        assertThat(sb.length()).as("what is held stays").isEqualTo(6_000);
        assertThat(sb.free()).isZero();
        assertThat(sb.write(stream(6_000, 100), 0, 100)).isZero();
        sb.drop(2_500);
        assertThat(sb.write(stream(6_000, 1_000), 0, 1_000)).as("below the new capacity again").isEqualTo(500);
        sb.setCapacity(20_000);
        assertThat(sb.write(stream(6_500, 16_000), 0, 16_000)).isEqualTo(16_000);
        assertThat(sb.length()).isEqualTo(20_000);
        assertThat(readAll(sb, 0, 20_000)).isEqualTo(stream(2_500, 20_000));
        assertThatThrownBy(() -> sb.setCapacity(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsAtOffsetsAcrossTheWrapWithoutRemoving() {
        SendBuffer sb = new SendBuffer(4096);
        sb.write(stream(0, 3000), 0, 3000);
        sb.drop(3000);
        sb.write(stream(3000, 4096), 0, 4096); // head at 3000, ends at 3000 after a full turn
        assertThat(sb.free()).isZero();
        for (int offset = 0; offset < 4096; offset += 97) {
            for (int want0 : new int[] {0, 1, 95, 1096 - Math.min(offset, 1096), 4096 - offset}) {
                int len = Math.min(want0, 4096 - offset);
                byte[] dst = new byte[len + 3];
                sb.read(offset, dst, 3, len);
                byte[] want = new byte[len + 3];
                System.arraycopy(stream(3000 + offset, len), 0, want, 3, len);
                assertThat(dst).as("offset %d len %d", offset, len).isEqualTo(want);
            }
        }
        assertThat(sb.length()).as("reading removes nothing").isEqualTo(4096);
    }

    @Test
    void readOutsideTheHeldBytesOrTheDestinationThrows() {
        SendBuffer sb = new SendBuffer(1000);
        sb.write(stream(0, 100), 0, 100);
        assertThatThrownBy(() -> sb.read(50, new byte[100], 0, 51)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sb.read(-1, new byte[100], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sb.read(0, new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sb.write(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> sb.write(new byte[10], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        sb.read(100, new byte[0], 0, 0);
    }

    @Test
    void dropReleasesTheAcknowledgedPrefix() {
        SendBuffer sb = new SendBuffer(1000);
        sb.write(stream(0, 600), 0, 600);
        sb.drop(250);
        assertThat(sb.length()).isEqualTo(350);
        assertThat(sb.free()).isEqualTo(650);
        assertThat(readAll(sb, 0, 350)).isEqualTo(stream(250, 350));
        assertThat(readAll(sb, 100, 1)).containsExactly(at(350));
        assertThatThrownBy(() -> sb.drop(351)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sb.drop(-1)).isInstanceOf(IllegalArgumentException.class);
        sb.drop(350);
        assertThat(sb.length()).isZero();
        assertThat(sb.free()).isEqualTo(1000);
    }

    @Test
    void trimGivesTheArrayBackOnlyWhenEmpty() {
        SendBuffer sb = new SendBuffer(64 * 1024);
        sb.write(stream(0, 10_000), 0, 10_000);
        assertThat(sb.allocated()).isEqualTo(16384);
        sb.drop(9_999);
        sb.trim();
        assertThat(sb.allocated()).as("one byte still held").isEqualTo(16384);
        assertThat(readAll(sb, 0, 1)).containsExactly(at(9_999));
        sb.drop(1);
        sb.trim();
        assertThat(sb.allocated()).isZero();
        assertThat(sb.write(stream(10_000, 5000), 0, 5000)).isEqualTo(5000);
        assertThat(sb.allocated()).isEqualTo(8192);
        assertThat(readAll(sb, 0, 5000)).isEqualTo(stream(10_000, 5000));
    }

    @Test
    void clearEmptiesButKeepsTheArray() {
        SendBuffer sb = new SendBuffer(64 * 1024);
        sb.write(stream(0, 5000), 0, 5000);
        sb.clear();
        assertThat(sb.length()).isZero();
        assertThat(sb.free()).isEqualTo(64 * 1024);
        assertThat(sb.allocated()).isEqualTo(8192);
        sb.write(stream(7, 10), 0, 10);
        assertThat(readAll(sb, 0, 10)).isEqualTo(stream(7, 10));
        sb.clear();
        sb.trim();
        assertThat(sb.allocated()).isZero();
    }

    @Test
    void capacityMustBeOneByteToOneGiB() {
        assertThatThrownBy(() -> new SendBuffer(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendBuffer(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SendBuffer((1 << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
        SendBuffer largest = new SendBuffer(1 << 30);
        assertThat(largest.free()).isEqualTo(1 << 30);
        assertThat(largest.allocated()).isZero();
        assertThat(SendBuffer.nextSize(1 << 29, (1 << 29) + 1, 1 << 30)).isEqualTo(1 << 30);
        assertThat(SendBuffer.nextSize(0, 1, (1 << 30) - 1)).isEqualTo(4096);
        assertThat(SendBuffer.nextSize(1 << 29, (1 << 29) + 1, (1 << 30) - 1)).isEqualTo((1 << 30) - 1);
    }

    /** A sender's life: write what fits, send from SND.NXT, retransmit from 0, drop what is acked; the ring wraps many times. */
    @Test
    void wrapsAroundManyTimesUnderRandomTraffic() {
        for (int seed = 0; seed < 500; seed++) {
            Random rnd = new Random(seed);
            int capacity = switch (seed % 5) {
                case 0 -> 1 + rnd.nextInt(50);
                case 1 -> 4096;
                case 2 -> 1 + rnd.nextInt(10_000);
                case 3 -> 65536;
                default -> 4096 + rnd.nextInt(100_000);
            };
            int maxChunk = 1 + rnd.nextInt(Math.min(capacity, 3000));
            SendBuffer sb = new SendBuffer(capacity);
            long una = 0; // stream position of offset 0
            long written = 0;
            int nxt = 0; // SND.NXT - SND.UNA
            long turns = 0;
            int steps = capacity < 100 ? 3000 : 400; // small rings: many more turns
            for (int step = 0; step < steps; step++) {
                int thisSeed = seed;
                int thisStep = step;
                Supplier<String> where = () -> "seed " + thisSeed + " step " + thisStep + " " + sb;
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        int len = rnd.nextInt(maxChunk + 1);
                        int off = rnd.nextInt(4);
                        byte[] src = new byte[off + len];
                        System.arraycopy(stream(written, len), 0, src, off, len);
                        int took = sb.write(src, off, len);
                        assertThat(took).as(where).isEqualTo(Math.min(len, capacity - (int) (written - una)));
                        written += took;
                    }
                    case 1 -> { // segmentation: from SND.NXT
                        int len = Math.min(rnd.nextInt(maxChunk + 1), sb.length() - nxt);
                        assertThat(readAll(sb, nxt, len)).as(where).isEqualTo(stream(una + nxt, len));
                        nxt += len;
                    }
                    case 2 -> { // retransmission: anywhere before SND.NXT
                        int offset = nxt == 0 ? 0 : rnd.nextInt(nxt);
                        int len = rnd.nextInt(nxt - offset + 1);
                        assertThat(readAll(sb, offset, len)).as(where).isEqualTo(stream(una + offset, len));
                    }
                    default -> { // an ACK
                        int n = rnd.nextInt(nxt + 1);
                        sb.drop(n);
                        una += n;
                        nxt -= n;
                    }
                }
                assertThat(sb.length()).as(where).isEqualTo((int) (written - una));
                assertThat(sb.free()).as(where).isEqualTo(capacity - sb.length());
                assertThat(sb.allocated()).as(where).isBetween(sb.length(), capacity);
                turns = sb.allocated() == 0 ? 0 : written / sb.allocated();
            }
            assertThat(readAll(sb, 0, sb.length())).as("seed %d", seed).isEqualTo(stream(una, sb.length()));
            if (capacity < 100) {
                assertThat(turns).as("seed %d: the ring wrapped many times", seed).isGreaterThan(5);
            }
        }
    }

    @Test
    void theSteadyStateAllocatesNothing() {
        java.lang.management.ThreadMXBean plain = ManagementFactory.getThreadMXBean();
        assumeTrue(plain instanceof com.sun.management.ThreadMXBean,
                "com.sun.management.ThreadMXBean is not available: allocation not measured");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) plain;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation measurement is not supported");
        threads.setThreadAllocatedMemoryEnabled(true);
        assumeTrue(threads.isThreadAllocatedMemoryEnabled(), "thread allocation measurement cannot be enabled");

        SendBuffer sb = new SendBuffer(64 * 1024);
        byte[] src = stream(0, 1460);
        byte[] dst = new byte[1460];
        steadyLoop(sb, src, dst, 20_000); // grow to the working size, let the JIT settle
        // The JIT may still settle (an OSR transition, a deoptimisation) during one measured
        // interval; allocation on the steady path would show in every interval, so the quietest counts.
        long quietest = Long.MAX_VALUE;
        for (int interval = 0; interval < 5 && quietest > 0; interval++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            long overhead = threads.getCurrentThreadAllocatedBytes() - before;
            before = threads.getCurrentThreadAllocatedBytes();
            steadyLoop(sb, src, dst, 20_000);
            quietest = Math.min(quietest, threads.getCurrentThreadAllocatedBytes() - before - overhead);
        }
        assertThat(quietest)
                .as("bytes allocated by 20,000 write/read/drop rounds (quietest of up to 5 intervals)").isLessThan(256);
    }

    private static void steadyLoop(SendBuffer sb, byte[] src, byte[] dst, int rounds) {
        for (int i = 0; i < rounds; i++) {
            int n = 1 + (i * 7919) % src.length;
            sb.write(src, 0, n);
            if (sb.length() > 40_000) {
                sb.read(i % 1000, dst, 0, Math.min(dst.length, sb.length() - i % 1000));
                sb.drop(sb.length() - 1000);
            }
        }
    }
}
