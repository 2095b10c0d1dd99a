package dev.tsunagu.link.bottleneck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.link.fault.FaultInjectingDriverTest.FakeContext;
import dev.tsunagu.link.fault.FaultInjectingDriverTest.FakeDriver;
import dev.tsunagu.link.fault.FaultInjectingDriverTest.Seen;
import dev.tsunagu.link.fault.FaultInjectingDriverTest;
import dev.tsunagu.net.Ecn;
import dev.tsunagu.net.InternetChecksum;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bottleneck link on a virtual clock: rate, delay, buffer, drop-tail, CoDel, random loss. */
class BottleneckDriverTest {
    private static final long MS = 1_000_000L;
    /** 10 Mbit/s: a 1,250-byte frame takes exactly 1 ms to leave. */
    private static final long TEN_MBIT = 10_000_000L;
    private static final int FRAME = 1250;

    /** A bottleneck over a fake wire, opened on a fake stack. */
    static final class Rig {
        final FakeContext stack = new FakeContext();
        final FakeDriver wire = new FakeDriver();
        final BottleneckDriver driver;
        final List<Long> latencies = new ArrayList<>();

        Rig(BottleneckPlan plan, long seed) {
            driver = new BottleneckDriver(wire, plan, seed);
            driver.onDelivered(latencies::add);
            try {
                driver.open(stack);
            } catch (DriverException e) {
                throw new AssertionError(e);
            }
        }

        void send(int id) {
            byte[] b = FaultInjectingDriverTest.bytes(id, FRAME);
            assertThat(driver.transmit(stack.pool.copyOf(b, 0, b.length))).isTrue();
        }

        void burst(int first, int n) {
            for (int i = 0; i < n; i++) {
                send(first + i);
            }
        }

        List<Long> times() {
            return wire.transmitted.stream().map(Seen::time).toList();
        }

        List<Integer> ids() {
            return wire.transmitted.stream().map(s -> ByteBuffer.wrap(s.data()).getInt()).toList();
        }
    }

