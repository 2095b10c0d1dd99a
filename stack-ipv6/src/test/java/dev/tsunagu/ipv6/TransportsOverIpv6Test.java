package dev.tsunagu.ipv6;

import static dev.tsunagu.ipv6.RawV6Lan.HOST;
import static dev.tsunagu.ipv6.RawV6Lan.RAW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * TCP and UDP over IPv6 with what they do over IPv4: checksums over RFC 8200 8.1's
 * pseudo-header (and UDP's checksum mandatory), loopback, refusals, sockets bound to an
 * address, the socket table, and a transfer through loss.
 */
class TransportsOverIpv6Test {
    private static final int UDP = 17;
    private static final Ipv6Address A = Ipv6Address.parse("fd00::1");
    private static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    private static byte[] readAll(TcpSocket s, int n) throws Exception {
        byte[] got = new byte[n];
        int at = 0;
        while (at < n) {
            at += s.read(got, at, n - at);
        }
        return got;
    }

    @Test
    void rfc8200_8_1_aUdpDatagramWithAZeroChecksumIsDropped() throws Exception {
        try (RawV6Lan lan = new RawV6Lan("udp0")) {
            var socket = lan.host.udp().open().bind(7);
            lan.send(V6.packet(RAW, HOST, UDP, 64, V6.udp(RAW, HOST, 1000, 7, "a".getBytes(), true)));
            lan.send(V6.packet(RAW, HOST, UDP, 64, V6.udp(RAW, HOST, 1000, 7, "b".getBytes(), false)));
            lan.loop.runUntilIdle();
            assertThat(new String(socket.poll().data())).isEqualTo("b");
            assertThat(socket.poll()).isNull();
            assertThat(lan.count("udp", "InCsumErrors")).isEqualTo(1);
        }
    }

    @Test
    void tcpAndUdpWorkOverLoopbackToOneselfAndToOnesOwnAddress() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        try (NetworkStack s = TestHosts.host(loop, "self", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(new Cable("self").attach()).address("fd00::1/64")).build()) {
            TcpServerSocket listener = s.tcp().listen(7);
            for (Ipv6Address to : new Ipv6Address[] {Ipv6Address.LOOPBACK, A}) {
                CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
                TcpSocket c = s.tcp().connect(new InetSocketAddress(to.toInetAddress(), 7));
                TcpSocket server = loop.await(accepted, Duration.ofSeconds(5));
                assertThat(c.localAddress().getAddress()).isEqualTo(to.toInetAddress());
                c.write("hi".getBytes());
                assertThat(readAll(server, 2)).isEqualTo("hi".getBytes());
                c.close();
                server.close();
            }
            UdpSocket u = s.udp().open().bind(new InetSocketAddress(Ipv6Address.LOOPBACK.toInetAddress(), 9));
            s.udp().open().bind(0).send("u".getBytes(), new InetSocketAddress(Ipv6Address.LOOPBACK.toInetAddress(), 9));
            loop.runUntilIdle();
            assertThat(u.poll().data()).isEqualTo("u".getBytes());
            // All of it stayed inside: the two frames out are the MLD report and the Router Solicitation.
            assertThat(s.statistics().get("if.eth0", "TxFrames")).isEqualTo(2);
            assertThat(s.statistics().get("nd", "OutRouterSolicits")).isEqualTo(1);
            assertThat(s.statistics().get("mld", "OutReports")).isEqualTo(1);
        }
    }

    @Test
    void aConnectionToAClosedPortIsRefusedByAResetOverIpv6() {
        try (RawV6Lan lan = new RawV6Lan("rst")) {
            NetworkStack other = TestHosts.host(lan.loop, "other", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                    .with(InterfaceConfig.of(lan.lan.attach()).address("fd00::3/64")).build();
            try (other) {
                assertThatThrownBy(() -> other.tcp().connect(new InetSocketAddress(HOST.toInetAddress(), 81)))
                        .isInstanceOf(ConnectException.class);
                assertThat(lan.count("tcp", "OutRsts")).isEqualTo(1);
            }
        }
    }

    @Test
    void aUdpSocketBoundToAnIpv6AddressAndOneBoundToAnyBothReceiveAndTheSocketTableShowsIpv6() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("bound");
        try (NetworkStack a = TestHosts.host(loop, "a", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.1/24").address("fd00::1/64")).build();
             NetworkStack b = TestHosts.host(loop, "b", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64")).build()) {
            UdpSocket bound = b.udp().open().bind(new InetSocketAddress(B.toInetAddress(), 53));
            UdpSocket any = b.udp().open().bind(54);
            UdpSocket client = a.udp().open().bind(0);
            client.send("six".getBytes(), new InetSocketAddress(B.toInetAddress(), 53));
            client.send("six".getBytes(), new InetSocketAddress(B.toInetAddress(), 54));
            client.send("four".getBytes(), new InetSocketAddress("10.0.0.2", 54));
            loop.runUntilIdle();
            Datagram d = bound.poll();
            assertThat(d.destination().getAddress()).isEqualTo(B.toInetAddress());
            // Each family resolved its next hop on its own, so the two may arrive in either order.
            assertThat(java.util.List.of(new String(any.poll().data()), new String(any.poll().data())))
                    .containsExactlyInAnyOrder("six", "four");
            assertThat(b.sockets()).extracting(SocketInfo::local).contains(new InetSocketAddress(B.toInetAddress(), 53));
        }
    }

    @Test
    void tcpMovesTwoMegabytesOverIpv6ThroughFivePercentLoss() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("lossy6");
        FaultPlan loss = FaultPlan.builder().drop(0.05).build();
        try (NetworkStack a = TestHosts.host(loop, "a", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(new FaultInjectingDriver(lan.attach(), loss, 11)).address("fd00::1/64")).build();
             NetworkStack b = TestHosts.host(loop, "b", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(new FaultInjectingDriver(lan.attach(), loss, 12)).address("fd00::2/64")).build()) {
            TcpServerSocket listener = b.tcp().listen(9000);
            CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            TcpSocket c = a.tcp().connect(new InetSocketAddress(B.toInetAddress(), 9000));
            TcpSocket s = loop.await(accepted, Duration.ofSeconds(60));
            byte[] data = random(2 << 20, 5);
            CompletableFuture<Void> written = c.writeAsync(data, 0, data.length);
            byte[] got = readAll(s, data.length);
            loop.await(written, Duration.ofSeconds(60));
            assertThat(MessageDigest.getInstance("SHA-256").digest(got))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(a.statistics().get("tcp", "RetransSegs")).isPositive();
        }
    }
}
