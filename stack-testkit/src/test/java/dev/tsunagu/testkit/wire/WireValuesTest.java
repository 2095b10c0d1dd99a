package dev.tsunagu.testkit.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.testkit.wire.TcpRepr.Control;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The wire values against bytes worked out by hand from the RFCs' layouts (checksums computed
 * apart from any code here): each literal parses to the value and the value emits the literal.
 * The stack modules' wire tests check them further against the kernel's captures, side by side
 * with the production views.
 */
class WireValuesTest {
    private static final int A = 0x0A00_0001; // 10.0.0.1
    private static final int B = 0x0A00_0002; // 10.0.0.2

    /** The IPv4 header of a kernel ping from 10.0.0.1 to 10.0.0.2: DF, TTL 64, ICMP, 84 bytes. */
    private static final byte[] IPV4 = hex("4500 0054 33df 4000 4001 f2c7 0a00 0001 0a00 0002");
    /** Echo request, identifier 0x4c4b, sequence 1, data "abcdefgh". */
    private static final byte[] ECHO = hex("0800 1a1e 4c4b 0001 6162 6364 6566 6768");
    /** UDP 40000 > 53 from 10.0.0.1 to 10.0.0.2, "hello". */
    private static final byte[] UDP = hex("9c40 0035 000d 0b8a 6865 6c6c 6f");
    /** SYN 40000 > 8080 from 10.0.0.1, seq 0x01020304, window 64240, MSS 1460, SACK-Permitted, window scale 7. */
    private static final byte[] SYN = hex("9c40 1f90 0102 0304 0000 0000 8002 faf0 a047 0000"
            + "0204 05b4 0101 0402 0103 0307");
    /** PSH+ACK 8080 > 40000 from 10.0.0.2, seq 0x0a0b0c0d, ack 0x01020305, window 502, "hi". */
    private static final byte[] DATA = hex("1f90 9c40 0a0b 0c0d 0102 0305 5018 01f6 5b79 0000 6869");

