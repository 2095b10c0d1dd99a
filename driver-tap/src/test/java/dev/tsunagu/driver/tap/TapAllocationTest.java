package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.TapTests;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames cross the driver without allocation on the steady path: the reader thread reads into
 * a native segment and copies into pooled buffers, transmit copies out of them into another,
 * so after warm-up (the JIT has compiled the paths) the bytes allocated per frame are 0, measured with
 * the JVM's per-thread allocation counters. Rounds of frames run until one allocates nothing
 * (or {@link #MAX_ROUNDS} pass and the test fails). Runs on a TAP in a namespace the test makes; an
 * {@code AF_PACKET} flood from Python stands in for a busy kernel.
 */
@Timeout(120)
class TapAllocationTest {
    private static final int FRAMES = 20_000;
    /** Rounds of FRAMES until the JIT has compiled the paths; it usually takes 3-6. */
    private static final int MAX_ROUNDS = 15;
    private static final int TEST_ETHERTYPE = 0x88B5;

    private NetNs ns;
    private TapDriver driver;
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        if (ns != null) {
            ns.close();
        }
        loop.close();
    }

    @Test
    void steadyStateFramesAllocateNothingInEitherDirection() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ns = NetNs.create();
        driver = TapDriver.open(TapTests.uniqueName("tsum"));
        ns.adopt(driver.deviceName());
        ns.exec("ip", "link", "set", driver.deviceName(), "up").check();
        CountingContext ctx = new CountingContext(pool, loop);
        driver.open(ctx);
        Thread reader = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("tap-rx-" + driver.deviceName())).findFirst().orElseThrow();

        // Receive: the kernel side floods; rounds 1-2 warm up, round 3 is measured on the reader thread.
        long perFrameRx = Long.MAX_VALUE;
        for (int round = 1; round <= MAX_ROUNDS && perFrameRx > 0; round++) {
            long before = mx.getThreadAllocatedBytes(reader.threadId());
            long got0 = ctx.received.sum();
            flood(FRAMES);
            long got = awaitQuiet(ctx) - got0;
            long allocated = mx.getThreadAllocatedBytes(reader.threadId()) - before;
            if (got < 1000) {
                // The kernel drops what overflows the TAP's queue; on a busy machine the reader
                // may get little CPU for a round. Too few frames to measure: go again.
                System.err.printf("driver-tap: rx round %d: only %d frames, not measured%n", round, got);
                continue;
            }
            perFrameRx = allocated / got;
            System.err.printf("driver-tap: rx round %d: %d frames, %d bytes allocated on the reader (%d per frame)%n",
                    round, got, allocated, perFrameRx);
        }

        // Transmit: the calling thread (the loop, in a stack) writes from pooled buffers.
        byte[] frame = new byte[1000];
        frame[0] = 0x02; // to a local unicast MAC nobody has; the kernel drops it
        frame[12] = (byte) (TEST_ETHERTYPE >>> 8);
        frame[13] = (byte) TEST_ETHERTYPE;
        long perFrameTx = Long.MAX_VALUE;
        long tid = Thread.currentThread().threadId();
        for (int round = 1; round <= MAX_ROUNDS && perFrameTx > 0; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            int sent = 0;
            for (int i = 0; i < FRAMES; i++) {
                PacketBuffer b = pool.acquire(frame.length);
                b.append(frame, 0, frame.length);
                if (driver.transmit(b)) {
                    sent++;
                }
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            perFrameTx = allocated / FRAMES;
            assertThat(sent).isGreaterThan(FRAMES / 2);
            System.err.printf("driver-tap: tx round %d: %d frames, %d bytes allocated (%d per frame)%n",
                    round, sent, allocated, perFrameTx);
        }
        assertThat(ctx.errors).isEmpty();
        assertThat(perFrameRx).as("bytes allocated per received frame after warm-up").isZero();
        assertThat(perFrameTx).as("bytes allocated per sent frame after warm-up").isZero();
    }

    private void flood(int count) throws Exception {
        String script = """
                import socket, sys, time
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((sys.argv[1], 0))
                f = bytes.fromhex("020000000001020000000002") + (%d).to_bytes(2, "big") + bytes(986)
                for i in range(int(sys.argv[2])):
                    s.send(f)
                    if i %% 256 == 255:
                        time.sleep(0.0005)  # let the reader keep up; the TAP queue holds 1000
                """.formatted(TEST_ETHERTYPE);
        ns.exec(Duration.ofSeconds(60), "python3", "-c", script, driver.deviceName(), String.valueOf(count)).check();
    }

    /** Waits until no frame has arrived for 200 ms (at most 30 s); returns the count. */
    private static long awaitQuiet(CountingContext ctx) throws InterruptedException {
        long last = -1;
        long now = ctx.received.sum();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (now != last && System.nanoTime() < end) {
            last = now;
            Thread.sleep(200);
            now = ctx.received.sum();
        }
        return now;
    }

    /** A context that counts and releases frames without copying them. */
    private static final class CountingContext implements DriverContext {
        final LongAdder received = new LongAdder();
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final BufferPool pool;
        private final EventLoop loop;

        CountingContext(BufferPool pool, EventLoop loop) {
            this.pool = pool;
            this.loop = loop;
        }

        @Override
        public String interfaceName() {
            return "t0";
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
        public boolean receive(PacketBuffer frame) {
            received.increment();
            frame.release();
            return true;
        }

        @Override
        public void linkStateChanged(boolean up) {
            errors.add("link " + (up ? "up" : "down"));
        }

        @Override
        public void reportError(String message, Throwable cause) {
            errors.add(message);
        }
    }
}
