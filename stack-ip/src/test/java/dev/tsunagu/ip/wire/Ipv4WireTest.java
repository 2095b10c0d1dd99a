package dev.tsunagu.ip.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.testkit.wire.Ipv4Repr;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The IPv4 header view and value against packets a Linux 6.18 kernel sent: parse gives the
 * expected {@link Ipv4Repr}, emit gives the kernel's bytes back, and every
 * {@link Ipv4Header.Problem} comes from a crafted input.
 *
 * <p>The literals were captured with dumpcap on a veth pair between network namespaces
 * (10.0.0.1 on one side, a router 10.0.0.2 / 10.0.1.1 on the other, 10.0.1.2 behind it) with
 * transmit checksum offload off, so every checksum is the kernel's own: {@code ping -c1
 * 10.0.0.2}, a UDP "hello\n" to port 53 and the port unreachable it drew, a UDP datagram sent
 * with {@code IP_OPTIONS} NOP+EOL, {@code ping -t1 10.0.1.2} and the router's time exceeded,
 * and {@code ping -s 1600 10.0.0.2} fragmented at MTU 1500.
 */
class Ipv4WireTest {
    static final int IP_10_0_0_1 = 0x0A00_0001;
    static final int IP_10_0_0_2 = 0x0A00_0002;
    static final int IP_10_0_1_2 = 0x0A00_0102;

    /** ping's 56 data bytes: a 16-byte timeval, then 0x10, 0x11, … 0x37. */
    static final String PING_DATA = "ff3e016b00000000" + "4c4d090000000000" + pattern(0x10, 40);

    /** ICMP echo request 10.0.0.1 > 10.0.0.2, id 0x4c4b, seq 1: DF set, IP id 0x33df. */
    static final byte[] PING_REQUEST = hex(
            "4500 0054 33df 4000 4001 f2c7 0a00 0001 0a00 0002"
                    + "0800 96e9 4c4b 0001" + PING_DATA);

    /** The echo reply 10.0.0.2 > 10.0.0.1: no DF, IP id 0x1d13. */
    static final byte[] PING_REPLY = hex(
            "4500 0054 1d13 0000 4001 4994 0a00 0002 0a00 0001"
                    + "0000 9ee9 4c4b 0001" + PING_DATA);

    /** UDP 10.0.0.1:40000 > 10.0.0.2:53, "hello\n", UDP checksum 0x0b7e. */
    static final byte[] UDP_HELLO = hex(
            "4500 0022 7f0c 4000 4011 a7bc 0a00 0001 0a00 0002"
                    + "9c40 0035 000e 0b7e" + "68656c6c6f0a");

    /** UDP 10.0.0.1:40002 > 10.0.0.2:9, "opt\n", with IP_OPTIONS 01 00 00 00 (NOP, EOL, padding): IHL 6. */
    static final byte[] UDP_WITH_OPTIONS = hex(
            "4600 0024 7f28 4000 4011 a59e 0a00 0001 0a00 0002" + "0100 0000"
                    + "9c42 0009 000c 6c0d" + "6f70740a");

    /** The router's port unreachable for {@link #UDP_HELLO}: TOS 0xc0 (internetwork control), quotes it whole. */
    static final byte[] PORT_UNREACHABLE = hex(
            "45c0 003e 1d17 0000 4001 48e6 0a00 0002 0a00 0001"
                    + "0303 111f 0000 0000"
                    + "4500 0022 7f0c 4000 4011 a7bc 0a00 0001 0a00 0002 9c40 0035 000e 0b7e 6865 6c6c 6f0a");

    /** ping -t1 10.0.1.2: TTL 1. */
    static final byte[] PING_TTL_1 = hex(
            "4500 0054 9d53 4000 0101 c753 0a00 0001 0a00 0102"
                    + "0800 5687 4cc7 0001" + "003f016b00000000" + "9433000000000000" + pattern(0x10, 40));

    /** The router's time exceeded in transit for {@link #PING_TTL_1}, quoting all 84 bytes. */
    static final byte[] TIME_EXCEEDED = concat(
            hex("45c0 0070 1d2c 0000 4001 489f 0a00 0002 0a00 0001" + "0b00 f4ff 0000 0000"), PING_TTL_1);

