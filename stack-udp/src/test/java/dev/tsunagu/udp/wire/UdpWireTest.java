package dev.tsunagu.udp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.testkit.wire.Ipv4Repr;
import dev.tsunagu.testkit.wire.UdpRepr;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * UDP (RFC 768) against datagrams a Linux 6.18 kernel sent from 10.0.0.1 to 10.0.0.2,
 * captured on a veth with transmit checksum offload off (so the checksums are the kernel's
 * own, not the partial sums a loopback capture shows): parse gives the expected
 * {@link UdpRepr}, emit the kernel's bytes; zero checksums, the 0xFFFF rule and every
 * {@link UdpHeader.Problem}.
 */
class UdpWireTest {
    private static final int IP_10_0_0_1 = 0x0A00_0001;
    private static final int IP_10_0_0_2 = 0x0A00_0002;
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

    /** sendto("hello\n") from 10.0.0.1:40000 to 10.0.0.2:53: UDP checksum 0x0b7e. */
    private static final byte[] KERNEL_DATAGRAM = hex(
            "4500 0022 7f0c 4000 4011 a7bc 0a00 0001 0a00 0002"
                    + "9c40 0035 000e 0b7e" + "68656c6c6f0a");

    /** The same from 10.0.0.1:40001 to port 5353 on a socket with SO_NO_CHECK: checksum 0, none computed. */
    private static final byte[] KERNEL_NO_CHECKSUM = hex(
            "4500 0022 7f13 4000 4011 a7b5 0a00 0001 0a00 0002"
                    + "9c41 14e9 000e 0000" + "68656c6c6f0a");

    /** "opt\n" from 10.0.0.1:40002 to port 9 with IP_OPTIONS NOP, EOL: IHL 6. */
    private static final byte[] KERNEL_WITH_IP_OPTIONS = hex(
            "4600 0024 7f28 4000 4011 a59e 0a00 0001 0a00 0002 0100 0000"
                    + "9c42 0009 000c 6c0d" + "6f70740a");

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** The UDP datagram inside an IPv4 datagram, found through its header length. */
    private static byte[] udp(byte[] ipDatagram) {
        return Arrays.copyOfRange(ipDatagram, (ipDatagram[0] & 0xF) * 4, ipDatagram.length);
    }

    private static UdpRepr parsed(byte[] datagram, int src, int dst) {
        UdpRepr.Result result = UdpRepr.parse(PacketBuffer.copyOf(datagram, 0), src, dst);
        assertThat(result).isInstanceOf(UdpRepr.Parsed.class);
        return ((UdpRepr.Parsed) result).repr();
    }

    private static byte[] emitted(UdpRepr repr, int src, int dst) {
        PacketBuffer b = PacketBuffer.allocate(60 + repr.bufferLength(), 60);
        repr.emit(b, src, dst);
        assertThat(b.length()).isEqualTo(repr.bufferLength());
        return b.toByteArray();
    }

    private static int checksumField(byte[] datagram) {
        return ((datagram[6] & 0xFF) << 8) | (datagram[7] & 0xFF);
    }

    // ---- kernel datagrams ----

