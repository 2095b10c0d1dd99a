package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Packet Too Big (RFC 4443 3.2) as path MTU discovery takes it (RFC 8201), on the virtual clock:
 * one quoting a TCP segment is TCP's to check (RFC 5927 4.1: only a sequence number in flight
 * is believed), and only then lowers the path MTU and the live connection's MSS, the flight going
 * again at once in smaller segments; one quoting UDP lowers the path MTU at once; none lowers it
 * below 1280.
 */
class PacketTooBigTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PEER_PORT = 40000;
    private static final long PEER_ISS = 1000;
    private static final Ipv6Address ROUTER = Ipv6Address.parse("fd00::fe");

    private final RawV6Lan lan = new RawV6Lan("ptb6").introduce();

    @AfterEach
    void tearDown() {
        lan.close();
    }

    /** A TCP segment the host sent, read from the raw packet (no extension headers). */
    private record Segment(long seq, int payload, int totalLength) {
        static Segment of(RawV6Lan.Sent s) {
            ByteBuffer b = ByteBuffer.wrap(s.packet());
            int offset = ((b.get(40 + 12) & 0xFF) >>> 4) * 4;
            return new Segment(b.getInt(40 + 4) & 0xFFFF_FFFFL, s.packet().length - 40 - offset, s.packet().length);
        }
    }

    private List<Segment> tcpSent() {
        return lan.sent().stream().filter(s -> s.nextHeader() == 6).map(Segment::of).toList();
    }

    /**
     * The raw host connects to the host's port 80 offering MSS 1440 (no timestamps), the host
     * accepts and writes {@code bytes}, and nothing is acknowledged: the flight the host sent.
     */
    private List<Segment> connectedWithAFlightOf(int bytes) throws Exception {
        TcpServerSocket listener = lan.host.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        lan.send(V6.packet(RAW, HOST, 6, 64, V6.tcp(RAW, HOST, PEER_PORT, 80, PEER_ISS, 0, SYN, 65535, 1440, new byte[0])));
        List<Segment> synAck = tcpSent();
        assertThat(synAck).hasSize(1);
        lan.send(V6.packet(RAW, HOST, 6, 64,
                V6.tcp(RAW, HOST, PEER_PORT, 80, PEER_ISS + 1, synAck.get(0).seq() + 1, ACK, 65535, 0, new byte[0])));
        TcpSocket s = lan.loop.await(accepted, Duration.ofSeconds(1));
        s.writeAsync(new byte[bytes], 0, bytes);
        List<Segment> flight = tcpSent();
        assertThat(flight).as("the flight, at the MSS the peer offered").isNotEmpty()
                .allSatisfy(seg -> assertThat(seg.payload()).isLessThanOrEqualTo(1440));
        assertThat(flight.get(0).payload()).isEqualTo(1440);
        return flight;
    }

    /** A router's Packet Too Big reporting {@code mtu}, quoting the start of a TCP segment of ours at {@code seq}. */
    private void packetTooBigForTcp(long mtu, long seq) {
        byte[] tcpStart = ByteBuffer.allocate(20).putShort((short) 80).putShort((short) PEER_PORT).putInt((int) seq)
                .array();
        byte[] quoted = V6.packet(HOST, RAW, 6, 64, Arrays.copyOf(tcpStart, 1480)); // as it was: 1500 bytes
        packetTooBig(mtu, quoted);
    }

    private void packetTooBig(long mtu, byte[] quoted) {
        byte[] quote = Arrays.copyOf(quoted, Math.min(quoted.length, 1232)); // what fits in 1280
        byte[] body = V6.concat(ByteBuffer.allocate(4).putInt((int) mtu).array(), quote);
        lan.send(V6.packet(ROUTER, HOST, 58, 64, V6.icmp(ROUTER, HOST, 2, 0, body)));
        lan.loop.runUntilIdle();
    }

    private int pathMtu() {
        return lan.host.call(() -> lan.v6().pathMtu(RAW));
    }

    private String mss() {
        return lan.host.sockets().stream().filter(r -> r.state().equals("ESTABLISHED")).findFirst().orElseThrow()
                .details().get("mss");
    }

    @Test
    void rfc5927_aPacketTooBigQuotingNoTcpSequenceInFlightIsIgnoredAndCounted() throws Exception {
        List<Segment> flight = connectedWithAFlightOf(6000);
        long una = flight.get(0).seq();
        packetTooBigForTcp(1280, una + 100_000); // blind: never sent
        packetTooBigForTcp(1280, una - 1);       // acknowledged already (the SYN-ACK)
        assertThat(lan.count("icmpv6", "InPktTooBigs")).isEqualTo(2);
        assertThat(lan.count("tcp", "PmtuIgnored")).isEqualTo(2);
        assertThat(lan.count("tcp", "PmtuReductions")).isZero();
        assertThat(pathMtu()).as("ICMPv6 left it to TCP, which did not believe it").isEqualTo(1500);
        assertThat(lan.count("ipv6", "PathMtuLowered")).isZero();
        assertThat(mss()).isEqualTo("1440");
        assertThat(tcpSent()).as("nothing resent").isEmpty();
    }

    @Test
    void rfc8201_aPacketTooBigQuotingASegmentInFlightLowersTheMssAndTheFlightGoesAgainSmaller() throws Exception {
        List<Segment> flight = connectedWithAFlightOf(6000);
        long una = flight.get(0).seq();
        packetTooBigForTcp(1400, una);
        assertThat(pathMtu()).isEqualTo(1400);
        assertThat(lan.count("ipv6", "PathMtuLowered")).isEqualTo(1);
        assertThat(lan.count("tcp", "PmtuReductions")).isEqualTo(1);
        assertThat(mss()).isEqualTo(Integer.toString(1400 - 40 - 20));
        List<Segment> again = tcpSent();
        assertThat(again).as("resent at once, not after a timeout").isNotEmpty();
        assertThat(again.get(0).seq()).isEqualTo(una);
        assertThat(again).allSatisfy(seg -> assertThat(seg.totalLength()).isLessThanOrEqualTo(1400));
        assertThat(again.get(0).payload()).isEqualTo(1400 - 40 - 20);
        assertThat(lan.count("tcp", "Timeouts")).isZero();
    }

    @Test
    void rfc8201_4_aPacketTooBigBelow1280ForTcpIsTakenAs1280() throws Exception {
        List<Segment> flight = connectedWithAFlightOf(6000);
        packetTooBigForTcp(600, flight.get(1).seq());
        assertThat(pathMtu()).isEqualTo(1280);
        assertThat(mss()).isEqualTo(Integer.toString(1280 - 40 - 20));
        assertThat(tcpSent()).allSatisfy(seg -> assertThat(seg.totalLength()).isLessThanOrEqualTo(1280));
    }

    @Test
    void rfc8201_4_aPacketTooBigQuotingUdpLowersThePathMtuAtOnceButNeverBelow1280() throws Exception {
        UdpSocket u = lan.host.udp().open().bind(5000);
        u.send(new byte[1400], new InetSocketAddress(RAW.toInetAddress(), 9));
        RawV6Lan.Sent datagram = lan.sent().stream().filter(s -> s.nextHeader() == 17).findFirst().orElseThrow();
        packetTooBig(1300, datagram.packet());
        assertThat(pathMtu()).isEqualTo(1300);
        packetTooBig(900, datagram.packet());
        assertThat(pathMtu()).isEqualTo(1280);
        assertThat(lan.count("ipv6", "PathMtuLowered")).isEqualTo(2);
        // The next datagram of 1400 bytes goes in fragments that fit.
        u.send(new byte[1400], new InetSocketAddress(RAW.toInetAddress(), 9));
        List<RawV6Lan.Sent> next = lan.sent();
        assertThat(next).hasSizeGreaterThan(1).allSatisfy(s -> assertThat(s.packet().length).isLessThanOrEqualTo(1280));
        assertThat(next.get(0).nextHeader()).as("a fragment header").isEqualTo(44);
    }

    @Test
    void aPacketTooBigQuotingOneOfOurFragmentsLowersThePathMtu() throws Exception {
        UdpSocket u = lan.host.udp().open().bind(5000);
        u.send(new byte[3000], new InetSocketAddress(RAW.toInetAddress(), 9));
        RawV6Lan.Sent first = lan.sent().get(0);
        assertThat(first.nextHeader()).isEqualTo(44);
        packetTooBig(1350, first.packet());
        assertThat(pathMtu()).isEqualTo(1350);
        assertThat(lan.count("icmpv6", "DropBadQuote")).as("not for a transport: no upper-layer header to read")
                .isEqualTo(1);
    }

    @Test
    void aPacketTooBigWhoseQuoteIsCutBeforeItsUpperLayerHeaderIsNotBelieved() {
        byte[] quoted = V6.packet(HOST, RAW, 6, 64, new byte[4]); // a TCP header cut after the ports
        packetTooBig(1300, quoted);
        assertThat(pathMtu()).isEqualTo(1500);
        assertThat(lan.count("icmpv6", "DropBadQuote")).isEqualTo(1);
    }
}