    /** First fragment of ping -s 1600: MF, offset 0, total 1500. */
    static final byte[] FRAGMENT_1 = concat(
            hex("4500 05dc 3416 2000 4001 0d09 0a00 0001 0a00 0002"),
            hex("0800 6502 4cc8 0001" + "003f016b00000000" + "1748000000000000" + pattern(0x10, 1480 - 24)));

    /** Last fragment: no MF, offset 185 × 8 = 1480, 128 data bytes. */
    static final byte[] FRAGMENT_2 = hex(
            "4500 0094 3416 00b9 4001 3198 0a00 0001 0a00 0002" + pattern(0x10 + 1456, 128));

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** {@code count} bytes counting up from {@code first} (mod 256), in hex. */
    static String pattern(int first, int count) {
        byte[] b = new byte[count];
        for (int i = 0; i < count; i++) {
            b[i] = (byte) (first + i);
        }
        return HexFormat.of().formatHex(b);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static Ipv4Repr parsed(byte[] packet) {
        return parsed(PacketBuffer.copyOf(packet, 0));
    }

    private static Ipv4Repr parsed(PacketBuffer b) {
        Ipv4Repr.Result result = Ipv4Repr.parse(b);
        assertThat(result).isInstanceOf(Ipv4Repr.Parsed.class);
        return ((Ipv4Repr.Parsed) result).repr();
    }

    /** Emits {@code repr} in front of {@code payload} and returns the datagram. */
    private static byte[] emitted(Ipv4Repr repr, byte[] payload) {
        PacketBuffer b = PacketBuffer.allocate(Ipv4Header.MAX_HEADER_LENGTH + payload.length,
                Ipv4Header.MAX_HEADER_LENGTH);
        b.append(payload, 0, payload.length);
        repr.emit(b);
        return b.toByteArray();
    }

    /** Recomputes the header checksum over {@code headerLength} bytes, so a crafted packet has only its one flaw. */
    private static byte[] withChecksum(byte[] packet, int headerLength) {
        packet[Ipv4Header.CHECKSUM] = 0;
        packet[Ipv4Header.CHECKSUM + 1] = 0;
        int c = InternetChecksum.compute(packet, 0, headerLength);
        packet[Ipv4Header.CHECKSUM] = (byte) (c >>> 8);
        packet[Ipv4Header.CHECKSUM + 1] = (byte) c;
        return packet;
    }

    private static Ipv4Repr repr(int src, int dst, int protocol, int ttl, int tos, int id, boolean df, boolean mf,
                                 int offset, int payloadLength, String options) {
        return new Ipv4Repr(src, dst, protocol, ttl, tos, id, df, mf, offset, payloadLength, hex(options));
    }

    static Stream<Arguments> kernelPackets() {
        return Stream.of(
                Arguments.of("echo request", PING_REQUEST,
                        repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.ICMP, 64, 0, 0x33df, true, false, 0, 64, ""),
                        "10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 13279, flags [DF], length 84"),
                Arguments.of("echo reply", PING_REPLY,
                        repr(IP_10_0_0_2, IP_10_0_0_1, IpProtocol.ICMP, 64, 0, 0x1d13, false, false, 0, 64, ""),
                        "10.0.0.2 > 10.0.0.1: ICMP, ttl 64, id 7443, length 84"),
                Arguments.of("udp", UDP_HELLO,
                        repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 0x7f0c, true, false, 0, 14, ""),
                        "10.0.0.1 > 10.0.0.2: UDP, ttl 64, id 32524, flags [DF], length 34"),
                Arguments.of("udp with options", UDP_WITH_OPTIONS,
                        repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 0x7f28, true, false, 0, 12, "01000000"),
                        "10.0.0.1 > 10.0.0.2: UDP, ttl 64, id 32552, flags [DF], options (4 bytes), length 36"),
                Arguments.of("port unreachable", PORT_UNREACHABLE,
                        repr(IP_10_0_0_2, IP_10_0_0_1, IpProtocol.ICMP, 64, 0xc0, 0x1d17, false, false, 0, 42, ""),
                        "10.0.0.2 > 10.0.0.1: ICMP, tos 0xc0, ttl 64, id 7447, length 62"),
                Arguments.of("ttl 1", PING_TTL_1,
                        repr(IP_10_0_0_1, IP_10_0_1_2, IpProtocol.ICMP, 1, 0, 0x9d53, true, false, 0, 64, ""),
                        "10.0.0.1 > 10.0.1.2: ICMP, ttl 1, id 40275, flags [DF], length 84"),
                Arguments.of("time exceeded", TIME_EXCEEDED,
                        repr(IP_10_0_0_2, IP_10_0_0_1, IpProtocol.ICMP, 64, 0xc0, 0x1d2c, false, false, 0, 92, ""),
                        "10.0.0.2 > 10.0.0.1: ICMP, tos 0xc0, ttl 64, id 7468, length 112"),
                Arguments.of("first fragment", FRAGMENT_1,
                        repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.ICMP, 64, 0, 0x3416, false, true, 0, 1480, ""),
                        "10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 13334, flags [+], length 1500"),
                Arguments.of("last fragment", FRAGMENT_2,
                        repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.ICMP, 64, 0, 0x3416, false, false, 1480, 128, ""),
                        "10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 13334, offset 1480, length 148"));
    }

    // ---- kernel packets ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelPackets")
    void aKernelPacketParsesToTheExpectedRepr(String name, byte[] packet, Ipv4Repr expected, String text) {
        PacketBuffer b = PacketBuffer.copyOf(packet, 0);
        assertThat(Ipv4Header.check(b)).isEqualTo(Ipv4Header.Problem.OK);
        Ipv4Repr repr = parsed(b);
        assertThat(repr).isEqualTo(expected);
        assertThat(repr.toString()).isEqualTo(text);
        assertThat(repr.totalLength()).isEqualTo(packet.length);
        assertThat(b.toByteArray()).as("parse leaves the buffer alone").isEqualTo(packet);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelPackets")
    void aKernelPacketReEmitsByteForByte(String name, byte[] packet, Ipv4Repr expected, String text) {
        byte[] payload = Arrays.copyOfRange(packet, expected.headerLength(), packet.length);
        assertThat(emitted(expected, payload)).isEqualTo(packet);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelPackets")
    void theViewAgreesWithTheRepr(String name, byte[] packet, Ipv4Repr expected, String text) {
        PacketBuffer b = PacketBuffer.copyOf(packet, 0);
        assertThat(Ipv4Header.version(b)).isEqualTo(4);
        assertThat(Ipv4Header.headerLength(b)).isEqualTo(expected.headerLength());
        assertThat(Ipv4Header.totalLength(b)).isEqualTo(expected.totalLength());
        assertThat(Ipv4Header.source(b)).isEqualTo(expected.source());
        assertThat(Ipv4Header.destination(b)).isEqualTo(expected.destination());
        assertThat(Ipv4Header.protocol(b)).isEqualTo(expected.protocol());
        assertThat(Ipv4Header.ttl(b)).isEqualTo(expected.ttl());
        assertThat(Ipv4Header.tos(b)).isEqualTo(expected.tos());
        assertThat(Ipv4Header.identification(b)).isEqualTo(expected.identification());
        assertThat(Ipv4Header.dontFragment(b)).isEqualTo(expected.dontFragment());
        assertThat(Ipv4Header.moreFragments(b)).isEqualTo(expected.moreFragments());
        assertThat(Ipv4Header.fragmentOffset(b)).isEqualTo(expected.fragmentOffset());
        assertThat(Ipv4Header.isFragment(b)).isEqualTo(expected.isFragment());
    }

    @Test
    void theViewsPrependWritesTheKernelsHeader() {
        // Ipv4Header.prepend (no options) writes the same bytes as the repr.
        PacketBuffer b = PacketBuffer.allocate(PING_REQUEST.length, 20);
        b.append(PING_REQUEST, 20, PING_REQUEST.length - 20);
        Ipv4Header.prepend(b, 0, 0x33df, Ipv4Header.FLAG_DF, 64, IpProtocol.ICMP, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(b.toByteArray()).isEqualTo(PING_REQUEST);
    }

    @Test
    void toStringIsLikeTcpdump() {
        Ipv4Repr r = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.ICMP, 64, 0, 1, false, false, 0, 64, null);
        assertThat(r).hasToString("10.0.0.1 > 10.0.0.2: ICMP, ttl 64, id 1, length 84");
        Ipv4Repr high = new Ipv4Repr(0xC0A8_FFFE, 0xFFFF_FFFF, 89, 255, 0, 65535, true, true, 65528, 0, null);
        assertThat(high).hasToString(
                "192.168.255.254 > 255.255.255.255: 89, ttl 255, id 65535, flags [DF+], offset 65528, length 20");
    }

    // ---- options ----

    @Test
    void optionsAreAcceptedAndSkipped() {
        PacketBuffer b = PacketBuffer.copyOf(UDP_WITH_OPTIONS, 0);
        Ipv4Repr repr = parsed(b);
        assertThat(repr.headerLength()).isEqualTo(24);
        assertThat(repr.options()).containsExactly(0x01, 0x00, 0x00, 0x00);
        assertThat(repr.payloadLength()).isEqualTo(12);
        // What a receiver does next: skip the header, and the UDP header is at the front.
        b.consume(repr.headerLength());
        b.truncate(repr.payloadLength());
        assertThat(b.getU16(0)).isEqualTo(40002);
        assertThat(b.getU16(2)).isEqualTo(9);
        assertThat(b.getU16(4)).isEqualTo(12);
    }

    @Test
    void optionsArePaddedToAMultipleOfFourBytes() {
        Ipv4Repr nop = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 0x7f28, true, false, 0, 12,
                new byte[] {1});
        assertThat(nop.options()).containsExactly(1, 0, 0, 0);
        assertThat(nop.headerLength()).isEqualTo(24);
        assertThat(nop).isEqualTo(parsed(UDP_WITH_OPTIONS)).hasSameHashCodeAs(parsed(UDP_WITH_OPTIONS));
        assertThat(emitted(nop, Arrays.copyOfRange(UDP_WITH_OPTIONS, 24, 36))).isEqualTo(UDP_WITH_OPTIONS);

        for (int n = 0; n <= Ipv4Repr.MAX_OPTIONS_LENGTH; n++) {
            byte[] options = new byte[n];
            Arrays.fill(options, (byte) 1);
            Ipv4Repr r = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 0, false, false, 0, 0, options);
            assertThat(r.headerLength()).as("%d option bytes", n).isEqualTo(20 + (n + 3) / 4 * 4);
            byte[] datagram = emitted(r, new byte[0]);
            assertThat(datagram[0]).isEqualTo((byte) (0x40 | r.headerLength() / 4));
            assertThat(Arrays.copyOfRange(datagram, 20 + n, datagram.length)).as("EOL padding")
                    .isEqualTo(new byte[r.headerLength() - 20 - n]);
            assertThat(parsed(datagram)).isEqualTo(r);
        }
    }

    @Test
    void aFullRecordRouteOptionRoundTripsWithIhl15() {
        // Record route (type 7, length 39, pointer 4, nine empty slots) + EOL: 40 bytes.
        byte[] rr = hex("07 27 04" + "00".repeat(36) + "00");
        Ipv4Repr r = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.ICMP, 64, 0, 7, true, false, 0, 8, rr);
        byte[] datagram = emitted(r, hex("0800f7f800000000"));
        assertThat(datagram[0]).isEqualTo((byte) 0x4f);
        assertThat(datagram).hasSize(68);
        assertThat(InternetChecksum.verify(datagram, 0, 60)).isTrue();
        assertThat(parsed(datagram)).isEqualTo(r);
        assertThatThrownBy(() -> new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, 1, 64, 0, 0, false, false, 0, 0, new byte[41]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- every problem ----

    private static Map<String, Map.Entry<byte[], Ipv4Header.Problem>> craftedProblems() {
        Map<String, Map.Entry<byte[], Ipv4Header.Problem>> cases = new LinkedHashMap<>();
        cases.put("empty", Map.entry(new byte[0], Ipv4Header.Problem.TRUNCATED));
        cases.put("19 bytes", Map.entry(Arrays.copyOf(PING_REQUEST, 19), Ipv4Header.Problem.TRUNCATED));

        byte[] v6 = PING_REQUEST.clone();
        v6[0] = 0x65;
        cases.put("version 6", Map.entry(withChecksum(v6, 20), Ipv4Header.Problem.BAD_VERSION));
        byte[] v0 = PING_REQUEST.clone();
        v0[0] = 0x05;
        cases.put("version 0", Map.entry(withChecksum(v0, 20), Ipv4Header.Problem.BAD_VERSION));

        byte[] ihl4 = PING_REQUEST.clone();
        ihl4[0] = 0x44;
        cases.put("IHL 4", Map.entry(withChecksum(ihl4, 20), Ipv4Header.Problem.BAD_HEADER_LENGTH));
        byte[] ihl0 = PING_REQUEST.clone();
        ihl0[0] = 0x40;
        cases.put("IHL 0", Map.entry(withChecksum(ihl0, 20), Ipv4Header.Problem.BAD_HEADER_LENGTH));
        cases.put("IHL 6 in 20 bytes", Map.entry(Arrays.copyOf(UDP_WITH_OPTIONS, 20),
                Ipv4Header.Problem.BAD_HEADER_LENGTH));
        byte[] ihl15 = UDP_HELLO.clone();
        ihl15[0] = 0x4f;
        cases.put("IHL 15 in 34 bytes", Map.entry(ihl15, Ipv4Header.Problem.BAD_HEADER_LENGTH));

        byte[] shortTotal = PING_REQUEST.clone();
        shortTotal[2] = 0;
        shortTotal[3] = 19;
        cases.put("total 19 < IHL 20", Map.entry(withChecksum(shortTotal, 20), Ipv4Header.Problem.BAD_TOTAL_LENGTH));
        byte[] shortTotalWithOptions = UDP_WITH_OPTIONS.clone();
        shortTotalWithOptions[3] = 23;
        cases.put("total 23 < IHL 24", Map.entry(withChecksum(shortTotalWithOptions, 24),
                Ipv4Header.Problem.BAD_TOTAL_LENGTH));
        cases.put("total 84 > 83 bytes", Map.entry(Arrays.copyOf(PING_REQUEST, 83),
                Ipv4Header.Problem.BAD_TOTAL_LENGTH));
        cases.put("total 84 > 20 bytes", Map.entry(Arrays.copyOf(PING_REQUEST, 20),
                Ipv4Header.Problem.BAD_TOTAL_LENGTH));

        byte[] badChecksum = PING_REQUEST.clone();
        badChecksum[Ipv4Header.CHECKSUM + 1] ^= 1;
        cases.put("checksum off by one bit", Map.entry(badChecksum, Ipv4Header.Problem.BAD_CHECKSUM));
        byte[] badSource = PING_REQUEST.clone();
        badSource[Ipv4Header.SOURCE + 3] = 3;
        cases.put("source changed", Map.entry(badSource, Ipv4Header.Problem.BAD_CHECKSUM));
        byte[] badOption = UDP_WITH_OPTIONS.clone();
        badOption[20] = 0x00;
        cases.put("option byte changed", Map.entry(badOption, Ipv4Header.Problem.BAD_CHECKSUM));
        return cases;
    }

    @Test
    void everyProblemComesFromACraftedInput() {
        Set<Ipv4Header.Problem> seen = EnumSet.noneOf(Ipv4Header.Problem.class);
        craftedProblems().forEach((name, c) -> {
            PacketBuffer b = PacketBuffer.copyOf(c.getKey(), 0);
            assertThat(Ipv4Header.check(b)).as(name).isEqualTo(c.getValue());
            assertThat(Ipv4Repr.parse(b)).as(name).isEqualTo(new Ipv4Repr.Rejected(Ipv4Repr.Reason.valueOf(c.getValue().name())));
            seen.add(c.getValue());
        });
        assertThat(seen).isEqualTo(EnumSet.complementOf(EnumSet.of(Ipv4Header.Problem.OK)));
    }

    @Test
    void everySingleBitErrorInTheHeaderIsCaught() {
        // Flipping any bit of bytes 1 and 4..19 leaves the lengths alone, so the checksum must catch it.
        for (int i = 1; i < 20; i++) {
            if (i == 2 || i == 3) {
                continue; // the total length: caught as BAD_TOTAL_LENGTH or by the checksum
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] p = PING_REQUEST.clone();
                p[i] ^= (byte) (1 << bit);
                assertThat(Ipv4Header.check(PacketBuffer.copyOf(p, 0))).as("byte %d bit %d", i, bit)
                        .isEqualTo(Ipv4Header.Problem.BAD_CHECKSUM);
            }
        }
    }

    @Test
    void theChecksumCoversTheHeaderOnly() {
        byte[] p = PING_REQUEST.clone();
        p[60] ^= 0x55; // in the ICMP data
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(p, 0))).isInstanceOf(Ipv4Repr.Parsed.class);
    }

    @Test
    void linkPaddingAfterTheTotalLengthIsAllowedAndNotPayload() {
        // 34 bytes of UDP padded to Ethernet's 46-byte minimum payload.
        PacketBuffer b = PacketBuffer.copyOf(concat(UDP_HELLO, new byte[12]), 0);
        Ipv4Repr repr = parsed(b);
        assertThat(repr.payloadLength()).isEqualTo(14);
        assertThat(repr.totalLength()).isEqualTo(34);
        b.consume(repr.headerLength());
        b.truncate(repr.payloadLength());
        assertThat(b.toByteArray()).isEqualTo(Arrays.copyOfRange(UDP_HELLO, 20, 34));
    }

    // ---- TTL ----

    @Test
    void decrementingTheKernelsTtlPatchesTheChecksum() {
        PacketBuffer b = PacketBuffer.copyOf(PING_REQUEST, 0);
        Ipv4Header.decrementTtl(b);
        byte[] expected = PING_REQUEST.clone();
        expected[Ipv4Header.TTL] = 63;
        expected[Ipv4Header.CHECKSUM] = (byte) 0xf3; // f2c7 + 0100
        assertThat(b.toByteArray()).isEqualTo(expected);
        assertThat(Ipv4Header.check(b)).isEqualTo(Ipv4Header.Problem.OK);

        PacketBuffer last = PacketBuffer.copyOf(PING_TTL_1, 0);
        Ipv4Header.decrementTtl(last);
        assertThat(Ipv4Header.ttl(last)).isZero();
        assertThat(Ipv4Header.checksum(last)).isEqualTo(0xc853);
        assertThat(Ipv4Header.check(last)).isEqualTo(Ipv4Header.Problem.OK);
    }

    @Test
    void decrementTtlKeepsTheChecksumValidForAThousandRandomHeaders() {
        Random random = new Random(791);
        for (int n = 0; n < 1000; n++) {
            Ipv4Repr r = randomRepr(random, 1 + random.nextInt(255));
            byte[] payload = new byte[r.payloadLength()];
            random.nextBytes(payload);
            PacketBuffer b = PacketBuffer.allocate(60 + payload.length, 60);
            b.append(payload, 0, payload.length);
            r.emit(b);

            Ipv4Header.decrementTtl(b);

            assertThat(InternetChecksum.verify(b.array(), b.start(), r.headerLength())).as("%s", r).isTrue();
            assertThat(Ipv4Header.check(b)).isEqualTo(Ipv4Header.Problem.OK);
            int incremental = Ipv4Header.checksum(b);
            Ipv4Header.updateChecksum(b);
            assertThat(incremental).as("equals a full recomputation").isEqualTo(Ipv4Header.checksum(b));
            assertThat(parsed(b)).isEqualTo(new Ipv4Repr(r.source(), r.destination(), r.protocol(), r.ttl() - 1,
                    r.tos(), r.identification(), r.dontFragment(), r.moreFragments(), r.fragmentOffset(),
                    r.payloadLength(), r.options()));
        }
    }

    // ---- fragments ----

    @Test
    void fragmentFieldsDecode() {
        Ipv4Repr first = parsed(FRAGMENT_1);
        assertThat(first.moreFragments()).isTrue();
        assertThat(first.dontFragment()).isFalse();
        assertThat(first.fragmentOffset()).isZero();
        assertThat(first.isFragment()).isTrue();
        assertThat(first.flagsAndOffset()).isEqualTo(0x2000);

        Ipv4Repr last = parsed(FRAGMENT_2);
        assertThat(last.moreFragments()).isFalse();
        assertThat(last.fragmentOffset()).isEqualTo(1480);
        assertThat(last.isFragment()).isTrue();
        assertThat(last.flagsAndOffset()).isEqualTo(0x00b9);
        assertThat(first.fragmentOffset() + first.payloadLength()).as("the fragments abut")
                .isEqualTo(last.fragmentOffset());
        assertThat(first.identification()).isEqualTo(last.identification());

        assertThat(parsed(PING_REQUEST).isFragment()).as("DF alone is not a fragment").isFalse();
    }

    @Test
    void everyFlagAndOffsetCombinationRoundTrips() {
        for (boolean df : new boolean[] {false, true}) {
            for (boolean mf : new boolean[] {false, true}) {
                for (int offset : new int[] {0, 8, 1480, 4096, 65520, Ipv4Repr.MAX_FRAGMENT_OFFSET}) {
                    Ipv4Repr r = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 42, df, mf, offset, 8,
                            null);
                    byte[] datagram = emitted(r, new byte[8]);
                    int word = ((datagram[6] & 0xFF) << 8) | (datagram[7] & 0xFF);
                    assertThat(word).isEqualTo((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | offset / 8);
                    PacketBuffer b = PacketBuffer.copyOf(datagram, 0);
                    assertThat(Ipv4Header.dontFragment(b)).isEqualTo(df);
                    assertThat(Ipv4Header.moreFragments(b)).isEqualTo(mf);
                    assertThat(Ipv4Header.fragmentOffset(b)).isEqualTo(offset);
                    assertThat(Ipv4Header.isFragment(b)).isEqualTo(mf || offset != 0);
                    assertThat(parsed(b)).isEqualTo(r);
                }
            }
        }
    }

    @Test
    void theReservedFlagIsIgnored() {
        byte[] evil = PING_REPLY.clone();
        evil[6] |= (byte) 0x80;
        Ipv4Repr r = parsed(withChecksum(evil, 20));
        assertThat(r).isEqualTo(parsed(PING_REPLY));
        assertThat(emitted(r, Arrays.copyOfRange(PING_REPLY, 20, 84))).isEqualTo(PING_REPLY);
    }

    // ---- values ----

    private static Ipv4Repr randomRepr(Random random, int ttl) {
        byte[] options = new byte[random.nextInt(11) * 4];
        random.nextBytes(options);
        return new Ipv4Repr(random.nextInt(), random.nextInt(), random.nextInt(256), ttl, random.nextInt(256),
                random.nextInt(65536), random.nextBoolean(), random.nextBoolean(), random.nextInt(0x2000) * 8,
                random.nextInt(200), options);
    }

    @Test
    void randomReprsRoundTrip() {
        Random random = new Random(4);
        for (int n = 0; n < 1000; n++) {
            Ipv4Repr r = randomRepr(random, random.nextInt(256));
            byte[] payload = new byte[r.payloadLength()];
            random.nextBytes(payload);
            byte[] datagram = emitted(r, payload);
            assertThat(datagram).hasSize(r.totalLength());
            PacketBuffer b = PacketBuffer.copyOf(datagram, 0);
            assertThat(Ipv4Header.check(b)).isEqualTo(Ipv4Header.Problem.OK);
            assertThat(parsed(b)).isEqualTo(r);
            assertThat(Arrays.copyOfRange(datagram, r.headerLength(), datagram.length)).isEqualTo(payload);
        }
    }

    @Test
    void theLargestDatagramFits() {
        Ipv4Repr r = new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, IpProtocol.UDP, 64, 0, 1, false, false, 0, 65515, null);
        assertThat(r.totalLength()).isEqualTo(Ipv4Header.MAX_LENGTH);
        assertThat(parsed(emitted(r, new byte[65515]))).isEqualTo(r);
        assertThatThrownBy(() -> new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, 17, 64, 0, 1, false, false, 0, 65516, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ipv4Repr(IP_10_0_0_1, IP_10_0_0_2, 17, 64, 0, 1, false, false, 0, 65511,
                new byte[8])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldsOutOfRangeAreRefused() {
        List<Runnable> bad = List.of(
                () -> new Ipv4Repr(1, 2, 256, 64, 0, 0, false, false, 0, 0, null),
                () -> new Ipv4Repr(1, 2, -1, 64, 0, 0, false, false, 0, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 256, 0, 0, false, false, 0, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 256, 0, false, false, 0, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 0, 65536, false, false, 0, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 4, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 65536, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, -8, 0, null),
                () -> new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, -1, null));
        for (Runnable r : bad) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new Ipv4Repr.Rejected(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void optionsAreComparedByContentAndCopied() {
        byte[] options = {1, 1, 1, 0};
        Ipv4Repr a = new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 0, options);
        Ipv4Repr b = new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 0, options.clone());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        options[0] = 7;
        assertThat(a.options()[0]).as("the input array was copied").isEqualTo((byte) 1);
        a.options()[0] = 7;
        assertThat(a.options()[0]).as("the accessor returns a copy").isEqualTo((byte) 1);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 0, new byte[] {1, 1, 1, 1}));
        assertThat(new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 0, null))
                .isEqualTo(new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 0, new byte[0]));
    }

    @Test
    void emitNeedsThePayloadTheHeaderDescribes() {
        Ipv4Repr r = new Ipv4Repr(1, 2, 17, 64, 0, 0, false, false, 0, 10, null);
        PacketBuffer b = PacketBuffer.allocate(60 + 9, 60);
        b.append(9);
        assertThatThrownBy(() -> r.emit(b)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.length()).as("nothing written").isEqualTo(9);
    }
}