    @Test
    void framesLeaveOneAfterAnotherAtTheRateAndArriveADelayLater() {
        Rig rig = new Rig(BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(20), 100 * FRAME), 1);
        rig.burst(0, 5);
        rig.stack.loop.advance(Duration.ofMillis(100));
        assertThat(rig.times()).containsExactly(21 * MS, 22 * MS, 23 * MS, 24 * MS, 25 * MS);
        assertThat(rig.ids()).containsExactly(0, 1, 2, 3, 4);
        assertThat(rig.latencies).containsExactly(21 * MS, 22 * MS, 23 * MS, 24 * MS, 25 * MS);
        assertThat(rig.driver.statistics().maxQueuedBytes()).as("the first went straight onto the link").isEqualTo(4L * FRAME);
    }

    @Test
    void timesAreExactWhateverTheTimerTick() {
        // 1,000 bytes at 10 Mbit/s: 0.8 ms each; the loop's timers fire on 1 ms ticks.
        Rig rig = new Rig(BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(20), 100 * FRAME), 1);
        for (int i = 0; i < 5; i++) {
            byte[] b = FaultInjectingDriverTest.bytes(i, 1000);
            rig.driver.transmit(rig.stack.pool.copyOf(b, 0, b.length));
        }
        rig.stack.loop.advance(Duration.ofMillis(100));
        assertThat(rig.latencies).containsExactly(20_800_000L, 21_600_000L, 22_400_000L, 23_200_000L, 24_000_000L);
        assertThat(rig.times()).allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(20_800_000L));
    }

    @Test
    void aFullBufferDropsAtTheTail() {
        Rig rig = new Rig(BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(5), 3 * FRAME), 1);
        rig.burst(0, 10);
        rig.stack.loop.advance(Duration.ofMillis(50));
        assertThat(rig.ids()).as("one on the link, three queued").containsExactly(0, 1, 2, 3);
        assertThat(rig.driver.statistics().tailDrops()).isEqualTo(6);
        assertThat(rig.driver.statistics().delivered()).isEqualTo(4);
        // Once the queue drains there is room again.
        rig.burst(10, 2);
        rig.stack.loop.advance(Duration.ofMillis(50));
        assertThat(rig.ids()).endsWith(10, 11);
    }

    @Test
    void randomLossIsSeeded() {
        BottleneckPlan plan = BottleneckPlan.dropTail(TEN_MBIT, Duration.ZERO, 1000 * FRAME).withLoss(0.3);
        Rig a = new Rig(plan, 42);
        Rig b = new Rig(plan, 42);
        a.burst(0, 1000);
        b.burst(0, 1000);
        a.stack.loop.advance(Duration.ofSeconds(2));
        b.stack.loop.advance(Duration.ofSeconds(2));
        assertThat(a.driver.statistics().randomDrops()).isBetween(240L, 360L);
        assertThat(a.ids()).isEqualTo(b.ids());
        assertThat(a.driver.statistics().delivered() + a.driver.statistics().randomDrops()).isEqualTo(1000);
    }

    @Test
    void coDelShedsAStandingQueueThatDropTailKeeps() {
        // 10% more than the link carries, for 3 s, into a buffer of a second: drop-tail lets the
        // queue grow toward 300 ms; CoDel holds the sojourn time down by dropping at the head.
        BottleneckPlan plan = BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(10), 1000 * FRAME);
        Rig tail = new Rig(plan, 1);
        Rig codel = new Rig(plan.withAqm(BottleneckPlan.Aqm.CODEL), 1);
        for (Rig rig : List.of(tail, codel)) {
            for (int i = 0; i < 3300; i++) {
                rig.send(i);
                rig.stack.loop.advanceNanos(909_091); // 1,100 frames a second
            }
            rig.stack.loop.advance(Duration.ofSeconds(2));
        }
        assertThat(tail.driver.statistics().aqmDrops() + tail.driver.statistics().tailDrops()).isZero();
        assertThat(tail.latencies.getLast()).as("drop-tail: a standing queue").isGreaterThan(250 * MS);
        assertThat(codel.driver.statistics().aqmDrops()).isPositive();
        // Traffic that does not respond to drops: the control law must raise the drop rate to 1 in
        // 11 (count about 120, 2 s of ramp), so the queue settles above the target, still far
        // below drop-tail's. (With TCP the senders slow down and the queue stays near 5 ms.)
        assertThat(codel.latencies.getLast()).as("CoDel: far below drop-tail")
                .isLessThan(100 * MS).isLessThan(tail.latencies.getLast() / 3);
    }

    @Test
    void closingReleasesWhatIsHeld() {
        Rig rig = new Rig(BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(50), 100 * FRAME), 1);
        rig.burst(0, 20);
        rig.stack.loop.advance(Duration.ofMillis(10));
        rig.driver.close();
        rig.stack.loop.advance(Duration.ofSeconds(1));
        assertThat(rig.wire.transmitted).isEmpty();
        assertThat(rig.wire.closes).isEqualTo(1);
        assertThat(rig.driver.queuedBytes()).isZero();
    }

    @Test
    void aBadPlanIsRefused() {
        assertThatThrownBy(() -> BottleneckPlan.dropTail(0, Duration.ZERO, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BottleneckPlan.dropTail(1, Duration.ofMillis(-1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BottleneckPlan.dropTail(1, Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BottleneckPlan.dropTail(1, Duration.ZERO, 1).withLoss(1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(BottleneckPlan.dropTail(10_000_000, Duration.ofMillis(50), 1).bdpBytes()).isEqualTo(125_000);
    }

    // ---- ECN (RFC 3168 5): CoDel marks instead of dropping ----

    /** An Ethernet frame of {@link #FRAME} bytes holding an IPv4 packet whose TOS is DSCP 10 and {@code ecn}. */
    private static byte[] ipv4Frame(int ecn) {
        ByteBuffer f = ByteBuffer.allocate(FRAME);
        f.position(12);
        f.putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) (10 << 2 | ecn)).putShort((short) (FRAME - 14));
        f.putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        f.putInt(0x0A000001).putInt(0x0A000002);
        byte[] b = f.array();
        int c = InternetChecksum.compute(b, 14, 20);
        b[24] = (byte) (c >>> 8);
        b[25] = (byte) c;
        return b;
    }

    @Test
    void markingSetsCeAndKeepsTheIpv4ChecksumRight() {
        for (int ecn : new int[] {Ecn.ECT_0, Ecn.ECT_1, Ecn.CE}) {
            PacketBuffer frame = PacketBuffer.copyOf(ipv4Frame(ecn), 0);
            assertThat(BottleneckDriver.markCongestion(frame)).isTrue();
            assertThat(frame.getU8(15)).as("DSCP kept, CE").isEqualTo(10 << 2 | Ecn.CE);
            assertThat(InternetChecksum.compute(frame.array(), frame.start() + 14, 20)).as("a valid header sums to 0").isZero();
        }
        PacketBuffer notEct = PacketBuffer.copyOf(ipv4Frame(Ecn.NOT_ECT), 0);
        assertThat(BottleneckDriver.markCongestion(notEct)).as("not ECN-capable: the signal must be a drop").isFalse();
        assertThat(notEct.toByteArray()).isEqualTo(ipv4Frame(Ecn.NOT_ECT));
        PacketBuffer notIp = PacketBuffer.copyOf(FaultInjectingDriverTest.bytes(1, FRAME), 0);
        assertThat(BottleneckDriver.markCongestion(notIp)).isFalse();

        byte[] v6 = new byte[14 + 40 + 8];
        v6[12] = (byte) 0x86;
        v6[13] = (byte) 0xDD;
        v6[14] = (byte) 0x60 | (10 << 2) >>> 4; // version 6, traffic class DSCP 10 | ECT(0), flow label 0x12345
        v6[15] = (byte) (((10 << 2 | Ecn.ECT_0) & 0xF) << 4 | 0x1);
        v6[16] = 0x23;
        v6[17] = 0x45;
        PacketBuffer ipv6 = PacketBuffer.copyOf(v6, 0);
        assertThat(BottleneckDriver.markCongestion(ipv6)).isTrue();
        int word = ipv6.getI32(14);
        assertThat(word >>> 28).isEqualTo(6);
        assertThat((word >>> 20) & 0xFF).isEqualTo(10 << 2 | Ecn.CE);
        assertThat(word & 0xF_FFFF).as("the flow label untouched").isEqualTo(0x12345);
    }

    @Test
    void withEcnCoDelMarksEctPacketsAndStillDropsTheOthers() {
        BottleneckPlan plan = BottleneckPlan.dropTail(TEN_MBIT, Duration.ofMillis(10), 1000 * FRAME)
                .withAqm(BottleneckPlan.Aqm.CODEL).withEcn(true);
        Rig rig = new Rig(plan, 1);
        for (int i = 0; i < 3300; i++) {
            byte[] b = ipv4Frame(i % 2 == 0 ? Ecn.ECT_0 : Ecn.NOT_ECT);
            rig.driver.transmit(rig.stack.pool.copyOf(b, 0, b.length));
            rig.stack.loop.advanceNanos(909_091); // 10% more than the link carries
        }
        rig.stack.loop.advance(Duration.ofSeconds(2));
        BottleneckStatistics st = rig.driver.statistics();
        assertThat(st.ecnMarks()).as("CoDel's signals to ECT packets").isPositive();
        assertThat(st.aqmDrops()).as("its signals to the others").isPositive();
        assertThat(st.tailDrops()).as("CoDel keeps the queue far from the buffer's end").isZero();
        assertThat(st.delivered() + st.aqmDrops()).isEqualTo(3300);
        List<byte[]> out = rig.wire.transmitted.stream().map(Seen::data).toList();
        assertThat(out.stream().filter(f -> (f[15] & 3) == Ecn.CE).count()).isEqualTo(st.ecnMarks());
        assertThat(out.stream().filter(f -> (f[15] & 3) == Ecn.ECT_0).count() + st.ecnMarks())
                .as("every ECT packet arrives, marked or not").isEqualTo(1650);
        assertThat(out.stream().filter(f -> (f[15] & 3) == Ecn.NOT_ECT).count()).as("the Not-ECT ones less CoDel's drops")
                .isEqualTo(1650 - st.aqmDrops());
        assertThat(out).allSatisfy(f -> assertThat(InternetChecksum.compute(f, 14, 20)).isZero());
    }
}
