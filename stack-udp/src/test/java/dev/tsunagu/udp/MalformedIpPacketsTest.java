package dev.tsunagu.udp;

import static dev.tsunagu.testkit.Craft.ip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.ip.Ipv4Service;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stats.StatisticsSnapshot;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed IPv4, ICMP and UDP: each case is counted under its own name and dropped, no
 * exception reaches the event loop, memory stays bounded, and the host still works after.
 */
class MalformedIpPacketsTest {
    private static final int RAW = ip("10.0.0.9");
    private static final int HOST = ip("10.0.0.2");
    private static final int OPEN_PORT = 7;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("malformed-ip");
    private NetworkStack host;
    private RawHost raw;
    private UdpSocket open;

    @BeforeEach
    void setUp() throws Exception {
        host = NetworkStack.builder().name("host").eventLoop(loop).seed(9)
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24")).build();
        raw = new RawHost(lan, loop, 0x02_00_00_00_00_09L, "10.0.0.9").introduceTo(host);
        open = host.udp().open().bind(OPEN_PORT);
    }

    @AfterEach
    void tearDown() {
        host.close();
        raw.close();
    }

    private static byte[] goodUdp(int payload) {
        return Craft.udp(RAW, HOST, 5000, OPEN_PORT, new byte[payload]);
    }

    private static byte[] ipWith(byte[] payload) {
        return Craft.ipv4(RAW, HOST, 17, payload);
    }

    /** A packet whose header checksum is recomputed after {@code index} is set to {@code value}. */
    private static byte[] ipField(byte[] packet, int index, int value) {
        byte[] p = Craft.with(packet, index, value);
        p[10] = 0;
        p[11] = 0;
        int hl = Math.min(p.length, Math.max(20, (p[0] & 0xF) * 4));
        int c = dev.tsunagu.net.InternetChecksum.compute(p, 0, Math.min(hl, p.length));
        p[10] = (byte) (c >>> 8);
        p[11] = (byte) c;
        return p;
    }

