package dev.tsunagu.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.testkit.wire.IcmpRepr;
import dev.tsunagu.testkit.wire.Ipv4Repr;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transparent mode for UDP on the virtual clock: a gateway on an IP-only link receives
 * datagrams for any address and port on its transparent socket, each with the destination the
 * client sent to, and answers from that destination; a declined datagram draws ICMP port
 * unreachable from the destination itself, checked on the wire by a recording port.
 */
class TransparentUdpTest {
    /** stack-ip's IpOptions.TRANSPARENT (stack-ip is a run-time dependency here; options are keyed by name). */
    private static final StackOption<String> TRANSPARENT = StackOption.of("ip.transparent", String.class, "", "");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable tun = Cable.ipOnly("transparent-udp", 1500);
    private final BufferPool pool = new BufferPool();
    private final RecordingDriverContext wire = new RecordingDriverContext("wire", pool, loop);
    private final CableDriver wirePort = tun.attach();
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(tun, "10.0.0.1/24").gateway("10.0.0.2").build();
    private final NetworkStack gateway = TestHosts.host(loop, "gateway", 2).on(tun, "10.0.0.2/24")
            .option(TRANSPARENT, "0.0.0.0/0").build();

    @AfterEach
    void tearDown() {
        client.close();
        gateway.close();
        wirePort.close();
    }

    @Test
    void datagramsToManyDestinationsArriveWithThemAndAreAnsweredFromThem() throws Exception {
        try (UdpSocket any = gateway.udp().openAny(FlowFilter.ALL); UdpSocket c = client.udp().open().bind(5000)) {
            List<InetSocketAddress> destinations = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                destinations.add(new InetSocketAddress("198.51.100." + i, 53));
                destinations.add(new InetSocketAddress("203.0.113." + i, 10_000 + i));
            }
            for (InetSocketAddress to : destinations) {
                c.send(("query " + to).getBytes(), to);
                Datagram d = any.receive(Duration.ofSeconds(1));
                assertThat(d.destination()).as("the original destination").isEqualTo(to);
                assertThat(d.source()).isEqualTo(new InetSocketAddress("10.0.0.1", 5000));
                assertThat(new String(d.data())).isEqualTo("query " + to);
                any.sendFrom(("answer " + to).getBytes(), 0, ("answer " + to).length(), d.destination(), d.source());
                Datagram reply = c.receive(Duration.ofSeconds(1));
                assertThat(reply.source()).as("the answer comes from where the query went").isEqualTo(to);
                assertThat(new String(reply.data())).isEqualTo("answer " + to);
            }
        }
    }

    @Test
    void aDeclinedDatagramDrawsPortUnreachableFromTheDestinationItself() throws Exception {
        wirePort.open(wire);
        FlowFilter onlyDns = (source, destination) -> destination.getPort() == 53;
        try (UdpSocket any = gateway.udp().openAny(onlyDns); UdpSocket c = client.udp().open()) {
            c.connect(new InetSocketAddress("198.51.100.7", 123));
            c.send("ntp?".getBytes());
            loop.runUntilIdle();
            assertThat(any.poll()).as("declined, not delivered").isNull();
            assertThat(gateway.statistics().get("udp", "TransparentDeclined")).isEqualTo(1);
            assertThatThrownBy(c::poll).isInstanceOf(PortUnreachableException.class)
                    .hasMessageContaining("198.51.100.7:123");
            List<Ipv4Repr> icmp = new ArrayList<>();
            byte[] f;
            while ((f = wire.pollNow()) != null) {
                PacketBuffer b = pool.copyOf(f, 0, f.length);
                if (Ipv4Repr.parse(b) instanceof Ipv4Repr.Parsed(Ipv4Repr ip) && ip.protocol() == IpProtocol.ICMP) {
                    b.consume(ip.headerLength());
                    assertThat(IcmpRepr.parse(b)).isInstanceOfSatisfying(IcmpRepr.Parsed.class, p -> assertThat(p.repr())
                            .isInstanceOfSatisfying(IcmpRepr.DestinationUnreachable.class,
                                    u -> assertThat(u.code()).as("port unreachable").isEqualTo(3)));
                    icmp.add(ip);
                }
                b.release();
            }
            assertThat(icmp).hasSize(1);
            assertThat(Ipv4Address.format(icmp.getFirst().source())).as("from the address asked for").isEqualTo("198.51.100.7");
        }
    }

    @Test
    void aTransparentSocketIsOnePerStackAndAnswersOnlyWithSendFrom() throws Exception {
        try (UdpSocket any = gateway.udp().openAny(FlowFilter.ALL)) {
            assertThatThrownBy(() -> gateway.udp().openAny(FlowFilter.ALL)).isInstanceOf(BindException.class);
            assertThatThrownBy(() -> any.bind(53)).isInstanceOf(SocketException.class);
            assertThatThrownBy(() -> any.send(new byte[1], new InetSocketAddress("10.0.0.1", 9)))
                    .isInstanceOf(SocketException.class).hasMessageContaining("sendFrom");
        }
        try (UdpSocket plain = gateway.udp().open()) {
            assertThatThrownBy(() -> plain.sendFrom(new byte[1], 0, 1, new InetSocketAddress("198.51.100.1", 53),
                    new InetSocketAddress("10.0.0.1", 9))).isInstanceOf(SocketException.class);
        }
        // Closed, the next stack-wide transparent socket may be opened again.
        gateway.udp().openAny(FlowFilter.ALL).close();
    }
}
