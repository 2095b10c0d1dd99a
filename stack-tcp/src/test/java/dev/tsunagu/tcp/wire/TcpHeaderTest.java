package dev.tsunagu.tcp.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The TCP header view (RFC 9293 3.1) and its options (RFC 9293/6691 MSS, RFC 7323 window
 * scale and timestamps, RFC 2018 SACK-permitted) against segments a Linux 6.18 kernel
 * exchanged between 10.0.0.1:40000 and 10.0.0.2:8080 over a veth pair with transmit checksum
 * offload off (so the checksums are the kernel's own): a handshake, "hello\n", and the close.
 * The first capture has the default options (timestamps on); the second was made with
 * {@code net.ipv4.tcp_timestamps=0}, whose segments {@link TcpHeader#prepend} reproduces byte
 * for byte. The {@code describe} expectations are what {@code tcpdump -S -nn} printed for
 * the same packets.
 */
class TcpHeaderTest {
    static final int IP_10_0_0_1 = 0x0A00_0001;
    static final int IP_10_0_0_2 = 0x0A00_0002;
    static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

    // ---- capture 1: Linux defaults (MSS, SACK-permitted, timestamps, window scale) ----

    /** 10.0.0.1:40000 > 10.0.0.2:8080 SYN: options mss 1460, sackOK, TS val 1391624181 ecr 0, nop, wscale 10. */
    static final byte[] KERNEL_SYN = hex("4500003cd947400040064d720a0000010a000002"
            + "9c401f90 b5acaed9 00000000 a002faf0 45cb0000"
            + "020405b4 0402080a 52f27ff5 00000000 0103030a");

    /** 10.0.0.2:8080 > 10.0.0.1:40000 SYN-ACK, the same options with TS val 340514772 ecr 1391624181. */
    static final byte[] KERNEL_SYN_ACK = hex("4500003c00004000400626ba0a0000020a000001"
            + "1f909c40 e6e673f4 b5acaeda a012fe88 fb260000"
            + "020405b4 0402080a 144bd7d4 52f27ff5 0103030a");

    /** 10.0.0.1 > 10.0.0.2 PSH+ACK with "hello\n" and nop, nop, TS. */
    static final byte[] KERNEL_DATA = hex("4500003ad949400040064d720a0000010a000002"
            + "9c401f90 b5acaeda e6e673f5 8018003f e38d0000"
            + "0101080a 52f280bd 144bd7d4" + "68656c6c6f0a");

    /** 10.0.0.1 > 10.0.0.2 FIN+ACK after the data. */
    static final byte[] KERNEL_FIN = hex("45000034d94a400040064d770a0000010a000002"
            + "9c401f90 b5acaee0 e6e673f5 8011003f 25e00000"
            + "0101080a 52f28186 144bd89c");

    /** 10.0.0.2 > 10.0.0.1 FIN+ACK, the server's. */
    static final byte[] KERNEL_SERVER_FIN = hex("45000034bd004000400669c10a0000020a000001"
            + "1f909c40 e6e673f9 b5acaee1 80110040 25110000"
            + "0101080a 144bd965 52f28186");

    // ---- capture 2: net.ipv4.tcp_timestamps=0 ----

    /** SYN: options mss 1460, nop, nop, sackOK, nop, wscale 10, the layout prepend writes. */
    static final byte[] PLAIN_SYN = hex("45000034eb2c400040063b950a0000010a000002"
            + "9c401f90 dfa64040 00000000 8002faf0 84630000"
            + "020405b4 01010402 0103030a");

    static final byte[] PLAIN_SYN_ACK = hex("4500003400004000400626c20a0000020a000001"
            + "1f909c40 10e0055c dfa64041 8012faf0 6e160000"
            + "020405b4 01010402 0103030a");

    /** The third packet of the handshake: a bare ACK, 20-byte header. */
    static final byte[] PLAIN_ACK = hex("45000028eb2d400040063ba00a0000010a000002"
            + "9c401f90 dfa64041 10e0055d 5010003f a99d0000");

    static final byte[] PLAIN_DATA = hex("4500002eeb2e400040063b990a0000010a000002"
            + "9c401f90 dfa64041 10e0055d 5018003f 65b30000" + "68656c6c6f0a");

    static final byte[] PLAIN_FIN = hex("45000028eb2f400040063b9e0a0000010a000002"
            + "9c401f90 dfa64047 10e0055d 5011003f a9960000");

    /** 10.0.0.2 > 10.0.0.1 PSH+ACK with "bye\n". */
    static final byte[] PLAIN_SERVER_DATA = hex("4500002c7d7240004006a9570a0000020a000001"
            + "1f909c40 10e0055d dfa64048 5018003f e2060000" + "6279650a");

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** The TCP segment inside an IPv4 datagram, found through its header length. */
    static byte[] tcp(byte[] ipDatagram) {
        return Arrays.copyOfRange(ipDatagram, (ipDatagram[0] & 0xF) * 4, ipDatagram.length);
    }

    /** The segment of a captured datagram in a buffer with headroom, as the IP layer hands it up. */
    static PacketBuffer segment(byte[] ipDatagram) {
        return PacketBuffer.copyOf(tcp(ipDatagram), 40);
    }

    /** Rewrites the checksum of a crafted segment so that it passes {@link TcpHeader#check}. */
    static byte[] withChecksum(byte[] segment, int src, int dst) {
        byte[] s = segment.clone();
        s[16] = 0;
        s[17] = 0;
        long sum = InternetChecksum.pseudoHeader(src, dst, IpProtocol.TCP, s.length);
        int c = InternetChecksum.finish(InternetChecksum.add(sum, s, 0, s.length));
        s[16] = (byte) (c >>> 8);
        s[17] = (byte) c;
        return s;
    }

    /** A header of {@code 20 + options.length} bytes (options a multiple of 4) with the given options. */
    static PacketBuffer headerWithOptions(String optionsHex) {
        byte[] options = hex(optionsHex);
        byte[] s = new byte[TcpHeader.HEADER_LENGTH + options.length];
        s[12] = (byte) ((s.length / 4) << 4);
        s[13] = TcpHeader.SYN;
        System.arraycopy(options, 0, s, TcpHeader.HEADER_LENGTH, options.length);
        return PacketBuffer.copyOf(s, 0);
    }

    static TcpHeader.Options options(PacketBuffer b) {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(b, o)).as("options parse").isTrue();
        return o;
    }

    // ---- kernel segments: fields ----

    @Test
    void everyCapturedSegmentPassesCheckAgainstItsAddresses() {
        for (byte[] d : new byte[][] {KERNEL_SYN, KERNEL_DATA, KERNEL_FIN, PLAIN_SYN, PLAIN_ACK, PLAIN_DATA, PLAIN_FIN}) {
            assertThat(TcpHeader.check(segment(d), IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(TcpHeader.Problem.OK);
        }
        for (byte[] d : new byte[][] {KERNEL_SYN_ACK, KERNEL_SERVER_FIN, PLAIN_SYN_ACK, PLAIN_SERVER_DATA}) {
            assertThat(TcpHeader.check(segment(d), IP_10_0_0_2, IP_10_0_0_1)).isEqualTo(TcpHeader.Problem.OK);
        }
    }

    @Test
    void theKernelsSynReadsAsSent() {
        PacketBuffer b = segment(KERNEL_SYN);
        assertThat(TcpHeader.sourcePort(b)).isEqualTo(40000);
        assertThat(TcpHeader.destinationPort(b)).isEqualTo(8080);
        assertThat(Integer.toUnsignedLong(TcpHeader.sequence(b))).isEqualTo(3047993049L);
        assertThat(TcpHeader.acknowledgment(b)).isZero();
        assertThat(TcpHeader.headerLength(b)).isEqualTo(40);
        assertThat(TcpHeader.flags(b)).isEqualTo(TcpHeader.SYN);
        assertThat(TcpHeader.window(b)).isEqualTo(64240);
        assertThat(TcpHeader.checksum(b)).isEqualTo(0x45cb);
        assertThat(TcpHeader.urgentPointer(b)).isZero();
        assertThat(TcpHeader.payloadLength(b)).isZero();
    }

    @Test
    void theKernelsSynCarriesMssSackPermittedTimestampsAndWindowScale() {
        TcpHeader.Options o = options(segment(KERNEL_SYN));
        assertThat(o.mss).isEqualTo(1460);
        assertThat(o.sackPermitted).isTrue();
        assertThat(o.timestamps).isTrue();
        assertThat(Integer.toUnsignedLong(o.tsValue)).isEqualTo(1391624181L);
        assertThat(o.tsEcho).isZero();
        assertThat(o.windowScale).isEqualTo(10);
    }

    @Test
    void theKernelsSynAckAcknowledgesTheSynAndEchoesItsTimestamp() {
        PacketBuffer b = segment(KERNEL_SYN_ACK);
        assertThat(TcpHeader.flags(b)).isEqualTo(TcpHeader.SYN | TcpHeader.ACK);
        assertThat(Integer.toUnsignedLong(TcpHeader.sequence(b))).isEqualTo(3873862644L);
        assertThat(Integer.toUnsignedLong(TcpHeader.acknowledgment(b))).isEqualTo(3047993050L);
        assertThat(TcpHeader.window(b)).isEqualTo(65160);
        TcpHeader.Options o = options(b);
        assertThat(o.mss).isEqualTo(1460);
        assertThat(o.sackPermitted).isTrue();
        assertThat(o.windowScale).isEqualTo(10);
        assertThat(Integer.toUnsignedLong(o.tsValue)).isEqualTo(340514772L);
        assertThat(Integer.toUnsignedLong(o.tsEcho)).isEqualTo(1391624181L);
    }

    @Test
    void theKernelsDataSegmentHasTimestampsOnlyAndItsPayloadAfterTheHeader() {
        PacketBuffer b = segment(KERNEL_DATA);
        assertThat(TcpHeader.flags(b)).isEqualTo(TcpHeader.PSH | TcpHeader.ACK);
        assertThat(Integer.toUnsignedLong(TcpHeader.sequence(b))).isEqualTo(3047993050L);
        assertThat(Integer.toUnsignedLong(TcpHeader.acknowledgment(b))).isEqualTo(3873862645L);
        assertThat(TcpHeader.window(b)).isEqualTo(63);
        assertThat(TcpHeader.headerLength(b)).isEqualTo(32);
        assertThat(TcpHeader.payloadLength(b)).isEqualTo(HELLO.length);
        byte[] payload = new byte[HELLO.length];
        b.getBytes(TcpHeader.headerLength(b), payload, 0, payload.length);
        assertThat(payload).isEqualTo(HELLO);
        TcpHeader.Options o = options(b);
        assertThat(o.mss).isZero();
        assertThat(o.windowScale).isEqualTo(-1);
        assertThat(o.sackPermitted).isFalse();
        assertThat(o.timestamps).isTrue();
        assertThat(Integer.toUnsignedLong(o.tsValue)).isEqualTo(1391624381L);
        assertThat(Integer.toUnsignedLong(o.tsEcho)).isEqualTo(340514772L);
    }

    @Test
    void theKernelsFinTakesTheSequenceNumberAfterTheData() {
        PacketBuffer b = segment(KERNEL_FIN);
        assertThat(TcpHeader.flags(b)).isEqualTo(TcpHeader.FIN | TcpHeader.ACK);
        assertThat(TcpHeader.sequence(b)).isEqualTo(TcpHeader.sequence(segment(KERNEL_DATA)) + HELLO.length);
        assertThat(TcpHeader.payloadLength(b)).isZero();
        assertThat(options(b).timestamps).isTrue();
    }

    @Test
    void theTimestampFreeSynHasMssSackPermittedAndWindowScaleAmongNops() {
        TcpHeader.Options o = options(segment(PLAIN_SYN));
        assertThat(o.mss).isEqualTo(1460);
        assertThat(o.sackPermitted).isTrue();
        assertThat(o.windowScale).isEqualTo(10);
        assertThat(o.timestamps).isFalse();
        assertThat(options(segment(PLAIN_DATA)).windowScale).isEqualTo(-1);
    }

    // ---- prepend ----

    private static byte[] prepended(byte[] payload, int sport, int dport, int seq, int ack, int flags, int window,
                                    int mss, int windowScale, boolean sackPermitted, int src, int dst) {
        PacketBuffer b = PacketBuffer.allocate(TcpHeader.MAX_HEADER_LENGTH + payload.length, TcpHeader.MAX_HEADER_LENGTH);
        b.append(payload, 0, payload.length);
        TcpHeader.prepend(b, sport, dport, seq, ack, flags, window, mss, windowScale, sackPermitted, src, dst);
        return b.toByteArray();
    }

    @Test
    void prependWritesTheKernelsTimestampFreeSynByteForByte() {
        byte[] ours = prepended(new byte[0], 40000, 8080, 0xdfa64040, 0, TcpHeader.SYN, 64240, 1460, 10, true,
                IP_10_0_0_1, IP_10_0_0_2);
        assertThat(HexFormat.of().formatHex(ours)).isEqualTo(HexFormat.of().formatHex(tcp(PLAIN_SYN)));
    }

    @Test
    void prependWritesTheKernelsSynAckByteForByte() {
        byte[] ours = prepended(new byte[0], 8080, 40000, 0x10e0055c, 0xdfa64041, TcpHeader.SYN | TcpHeader.ACK,
                64240, 1460, 10, true, IP_10_0_0_2, IP_10_0_0_1);
        assertThat(ours).isEqualTo(tcp(PLAIN_SYN_ACK));
    }

    @Test
    void prependWritesTheKernelsOptionlessAckDataAndFinByteForByte() {
        assertThat(prepended(new byte[0], 40000, 8080, 0xdfa64041, 0x10e0055d, TcpHeader.ACK, 63, 0, -1, false,
                IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(tcp(PLAIN_ACK));
        assertThat(prepended(HELLO, 40000, 8080, 0xdfa64041, 0x10e0055d, TcpHeader.PSH | TcpHeader.ACK, 63, 0, -1,
                false, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(tcp(PLAIN_DATA));
        assertThat(prepended(new byte[0], 40000, 8080, 0xdfa64047, 0x10e0055d, TcpHeader.FIN | TcpHeader.ACK, 63, 0,
                -1, false, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(tcp(PLAIN_FIN));
        assertThat(prepended("bye\n".getBytes(StandardCharsets.US_ASCII), 8080, 40000, 0x10e0055d, 0xdfa64048,
                TcpHeader.PSH | TcpHeader.ACK, 63, 0, -1, false, IP_10_0_0_2, IP_10_0_0_1))
                .isEqualTo(tcp(PLAIN_SERVER_DATA));
    }

    @Test
    void prependWritesEachOptionInItsOwnWordAndParsesBack() {
        for (int mss : new int[] {0, 536, 65535}) {
            for (int ws : new int[] {-1, 0, 7, 14}) {
                for (boolean sack : new boolean[] {false, true}) {
                    byte[] s = prepended(HELLO, 1, 2, -1, 5, TcpHeader.SYN, 1000, mss, ws, sack, IP_10_0_0_1, IP_10_0_0_2);
                    PacketBuffer b = PacketBuffer.copyOf(s, 0);
                    int expectedHeader = 20 + (mss > 0 ? 4 : 0) + (ws >= 0 ? 4 : 0) + (sack ? 4 : 0);
                    assertThat(TcpHeader.headerLength(b)).isEqualTo(expectedHeader)
                            .isEqualTo(20 + TcpHeader.optionsLength(mss, ws, sack));
                    assertThat(TcpHeader.check(b, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(TcpHeader.Problem.OK);
                    TcpHeader.Options o = options(b);
                    assertThat(o.mss).isEqualTo(mss);
                    assertThat(o.windowScale).isEqualTo(ws);
                    assertThat(o.sackPermitted).isEqualTo(sack);
                    assertThat(o.timestamps).isFalse();
                    assertThat(TcpHeader.sequence(b)).isEqualTo(-1);
                    assertThat(TcpHeader.acknowledgment(b)).isEqualTo(5);
                    assertThat(TcpHeader.urgentPointer(b)).isZero();
                    assertThat(Arrays.copyOfRange(s, expectedHeader, s.length)).isEqualTo(HELLO);
                }
            }
        }
    }

    @Test
    void prependWritesTheOptionLayoutLinuxUsesWithoutTimestamps() {
        byte[] s = prepended(new byte[0], 1, 2, 3, 0, TcpHeader.SYN, 4, 1460, 7, true, IP_10_0_0_1, IP_10_0_0_2);
        assertThat(HexFormat.of().formatHex(s, 20, s.length)).isEqualTo("020405b4" + "01010402" + "01030307");
        assertThat(s[12]).isEqualTo((byte) 0x80);
    }

    @Test
    void prependRefusesFieldsThatDoNotFit() {
        PacketBuffer b = PacketBuffer.allocate(100, 60);
        assertThatThrownBy(() -> TcpHeader.prepend(b, 65536, 1, 0, 0, 0, 0, 0, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sourcePort");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, -1, 0, 0, 0, 0, 0, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destinationPort");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, 1, 0, 0, 0x100, 0, 0, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flags");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, 1, 0, 0, 0, 65536, 0, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, 1, 0, 0, 0, 0, 70000, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mss");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, 1, 0, 0, 0, 0, 0, 15, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowScale");
        assertThatThrownBy(() -> TcpHeader.prepend(b, 1, 1, 0, 0, 0, 0, 0, -2, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("windowScale");
        assertThat(b.length()).as("nothing written").isZero();
        PacketBuffer big = PacketBuffer.allocate(70000, 60);
        big.append(65535 - 20 + 1);
        assertThatThrownBy(() -> TcpHeader.prepend(big, 1, 1, 0, 0, 0, 0, 0, -1, false, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
        PacketBuffer cramped = PacketBuffer.allocate(100, 20);
        assertThatThrownBy(() -> TcpHeader.prepend(cramped, 1, 1, 0, 0, 0, 0, 1460, -1, false, 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aComputedZeroChecksumStaysZero() {
        // Unlike UDP, TCP has no "no checksum" value: search for a segment whose sum is zero.
        for (int seq = 0; seq < 0x10000; seq++) {
            byte[] s = prepended(new byte[0], 1, 2, seq, 0, TcpHeader.ACK, 0, 0, -1, false, IP_10_0_0_1, IP_10_0_0_2);
            if (s[16] == 0 && s[17] == 0) {
                assertThat(TcpHeader.check(PacketBuffer.copyOf(s, 0), IP_10_0_0_1, IP_10_0_0_2))
                        .isEqualTo(TcpHeader.Problem.OK);
                return;
            }
        }
        throw new AssertionError("no sequence number gave a zero checksum");
    }

    // ---- check: every problem ----

    @Test
    void fewerThanTwentyBytesAreTruncated() {
        byte[] ack = tcp(PLAIN_ACK);
        for (int n : new int[] {0, 1, 19}) {
            assertThat(TcpHeader.check(PacketBuffer.copyOf(ack, 0, n, 0), IP_10_0_0_1, IP_10_0_0_2))
                    .isEqualTo(TcpHeader.Problem.TRUNCATED);
        }
    }

    @Test
    void aDataOffsetBelowFiveWordsOrBeyondTheSegmentIsBad() {
        byte[] ack = tcp(PLAIN_ACK);
        for (int words : new int[] {0, 1, 4, 6, 15}) {
            byte[] s = ack.clone();
            s[12] = (byte) (words << 4);
            assertThat(TcpHeader.check(PacketBuffer.copyOf(withChecksum(s, IP_10_0_0_1, IP_10_0_0_2), 0),
                    IP_10_0_0_1, IP_10_0_0_2)).as("data offset %d", words).isEqualTo(TcpHeader.Problem.BAD_DATA_OFFSET);
        }
        // A data offset that covers the whole segment is fine: a header with no payload.
        byte[] data = tcp(PLAIN_DATA);
        byte[] trimmed = Arrays.copyOf(data, 24);
        trimmed[12] = 0x60;
        assertThat(TcpHeader.check(PacketBuffer.copyOf(withChecksum(trimmed, IP_10_0_0_1, IP_10_0_0_2), 0),
                IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(TcpHeader.Problem.OK);
    }

    @Test
    void theChecksumCoversTheHeaderAndThePayload() {
        byte[] data = tcp(KERNEL_DATA);
        for (int i = 0; i < data.length; i++) {
            if (i == 12) {
                continue; // changing the data offset is a different problem
            }
            byte[] s = data.clone();
            s[i] ^= 0x01;
            assertThat(TcpHeader.check(PacketBuffer.copyOf(s, 0), IP_10_0_0_1, IP_10_0_0_2))
                    .as("bit flipped in byte %d", i).isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
        }
        // One byte less: the pseudo-header's length changes too.
        assertThat(TcpHeader.check(PacketBuffer.copyOf(data, 0, data.length - 1, 0), IP_10_0_0_1, IP_10_0_0_2))
                .isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
    }

    @Test
    void theChecksumCoversThePseudoHeaderAddresses() {
        PacketBuffer syn = segment(KERNEL_SYN);
        assertThat(TcpHeader.check(syn, 0x0A00_0003, IP_10_0_0_2)).isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
        assertThat(TcpHeader.check(syn, IP_10_0_0_1, 0x0A00_0003)).isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
        assertThat(TcpHeader.check(syn, 0xC0A8_0001, 0xC0A8_0002)).isEqualTo(TcpHeader.Problem.BAD_CHECKSUM);
        // The ones' complement sum commutes: the pseudo-header cannot tell the direction.
        assertThat(TcpHeader.check(syn, IP_10_0_0_2, IP_10_0_0_1)).isEqualTo(TcpHeader.Problem.OK);
    }

    @Test
    void checkReadsRelativeToTheBufferStart() {
        byte[] data = tcp(KERNEL_DATA);
        byte[] framed = new byte[data.length + 14];
        Arrays.fill(framed, (byte) 0xEE);
        System.arraycopy(data, 0, framed, 7, data.length);
        PacketBuffer b = PacketBuffer.copyOf(framed, 0);
        b.consume(7);
        b.truncate(data.length);
        assertThat(TcpHeader.check(b, IP_10_0_0_1, IP_10_0_0_2)).isEqualTo(TcpHeader.Problem.OK);
        assertThat(TcpHeader.sourcePort(b)).isEqualTo(40000);
    }

    // ---- options ----

    @Test
    void optionsWithALengthBelowTwoAreMalformed() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(headerWithOptions("22000000"), o)).as("length 0").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("22010000"), o)).as("length 1").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("02000000"), o)).as("MSS of length 0").isFalse();
    }

    @Test
    void anOptionRunningPastTheHeaderIsMalformed() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(headerWithOptions("080a0000 00000000"), o)).as("timestamps").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("01012208"), o)).as("unknown kind").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("01010101 010101 22"), o)).as("no length byte").isFalse();
    }

    @Test
    void aTruncatedMssIsMalformed() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(headerWithOptions("01010204"), o)).as("cut by the header end").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("01010102"), o)).as("kind only").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("02030501"), o)).as("length 3").isFalse();
    }

    @Test
    void knownOptionsWithTheWrongLengthAreMalformed() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(headerWithOptions("03040700"), o)).as("window scale").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("04030000"), o)).as("SACK-permitted").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("0808 00000000 0000"), o)).as("timestamps").isFalse();
        assertThat(TcpHeader.parseOptions(headerWithOptions("020505b4 00000000"), o)).as("MSS").isFalse();
    }

    @Test
    void aMalformedOptionLeavesWhatWasParsedBeforeIt() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(headerWithOptions("020405b4 01030307 01010401"), o)).isFalse();
        assertThat(o.mss).isEqualTo(1460);
        assertThat(o.windowScale).isEqualTo(7);
        assertThat(o.sackPermitted).isFalse();
    }

    @Test
    void endOfOptionListStopsTheWalk() {
        TcpHeader.Options o = options(headerWithOptions("020405b4 00 ff ff ff"));
        assertThat(o.mss).isEqualTo(1460);
        assertThat(options(headerWithOptions("00020405 b4000000")).mss).isZero();
    }

    @Test
    void unknownOptionsAndSackBlocksAreSkippedByTheirLength() {
        TcpHeader.Options o = options(headerWithOptions(
                "1e06aabb ccdd" + "0101" + "050a 00000001 00000002" + "0101" + "0402" + "0103 0302" + "0000"));
        assertThat(o.sackPermitted).isTrue();
        assertThat(o.windowScale).isEqualTo(2);
        assertThat(o.mss).isZero();
    }

    @Test
    void aWindowScaleAbove14ReadsAs14() {
        assertThat(options(headerWithOptions("0103030f")).windowScale).isEqualTo(14);
        assertThat(options(headerWithOptions("010303ff")).windowScale).isEqualTo(14);
        assertThat(options(headerWithOptions("0103030e")).windowScale).isEqualTo(14);
        assertThat(options(headerWithOptions("01030300")).windowScale).isZero();
    }

    @Test
    void aRepeatedOptionOverwritesTheEarlierOne() {
        assertThat(options(headerWithOptions("02040218 020405b4")).mss).isEqualTo(1460);
    }

    @Test
    void theHolderIsResetBeforeEachParse() {
        TcpHeader.Options o = new TcpHeader.Options();
        assertThat(TcpHeader.parseOptions(segment(KERNEL_SYN), o)).isTrue();
        assertThat(o.timestamps).isTrue();
        assertThat(TcpHeader.parseOptions(segment(PLAIN_ACK), o)).isTrue();
        assertThat(o.mss).isZero();
        assertThat(o.windowScale).isEqualTo(-1);
        assertThat(o.sackPermitted).isFalse();
        assertThat(o.timestamps).isFalse();
        assertThat(o.tsValue).isZero();
        assertThat(o.tsEcho).isZero();
    }

    @Test
    void optionsAreParsedWhateverTheFlags() {
        // An MSS outside a SYN is the caller's to ignore (RFC 9293 3.2 only sends it in SYNs).
        PacketBuffer b = headerWithOptions("020405b4");
        b.setU8(TcpHeader.FLAGS, TcpHeader.ACK);
        assertThat(options(b).mss).isEqualTo(1460);
    }

    // ---- describe ----

    @Test
    void describeMatchesTcpdumpForTheKernelsSegments() {
        assertThat(TcpHeader.describe(segment(KERNEL_SYN))).isEqualTo(
                "Flags [S], seq 3047993049, win 64240, options [mss 1460,sackOK,TS val 1391624181 ecr 0,nop,wscale 10],"
                        + " length 0");
        assertThat(TcpHeader.describe(segment(KERNEL_SYN_ACK))).isEqualTo(
                "Flags [S.], seq 3873862644, ack 3047993050, win 65160, options [mss 1460,sackOK,"
                        + "TS val 340514772 ecr 1391624181,nop,wscale 10], length 0");
        assertThat(TcpHeader.describe(segment(KERNEL_DATA))).isEqualTo(
                "Flags [P.], seq 3047993050:3047993056, ack 3873862645, win 63, options [nop,nop,"
                        + "TS val 1391624381 ecr 340514772], length 6");
        assertThat(TcpHeader.describe(segment(KERNEL_FIN))).isEqualTo(
                "Flags [F.], seq 3047993056, ack 3873862645, win 63, options [nop,nop,"
                        + "TS val 1391624582 ecr 340514972], length 0");
        assertThat(TcpHeader.describe(segment(PLAIN_SYN))).isEqualTo(
                "Flags [S], seq 3752214592, win 64240, options [mss 1460,nop,nop,sackOK,nop,wscale 10], length 0");
    }

    @Test
    void describeShowsTheSequenceNumberOfABareAckWhichTcpdumpLeavesOut() {
        assertThat(TcpHeader.describe(segment(PLAIN_ACK)))
                .isEqualTo("Flags [.], seq 3752214593, ack 283116893, win 63, length 0");
    }

    @Test
    void describeNamesEveryFlagInTcpdumpsOrder() {
        PacketBuffer b = segment(PLAIN_ACK);
        b.setU8(TcpHeader.FLAGS, 0xFF);
        b.setU16(TcpHeader.URGENT, 7);
        assertThat(TcpHeader.describe(b)).startsWith("Flags [FSRP.UEW], seq 3752214593, ack 283116893, win 63, urg 7,");
        b.setU8(TcpHeader.FLAGS, 0);
        assertThat(TcpHeader.describe(b)).isEqualTo("Flags [none], seq 3752214593, win 63, length 0");
        b.setU8(TcpHeader.FLAGS, TcpHeader.RST);
        assertThat(TcpHeader.describe(b)).startsWith("Flags [R], ");
    }

    @Test
    void describeShowsSackBlocksUnknownOptionsEndOfListAndBadOptions() {
        assertThat(TcpHeader.describe(headerWithOptions("0101050a 00000001 00000005 1e04abcd 00000000")))
                .isEqualTo("Flags [S], seq 0, win 0, options [nop,nop,sack 1 {1:5},opt-30:abcd,eol], length 0");
        assertThat(TcpHeader.describe(headerWithOptions("020405b4 01012200")))
                .isEqualTo("Flags [S], seq 0, win 0, options [mss 1460,nop,nop,[bad opt]], length 0");
        assertThat(TcpHeader.describe(headerWithOptions("01010204")))
                .isEqualTo("Flags [S], seq 0, win 0, options [nop,nop,[bad opt]], length 0");
    }

    @Test
    void describeNeverThrowsOnGarbage() {
        assertThat(TcpHeader.describe(PacketBuffer.copyOf(new byte[5], 0))).contains("truncated");
        byte[] s = tcp(PLAIN_ACK);
        s[12] = (byte) 0xF0;
        assertThat(TcpHeader.describe(PacketBuffer.copyOf(s, 0))).contains("bad data offset 60");
    }
}
