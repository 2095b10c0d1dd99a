package dev.tsunagu.link.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.driver.DriverCapabilities;
import dev.tsunagu.driver.DriverContext;
import dev.tsunagu.driver.DriverException;
import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.loop.Clock;
import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapturingDriverTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ fakes

    /** The wrapped driver: records what it is asked to send and lets the test receive frames. */
    static final class FakeDriver implements LinkDriver {
        final List<byte[]> transmitted = new ArrayList<>();
        final int mtu;
        DriverContext context;
        int closes;

        FakeDriver(int mtu) {
            this.mtu = mtu;
        }

        @Override
        public String name() {
            return "fake:0";
        }

        @Override
        public DriverCapabilities capabilities() {
            return DriverCapabilities.ethernet(mtu);
        }

        @Override
        public void open(DriverContext context) {
            this.context = context;
        }

        @Override
        public boolean transmit(PacketBuffer frame) {
            transmitted.add(frame.toByteArray());
            frame.release();
            return true;
        }

        boolean inject(byte[] data) {
            return context.receive(context.buffers().copyOf(data, 0, data.length));
        }

        @Override
        public void close() {
            closes++;
        }
    }

    /** The stack: a virtual loop, a pool, and a record of received frames and errors. */
    static final class FakeContext implements DriverContext {
        final VirtualEventLoop loop = new VirtualEventLoop();
        final BufferPool pool = new BufferPool();
        final List<byte[]> received = new ArrayList<>();
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
        public boolean receive(PacketBuffer frame) {
            received.add(frame.toByteArray());
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

    /** An Ethernet II frame of {@code length} bytes with a local experimental EtherType, tagged with {@code id}. */
    static byte[] frame(int id, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(new byte[] {0x02, 0, 0, 0, 0, 0x0b}).put(new byte[] {0x02, 0, 0, 0, 0, 0x0a});
        b.putShort((short) 0x88B5).putInt(id);
        while (b.hasRemaining()) {
            b.put((byte) b.position());
        }
        return b.array();
    }

    private PacketBuffer pooled(FakeContext stack, byte[] data) {
        return stack.pool.copyOf(data, 0, data.length);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void bothDirectionsLandInTheFileWithTheClocksTimestamps() throws Exception {
        Path file = dir.resolve("both.pcap");
        FakeDriver wire = new FakeDriver(1500);
        FakeContext stack = new FakeContext();
        CapturingDriver capture = CapturingDriver.toFile(wire, file);
        assertThat(capture.name()).isEqualTo("capture(fake:0)");
        assertThat(capture.capabilities()).isEqualTo(wire.capabilities());
        capture.open(stack);

        List<byte[]> frames = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stack.loop.advance(Duration.ofNanos(1_234_567));
            byte[] f = frame(i, 60 + i * 100);
            frames.add(f);
            times.add(stack.loop.now());
            if (i % 2 == 0) {
                assertThat(capture.transmit(pooled(stack, f))).isTrue();
            } else {
                assertThat(wire.inject(f)).isTrue();
            }
        }
        assertThat(capture.framesCaptured()).isEqualTo(10);
        // The data path is untouched.
        assertThat(wire.transmitted).hasSize(5);
        assertThat(stack.received).hasSize(5);
        for (int i = 0; i < 10; i++) {
            byte[] delivered = i % 2 == 0 ? wire.transmitted.get(i / 2) : stack.received.get(i / 2);
            assertThat(delivered).isEqualTo(frames.get(i));
        }

        capture.close();
        capture.close(); // idempotent
        assertThat(wire.closes).isEqualTo(1);

        try (PcapReader reader = PcapReader.open(file)) {
            List<CapturedFrame> read = reader.readAll();
            assertThat(read).hasSize(10);
            for (int i = 0; i < 10; i++) {
                CapturedFrame c = read.get(i);
                assertThat(c.timestampNanos()).as("timestamp of frame %d", i).isEqualTo(times.get(i));
                assertThat(c.linkType()).isEqualTo(LinkType.ETHERNET);
                assertThat(c.data()).isEqualTo(frames.get(i));
                assertThat(c.truncated()).isFalse();
            }
        }
        assertThat(stack.errors).isEmpty();

        assertTsharkReads(file, 10);
    }

    @Test
    void snapLengthCoversTheLargestFrameButIsAtLeast65535() throws Exception {
        assertThat(snapLengthOf(new FakeDriver(1500), "small.pcap")).isEqualTo(65535);
        assertThat(snapLengthOf(new FakeDriver(65535), "big.pcap")).isEqualTo(65535 + 14);
    }

    private int snapLengthOf(FakeDriver wire, String name) throws IOException {
        Path file = dir.resolve(name);
        CapturingDriver.toFile(wire, file).close();
        byte[] header = Files.readAllBytes(file);
        return ByteBuffer.wrap(header, 16, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void aWriteFailureIsReportedOnceAndTrafficContinues() throws Exception {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        // The header sits in the writer's buffer; the failure shows when the buffer spills.
        PcapWriter writer = PcapWriter.to(broken, LinkType.ETHERNET, 65535);
        FakeDriver wire = new FakeDriver(1500);
        FakeContext stack = new FakeContext();
        CapturingDriver capture = new CapturingDriver(wire, writer, true);
        capture.open(stack);

        int n = 200; // 200 x 1000 bytes: well past the writer's 64 KiB buffer
        for (int i = 0; i < n; i++) {
            assertThat(capture.transmit(pooled(stack, frame(i, 1000)))).isTrue();
            assertThat(wire.inject(frame(i, 1000))).isTrue();
        }
        assertThat(wire.transmitted).hasSize(n);
        assertThat(stack.received).hasSize(n);
        assertThat(capture.captureFailed()).isTrue();
        assertThat(capture.framesCaptured()).isLessThan(2L * n);
        capture.close(); // the failing flush on close is not reported again
        assertThat(stack.errors).hasSize(1);
        assertThat(stack.errors.get(0)).contains("capture(fake:0)").contains("disk full");
        assertThat(wire.closes).isEqualTo(1);
    }

    @Test
    void aWriterNotOwnedStaysOpen() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PcapWriter writer = PcapWriter.to(out, LinkType.ETHERNET, 65535);
        FakeDriver wire = new FakeDriver(1500);
        FakeContext stack = new FakeContext();
        CapturingDriver capture = new CapturingDriver(wire, writer, false);
        capture.open(stack);
        capture.transmit(pooled(stack, frame(1, 60)));
        capture.close();
        assertThat(wire.closes).isEqualTo(1);
        writer.write(5, frame(2, 60)); // still open: its owner closes it
        writer.close();
        try (PcapReader reader = PcapReader.from(new java.io.ByteArrayInputStream(out.toByteArray()))) {
            assertThat(reader.readAll()).extracting(CapturedFrame::timestampNanos).containsExactly(0L, 5L);
        }
    }

    // ------------------------------------------------------------------ tshark

    private void assertTsharkReads(Path file, int frames) throws Exception {
        Path tshark = findOnPath("tshark").orElse(null);
        if (tshark == null) {
            System.err.println("!!! SKIPPED the tshark check in CapturingDriverTest: tshark is not on PATH, so the"
                    + " capture file was NOT checked against Wireshark !!!");
            Assumptions.abort("tshark not installed: capture compatibility with Wireshark unchecked");
        }
        Path out = dir.resolve("tshark.out");
        Path err = dir.resolve("tshark.err");
        Process p = new ProcessBuilder(tshark.toString(), "-r", file.toString(), "-T", "fields", "-e", "frame.number")
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        boolean finished;
        try {
            finished = p.waitFor(60, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        String context = "tshark stdout:\n" + Files.readString(out, StandardCharsets.UTF_8)
                + "\ntshark stderr:\n" + Files.readString(err, StandardCharsets.UTF_8);
        assertThat(finished).as("tshark finished within 60 s; " + context).isTrue();
        assertThat(p.exitValue()).as("tshark exit status; " + context).isZero();
        assertThat(Files.readAllLines(out).stream().filter(l -> !l.isBlank())).as(context).hasSize(frames);
    }

    private static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    @Test
    void framesSentBeforeOpenPassUncaptured() throws DriverException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FakeDriver wire = new FakeDriver(1500);
        CapturingDriver capture;
        try {
            capture = new CapturingDriver(wire, PcapWriter.to(out, LinkType.ETHERNET, 65535), true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        capture.transmit(PacketBuffer.copyOf(frame(1, 60), 0));
        assertThat(wire.transmitted).hasSize(1);
        assertThat(capture.framesCaptured()).isZero();
        capture.close();
    }
}
