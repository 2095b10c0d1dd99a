package dev.tsunagu.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.IpOptions;
import dev.tsunagu.ip.Ipv4Service;
import dev.tsunagu.link.fault.FaultInjectingDriver;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.RoutedNetwork;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * UDP across a router ({@link RoutedNetwork}: client — router — server on two cables, lanB with
 * MTU 1000): large datagrams fragmented and reassembled, lost fragments, a router's ICMP error
 * reaching the socket. IPv4 and ICMP across the same network: stack-ip's {@code RoutedNetworkTest}.
 */
class RoutedUdpTest {
    private RoutedNetwork net;
    private VirtualEventLoop loop;
    private NetworkStack client;
    private NetworkStack router;
    private NetworkStack server;
    private FaultInjectingDriver lossyRouterPort;

    private void build(FaultPlan lanBLoss, long faultSeed) {
        net = RoutedNetwork.build(lanBLoss, faultSeed, b -> b.option(IpOptions.FORWARDING, true));
        loop = net.loop;
        client = net.client;
        router = net.router;
        server = net.server;
        lossyRouterPort = net.lossyRouterPort;
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private UdpSocket echoServer(int port) throws Exception {
        UdpSocket echo = server.udp().open().bind(port);
        echo.onReceive(d -> {
            try {
                echo.send(d.data(), d.source());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return echo;
    }

    @Test
    void udpEchoOfAn8000ByteDatagramAcrossTheRouter() throws Exception {
        build(FaultPlan.none(), 0);
        echoServer(7);
        byte[] payload = new byte[8000];
        new Random(8000).nextBytes(payload);
        try (UdpSocket sock = client.udp().open()) {
            sock.connect(new InetSocketAddress("10.2.0.2", 7));
            sock.send(payload);
            Datagram d = sock.receive(Duration.ofSeconds(5));
            assertThat(d.data()).isEqualTo(payload);
            assertThat(d.source()).isEqualTo(new InetSocketAddress("10.2.0.2", 7));
        }
        assertThat(client.statistics().get("ip", "FragCreates")).isEqualTo(6); // 8028 bytes in 1480-byte pieces
        assertThat(server.statistics().get("ip", "ReasmOKs")).isEqualTo(1);
        assertThat(client.statistics().get("ip", "ReasmOKs")).isEqualTo(1);
    }

    @Test
    void withTwentyPercentFragmentLossTheEchoFailsCleanlyAndReassemblyBuffersAreFreed() throws Exception {
        // Drop 20% of the frames the router sends on lanB (fragments of the request) and so
        // lose at least one fragment: the server can never finish the datagram.
        long seed = 20;
        build(FaultPlan.builder().drop(0.2).direction(FaultPlan.Direction.TRANSMIT).build(), seed);
        echoServer(7);
        byte[] payload = new byte[8000];
        try (UdpSocket sock = client.udp().open()) {
            sock.connect(new InetSocketAddress("10.2.0.2", 7));
            sock.send(payload);
            loop.advance(Duration.ofSeconds(3)); // long enough for ARP to retry if its request was the one lost
            assertThat(lossyRouterPort.statistics().dropped()).as("seed %d lost a fragment", seed).isPositive();
            Ipv4Service serverIp = server.service(Ipv4Service.class).orElseThrow();
            assertThat(server.call(serverIp::reassemblyDatagrams)).isEqualTo(1);
            assertThat(server.call(serverIp::reassemblyBytes)).isPositive();

            assertThatThrownBy(() -> sock.receive(Duration.ofSeconds(10))).isInstanceOf(SocketTimeoutException.class);
            loop.advance(Duration.ofSeconds(30)); // the reassembly timeout (30 s from the first fragment)
            assertThat(server.call(serverIp::reassemblyDatagrams)).isZero();
            assertThat(server.call(serverIp::reassemblyBytes)).isZero();
            assertThat(server.statistics().get("ip", "ReasmTimeout")).isEqualTo(1);
            assertThat(server.statistics().get("ip", "ReasmFails")).isEqualTo(1);
        }
        for (NetworkStack s : new NetworkStack[] {client, router, server}) {
            assertThat(s.statistics().get("loop", "Errors")).as(s.name()).isZero();
        }
    }

    @Test
    void aRoutersUnreachableReachesTheConnectedUdpSocket() throws Exception {
        build(FaultPlan.none(), 0);
        try (UdpSocket s = server.udp().open()) {
            s.connect(new InetSocketAddress("192.0.2.1", 53));
            s.send("query".getBytes());
            loop.runUntilIdle();
            assertThatThrownBy(s::poll).isInstanceOf(java.net.NoRouteToHostException.class)
                    .hasMessageContaining("192.0.2.1:53").hasMessageContaining("from 10.2.0.1");
        }
    }


    @Test
    void aSendWithoutARouteFailsAtOnce() throws Exception {
        build(FaultPlan.none(), 0);
        // The router has no default route: the send fails locally.
        try (UdpSocket s = router.udp().open()) {
            assertThatThrownBy(() -> s.send(new byte[1], new InetSocketAddress("192.0.2.1", 9)))
                    .isInstanceOf(java.net.NoRouteToHostException.class);
        }
    }
}
