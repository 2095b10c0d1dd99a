package dev.tsunagu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.VirtualEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link LinkDriver} keeps, as tests. A driver's own test class extends
 * this and supplies a {@link Harness}: the driver under test, opened on a recording context,
 * and a {@link Peer} on the other side of its medium (another cable port, the kernel side of a
 * TAP, the other end of a veth). Third-party drivers use it the same way, from the
 * {@code dev.tsunagu:tsunagu-stack-testkit} artifact in test scope.
 *
 * <p>The medium decides what a test frame is: an Ethernet II frame of a local-experimental
 * EtherType, or, on an IP-only medium ({@link dev.tsunagu.driver.DriverCapabilities#isIpOnly},
 * a TUN), an IPv4 packet of an experimental protocol number between documentation addresses.
 *
 * <p>What it checks: frames go out and come in byte-for-byte; the MTU is reported and the
 * largest legal frame passes; an oversized frame is refused without an exception and with a
 * reported error; transmit takes ownership of the buffer whatever happens; after close nothing
 * is delivered, transmit fails cleanly, and close can be repeated.
 */
public abstract class LinkDriverContractTest {
    /** The other side of the medium, as the test drives it. */
    public interface Peer extends AutoCloseable {
        /** Puts a frame on the medium towards the driver under test. */
        void send(byte[] frame) throws Exception;

        /** The next frame the driver under test sent, or null after {@code timeout}. */
        byte[] receive(Duration timeout) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    /** What a driver's test supplies. */
    public record Harness(LinkDriver driver, RecordingDriverContext context, Peer peer, int expectedMtu) {}

    /** How long to wait for a frame that should arrive (real drivers deliver on their own threads). */
    protected Duration arrivalTimeout() {
        return Duration.ofSeconds(5);
    }

    /** How long to wait before concluding that a frame that should not arrive did not. */
    protected Duration absenceTimeout() {
        return Duration.ofMillis(200);
    }

    /**
     * Makes the driver under test, opens it on {@code context}, and returns it with its peer.
     * Called before each test.
     */
    protected abstract Harness createHarness(RecordingDriverContext context) throws Exception;

    /** A source MAC the peer uses, and the MAC the driver's frames carry. Override if the medium filters. */
    protected long driverMac() {
        return 0x02_00_00_00_00_01L;
    }

    protected long peerMac() {
        return 0x02_00_00_00_00_02L;
    }

    /** EtherType of test frames: IEEE "local experimental", which no real host acts on. */
    protected static final int TEST_ETHERTYPE = 0x88B5;

    protected final BufferPool pool = new BufferPool();
    protected VirtualEventLoop loop;
    protected Harness h;

    @BeforeEach
    void setUpHarness() throws Exception {
        loop = new VirtualEventLoop();
        h = createHarness(new RecordingDriverContext("test0", pool, loop));
    }

    @AfterEach
    void tearDownHarness() throws Exception {
        if (h != null) {
            h.driver().close();
            h.peer().close();
        }
        loop.close();
    }

    /** A frame from {@code src} to {@code dst} with a recognisable payload of {@code length} total bytes. */
    protected static byte[] frame(long dst, long src, int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = (byte) (TEST_ETHERTYPE >>> 8);
        f[13] = (byte) TEST_ETHERTYPE;
        Random r = new Random(seed);
        for (int i = 14; i < length; i++) {
            f[i] = (byte) r.nextInt();
        }
        return f;
    }

    /** IP protocol of test packets on an IP-only medium: RFC 3692's "use for experimentation". */
    protected static final int TEST_PROTOCOL = 253;

    /** An IPv4 packet of {@link #TEST_PROTOCOL}, {@code length} bytes in all, from 192.0.2.{src} to 192.0.2.{dst}. */
    protected static byte[] ipPacket(int dst, int src, int length, int seed) {
        byte[] p = new byte[length];
        Random r = new Random(seed);
        for (int i = 20; i < length; i++) {
            p[i] = (byte) r.nextInt();
        }
        p[0] = 0x45;
        p[2] = (byte) (length >>> 8);
        p[3] = (byte) length;
        p[8] = 64;
        p[9] = (byte) TEST_PROTOCOL;
        byte[] net = {(byte) 192, 0, 2};
        System.arraycopy(net, 0, p, 12, 3);
        p[15] = (byte) src;
        System.arraycopy(net, 0, p, 16, 3);
        p[19] = (byte) dst;
        return p;
    }

    private boolean ipOnly() {
        return h.driver().capabilities().isIpOnly();
    }

    /** A test frame for the medium: from the driver to its peer ({@code outward}) or back. */
    protected byte[] testFrame(boolean outward, int length, int seed) {
        if (ipOnly()) {
            return outward ? ipPacket(2, 1, length, seed) : ipPacket(1, 2, length, seed);
        }
        return outward ? frame(peerMac(), driverMac(), length, seed) : frame(driverMac(), peerMac(), length, seed);
    }

    /** Whether {@code f} is one of our test frames, not the medium's own chatter. */
    private boolean isTestFrame(byte[] f) {
        if (ipOnly()) {
            return f.length >= 20 && (f[0] & 0xF0) == 0x40 && (f[9] & 0xFF) == TEST_PROTOCOL;
        }
        return f.length >= 14 && ((f[12] & 0xFF) << 8 | (f[13] & 0xFF)) == TEST_ETHERTYPE;
    }

    protected PacketBuffer buffer(byte[] frame) {
        return pool.copyOf(frame, 0, frame.length);
    }

    /** Receives frames at the peer until one with the test EtherType and our payload arrives (real media carry noise, e.g. IPv6 RS). */
    private byte[] receiveTestFrame(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] f = h.peer().receive(Duration.ofNanos(left));
            if (f == null) {
                return null;
            }
            if (isTestFrame(f)) {
                return f;
            }
        }
    }

    private byte[] pollTestFrame(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] f = h.context().poll(Duration.ofNanos(left));
            if (f == null) {
                return null;
            }
            if (isTestFrame(f)) {
                return f;
            }
        }
    }

    @Test
    void reportsItsMtuAndFrameLength() {
        assertThat(h.driver().capabilities().mtu()).isEqualTo(h.expectedMtu());
        int header = ipOnly() ? 0 : 14; // Ethernet II, or bare IP packets
        assertThat(h.driver().capabilities().maxFrameLength()).isEqualTo(h.expectedMtu() + header);
    }

    @Test
    void framesGoOutIntact() throws Exception {
        int max = h.driver().capabilities().maxFrameLength();
        int[] sizes = {60, 64, 128, 1000, Math.min(1514, max), max};
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] f = testFrame(true, sizes[i], i);
            sent.add(f);
            assertThat(h.driver().transmit(buffer(f))).as("transmit of %d bytes", sizes[i]).isTrue();
        }
        for (byte[] f : sent) {
            assertThat(receiveTestFrame(arrivalTimeout())).as("frame of %d bytes at the peer", f.length).isEqualTo(f);
        }
    }

    @Test
    void framesComeInIntact() throws Exception {
        int max = h.driver().capabilities().maxFrameLength();
        int[] sizes = {60, 100, 1000, Math.min(1514, max), max};
        for (int i = 0; i < sizes.length; i++) {
            byte[] f = testFrame(false, sizes[i], 100 + i);
            h.peer().send(f);
            assertThat(pollTestFrame(arrivalTimeout())).as("frame of %d bytes at the driver", f.length).isEqualTo(f);
        }
    }

    @Test
    void oversizedFrameIsRefusedNotThrown() throws Exception {
        int tooBig = h.driver().capabilities().maxFrameLength() + 1;
        PacketBuffer b = pool.acquire(tooBig);
        b.append(testFrame(true, tooBig, 7), 0, tooBig);
        boolean[] result = new boolean[1];
        assertThatCode(() -> result[0] = h.driver().transmit(b)).doesNotThrowAnyException();
        assertThat(result[0]).isFalse();
        assertThat(b.isReleased()).as("transmit takes ownership even when it refuses").isTrue();
        assertThat(h.context().errors()).as("the refusal is reported").isNotEmpty();
        assertThat(receiveTestFrame(absenceTimeout())).isNull();
    }

    @Test
    void transmitTakesOwnershipOfTheBuffer() throws Exception {
        PacketBuffer b = buffer(testFrame(true, 100, 3));
        h.driver().transmit(b);
        assertThat(b.isReleased()).isTrue();
    }

    @Test
    void afterCloseNothingIsDeliveredAndTransmitFailsCleanly() throws Exception {
        h.driver().close();
        PacketBuffer b = buffer(testFrame(true, 100, 4));
        boolean[] result = new boolean[1];
        assertThatCode(() -> result[0] = h.driver().transmit(b)).doesNotThrowAnyException();
        assertThat(result[0]).isFalse();
        assertThat(b.isReleased()).isTrue();
        try {
            h.peer().send(testFrame(false, 100, 5));
        } catch (Exception e) {
            // the medium may be gone with the driver (a deleted TAP): that is fine too
        }
        assertThat(pollTestFrame(absenceTimeout())).isNull();
        assertThatCode(() -> h.driver().close()).as("close is idempotent").doesNotThrowAnyException();
        assertClosedReleasedEverything();
    }

    /** Driver-specific check that close freed what the driver held (fds, ports, threads). */
    protected void assertClosedReleasedEverything() throws Exception {}
}
