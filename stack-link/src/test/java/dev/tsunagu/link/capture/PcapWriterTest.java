package dev.tsunagu.link.capture;

import static dev.tsunagu.link.capture.PcapTestFiles.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    private static final long MAX_TS = 0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L;

    @TempDir
    Path dir;

    @Test
    void roundTripsFramesOfVariedSizesThroughAFile() throws IOException {
        int snap = 100;
        int[] sizes = {0, 1, 14, 60, 99, 100, 101, 1514, 9000, 0};
        long[] stamps = {0, 1, 999_999_999, 1_000_000_000, 1_700_000_000_123_456_789L, 42, 7_000_000_001L,
                         MAX_TS, 3, 123_456_789_012L};
        Path file = dir.resolve("round.pcap");
        List<CapturedFrame> expected = new ArrayList<>();
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, snap)) {
            for (int i = 0; i < sizes.length; i++) {
                byte[] frame = pattern(sizes[i], i * 7);
                // write from the middle of a larger array to exercise offset handling
                byte[] padded = new byte[frame.length + 10];
                System.arraycopy(frame, 0, padded, 5, frame.length);
                w.write(stamps[i], padded, 5, frame.length);
                expected.add(new CapturedFrame(stamps[i], LinkType.ETHERNET,
                        Arrays.copyOf(frame, Math.min(frame.length, snap)), frame.length, 0));
            }
            assertThat(w.framesWritten()).isEqualTo(sizes.length);
        }

        try (PcapReader r = PcapReader.open(file)) {
            assertThat(r.isPcapng()).isFalse();
            List<CapturedFrame> frames = r.readAll();
            assertThat(frames).containsExactlyElementsOf(expected);
            assertThat(frames.get(6).truncated()).isTrue();
            assertThat(frames.get(6).capturedLength()).isEqualTo(snap);
            assertThat(frames.get(3).truncated()).isFalse();
            assertThat(r.next()).isNull();
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void writesLittleEndianNanosecondHeaderAndRecordsExactly() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.to(bytes, LinkType.RAW_IPV4, 65535)) {
            w.write(5_000_000_007L, new byte[] {1, 2, 3});
        }
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(24 + 16 + 3);
        assertThat(Arrays.copyOf(bytes.toByteArray(), 4)).containsExactly(0x4d, 0x3c, 0xb2, 0xa1);
        assertThat(b.getInt(0)).isEqualTo(0xa1b23c4d);
        assertThat(b.getShort(4)).isEqualTo((short) 2);
        assertThat(b.getShort(6)).isEqualTo((short) 4);
        assertThat(b.getInt(8)).isZero();
        assertThat(b.getInt(12)).isZero();
        assertThat(b.getInt(16)).isEqualTo(65535);
        assertThat(b.getInt(20)).isEqualTo(228);
        assertThat(b.getInt(24)).isEqualTo(5);
        assertThat(b.getInt(28)).isEqualTo(7);
        assertThat(b.getInt(32)).isEqualTo(3);
        assertThat(b.getInt(36)).isEqualTo(3);
        assertThat(b.get(40)).isEqualTo((byte) 1);
    }

    @Test
    void writesByteBuffersWithoutMovingThem() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteBuffer heap = ByteBuffer.wrap(pattern(50, 0), 10, 30).slice(); // array offset 10
        ByteBuffer direct = ByteBuffer.allocateDirect(40).put(pattern(40, 100)).flip().position(4);
        try (PcapWriter w = PcapWriter.to(bytes, LinkType.ETHERNET, 20)) {
            w.write(1, heap);
            w.write(2, direct);
        }
        assertThat(heap.position()).isZero();
        assertThat(direct.position()).isEqualTo(4);
        try (PcapReader r = PcapReader.from(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(r.readAll()).containsExactly(
                    new CapturedFrame(1, LinkType.ETHERNET, pattern(20, 10), 30, 0),
                    new CapturedFrame(2, LinkType.ETHERNET, pattern(20, 104), 36, 0));
        }
    }

    @Test
    void concurrentWritersNeverInterleaveRecords() throws Exception {
        int threads = 4;
        int perThread = 500;
        Path file = dir.resolve("concurrent.pcap");
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 1000)) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int seq = 0; seq < perThread; seq++) {
                            byte[] frame = new byte[1 + seq % 200];
                            Arrays.fill(frame, (byte) id);
                            w.write((long) id << 32 | seq, frame, 0, frame.length);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            start.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(w.framesWritten()).isEqualTo((long) threads * perThread);
        }
        int[] nextSeq = new int[threads];
        try (PcapReader r = PcapReader.open(file)) {
            for (CapturedFrame f = r.next(); f != null; f = r.next()) {
                int id = (int) (f.timestampNanos() >>> 32);
                int seq = (int) f.timestampNanos();
                assertThat(seq).isEqualTo(nextSeq[id]++);
                byte[] want = new byte[1 + seq % 200];
                Arrays.fill(want, (byte) id);
                assertThat(f.data()).isEqualTo(want);
            }
        }
        assertThat(nextSeq).containsOnly(perThread);
    }

    @Test
    void flushMakesFramesVisibleBeforeClose() throws IOException {
        Path file = dir.resolve("flush.pcap");
        try (PcapWriter w = PcapWriter.create(file, LinkType.ETHERNET, 1500)) {
            w.write(1, new byte[10]);
            w.flush();
            assertThat(Files.size(file)).isEqualTo(24 + 16 + 10);
            try (PcapReader r = PcapReader.open(file)) {
                assertThat(r.readAll()).hasSize(1);
            }
        }
    }

    @Test
    void closeFlushesClosesOnceAndRefusesFurtherWrites() throws IOException {
        class TrackingStream extends ByteArrayOutputStream {
            int closes;

            @Override
            public void close() {
                closes++;
            }
        }
        TrackingStream out = new TrackingStream();
        PcapWriter w = PcapWriter.to(out, LinkType.ETHERNET, 1500);
        w.write(1, new byte[10]);
        assertThat(out.size()).as("buffered until flush/close").isZero();
        w.close();
        assertThat(out.size()).isEqualTo(24 + 16 + 10);
        assertThat(out.closes).isEqualTo(1);
        w.close();
        assertThat(out.closes).isEqualTo(1);
        assertThatThrownBy(() -> w.write(2, new byte[1])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.write(2, new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.write(2, ByteBuffer.allocate(1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(w::flush).isInstanceOf(IllegalStateException.class);
        assertThat(w.framesWritten()).isEqualTo(1);
    }

    @Test
    void rejectsBadArguments() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> PcapWriter.to(out, LinkType.ETHERNET, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PcapWriter.to(out, LinkType.ETHERNET, PcapWriter.MAX_SNAP_LENGTH + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PcapWriter.to(out, -1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PcapWriter.to(out, 0x10000, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out.size()).isZero();
        try (PcapWriter w = PcapWriter.to(out, LinkType.NULL, PcapWriter.MAX_SNAP_LENGTH)) {
            assertThatThrownBy(() -> w.write(-1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write(MAX_TS + 1, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write(0, new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> w.write(0, new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(w.framesWritten()).isZero();
            assertThat(w.linkType()).isEqualTo(LinkType.NULL);
            assertThat(w.snapLength()).isEqualTo(PcapWriter.MAX_SNAP_LENGTH);
        }
        assertThat(out.size()).as("rejected writes leave no partial record").isEqualTo(24);
    }
}
