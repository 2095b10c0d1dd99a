package dev.tsunagu.link.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.fault.FaultPlan.Direction;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

public class FaultInjectingDriverTest {
    private static final long MS = 1_000_000L;

    // ------------------------------------------------------------------ fakes

    /** A frame seen at the far end of a path: when, and what. */
    public record Seen(long time, byte[] data) {
        int id() {
            return ByteBuffer.wrap(data).getInt();
        }

        @Override
        public String toString() {
            return time + ":" + HexFormat.of().formatHex(data);
        }
    }

    /** The wrapped driver: records what it is asked to send and lets the test receive frames. */
    public static final class FakeDriver implements LinkDriver {
        public final List<Seen> transmitted = new ArrayList<>();
        DriverContext context;
        public int closes;

        @Override
        public String name() {
            return "fake:0";
        }

        @Override
        public DriverCapabilities capabilities() {
            return DriverCapabilities.ethernet(1500);
        }

        @Override
        public void open(DriverContext context) {
            this.context = context;
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            transmitted.add(new Seen(context.clock().nanoTime(), frame.toByteArray()));
            frame.release(); // takes ownership, as a real driver does; a second release would throw
            return true;
        }

        /** What a driver's reader thread does with a frame off the medium. */
        boolean inject(byte[] data) {
            return context.receive(context.buffers().copyOf(data, 0, data.length));
        }

        @Override
        public void close() {
            closes++;
        }
    }

    /** The stack: a virtual loop, a pool, and a record of received frames. */
    public static final class FakeContext implements DriverContext {
        public final VirtualEventLoop loop = new VirtualEventLoop();
        public final BufferPool pool = new BufferPool();
        final List<Seen> received = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        @Override
        public String interfaceName() {
            return "eth0";
        }

        @Override
        public BufferPool buffers() {
            return pool;
        }

        @Override
        public Clock clock() {
            return loop.clock();
        }

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public synchronized boolean receive(PacketBuffer frame) {
            received.add(new Seen(loop.now(), frame.toByteArray()));
            frame.release();
            return true;
        }

        @Override
        public void linkStateChanged(boolean up) {}

        @Override
        public void reportError(String message, Throwable cause) {
            errors.add(message + ": " + cause);
        }
    }

    /** A fault driver over a fake, opened on a fake stack. */
    static final class Rig {
        final FakeContext stack = new FakeContext();
        final FakeDriver wire = new FakeDriver();
        final FaultInjectingDriver driver;

        Rig(FaultPlan plan, long seed) {
            driver = new FaultInjectingDriver(wire, plan, seed);
            try {
                driver.open(stack);
            } catch (DriverException e) {
                throw new AssertionError(e);
            }
        }

        /** A pooled frame of {@code length} bytes starting with {@code id}, the rest a pattern. */
        PacketBuffer frame(int id, int length) {
            byte[] b = bytes(id, length);
            return stack.pool.copyOf(b, 0, b.length);
        }

        boolean send(int id, int length) {
            return driver.transmit(frame(id, length));
        }

        VirtualEventLoop loop() {
            return stack.loop;
        }
    }