    static Stream<Arguments> cases() {
        byte[] udp = goodUdp(16);
        byte[] packet = ipWith(udp);
        byte[] icmpEcho = Craft.echoRequest(1, 1, new byte[8]);
        return Stream.of(
                Arguments.of("IPv4 shorter than a header", Craft.truncate(packet, 19), "ip", "DropTruncated"),
                Arguments.of("version 6 in an IPv4 EtherType", ipField(packet, 0, 0x65), "ip", "DropBadVersion"),
                Arguments.of("IHL 4 (16-byte header)", ipField(packet, 0, 0x44), "ip", "DropBadHeaderLength"),
                Arguments.of("IHL 15 beyond the packet", ipField(Craft.truncate(packet, 40), 0, 0x4F), "ip", "DropBadHeaderLength"),
                Arguments.of("total length below the header", ipField(ipField(packet, 2, 0), 3, 19), "ip", "DropBadTotalLength"),
                Arguments.of("total length beyond the frame", ipField(ipField(packet, 2, 0x10), 3, 0), "ip", "DropBadTotalLength"),
                Arguments.of("header checksum wrong", Craft.with(packet, 10, packet[10] ^ 0x55), "ip", "DropBadChecksum"),
                Arguments.of("source is the broadcast address", Craft.ipv4(-1, HOST, 17, udp), "ip", "DropBadSource"),
                Arguments.of("source is multicast", Craft.ipv4(ip("224.0.0.1"), HOST, 17, udp), "ip", "DropBadSource"),
                Arguments.of("source is our own address", Craft.ipv4(HOST, HOST, 17, udp), "ip", "DropBadSource"),
                Arguments.of("source is loopback, from outside", Craft.ipv4(ip("127.0.0.1"), HOST, 17, udp), "ip", "DropBadSource"),
                Arguments.of("destination is not ours", Craft.ipv4(RAW, ip("10.0.0.77"), 17, udp), "ip", "InAddrErrors"),
                Arguments.of("ICMP shorter than its header", Craft.ipv4(RAW, HOST, 1, new byte[5]), "icmp", "DropTruncated"),
                Arguments.of("ICMP checksum wrong", Craft.ipv4(RAW, HOST, 1, Craft.with(icmpEcho, 2, icmpEcho[2] ^ 1)), "icmp", "DropBadChecksum"),
                Arguments.of("ICMP error quoting too little", Craft.ipv4(RAW, HOST, 1, Craft.icmp(3, 3, 0, new byte[12])), "icmp", "DropBadQuote"),
                Arguments.of("ICMP echo request with code 1", Craft.ipv4(RAW, HOST, 1, Craft.icmp(8, 1, 0x0001_0001, new byte[8])), "icmp", "DropBadEchoCode"),
                Arguments.of("UDP shorter than its header", ipWith(new byte[6]), "udp", "DropTruncated"),
                Arguments.of("UDP length below 8", ipWith(Craft.with(Craft.with(udp, 4, 0), 5, 7)), "udp", "DropBadLength"),
                Arguments.of("UDP length beyond the IP payload", ipWith(Craft.with(udp, 5, 200)), "udp", "DropBadLength"),
                Arguments.of("UDP checksum wrong", ipWith(Craft.with(udp, 9, 0x77)), "udp", "InCsumErrors"),
                Arguments.of("fragment reaching past 65535 (ping of death)",
                        Craft.ipv4(RAW, HOST, 17, 64, 99, 8189, new byte[0], new byte[64]), "ip", "DropFragTooLong"),
                Arguments.of("non-last fragment not a multiple of 8",
                        Craft.ipv4(RAW, HOST, 17, 64, 98, 0x2000, new byte[0], new byte[13]), "ip", "DropFragBadLength"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isCountedAndDropped(String what, byte[] packet, String group, String counter) throws Exception {
        StatisticsSnapshot before = host.statistics();
        raw.sendIp(host, packet);
        loop.runUntilIdle();
        StatisticsSnapshot after = host.statistics();
        assertThat(after.get(group, counter) - before.get(group, counter)).as(what).isEqualTo(1);
        assertThat(after.get("loop", "Errors")).as("no exception reached the loop").isZero();
        assertThat(open.poll()).as("nothing reached the socket").isNull();
        assertThat(raw.receivedIp()).as("no reply to a malformed packet").isEmpty();
        assertTheHostStillWorks();
    }

    @Test
    void optionsAreAcceptedAndSkipped() throws Exception {
        byte[] nopsAndEnd = {1, 1, 1, 0}; // NOP NOP NOP EOL
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 17, 64, 5, 0, nopsAndEnd, goodUdp(3)));
        loop.runUntilIdle();
        assertThat(open.poll()).isNotNull();
    }

    @Test
    void overlappingFragmentsDropTheDatagram() throws Exception {
        byte[] udp = goodUdp(40);
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 17, 64, 50, 0x2000, new byte[0], Arrays.copyOf(udp, 24)));
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 17, 64, 50, 2, new byte[0], Arrays.copyOfRange(udp, 16, 48)));
        loop.runUntilIdle();
        assertThat(host.statistics().get("ip", "DropFragOverlap")).isEqualTo(1);
        assertThat(open.poll()).isNull();
        assertThat(host.call(() -> host.service(Ipv4Service.class).orElseThrow().reassemblyBytes())).isZero();
    }

    @Test
    void aFragmentFloodStaysWithinTheReassemblyBounds() throws Exception {
        Ipv4Service ipService = host.service(Ipv4Service.class).orElseThrow();
        int maxDatagrams = IpOptions.REASSEMBLY_MAX_DATAGRAMS.defaultValue();
        int maxBytes = IpOptions.REASSEMBLY_MAX_BYTES.defaultValue();
        for (int id = 0; id < 10_000; id++) {
            raw.sendIp(host, Craft.ipv4(RAW, HOST, 17, 64, id, 0x2000, new byte[0], new byte[1024]));
            if (id % 500 == 0) {
                loop.runUntilIdle();
                assertThat(host.call(ipService::reassemblyDatagrams)).isLessThanOrEqualTo(maxDatagrams);
                assertThat(host.call(ipService::reassemblyBytes)).isLessThanOrEqualTo(maxBytes);
            }
        }
        loop.runUntilIdle();
        assertThat(host.call(ipService::reassemblyDatagrams)).isEqualTo(maxDatagrams);
        StatisticsSnapshot s = host.statistics();
        assertThat(s.get("ip", "DropFragEvicted") + s.get("if.eth0", "RxQueueDrops"))
                .as("every fragment beyond the bound was evicted or never queued").isGreaterThanOrEqualTo(10_000 - maxDatagrams);
        loop.advance(IpOptions.REASSEMBLY_TIMEOUT.defaultValue());
        assertThat(host.call(ipService::reassemblyDatagrams)).isZero();
        assertThat(host.call(ipService::reassemblyBytes)).isZero();
        assertTheHostStillWorks();
    }

    @Test
    void randomPacketsNeverThrow() throws Exception {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            int protocol = switch (r.nextInt(4)) {
                case 0 -> 1;
                case 1 -> 17;
                case 2 -> 6;
                default -> r.nextInt(256);
            };
            byte[] payload = new byte[r.nextInt(120)];
            r.nextBytes(payload);
            byte[] p = Craft.ipv4(RAW, r.nextInt(8) == 0 ? r.nextInt() : HOST, protocol, r.nextInt(256), r.nextInt(65536),
                    r.nextInt(4) == 0 ? r.nextInt(65536) : 0, new byte[0], payload);
            if (r.nextInt(4) == 0) {
                p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
            }
            raw.sendIp(host, p);
            if (i % 1000 == 0) {
                loop.runUntilIdle();
                raw.received();
            }
        }
        loop.runUntilIdle();
        assertThat(host.statistics().get("loop", "Errors")).as("seed %d", seed).isZero();
        raw.received();
        assertTheHostStillWorks();
    }

    private void assertTheHostStillWorks() throws Exception {
        raw.received();
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 1, Craft.echoRequest(7, 7, new byte[4])));
        loop.runUntilIdle();
        assertThat(raw.receivedIp()).as("the host still answers ping").anySatisfy(p -> assertThat(p[20]).isZero());
    }
}
