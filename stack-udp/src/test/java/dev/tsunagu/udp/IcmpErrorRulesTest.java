package dev.tsunagu.udp;

import static dev.tsunagu.testkit.Craft.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.RawLan;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The "ICMP and IP" lines of CONFORMANCE.md that involve UDP: when ICMP errors are sent about
 * datagrams, what they quote, when they are not sent, how many, and how they reach the socket
 * they concern. The rules of IP alone: stack-ip's {@code IcmpErrorRulesTest}.
 */
class IcmpErrorRulesTest {
    private static final int RAW = RawLan.RAW;
    private static final int HOST = RawLan.HOST;

    @AutoClose
    private final RawLan net = RawLan.start("icmp-rules", 5);
    private final VirtualEventLoop loop = net.loop;
    private final Cable lan = net.lan;
    private final NetworkStack host = net.host;
    private final RawHost raw = net.raw;

    private byte[] udpToClosedPort(int dst, int payloadLength) {
        return Craft.ipv4(RAW, dst, 17, Craft.udp(RAW, dst, 5555, 9999, new byte[payloadLength]));
    }

    private List<byte[]> icmpReceived() {
        return net.icmpReceived();
    }

    @Test
    void aConnectedUdpSocketReportsConnectionRefusedOnItsNextCall() throws Exception {
        NetworkStack peer = NetworkStack.builder().name("peer").eventLoop(loop).seed(6)
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.0.0.3/24")).build();
        try (UdpSocket s = host.udp().open()) {
            s.connect(new InetSocketAddress("10.0.0.3", 4000));
            s.send("anyone there?".getBytes());
            loop.runUntilIdle();
            assertThat(peer.statistics().get("udp", "NoPorts")).isEqualTo(1);
            assertThat(host.statistics().get("icmp", "InDestUnreachs")).isEqualTo(1);
            assertThatThrownBy(s::poll).isInstanceOf(PortUnreachableException.class)
                    .hasMessageContaining("connection refused: 10.0.0.3:4000");
            assertThat(s.poll()).as("reported once").isNull();
            // and a blocking receive is woken by the error too
            s.send("again".getBytes());
            assertThatThrownBy(() -> s.receive(Duration.ofSeconds(1))).isInstanceOf(PortUnreachableException.class);
        } finally {
            peer.close();
        }
    }

    @Test
    void anUnconnectedSocketIsNotToldButTheErrorIsCounted() throws Exception {
        try (UdpSocket s = host.udp().open().bind(0)) {
            s.send(new byte[4], new InetSocketAddress("10.0.0.9", 4000));
            loop.runUntilIdle();
            byte[] out = raw.receivedIp().get(0);
            byte[] udp = Arrays.copyOfRange(out, 20, out.length);
            byte[] error = Craft.icmp(3, 3, 0, Arrays.copyOf(out, 28));
            raw.sendIp(host, Craft.ipv4(RAW, HOST, 1, error));
            loop.runUntilIdle();
            assertThat(s.poll()).isNull();
            assertThat(host.statistics().get("udp", "InIcmpErrors")).isEqualTo(1);
            assertThat(udp).hasSize(12);
        }
    }

    @Test
    void portUnreachableQuotesTheIpHeaderAndEightBytes() {
        byte[] offending = udpToClosedPort(HOST, 100);
        raw.sendIp(host, offending);
        List<byte[]> icmp = icmpReceived();
        assertThat(icmp).hasSize(1);
        byte[] reply = icmp.get(0);
        assertThat(reply.length).as("IP 20 + ICMP 8 + quoted (IP 20 + 8)").isEqualTo(20 + 8 + 28);
        assertThat(reply[20]).isEqualTo((byte) 3);
        assertThat(reply[21]).isEqualTo((byte) 3);
        assertThat(Arrays.copyOfRange(reply, 28, 56)).isEqualTo(Arrays.copyOf(offending, 28));
        assertThat(ByteBuffer.wrap(reply).getInt(12)).as("from the address the datagram was sent to").isEqualTo(HOST);
    }

    @Test
    void noErrorAboutADatagramSentToABroadcastOrMulticastAddress() {
        raw.sendIp(host, udpToClosedPort(ip("255.255.255.255"), 10));
        raw.sendIp(host, udpToClosedPort(ip("10.0.0.255"), 10));
        raw.sendIp(host, udpToClosedPort(ip("224.0.0.251"), 10));
        // unicast IP, but carried in a link-layer broadcast (RFC 1122 3.2.2)
        raw.sendFrame(Craft.ethernet(0xFFFF_FFFF_FFFFL, raw.mac, 0x0800, udpToClosedPort(HOST, 10)));
        assertThat(icmpReceived()).isEmpty();
        assertThat(host.statistics().get("udp", "NoPorts")).isEqualTo(3);
        assertThat(host.statistics().get("ip", "DropMulticast")).isEqualTo(1);
    }

    @Test
    void noErrorAboutAnIcmpError() {
        // An ICMP error for an unknown protocol would normally draw "protocol unreachable";
        // here a port-unreachable arrives whose quoted datagram is not ours: dropped, no reply.
        byte[] quoted = Craft.ipv4(ip("10.9.9.9"), RAW, 17, Craft.udp(ip("10.9.9.9"), RAW, 1, 2, new byte[0]));
        raw.sendIp(host, Craft.ipv4(RAW, HOST, 1, Craft.icmp(3, 3, 0, quoted)));
        assertThat(icmpReceived()).isEmpty();
        assertThat(host.statistics().get("icmp", "DropNotOurs")).isEqualTo(1);
    }

    @Test
    void errorsAreRateLimitedByATokenBucket() {
        int burst = IpOptions.ICMP_ERROR_BURST.defaultValue();
        for (int i = 0; i < 100; i++) {
            raw.sendIp(host, udpToClosedPort(HOST, 1));
        }
        assertThat(icmpReceived()).hasSize(burst);
        assertThat(host.statistics().get("icmp", "OutRateLimited")).isEqualTo(100 - burst);
        // 100 per second refill: after 100 ms, ten more may go
        loop.advance(Duration.ofMillis(100));
        for (int i = 0; i < 100; i++) {
            raw.sendIp(host, udpToClosedPort(HOST, 1));
        }
        assertThat(icmpReceived()).hasSize(10);
    }
}