    @Test
    void theKernelsDatagramParsesAndReEmitsByteForByte() {
        byte[] datagram = udp(KERNEL_DATAGRAM);
        UdpRepr repr = parsed(datagram, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(repr).isEqualTo(new UdpRepr(40000, 53, HELLO));
        assertThat(repr.bufferLength()).isEqualTo(14);
        assertThat(repr).hasToString("UDP 40000 > 53, length 6");
        assertThat(emitted(repr, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(datagram);

        PacketBuffer b = PacketBuffer.copyOf(datagram, 0);
        assertThat(UdpHeader.sourcePort(b)).isEqualTo(40000);
        assertThat(UdpHeader.destinationPort(b)).isEqualTo(53);
        assertThat(UdpHeader.length(b)).isEqualTo(14);
        assertThat(UdpHeader.checksum(b)).isEqualTo(0x0b7e);
    }

    @Test
    void theWholeIpDatagramIsRebuiltFromTwoReprs() {
        PacketBuffer in = PacketBuffer.copyOf(KERNEL_DATAGRAM, 0);
        Ipv4Repr ip = ((Ipv4Repr.Parsed) Ipv4Repr.parse(in)).repr();
        in.consume(ip.headerLength());
        in.truncate(ip.payloadLength());
        UdpRepr udp = ((UdpRepr.Parsed) UdpRepr.parse(in, ip.source(), ip.destination())).repr();

        PacketBuffer out = PacketBuffer.allocate(128, 60);
        udp.emit(out, ip.source(), ip.destination());
        ip.emit(out);
        assertThat(out.toByteArray()).isEqualTo(KERNEL_DATAGRAM);
    }

    @Test
    void theViewsPrependWritesTheKernelsBytes() {
        PacketBuffer b = PacketBuffer.allocate(64, 8);
        b.append(HELLO, 0, HELLO.length);
        UdpHeader.prepend(b, 40000, 53, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(b.toByteArray()).isEqualTo(udp(KERNEL_DATAGRAM));
    }

    @Test
    void aDatagramBehindIpOptionsParses() {
        PacketBuffer b = PacketBuffer.copyOf(KERNEL_WITH_IP_OPTIONS, 0);
        Ipv4Repr ip = ((Ipv4Repr.Parsed) Ipv4Repr.parse(b)).repr();
        assertThat(ip.headerLength()).isEqualTo(24);
        b.consume(ip.headerLength());
        UdpRepr repr = ((UdpRepr.Parsed) UdpRepr.parse(b, ip.source(), ip.destination())).repr();
        assertThat(repr).isEqualTo(new UdpRepr(40002, 9, "opt\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(emitted(repr, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(udp(KERNEL_WITH_IP_OPTIONS));
    }

    // ---- checksum zero and all ones ----

    @Test
    void aZeroChecksumMeansNone() {
        byte[] datagram = udp(KERNEL_NO_CHECKSUM);
        UdpRepr repr = parsed(datagram, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(repr).isEqualTo(new UdpRepr(40001, 5353, HELLO));

        // Without a checksum nothing is verified: a corrupted payload, or the wrong
        // pseudo-header, still passes.
        byte[] corrupt = datagram.clone();
        corrupt[10] ^= 0x20;
        assertThat(UdpHeader.check(PacketBuffer.copyOf(corrupt, 0), IP_10_0_0_1, IP_10_0_0_2))
                .isEqualTo(UdpHeader.Problem.OK);
        assertThat(UdpHeader.check(PacketBuffer.copyOf(datagram, 0), 0x0102_0304, 0x0506_0708))
                .isEqualTo(UdpHeader.Problem.OK);

        // We always compute one (0xf6c8 for this datagram), and it verifies.
        byte[] ours = emitted(repr, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(checksumField(ours)).isEqualTo(0xf6c8);
        assertThat(UdpHeader.check(PacketBuffer.copyOf(ours, 0), IP_10_0_0_1, IP_10_0_0_2))
                .isEqualTo(UdpHeader.Problem.OK);
    }

    @Test
    void aComputedZeroIsSentAsAllOnes() {
        // Search for a two-byte payload whose checksum computes to zero: the sum of the rest
        // plus the payload word must fold to 0xFFFF, and one word in 0..0xFFFF does it.
        int src = IP_10_0_0_1;
        int dst = IP_10_0_0_2;
        byte[] datagram = hex("9c40 0035 000a 0000 0000");
        int found = -1;
        for (int w = 0; w <= 0xFFFF && found < 0; w++) {
            datagram[8] = (byte) (w >>> 8);
            datagram[9] = (byte) w;
            long sum = InternetChecksum.pseudoHeader(src, dst, IpProtocol.UDP, datagram.length);
            if (InternetChecksum.finish(InternetChecksum.add(sum, datagram, 0, datagram.length)) == 0) {
                found = w;
            }
        }
        assertThat(found).as("a payload with a zero checksum exists").isNotNegative();

        UdpRepr repr = new UdpRepr(40000, 53, new byte[] {(byte) (found >>> 8), (byte) found});
        byte[] ours = emitted(repr, src, dst);
        assertThat(checksumField(ours)).isEqualTo(0xFFFF);
        assertThat(UdpHeader.check(PacketBuffer.copyOf(ours, 0), src, dst)).isEqualTo(UdpHeader.Problem.OK);
        assertThat(parsed(ours, src, dst)).isEqualTo(repr);

        PacketBuffer viaView = PacketBuffer.allocate(16, 8);
        viaView.append(repr.payload(), 0, 2);
        UdpHeader.prepend(viaView, 40000, 53, src, dst);
        assertThat(viaView.toByteArray()).as("the view agrees").isEqualTo(ours);

        // The same datagram with 0x0000 is "no checksum" and passes too.
        byte[] none = ours.clone();
        none[6] = 0;
        none[7] = 0;
        assertThat(parsed(none, src, dst)).isEqualTo(repr);
    }

    // ---- every problem ----

    private static Map<String, Map.Entry<byte[], UdpHeader.Problem>> craftedProblems() {
        byte[] good = udp(KERNEL_DATAGRAM);
        Map<String, Map.Entry<byte[], UdpHeader.Problem>> cases = new LinkedHashMap<>();
        for (int n = 0; n < 8; n++) {
            cases.put(n + " bytes", Map.entry(Arrays.copyOf(good, n), UdpHeader.Problem.TRUNCATED));
        }
        for (int length : new int[] {0, 1, 7}) {
            byte[] shortLength = good.clone();
            shortLength[4] = 0;
            shortLength[5] = (byte) length;
            cases.put("length " + length + " < 8", Map.entry(shortLength, UdpHeader.Problem.BAD_LENGTH));
        }
        cases.put("length 14 > 13 bytes", Map.entry(Arrays.copyOf(good, 13), UdpHeader.Problem.BAD_LENGTH));
        cases.put("length 14 > 8 bytes", Map.entry(Arrays.copyOf(good, 8), UdpHeader.Problem.BAD_LENGTH));
        byte[] huge = good.clone();
        huge[4] = (byte) 0xFF;
        huge[5] = (byte) 0xFF;
        cases.put("length 65535 > 14 bytes", Map.entry(huge, UdpHeader.Problem.BAD_LENGTH));

        byte[] badPayload = good.clone();
        badPayload[13] ^= 1;
        cases.put("payload bit flipped", Map.entry(badPayload, UdpHeader.Problem.BAD_CHECKSUM));
        byte[] badPort = good.clone();
        badPort[3] = 0x36;
        cases.put("port changed", Map.entry(badPort, UdpHeader.Problem.BAD_CHECKSUM));
        byte[] badChecksum = good.clone();
        badChecksum[7] ^= (byte) 0x80;
        cases.put("checksum changed", Map.entry(badChecksum, UdpHeader.Problem.BAD_CHECKSUM));
        return cases;
    }

    @Test
    void everyProblemComesFromACraftedInput() {
        Set<UdpHeader.Problem> seen = EnumSet.noneOf(UdpHeader.Problem.class);
        craftedProblems().forEach((name, c) -> {
            PacketBuffer b = PacketBuffer.copyOf(c.getKey(), 0);
            assertThat(UdpHeader.check(b, IP_10_0_0_1, IP_10_0_0_2)).as(name).isEqualTo(c.getValue());
            assertThat(UdpRepr.parse(b, IP_10_0_0_1, IP_10_0_0_2)).as(name)
                    .isEqualTo(new UdpRepr.Rejected(UdpRepr.Reason.valueOf(c.getValue().name())));
            seen.add(c.getValue());
        });
        assertThat(seen).isEqualTo(EnumSet.complementOf(EnumSet.of(UdpHeader.Problem.OK)));
    }

    @Test
    void theChecksumCoversThePseudoHeader() {
        byte[] datagram = udp(KERNEL_DATAGRAM);
        for (int[] addresses : new int[][] {{IP_10_0_0_1, 0x0A00_0003}, {0x0A00_0003, IP_10_0_0_2}, {0, 0}}) {
            assertThat(UdpRepr.parse(PacketBuffer.copyOf(datagram, 0), addresses[0], addresses[1]))
                    .isEqualTo(new UdpRepr.Rejected(UdpRepr.Reason.BAD_CHECKSUM));
        }
    }

    @Test
    void everySingleBitErrorOutsideTheLengthIsABadChecksum() {
        byte[] datagram = udp(KERNEL_DATAGRAM);
        for (int i = 0; i < datagram.length; i++) {
            if (i == 4 || i == 5) {
                continue; // the length field: BAD_LENGTH when it grows, the checksum catches it otherwise
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] corrupt = datagram.clone();
                corrupt[i] ^= (byte) (1 << bit);
                assertThat(UdpHeader.check(PacketBuffer.copyOf(corrupt, 0), IP_10_0_0_1, IP_10_0_0_2))
                        .as("byte %d bit %d", i, bit).isEqualTo(UdpHeader.Problem.BAD_CHECKSUM);
            }
        }
    }

    @Test
    void bytesAfterTheUdpLengthAreNotPayload() {
        byte[] padded = Arrays.copyOf(udp(KERNEL_DATAGRAM), 14 + 5);
        padded[16] = 0x77;
        assertThat(parsed(padded, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(new UdpRepr(40000, 53, HELLO));
    }

    // ---- values ----

    @Test
    void randomDatagramsRoundTripAndAgreeWithTheView() {
        Random random = new Random(768);
        for (int n = 0; n < 2000; n++) {
            byte[] payload = new byte[random.nextInt(300)];
            random.nextBytes(payload);
            int src = random.nextInt();
            int dst = random.nextInt();
            UdpRepr repr = new UdpRepr(random.nextInt(65536), random.nextInt(65536), payload);
            byte[] ours = emitted(repr, src, dst);
            assertThat(checksumField(ours)).isNotZero();
            assertThat(UdpHeader.check(PacketBuffer.copyOf(ours, 0), src, dst)).isEqualTo(UdpHeader.Problem.OK);
            assertThat(parsed(ours, src, dst)).isEqualTo(repr);

            PacketBuffer viaView = PacketBuffer.allocate(8 + payload.length, 8);
            viaView.append(payload, 0, payload.length);
            UdpHeader.prepend(viaView, repr.sourcePort(), repr.destinationPort(), src, dst);
            assertThat(viaView.toByteArray()).isEqualTo(ours);
        }
    }

    @Test
    void theLargestPayloadFits() {
        UdpRepr repr = new UdpRepr(1, 2, new byte[UdpRepr.MAX_PAYLOAD_LENGTH]);
        byte[] ours = emitted(repr, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(ours).hasSize(65535 - 20);
        assertThat(parsed(ours, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(repr);
        assertThatThrownBy(() -> new UdpRepr(1, 2, new byte[UdpRepr.MAX_PAYLOAD_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emitAppendsAfterWhatTheBufferHolds() {
        UdpRepr repr = new UdpRepr(40000, 53, HELLO);
        PacketBuffer b = PacketBuffer.allocate(64, 0);
        b.append(new byte[] {1, 2, 3}, 0, 3);
        repr.emit(b, IP_10_0_0_1, IP_10_0_0_2);
        b.consume(3);
        assertThat(b.toByteArray()).isEqualTo(udp(KERNEL_DATAGRAM));
    }

    @Test
    void thePayloadIsComparedByContentAndCopied() {
        byte[] payload = HELLO.clone();
        UdpRepr a = new UdpRepr(1, 2, payload);
        UdpRepr b = new UdpRepr(1, 2, HELLO.clone());
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new UdpRepr(1, 2, "hello!".getBytes(StandardCharsets.US_ASCII)));
        assertThat(a).isNotEqualTo(new UdpRepr(2, 1, HELLO));
        payload[0] = 'j';
        a.payload()[1] = 'a';
        assertThat(a.payload()).isEqualTo(HELLO);
    }

    @Test
    void fieldsOutOfRangeAreRefused() {
        List<Runnable> bad = List.of(
                () -> new UdpRepr(65536, 1, new byte[0]),
                () -> new UdpRepr(-1, 1, new byte[0]),
                () -> new UdpRepr(1, 65536, new byte[0]));
        for (Runnable r : bad) {
            assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new UdpRepr(1, 2, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new UdpRepr.Rejected(null)).isInstanceOf(NullPointerException.class);
    }
}