    @Test
    void ipv4HeaderBothWays() {
        Ipv4Repr ip = new Ipv4Repr(A, B, 1, 64, 0, 0x33df, true, false, 0, 64, null);
        byte[] packet = new byte[84];
        System.arraycopy(IPV4, 0, packet, 0, IPV4.length);
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(packet, 0))).isEqualTo(new Ipv4Repr.Parsed(ip));

        PacketBuffer b = PacketBuffer.allocate(84, 20);
        b.append(64);
        ip.emit(b);
        assertThat(HexFormat.of().formatHex(b.toByteArray(), 0, 20)).isEqualTo(HexFormat.of().formatHex(IPV4));
    }

    @Test
    void ipv4RejectsWhatRfc791CallsMalformed() {
        byte[] packet = new byte[84];
        System.arraycopy(IPV4, 0, packet, 0, IPV4.length);
        byte[] v6 = packet.clone();
        v6[0] = 0x65;
        byte[] badSum = packet.clone();
        badSum[11] ^= 1;
        byte[] tooLong = packet.clone();
        tooLong[3] = (byte) 0x55;
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(v6, 0))).isEqualTo(new Ipv4Repr.Rejected(Ipv4Repr.Reason.BAD_VERSION));
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(badSum, 0)))
                .isEqualTo(new Ipv4Repr.Rejected(Ipv4Repr.Reason.BAD_CHECKSUM));
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(tooLong, 0)))
                .isEqualTo(new Ipv4Repr.Rejected(Ipv4Repr.Reason.BAD_TOTAL_LENGTH));
        assertThat(Ipv4Repr.parse(PacketBuffer.copyOf(Arrays.copyOf(IPV4, 19), 0)))
                .isEqualTo(new Ipv4Repr.Rejected(Ipv4Repr.Reason.TRUNCATED));
    }

    @Test
    void icmpEchoBothWays() {
        IcmpRepr echo = new IcmpRepr.EchoRequest(0x4c4b, 1, "abcdefgh".getBytes(StandardCharsets.US_ASCII));
        assertThat(IcmpRepr.parse(PacketBuffer.copyOf(ECHO, 0))).isEqualTo(new IcmpRepr.Parsed(echo));
        PacketBuffer b = PacketBuffer.allocate(64, 0);
        echo.emit(b);
        assertThat(b.toByteArray()).isEqualTo(ECHO);

        byte[] bad = ECHO.clone();
        bad[9] ^= 1;
        assertThat(IcmpRepr.parse(PacketBuffer.copyOf(bad, 0))).isEqualTo(new IcmpRepr.Rejected(IcmpRepr.Reason.BAD_CHECKSUM));
    }

    @Test
    void udpBothWaysWithThePseudoHeader() {
        UdpRepr udp = new UdpRepr(40000, 53, "hello".getBytes(StandardCharsets.US_ASCII));
        assertThat(UdpRepr.parse(PacketBuffer.copyOf(UDP, 0), A, B)).isEqualTo(new UdpRepr.Parsed(udp));
        assertThat(UdpRepr.parse(PacketBuffer.copyOf(UDP, 0), A, 0x0A00_0003)).as("to another address")
                .isEqualTo(new UdpRepr.Rejected(UdpRepr.Reason.BAD_CHECKSUM));
        PacketBuffer b = PacketBuffer.allocate(64, 0);
        udp.emit(b, A, B);
        assertThat(b.toByteArray()).isEqualTo(UDP);

        byte[] noChecksum = UDP.clone();
        noChecksum[6] = 0;
        noChecksum[7] = 0;
        assertThat(UdpRepr.parse(PacketBuffer.copyOf(noChecksum, 0), A, 0x0A00_0003)).as("zero: none computed (RFC 768)")
                .isEqualTo(new UdpRepr.Parsed(udp));
    }

    @Test
    void tcpSynWithOptionsBothWays() {
        TcpRepr syn = new TcpRepr(40000, 8080, Control.SYN, 0x0102_0304, OptionalInt.empty(), 64240, 1460, 7, true,
                new byte[0]);
        assertThat(TcpRepr.parse(PacketBuffer.copyOf(SYN, 0), A, B)).isEqualTo(new TcpRepr.Parsed(syn));
        assertThat(emitted(syn, A, B)).isEqualTo(SYN);
        assertThat(syn.toString()).isEqualTo(
                "TCP 40000 > 8080: Flags [S], seq 16909060, win 64240, options [mss 1460,nop,nop,sackOK,nop,wscale 7],"
                        + " length 0");
    }

    @Test
    void tcpDataBothWays() {
        TcpRepr data = new TcpRepr(8080, 40000, Control.PSH, 0x0a0b_0c0d, OptionalInt.of(0x0102_0305), 502,
                "hi".getBytes(StandardCharsets.US_ASCII));
        assertThat(TcpRepr.parse(PacketBuffer.copyOf(DATA, 0), B, A)).isEqualTo(new TcpRepr.Parsed(data));
        assertThat(emitted(data, B, A)).isEqualTo(DATA);
    }

    @Test
    void tcpRejectsImpossibleFlagsBadOffsetsAndBadOptions() {
        assertThat(rejection(withFlags(SYN, TcpRepr.SYN | TcpRepr.FIN))).isEqualTo(TcpRepr.Reason.IMPOSSIBLE_FLAGS);
        assertThat(rejection(withFlags(SYN, TcpRepr.SYN | TcpRepr.RST))).isEqualTo(TcpRepr.Reason.IMPOSSIBLE_FLAGS);
        byte[] offset = SYN.clone();
        offset[12] = (byte) 0x40; // 16 bytes: less than a header
        assertThat(rejection(resum(offset))).isEqualTo(TcpRepr.Reason.BAD_DATA_OFFSET);
        byte[] mss = SYN.clone();
        mss[21] = 3; // an MSS option of length 3
        assertThat(rejection(resum(mss))).isEqualTo(TcpRepr.Reason.BAD_OPTIONS);
        byte[] corrupt = SYN.clone();
        corrupt[4] ^= 1;
        assertThat(rejection(corrupt)).isEqualTo(TcpRepr.Reason.BAD_CHECKSUM);
    }

    private static byte[] emitted(TcpRepr r, int source, int destination) {
        PacketBuffer b = PacketBuffer.allocate(TcpRepr.MAX_HEADER_LENGTH + r.payloadLength(), TcpRepr.MAX_HEADER_LENGTH);
        r.emit(b, source, destination);
        return b.toByteArray();
    }

    private static TcpRepr.Reason rejection(byte[] segment) {
        return ((TcpRepr.Rejected) TcpRepr.parse(PacketBuffer.copyOf(segment, 0), A, B)).reason();
    }

    private static byte[] withFlags(byte[] segment, int flags) {
        byte[] s = segment.clone();
        s[13] = (byte) flags;
        return resum(s);
    }

    /** The segment with its checksum made right again (10.0.0.1 to 10.0.0.2), the sum done by hand. */
    private static byte[] resum(byte[] segment) {
        byte[] s = segment.clone();
        s[16] = 0;
        s[17] = 0;
        long sum = 0x0A00 + 0x0001 + 0x0A00 + 0x0002 + 6 + s.length;
        for (int i = 0; i < s.length; i += 2) {
            sum += ((s[i] & 0xFF) << 8) | (i + 1 < s.length ? s[i + 1] & 0xFF : 0);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        int checksum = (int) ~sum & 0xFFFF;
        s[16] = (byte) (checksum >>> 8);
        s[17] = (byte) checksum;
        return s;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }
}