    public static byte[] bytes(int id, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + id);
        }
        ByteBuffer.wrap(b).putInt(id);
        return b;
    }

    private static List<Integer> ids(List<Seen> seen) {
        return seen.stream().map(Seen::id).toList();
    }

    // ------------------------------------------------------------------ pass-through

    @Test
    void nameAndCapabilitiesComeFromTheInnerDriver() {
        Rig rig = new Rig(FaultPlan.none(), 1);
        assertThat(rig.driver.name()).isEqualTo("fault(fake:0)");
        assertThat(rig.driver.capabilities()).isEqualTo(rig.wire.capabilities());
    }

    @Test
    void probabilityZeroChangesNothingInEitherDirection() {
        // Every fault configured, every probability 0: the frames must pass untouched, in
        // order, at once, on the calling thread.
        FaultPlan plan = FaultPlan.builder()
                .drop(0).duplicate(0).corrupt(0).reorder(0, Duration.ofMillis(5))
                .delay(0, Duration.ofMillis(20), Duration.ofMillis(5)).build();
        Rig rig = new Rig(plan, 42);
        List<PacketBuffer> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            PacketBuffer f = rig.frame(i, 60 + i);
            sent.add(f);
            assertThat(rig.driver.transmit(f)).isTrue();
            assertThat(rig.wire.inject(bytes(1000 + i, 60 + i))).isTrue();
        }
        // No loop turn has run: nothing was deferred.
        assertThat(rig.wire.transmitted).hasSize(100);
        assertThat(rig.stack.received).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(rig.wire.transmitted.get(i).data()).isEqualTo(bytes(i, 60 + i));
            assertThat(rig.stack.received.get(i).data()).isEqualTo(bytes(1000 + i, 60 + i));
        }
        assertThat(sent).allMatch(PacketBuffer::isReleased);
        FaultInjectingDriver.FaultStatistics s = rig.driver.statistics();
        assertThat(s.dropped() + s.duplicated() + s.corrupted() + s.reordered() + s.delayed()).isZero();
        assertThat(rig.loop().pendingTimers()).isZero();
    }

    // ------------------------------------------------------------------ each fault at probability 1

    @Test
    void dropAllLosesEveryFrameButTransmitStillSucceeds() {
        Rig rig = new Rig(FaultPlan.builder().drop(1).build(), 7);
        List<PacketBuffer> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            PacketBuffer f = rig.frame(i, 64);
            sent.add(f);
            assertThat(rig.driver.transmit(f)).as("a lossy wire is not a driver error").isTrue();
            rig.wire.inject(bytes(i, 64));
        }
        rig.loop().advance(Duration.ofSeconds(1));
        assertThat(rig.wire.transmitted).isEmpty();
        assertThat(rig.stack.received).isEmpty();
        assertThat(sent).allMatch(PacketBuffer::isReleased);
        assertThat(rig.driver.statistics().dropped()).isEqualTo(100);
    }

    @Test
    void duplicateAllSendsEachFrameTwiceAsAPooledCopy() {
        Rig rig = new Rig(FaultPlan.builder().duplicate(1).build(), 7);
        for (int i = 0; i < 20; i++) {
            rig.send(i, 100);
            rig.wire.inject(bytes(500 + i, 80));
        }
        assertThat(ids(rig.wire.transmitted)).containsExactlyElementsOf(
                IntStream.range(0, 20).boxed().flatMap(i -> java.util.stream.Stream.of(i, i)).toList());
        assertThat(ids(rig.stack.received)).containsExactlyElementsOf(
                IntStream.range(500, 520).boxed().flatMap(i -> java.util.stream.Stream.of(i, i)).toList());
        for (int i = 0; i < 40; i++) {
            assertThat(rig.wire.transmitted.get(i).data()).isEqualTo(bytes(i / 2, 100));
        }
        assertThat(rig.driver.statistics().duplicated()).isEqualTo(40);
        // The fake released every frame and copy exactly once (a double release would have thrown).
    }

    @Test
    void corruptAllFlipsExactlyOneBitPerFrame() {
        Rig rig = new Rig(FaultPlan.builder().corrupt(1).build(), 11);
        int n = 500;
        for (int i = 0; i < n; i++) {
            rig.send(i, 64 + i % 50);
            rig.wire.inject(bytes(i, 64 + i % 50));
        }
        assertThat(rig.wire.transmitted).hasSize(n);
        assertThat(rig.stack.received).hasSize(n);
        for (List<Seen> path : List.of(rig.wire.transmitted, rig.stack.received)) {
            for (int i = 0; i < n; i++) {
                byte[] original = bytes(i, 64 + i % 50);
                byte[] got = path.get(i).data();
                assertThat(got).hasSize(original.length);
                int flipped = 0;
                for (int k = 0; k < got.length; k++) {
                    flipped += Integer.bitCount((got[k] ^ original[k]) & 0xFF);
                }
                assertThat(flipped).as("bits flipped in frame %d", i).isEqualTo(1);
            }
        }
        assertThat(rig.driver.statistics().corrupted()).isEqualTo(2L * n);
    }

    @Test
    void reorderAllSwapsEachPairOfFrames() {
        Rig rig = new Rig(FaultPlan.builder().reorder(1).build(), 3);
        for (int i = 1; i <= 6; i++) {
            assertThat(rig.send(i, 60)).isTrue();
            rig.wire.inject(bytes(100 + i, 60));
        }
        assertThat(ids(rig.wire.transmitted)).containsExactly(2, 1, 4, 3, 6, 5);
        assertThat(ids(rig.stack.received)).containsExactly(102, 101, 104, 103, 106, 105);
        assertThat(rig.wire.transmitted).allMatch(s -> s.time() == 0);
        assertThat(rig.driver.statistics().reordered()).isEqualTo(6);
        assertThat(rig.loop().pendingTimers()).isZero();
    }

    @Test
    void aHeldFrameWithoutSuccessorLeavesAfterTheReorderWindow() {
        Rig rig = new Rig(FaultPlan.builder().reorder(1, Duration.ofMillis(7)).build(), 3);
        rig.send(1, 60);
        rig.loop().advance(Duration.ofMillis(6));
        assertThat(rig.wire.transmitted).isEmpty();
        rig.loop().advance(Duration.ofMillis(1));
        assertThat(rig.wire.transmitted).hasSize(1);
        assertThat(rig.wire.transmitted.get(0).time()).isEqualTo(7 * MS);
        assertThat(rig.wire.transmitted.get(0).data()).isEqualTo(bytes(1, 60));
        assertThat(rig.driver.statistics().reordered()).isZero();
    }

    @Test
    void delayAllArrivesExactlyAtTheDelay() {
        Rig rig = new Rig(FaultPlan.builder().delay(1, Duration.ofMillis(20)).build(), 5);
        rig.send(1, 60);
        rig.wire.inject(bytes(2, 60));
        rig.loop().advance(Duration.ofMillis(3));
        rig.send(3, 60);
        rig.loop().advanceTo(20 * MS - 1);
        assertThat(rig.wire.transmitted).isEmpty();
        assertThat(rig.stack.received).isEmpty();
        rig.loop().advanceTo(20 * MS);
        assertThat(rig.wire.transmitted).extracting(Seen::time).containsExactly(20 * MS);
        assertThat(rig.stack.received).extracting(Seen::time).containsExactly(20 * MS);
        rig.loop().advance(Duration.ofMillis(10));
        assertThat(rig.wire.transmitted).extracting(Seen::time).containsExactly(20 * MS, 23 * MS);
        assertThat(ids(rig.wire.transmitted)).containsExactly(1, 3);
        assertThat(rig.driver.statistics().delayed()).isEqualTo(3);
    }

    @Test
    void jitterStaysWithinItsBound() {
        Rig rig = new Rig(FaultPlan.builder().delay(1, Duration.ofMillis(20), Duration.ofMillis(5)).build(), 9);
        for (int i = 0; i < 200; i++) {
            rig.send(i, 60);
        }
        rig.loop().advance(Duration.ofSeconds(1));
        assertThat(rig.wire.transmitted).hasSize(200);
        // Timers fire on the loop's 1 ms ticks, never before the deadline.
        assertThat(rig.wire.transmitted).allSatisfy(s -> assertThat(s.time()).isBetween(20 * MS, 25 * MS));
        assertThat(rig.wire.transmitted.stream().map(Seen::time).distinct().count())
                .as("jitter spreads arrivals").isGreaterThan(3);
    }

    @Test
    void rateLimitSpacesFramesBySerializationTime() {
        long rate = 1_000_000; // 1 Mbit/s: 1000 bytes take 8 ms, 250 bytes 2 ms
        Rig rig = new Rig(FaultPlan.builder().rate(rate).build(), 1);
        int[] sizes = {1000, 250, 1000, 500, 125, 1000};
        for (int i = 0; i < sizes.length; i++) {
            rig.send(i, sizes[i]);
        }
        rig.loop().advance(Duration.ofSeconds(1));
        List<Long> expected = new ArrayList<>();
        long t = 0;
        for (int size : sizes) {
            expected.add(t);
            t += size * 8L * 1_000_000_000L / rate;
        }
        assertThat(rig.wire.transmitted).extracting(Seen::time).containsExactlyElementsOf(expected);
        assertThat(ids(rig.wire.transmitted)).containsExactly(0, 1, 2, 3, 4, 5);

        // After an idle spell the bucket is full again (one frame deep): the next frame goes at
        // once, the one after it a serialization time later.
        long idleUntil = rig.loop().now();
        rig.send(10, 1000);
        rig.send(11, 1000);
        rig.loop().advance(Duration.ofSeconds(1));
        assertThat(rig.wire.transmitted.subList(6, 8)).extracting(Seen::time)
                .containsExactly(idleUntil, idleUntil + 8 * MS);
    }

    @Test
    void rateLimitKeepsTheLongRunRateWhenTimersFireOnCoarseTicks() {
        // 1500-byte frames at 10 Mbit/s take 1.2 ms, finer than the loop's 1 ms ticks: frames
        // leave in small bursts but the schedule never slips.
        long rate = 10_000_000;
        Rig rig = new Rig(FaultPlan.builder().rate(rate).rateQueueFrames(1000).build(), 1);
        for (int i = 0; i < 500; i++) {
            rig.send(i, 1500);
        }
        rig.loop().advance(Duration.ofSeconds(2));
        assertThat(rig.wire.transmitted).hasSize(500);
        long last = rig.wire.transmitted.get(499).time();
        long ideal = 499 * 1500 * 8L * 1_000_000_000L / rate;
        assertThat(last).isBetween(ideal, ideal + MS);
        for (int i = 0; i < 500; i++) {
            long earliest = i * 1500 * 8L * 1_000_000_000L / rate;
            assertThat(rig.wire.transmitted.get(i).time()).as("frame %d", i).isBetween(earliest, earliest + MS);
        }
    }

    @Test
    void rateLimitQueueOverflowDropsAndReleases() {
        Rig rig = new Rig(FaultPlan.builder().rate(1_000_000).rateQueueFrames(4).build(), 1);
        List<PacketBuffer> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            PacketBuffer f = rig.frame(i, 1000);
            sent.add(f);
            assertThat(rig.driver.transmit(f)).isTrue();
        }
        rig.loop().advance(Duration.ofSeconds(1));
        // The first leaves at once, four wait, five find the queue full.
        assertThat(ids(rig.wire.transmitted)).containsExactly(0, 1, 2, 3, 4);
        assertThat(rig.driver.statistics().shapedDrops()).isEqualTo(5);
        assertThat(sent).allMatch(PacketBuffer::isReleased);
    }

    @Test
    void inFlightLimitBoundsHeldFrames() {
        FaultPlan plan = FaultPlan.builder().delay(1, Duration.ofSeconds(1)).maxInFlight(8).build();
        Rig rig = new Rig(plan, 1);
        List<PacketBuffer> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            PacketBuffer f = rig.frame(i, 60);
            sent.add(f);
            rig.driver.transmit(f);
        }
        assertThat(sent.subList(8, 20)).allMatch(PacketBuffer::isReleased);
        assertThat(rig.driver.statistics().overflowDrops()).isEqualTo(12);
        rig.loop().advance(Duration.ofSeconds(2));
        assertThat(ids(rig.wire.transmitted)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(sent).allMatch(PacketBuffer::isReleased);
    }

    @Test
    void directionLimitsThePlanToOneWay() {
        Rig tx = new Rig(FaultPlan.builder().drop(1).direction(Direction.TRANSMIT).build(), 1);
        tx.send(1, 60);
        tx.wire.inject(bytes(2, 60));
        assertThat(tx.wire.transmitted).isEmpty();
        assertThat(ids(tx.stack.received)).containsExactly(2);

        Rig rx = new Rig(FaultPlan.parse("drop=1,dir=rx"), 1);
        rx.send(1, 60);
        rx.wire.inject(bytes(2, 60));
        assertThat(ids(rx.wire.transmitted)).containsExactly(1);
        assertThat(rx.stack.received).isEmpty();
    }

    @Test
    void framesReceivedOnADriverThreadAreDelayedOnTheLoop() throws Exception {
        Rig rig = new Rig(FaultPlan.builder().delay(1, Duration.ofMillis(5)).reorder(1).build(), 1);
        Thread reader = new Thread(() -> {
            for (int i = 1; i <= 4; i++) {
                rig.wire.inject(bytes(i, 60));
            }
        }, "fake-driver-reader");
        reader.start();
        reader.join();
        assertThat(rig.stack.received).isEmpty(); // posted to the loop, which has not run yet
        rig.loop().advance(Duration.ofMillis(5));
        assertThat(ids(rig.stack.received)).containsExactly(2, 1, 4, 3);
        assertThat(rig.stack.received).allMatch(s -> s.time() == 5 * MS);
    }

    // ------------------------------------------------------------------ randomness

    /** Sends 10k frames with mixed faults both ways and returns everything observed, in order. */
    private static List<String> outcomes(long seed) {
        FaultPlan plan = FaultPlan.parse("drop=0.1,dup=0.05,reorder=0.05,corrupt=0.05,delay=0.1:3ms+2ms,rate=100mbit");
        Rig rig = new Rig(plan, seed);
        for (int i = 0; i < 10_000; i++) {
            rig.send(i, 64 + i % 200);
            rig.wire.inject(bytes(i, 64 + i % 200));
            rig.loop().advanceNanos(50_000);
        }
        rig.loop().advance(Duration.ofSeconds(1));
        List<String> out = new ArrayList<>();
        rig.wire.transmitted.forEach(s -> out.add("tx " + s));
        rig.stack.received.forEach(s -> out.add("rx " + s));
        out.add(rig.driver.statistics().toString());
        return out;
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherRun() {
        long seed = System.nanoTime();
        List<String> first = outcomes(seed);
        List<String> again = outcomes(seed);
        assertThat(again).as("replay with seed %d", seed).isEqualTo(first);
        assertThat(outcomes(seed + 1)).as("seeds %d and %d", seed, seed + 1).isNotEqualTo(first);
        assertThat(first.size()).as("seed %d", seed).isGreaterThan(15_000);
    }

    @Test
    void transmitAndReceiveDrawFromDifferentStreams() {
        long seed = 12345;
        Rig rig = new Rig(FaultPlan.builder().drop(0.5).build(), seed);
        for (int i = 0; i < 200; i++) {
            rig.send(i, 60);
            rig.wire.inject(bytes(i, 60));
        }
        assertThat(ids(rig.wire.transmitted)).as("seed %d", seed).isNotEqualTo(ids(rig.stack.received));
    }

    @Test
    void observedDropRateMatchesTheProbability() {
        long seed = System.nanoTime();
        Rig rig = new Rig(FaultPlan.builder().drop(0.05).build(), seed);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            rig.send(i, 60);
        }
        double rate = rig.driver.statistics().dropped() / (double) n;
        // The standard deviation is sqrt(p(1-p)/n) ~ 0.00069: 0.005 is more than 7 of them.
        assertThat(rate).as("drop rate with seed %d", seed).isBetween(0.045, 0.055);
        assertThat(rig.wire.transmitted).hasSize(n - (int) rig.driver.statistics().dropped());
    }

    // ------------------------------------------------------------------ close

    @Test
    void closeReleasesEveryHeldFrameAndCancelsTimers() {
        FaultPlan plan = FaultPlan.builder()
                .delay(0.5, Duration.ofSeconds(1)).reorder(0.5).rate(1_000_000).build();
        Rig rig = new Rig(plan, 77);
        List<PacketBuffer> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            PacketBuffer f = rig.frame(i, 1000);
            sent.add(f);
            rig.driver.transmit(f);
        }
        assertThat(rig.driver.statistics().delayed()).isPositive();
        assertThat(sent).as("frames still held before close").anyMatch(b -> !b.isReleased());
        assertThat(rig.loop().pendingTimers()).isPositive();

        rig.driver.close();
        rig.driver.close(); // idempotent

        assertThat(sent).allMatch(PacketBuffer::isReleased);
        assertThat(rig.wire.closes).isEqualTo(1);
        assertThat(rig.loop().pendingTimers()).isZero();
        int before = rig.wire.transmitted.size();
        rig.loop().advance(Duration.ofSeconds(5));
        assertThat(rig.wire.transmitted).hasSize(before);

        PacketBuffer late = rig.frame(99, 60);
        assertThat(rig.driver.transmit(late)).isFalse();
        assertThat(late.isReleased()).isTrue();
    }

    @Test
    void closeReleasesAFrameHeldForReordering() {
        Rig rig = new Rig(FaultPlan.builder().reorder(1).build(), 1);
        PacketBuffer f = rig.frame(1, 60);
        rig.driver.transmit(f);
        assertThat(f.isReleased()).isFalse();
        rig.driver.close();
        assertThat(f.isReleased()).isTrue();
        assertThat(rig.wire.transmitted).isEmpty();
    }

    // ------------------------------------------------------------------ FaultPlan

    @Test
    void parseReadsTheDocumentedExample() {
        FaultPlan p = FaultPlan.parse("drop=0.05,dup=0.01,reorder=0.02,corrupt=0.001,delay=0.1:20ms+5ms,rate=10mbit,dir=tx");
        assertThat(p.drop()).isEqualTo(0.05);
        assertThat(p.duplicate()).isEqualTo(0.01);
        assertThat(p.reorder()).isEqualTo(0.02);
        assertThat(p.reorderWindow()).isEqualTo(FaultPlan.DEFAULT_REORDER_WINDOW);
        assertThat(p.corrupt()).isEqualTo(0.001);
        assertThat(p.delayProbability()).isEqualTo(0.1);
        assertThat(p.delay()).isEqualTo(Duration.ofMillis(20));
        assertThat(p.jitter()).isEqualTo(Duration.ofMillis(5));
        assertThat(p.rateBitsPerSecond()).isEqualTo(10_000_000);
        assertThat(p.rateQueueFrames()).isEqualTo(64);
        assertThat(p.direction()).isEqualTo(Direction.TRANSMIT);
        assertThat(FaultPlan.parse(p.toSpec())).isEqualTo(p);
    }

    @Test
    void parseUnitsAndDefaults() {
        assertThat(FaultPlan.parse("delay=1.5s").delay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(FaultPlan.parse("delay=1.5s").delayProbability()).isEqualTo(1.0);
        assertThat(FaultPlan.parse("delay=0.5:250us+3ns").jitter()).isEqualTo(Duration.ofNanos(3));
        assertThat(FaultPlan.parse("delay=0.5:250us").delay()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(FaultPlan.parse("rate=512kbit").rateBitsPerSecond()).isEqualTo(512_000);
        assertThat(FaultPlan.parse("rate=1gbit").rateBitsPerSecond()).isEqualTo(1_000_000_000);
        assertThat(FaultPlan.parse("rate=2.5mbit").rateBitsPerSecond()).isEqualTo(2_500_000);
        assertThat(FaultPlan.parse("rate=9600").rateBitsPerSecond()).isEqualTo(9600);
        assertThat(FaultPlan.parse(" reorder=0.3:2ms , duplicate=1 ").reorderWindow()).isEqualTo(Duration.ofMillis(2));
        assertThat(FaultPlan.parse("DROP=1e-3").drop()).isEqualTo(0.001);
        assertThat(FaultPlan.parse("dir=both").direction()).isEqualTo(Direction.BOTH);
        assertThat(FaultPlan.parse("none")).isEqualTo(FaultPlan.none());
        assertThat(FaultPlan.none().toSpec()).isEqualTo("none");
        assertThat(FaultPlan.none().isNone()).isTrue();
    }

    @Test
    void toSpecRoundTrips() {
        List<FaultPlan> plans = List.of(
                FaultPlan.none(),
                FaultPlan.builder().drop(1).build(),
                FaultPlan.builder().drop(0.1234567890123).duplicate(1e-9).corrupt(0.5).build(),
                FaultPlan.builder().reorder(0.25, Duration.ofNanos(1_234_567)).build(),
                FaultPlan.builder().delay(0.3, Duration.ofSeconds(2), Duration.ofNanos(1500)).build(),
                FaultPlan.builder().delay(0, Duration.ofMillis(20)).build(),
                FaultPlan.builder().rate(1_234_567).rateQueueFrames(3).maxInFlight(17).build(),
                FaultPlan.builder().rate(3_000_000_000L).direction(Direction.RECEIVE).build());
        for (FaultPlan p : plans) {
            assertThat(FaultPlan.parse(p.toSpec())).as(p.toSpec()).isEqualTo(p);
            assertThat(p.toBuilder().build()).isEqualTo(p);
        }
    }

    @Test
    void parseRejectsBadInput() {
        List<String> bad = List.of(
                "", "   ", "drop", "drop=", "=0.1", "drop=1.5", "drop=-0.1", "drop=abc", "drop=NaN",
                "delay=20", "delay=0.1:20xs", "delay=2:20ms", "delay=0.1:-5ms", "delay=0.1:1.5ns", "delay=0.1:20ms+",
                "rate=10tbit", "rate=-1mbit", "rate=fast", "queue=0", "queue=x", "limit=0",
                "reorder=0.1:0ms", "dir=up", "foo=1", "drop=0.1,drop=0.2", "dup=0.1,duplicate=0.1", "drop=0.1,,dup=0.1");
        for (String s : bad) {
            assertThatThrownBy(() -> FaultPlan.parse(s)).as("'%s'", s)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("null");
        }
        assertThatThrownBy(() -> FaultPlan.parse("drop=2")).hasMessageContaining("drop=2").hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> FaultPlan.parse("bogus=1")).hasMessageContaining("unknown key");
    }

    @Test
    void builderValidates() {
        List<Function<FaultPlan.Builder, FaultPlan.Builder>> bad = List.of(
                b -> b.drop(Double.NaN),
                b -> b.duplicate(1.01),
                b -> b.corrupt(-0.5),
                b -> b.reorder(0.1, Duration.ZERO),
                b -> b.delay(0.1, Duration.ofMillis(-1)),
                b -> b.delay(0.1, Duration.ZERO, Duration.ofMillis(-1)),
                b -> b.rate(-1),
                b -> b.rateQueueFrames(0),
                b -> b.maxInFlight(-3));
        for (var change : bad) {
            assertThatThrownBy(() -> change.apply(FaultPlan.builder()).build())
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> FaultPlan.builder().direction(null).build()).isInstanceOf(NullPointerException.class);
    }
}
