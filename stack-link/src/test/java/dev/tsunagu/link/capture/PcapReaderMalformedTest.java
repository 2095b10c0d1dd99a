package dev.tsunagu.link.capture;

import static dev.tsunagu.link.capture.PcapTestFiles.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.tsunagu.link.capture.PcapReader.MalformedCaptureException;
import dev.tsunagu.link.capture.PcapTestFiles.Classic;
import dev.tsunagu.link.capture.PcapTestFiles.Pcapng;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged input must fail with an IOException naming the offset: never unchecked, never OOM. */
class PcapReaderMalformedTest {
    @TempDir
    Path dir;

    private static AbstractThrowableAssert<?, ? extends Throwable> assertReadFails(byte[] file, long offset) {
        return assertThatThrownBy(() -> {
            try (PcapReader r = PcapReader.from(new ByteArrayInputStream(file))) {
                r.readAll();
            }
        })
                .isInstanceOf(MalformedCaptureException.class)
                .hasMessageContaining("at byte offset " + offset)
                .satisfies(e -> assertThat(((MalformedCaptureException) e).offset()).isEqualTo(offset));
    }

    private static Classic classic() {
        return new Classic(ByteOrder.LITTLE_ENDIAN, true, 65535, LinkType.ETHERNET);
    }

    // ------------------------------------------------------------------ classic

