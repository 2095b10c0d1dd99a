package dev.tsunagu.link.capture;

import static dev.tsunagu.link.capture.PcapTestFiles.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.capture.PcapTestFiles.Classic;
import dev.tsunagu.link.capture.PcapTestFiles.Pcapng;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reading files built byte by byte: classic pcap variants and pcapng. */
class PcapReaderTest {
    @TempDir
    Path dir;

    enum Order {
        LITTLE(ByteOrder.LITTLE_ENDIAN), BIG(ByteOrder.BIG_ENDIAN);

        final ByteOrder order;

        Order(ByteOrder order) {
            this.order = order;
        }
    }

    private static List<CapturedFrame> readAll(byte[] file) throws IOException {
        try (PcapReader r = PcapReader.from(new ByteArrayInputStream(file))) {
            return r.readAll();
        }
    }

    // ------------------------------------------------------------------ classic

    @ParameterizedTest
    @EnumSource(Order.class)
    void readsMicrosecondClassicFilesInEitherByteOrder(Order order) throws IOException {
        byte[] file = new Classic(order.order, false, 64, LinkType.ETHERNET)
                .record(1_700_000_000L, 123_456, pattern(42, 1), 42)
                .record(0xFFFF_FFFFL, 999_999, pattern(64, 2), 1514)
                .record(0, 0, new byte[0], 0)
                .bytes();
        assertThat(readAll(file)).containsExactly(
                new CapturedFrame(1_700_000_000_123_456_000L, LinkType.ETHERNET, pattern(42, 1), 42, 0),
                new CapturedFrame(0xFFFF_FFFFL * 1_000_000_000L + 999_999_000L, LinkType.ETHERNET,
                        pattern(64, 2), 1514, 0),
                new CapturedFrame(0, LinkType.ETHERNET, new byte[0], 0, 0));
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void readsNanosecondClassicFilesInEitherByteOrder(Order order) throws IOException {
        byte[] file = new Classic(order.order, true, 65535, LinkType.RAW_IPV4)
                .record(3, 999_999_999, pattern(20, 9), 20)
                .bytes();
        assertThat(readAll(file)).containsExactly(
                new CapturedFrame(3_999_999_999L, LinkType.RAW_IPV4, pattern(20, 9), 20, 0));
    }

    @Test
    void masksFcsBitsOutOfTheClassicLinkType() throws IOException {
        // bits 28..31 of the network field carry the FCS length; the link type is the low 16 bits
        byte[] file = new Classic(ByteOrder.LITTLE_ENDIAN, false, 100, 0x4000_0000 | LinkType.ETHERNET)
                .record(1, 0, pattern(14, 0), 14)
                .bytes();
        assertThat(readAll(file)).singleElement()
                .extracting(CapturedFrame::linkType).isEqualTo(LinkType.ETHERNET);
    }

    @Test
    void readsFromAPathAndClosesCleanly() throws IOException {
        Path file = dir.resolve("be.pcap");
        Files.write(file, new Classic(ByteOrder.BIG_ENDIAN, false, 100, LinkType.NULL)
                .record(1, 1, pattern(4, 0), 4).bytes());
        PcapReader r = PcapReader.open(file);
        assertThat(r.next()).isEqualTo(new CapturedFrame(1_000_001_000L, LinkType.NULL, pattern(4, 0), 4, 0));
        assertThat(r.next()).isNull();
        r.close();
        r.close();
        org.assertj.core.api.Assertions.assertThatThrownBy(r::next).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ pcapng

    /** Two interfaces, every packet block kind, and blocks that must be skipped. */
    private static byte[] pcapngSection(ByteOrder order) {
        return new Pcapng()
                .shb(order)
                .block(0x0000_0BAD, pattern(7, 3)) // custom/unknown block before any interface
                .idb(LinkType.ETHERNET, 50, null, null) // default resolution: microseconds
                .idb(LinkType.RAW_IPV4, 0, 9, null) // if_tsresol = 10^-9
                .block(PcapTestFiles.NRB, new byte[] {0, 0, 0, 0}) // name resolution: end of records
                .epb(0, 1_700_000_000_000_001L, pattern(42, 1), 42)
                .epb(1, 1_700_000_000_123_456_789L, pattern(21, 2), 1500)
                .block(PcapTestFiles.ISB, new byte[12]) // interface statistics
                .spb(pattern(50, 3), 60) // SPB: interface 0, captured length cut to snaplen 50
                .spb(pattern(8, 4), 5) // SPB: 3 bytes of padding beyond the 5 original bytes
                .block(0x4000_0001, new byte[0]) // unknown block, empty body
                .bytes();
    }

    private static final List<CapturedFrame> PCAPNG_SECTION_FRAMES = List.of(
            new CapturedFrame(1_700_000_000_000_001_000L, LinkType.ETHERNET, pattern(42, 1), 42, 0),
            new CapturedFrame(1_700_000_000_123_456_789L, LinkType.RAW_IPV4, pattern(21, 2), 1500, 1),
            new CapturedFrame(0, LinkType.ETHERNET, pattern(50, 3), 60, 0),
            new CapturedFrame(0, LinkType.ETHERNET, pattern(5, 4), 5, 0));

    @ParameterizedTest
    @EnumSource(Order.class)
    void readsPcapngInEitherByteOrder(Order order) throws IOException {
        byte[] file = pcapngSection(order.order);
        try (PcapReader r = PcapReader.from(new ByteArrayInputStream(file))) {
            assertThat(r.isPcapng()).isTrue();
            assertThat(r.readAll()).containsExactlyElementsOf(PCAPNG_SECTION_FRAMES);
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void eachSectionHasItsOwnByteOrderAndInterfaces() throws IOException {
        byte[] file = PcapTestFiles.concat(
                pcapngSection(ByteOrder.LITTLE_ENDIAN),
                new Pcapng()
                        .shb(ByteOrder.BIG_ENDIAN)
                        .idb(LinkType.RAW_IPV6, 0, 3, null) // milliseconds
                        .epb(0, 1_500, pattern(40, 5), 40)
                        .bytes());
        List<CapturedFrame> frames = readAll(file);
        assertThat(frames).hasSize(PCAPNG_SECTION_FRAMES.size() + 1);
        assertThat(frames.subList(0, PCAPNG_SECTION_FRAMES.size())).containsExactlyElementsOf(PCAPNG_SECTION_FRAMES);
        assertThat(frames.getLast()).isEqualTo(
                new CapturedFrame(1_500_000_000L, LinkType.RAW_IPV6, pattern(40, 5), 40, 0));
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void honoursBinaryAndDecimalResolutionsAndTheTimestampOffset(Order order) throws IOException {
        byte[] file = new Pcapng()
                .shb(order.order)
                .idb(LinkType.ETHERNET, 0, 0x80 | 10, null) // 2^-10 s
                .idb(LinkType.ETHERNET, 0, 12, null) // picoseconds
                .idb(LinkType.ETHERNET, 0, 0, 1_000L) // whole seconds, offset by 1000 s
                .idb(LinkType.ETHERNET, 0, 9, -5L) // nanoseconds, offset back by 5 s
                .epb(0, 3 * 1024 + 512, new byte[1], 1) // 3.5 s
                .epb(1, 2_000_000_000_123_999L, new byte[1], 1) // 2000.000000123999 s
                .epb(2, 7, new byte[1], 1)
                .epb(3, 6_000_000_001L, new byte[1], 1)
                .bytes();
        assertThat(readAll(file)).extracting(CapturedFrame::timestampNanos)
                .containsExactly(3_500_000_000L, 2_000_000_000_123L, 1_007_000_000_000L, 1_000_000_001L);
        assertThat(readAll(file)).extracting(CapturedFrame::interfaceIndex).containsExactly(0, 1, 2, 3);
    }

    @Test
    void readsPcapngFromAPath() throws IOException {
        Path file = dir.resolve("x.pcapng");
        Files.write(file, pcapngSection(ByteOrder.BIG_ENDIAN));
        try (PcapReader r = PcapReader.open(file)) {
            assertThat(r.readAll()).containsExactlyElementsOf(PCAPNG_SECTION_FRAMES);
        }
    }
}
