package dev.tsunagu.driver.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.testkit.host.PcapTests;
import dev.tsunagu.testkit.host.Poll;
import dev.tsunagu.testkit.host.Veth;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames cross the pcap driver without allocation on the steady path: the reader copies each
 * frame out of libpcap's ring into a pooled buffer through one segment made at class load, and
 * transmit copies into one native segment for {@code pcap_inject}. After warm-up (the JIT has
 * compiled the paths) the bytes allocated per frame are 0, measured with the JVM's per-thread
 * allocation counters; rounds run until one allocates nothing (or {@link #MAX_ROUNDS} pass and
 * the test fails). An {@code AF_PACKET} flood from Python on the far end of a veth stands in for
 * a busy wire.
 */
@Timeout(180)
class PcapAllocationTest {
    private static final int FRAMES = 20_000;
    private static final int MAX_ROUNDS = 15;
    private static final int TEST_ETHERTYPE = 0x88B5;

    private Veth veth;
    private PcapDriver driver;
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final BufferPool pool = new BufferPool();

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
        if (veth != null) {
            veth.close();
        }
        loop.close();
    }

    @Test
    void steadyStateFramesAllocateNothingInEitherDirection() throws Exception {
        PcapTests.assumeLiveCapture();
        PcapTests.assumeCommand("python3", "python3");
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        veth = Veth.create();
        driver = PcapDriver.open(veth.host, new MacAddress(0x02_00_00_00_00_01L), 0, true);
        CountingContext ctx = new CountingContext(pool, loop);
        driver.open(ctx);
        Thread reader = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("pcap-rx-" + veth.host)).findFirst().orElseThrow();

        long perFrameRx = Long.MAX_VALUE;
        for (int round = 1; round <= MAX_ROUNDS && perFrameRx > 0; round++) {
            long before = mx.getThreadAllocatedBytes(reader.threadId());
            long got0 = ctx.received.sum();
            flood(FRAMES);
            long got = Poll.until(Duration.ofSeconds(5), ctx.received::sum, n -> n - got0 >= FRAMES) - got0;
            long allocated = mx.getThreadAllocatedBytes(reader.threadId()) - before;
            if (got < 1000) {
                System.err.printf("driver-pcap: rx round %d: only %d frames, not measured%n", round, got);
                continue;
            }
            perFrameRx = allocated / got;
            System.err.printf("driver-pcap: rx round %d: %d frames, %d bytes allocated on the reader (%d per frame)%n",
                    round, got, allocated, perFrameRx);
        }

        byte[] frame = new byte[1000];
        frame[0] = 0x02; // to a local unicast MAC nobody has
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
            assertThat(sent).isEqualTo(FRAMES);
            System.err.printf("driver-pcap: tx round %d: %d frames, %d bytes allocated (%d per frame)%n",
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
                        time.sleep(0.0005)  # let the reader keep up
                """.formatted(TEST_ETHERTYPE);
        veth.ns.exec(Duration.ofSeconds(60), "python3", "-c", script, Veth.FAR, String.valueOf(count)).check();
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