    @Test
    void emptyShortAndUnknownFilesAreRejected() {
        assertReadFails(new byte[0], 0).hasMessageContaining("empty");
        assertReadFails(new byte[] {(byte) 0xd4, (byte) 0xc3}, 0).hasMessageContaining("truncated");
        assertReadFails("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0)
                .hasMessageContaining("unknown magic");
        assertReadFails(Arrays.copyOf(classic().bytes(), 10), 4).hasMessageContaining("truncated");
    }

    @Test
    void unsupportedClassicVersionIsRejected() {
        byte[] file = classic().bytes();
        file[4] = 3;
        assertReadFails(file, 4).hasMessageContaining("version 3.4");
    }

    @Test
    void truncatedClassicRecordsAreRejected() {
        byte[] whole = classic().record(1, 2, pattern(100, 0), 100).bytes();
        assertReadFails(Arrays.copyOf(whole, 24 + 7), 24).hasMessageContaining("record header");
        assertReadFails(Arrays.copyOf(whole, 24 + 16 + 99), 40).hasMessageContaining("record data");
    }

    @Test
    void aCleanEndBetweenRecordsIsNotAnError() throws IOException {
        byte[] whole = classic().record(1, 2, pattern(100, 0), 100).bytes();
        try (PcapReader r = PcapReader.from(new ByteArrayInputStream(Arrays.copyOf(whole, 24)))) {
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void hugeClassicLengthsFailBeforeAllocating() {
        byte[] huge = classic().record(1, 0, 0xFFFF_FFF0, 10, new byte[0]).bytes();
        assertReadFails(huge, 32).hasMessageContaining("exceeds the maximum");
        byte[] justOver = classic().record(1, 0, PcapReader.MAX_CAPTURED_LENGTH + 1, 10, new byte[0]).bytes();
        assertReadFails(justOver, 32);
        byte[] hugeOriginal = classic().record(1, 0, 4, 0x8000_0000, new byte[4]).bytes();
        assertReadFails(hugeOriginal, 36).hasMessageContaining("original length");
    }

    @Test
    void openingADamagedFileClosesIt() throws IOException {
        Path file = dir.resolve("bad.pcap");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> PcapReader.open(file)).isInstanceOf(IOException.class);
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(new byte[3]) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        assertThatThrownBy(() -> PcapReader.from(in)).isInstanceOf(IOException.class);
        assertThat(closed[0]).isTrue();
    }

    // ------------------------------------------------------------------ pcapng

    /** Length of a section header block as {@link Pcapng#shb} writes it (it carries an option). */
    private static final int SHB_LENGTH = new Pcapng().shb(ByteOrder.LITTLE_ENDIAN).bytes().length;

    private static Pcapng ng() {
        return new Pcapng().shb(ByteOrder.LITTLE_ENDIAN).idb(LinkType.ETHERNET, 0, null, null);
    }

    /** Offset of the first block after {@link #ng()}'s section header and interface. */
    private static int afterHeader() {
        return ng().bytes().length;
    }

    @Test
    void badByteOrderMagicIsRejected() {
        byte[] file = ng().bytes();
        file[8] ^= 0x55;
        assertReadFails(file, 8).hasMessageContaining("byte-order magic");
    }

    @Test
    void unsupportedPcapngVersionIsRejected() {
        byte[] file = ng().bytes();
        file[12] = 2;
        assertReadFails(file, 12).hasMessageContaining("version 2.0");
    }

    @Test
    void badBlockLengthsAreRejected() {
        int at = afterHeader();
        assertReadFails(ng().block(0x77, 30, new byte[20], 30).bytes(), at + 4).hasMessageContaining("multiple of 4");
        assertReadFails(ng().block(0x77, 8, new byte[0], 8).bytes(), at + 4).hasMessageContaining("at least 12");
        assertReadFails(ng().block(0x77, 16, new byte[4], 20).bytes(), at + 12)
                .hasMessageContaining("trailing length 20");
        byte[] shortShb = new Pcapng().shb(ByteOrder.BIG_ENDIAN).bytes();
        shortShb[7] = 24;
        assertReadFails(shortShb, 4).hasMessageContaining("shorter than 28");
    }

    @Test
    void packetsMustReferToADescribedInterface() {
        int at = afterHeader();
        assertReadFails(ng().epb(1, 0, new byte[4], 4).bytes(), at + 8).hasMessageContaining("interface 1");
        byte[] spbFirst = new Pcapng().shb(ByteOrder.LITTLE_ENDIAN).spb(new byte[4], 4).bytes();
        assertReadFails(spbFirst, SHB_LENGTH + 8).hasMessageContaining("interface 0");
        // a new section forgets the interfaces of the previous one
        byte[] twoSections = ng().shb(ByteOrder.BIG_ENDIAN).epb(0, 0, new byte[4], 4).bytes();
        assertReadFails(twoSections, at + SHB_LENGTH + 8)
                .hasMessageContaining("interface 0");
    }

    @Test
    void packetLengthsMustFitTheBlockAndTheBound() {
        int at = afterHeader();
        assertReadFails(ng().epbRaw(0, 0, 64, 64, new byte[8]).bytes(), at + 20).hasMessageContaining("overruns");
        assertReadFails(ng().epbRaw(0, 0, 0x7FFF_FFFF, 64, new byte[8]).bytes(), at + 20)
                .hasMessageContaining("exceeds the maximum");
        assertReadFails(ng().epbRaw(0, 0, 4, -1, new byte[4]).bytes(), at + 24)
                .hasMessageContaining("original length");
    }

    @Test
    void hugeBlockLengthsFailWithoutBuffering() {
        int at = afterHeader();
        // an unknown block claiming ~4 GiB is streamed past until the data runs out
        assertReadFails(ng().raw(blockHeader(0x77, 0xFFFF_FFF0)).raw(new byte[100]).bytes(), at + 8)
                .hasMessageContaining("truncated");
        // an EPB or IDB claiming ~4 GiB is refused or read field by field, never allocated whole
        assertReadFails(ng().raw(blockHeader(PcapTestFiles.EPB, 0xFFFF_FFF0)).raw(new byte[8]).bytes(), at + 8)
                .hasMessageContaining("truncated");
        assertReadFails(ng().raw(blockHeader(PcapTestFiles.IDB, 0xFFFF_FFF0)).bytes(), at + 4)
                .hasMessageContaining("exceeds the maximum");
    }

    @Test
    void badOptionsAreRejected() {
        Pcapng b = new Pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        // IDB whose only option claims 200 bytes of value
        byte[] body = PcapTestFiles.concat(b.buf(8).putShort((short) 1).putShort((short) 0).putInt(0).array(),
                b.buf(4).putShort((short) 2).putShort((short) 200).array(), new byte[8]);
        assertReadFails(b.block(PcapTestFiles.IDB, body).bytes(), SHB_LENGTH + 16).hasMessageContaining("overruns");
        Pcapng c = new Pcapng().shb(ByteOrder.LITTLE_ENDIAN);
        byte[] badResol = PcapTestFiles.concat(c.buf(8).putShort((short) 1).putShort((short) 0).putInt(0).array(),
                c.buf(4).putShort((short) 9).putShort((short) 2).array(), new byte[4]);
        assertReadFails(c.block(PcapTestFiles.IDB, badResol).bytes(), SHB_LENGTH + 16)
                .hasMessageContaining("if_tsresol");
    }

    @Test
    void timestampsBeyondTheNanosecondRangeAreRejected() {
        byte[] file = new Pcapng().shb(ByteOrder.LITTLE_ENDIAN).idb(LinkType.ETHERNET, 0, null, null)
                .epb(0, -1L, new byte[4], 4).bytes();
        assertReadFails(file, afterHeader() + 12).hasMessageContaining("timestamp");
    }

    @Test
    void truncatedPcapngIsRejectedAtEveryCut() throws IOException {
        byte[] whole = ng().epb(0, 5, pattern(33, 1), 33).spb(pattern(9, 2), 9).bytes();
        for (int cut = 1; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            if (cut == SHB_LENGTH || cut == afterHeader() || cut == whole.length - 28) {
                // block boundaries: a clean (shorter) file
                try (PcapReader r = PcapReader.from(new ByteArrayInputStream(part))) {
                    r.readAll();
                }
                continue;
            }
            assertThatThrownBy(() -> {
                try (PcapReader r = PcapReader.from(new ByteArrayInputStream(part))) {
                    r.readAll();
                }
            }).as("cut at %d", cut).isInstanceOf(MalformedCaptureException.class).hasMessageContaining("truncated");
        }
    }

    /** Random damage to valid files: the only acceptable failure is an IOException. */
    @Test
    void randomDamageNeverEscapesAsAnUncheckedException() throws IOException {
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.to(written, LinkType.ETHERNET, 200)) {
            for (int i = 0; i < 8; i++) {
                w.write(i * 1_000_000_123L, pattern(i * 37, i));
            }
        }
        byte[][] seeds = {
            written.toByteArray(),
            new Classic(ByteOrder.BIG_ENDIAN, false, 100, 1).record(1, 2, pattern(30, 0), 30)
                    .record(3, 4, pattern(3, 0), 3).bytes(),
            new Pcapng().shb(ByteOrder.LITTLE_ENDIAN).idb(1, 64, 9, 3L).idb(228, 0, 0x83, null)
                    .epb(0, 99, pattern(70, 0), 70).spb(pattern(10, 1), 12).epb(1, 7, pattern(5, 2), 5)
                    .block(0x77, pattern(9, 3)).bytes(),
            new Pcapng().shb(ByteOrder.BIG_ENDIAN).idb(1, 0, null, null).epb(0, 1, pattern(16, 0), 16)
                    .shb(ByteOrder.LITTLE_ENDIAN).idb(101, 0, 6, null).spb(pattern(4, 0), 4).bytes(),
        };
        Random random = new Random(20240607);
        int failures = 0;
        for (int iteration = 0; iteration < 4_000; iteration++) {
            byte[] file = seeds[iteration % seeds.length].clone();
            int damage = 1 + random.nextInt(4);
            for (int d = 0; d < damage; d++) {
                switch (random.nextInt(4)) {
                    case 0 -> file[random.nextInt(file.length)] = (byte) random.nextInt(256);
                    case 1 -> file[random.nextInt(file.length)] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> { // a length-like field: a big or small 32-bit value at a 4-aligned offset
                        int at = random.nextInt((file.length + 3) / 4) * 4;
                        int value = random.nextBoolean() ? random.nextInt() : random.nextInt(64);
                        for (int k = 0; k < 4 && at + k < file.length; k++) {
                            file[at + k] = (byte) (value >>> (8 * k));
                        }
                    }
                    default -> file = Arrays.copyOf(file, Math.max(0, file.length - 1 - random.nextInt(16)));
                }
                if (file.length == 0) {
                    break;
                }
            }
            try (PcapReader r = PcapReader.from(new ByteArrayInputStream(file))) {
                r.readAll();
            } catch (MalformedCaptureException e) {
                failures++;
                // plain checks: AssertJ per iteration would dominate the run time
                if (e.offset() < 0 || e.offset() > file.length || !e.getMessage().contains("byte offset")) {
                    fail("iteration " + iteration + ": bad offset in " + e.getMessage() + " for a file of "
                            + file.length + " bytes");
                }
            } catch (Throwable t) {
                fail("iteration " + iteration + ": unexpected " + t + " for file " + Arrays.toString(file), t);
            }
        }
        assertThat(failures).as("the damage is usually detected").isGreaterThan(200);
    }

    private static byte[] blockHeader(int type, int totalLength) {
        return java.nio.ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(totalLength).array();
    }
}
