package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Transparent mode over IPv6 ({@link Ipv6Options#TRANSPARENT}) on the virtual clock: a gateway on
 * an IP-only link (a TUN's medium: no Neighbor Discovery needed) takes every unicast address in
 * its prefixes as its own; its "any" TCP listener and "any" UDP socket see flows to any of them,
 * each with the destination the client asked for, and answer from it; declined flows are refused
 * from that destination; destinations outside the prefixes are not taken.
 */
class TransparentIpv6Test {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable tun = Cable.ipOnly("transparent6", 1500);
    private final NetworkStack client = TestHosts.host(loop, "client", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
            .on(tun, "fd00::1/64").gateway("fd00::2").build();
    private NetworkStack gateway;

    private void gateway(String prefixes) {
        gateway = TestHosts.host(loop, "gateway", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .option(Ipv6Options.TRANSPARENT, prefixes).on(tun, "fd00::2/64").build();
        loop.runUntilIdle();
    }

    @AfterEach
    void tearDown() {
        client.close();
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void connectionsToManyIpv6DestinationsAreAcceptedEachKnowingWhereItWasGoing() throws Exception {
        gateway("::/0");
        TcpServerSocket any = gateway.tcp().listenAny(64, TcpSocketOptions.DEFAULT, FlowFilter.ALL);
        List<InetSocketAddress> destinations = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            destinations.add(new InetSocketAddress("2001:db8::" + Integer.toHexString(i), 80));
            destinations.add(new InetSocketAddress("2001:db8:" + i + "::1", 1000 + i));
        }
        destinations.add(new InetSocketAddress("fd00::2", 8080)); // the gateway's own address too
        Set<InetSocketAddress> seen = new HashSet<>();
        for (InetSocketAddress to : destinations) {
            CompletableFuture<TcpSocket> accepted = any.acceptAsync();
            TcpSocket c = client.tcp().connect(to);
            loop.runUntilIdle();
            TcpSocket s = accepted.getNow(null);
            assertThat(s).as("accepted a connection to %s", to).isNotNull();
            assertThat(s.localAddress()).as("the original destination").isEqualTo(to);
            assertThat(c.remoteAddress()).as("the client talks to the address it asked for").isEqualTo(to);
            c.write(("to " + to).getBytes());
            c.flush();
            byte[] buf = new byte[100];
            int n = s.read(buf, 0, buf.length);
            assertThat(new String(buf, 0, n)).isEqualTo("to " + to);
            s.write("back".getBytes());
            s.flush();
            assertThat(c.read(buf, 0, buf.length)).isEqualTo(4);
            seen.add(s.localAddress());
            c.close();
            s.close();
            loop.runUntilIdle();
        }
        assertThat(seen).hasSize(destinations.size());
        assertThat(gateway.statistics().get("ipv6", "InTransparent")).isPositive();
        any.close();
    }

    @Test
    void udpToAnyDestinationIsAnsweredFromThatDestination() throws Exception {
        gateway("2001:db8::/32");
        UdpSocket any = gateway.udp().openAny(FlowFilter.ALL);
        UdpSocket u = client.udp().open().bind(0);
        InetSocketAddress dns = new InetSocketAddress("2001:db8:53::53", 53);
        u.send("query".getBytes(), dns);
        loop.runUntilIdle();
        Datagram d = any.poll();
        assertThat(d).isNotNull();
        assertThat(d.destination()).isEqualTo(dns);
        assertThat(new String(d.data())).isEqualTo("query");
        any.sendFrom("answer".getBytes(), 0, 6, d.destination(), d.source());
        loop.runUntilIdle();
        Datagram answer = u.poll();
        assertThat(answer).isNotNull();
        assertThat(answer.source()).as("answered from the destination asked for").isEqualTo(dns);
        assertThat(new String(answer.data())).isEqualTo("answer");
    }

    @Test
    void declinedFlowsAreRefusedAndOtherPrefixesAreNotTaken() throws Exception {
        gateway("2001:db8::/32");
        TcpServerSocket any = gateway.tcp().listenAny(8, TcpSocketOptions.DEFAULT,
                (source, destination) -> destination.getPort() != 25);
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("2001:db8::9", 25)))
                .isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        assertThat(gateway.statistics().get("tcp", "TransparentDeclined")).isEqualTo(1);

        long addrErrors = gateway.statistics().get("ipv6", "InAddrErrors");
        CompletableFuture<TcpSocket> outside = client.tcp().connectAsync(new InetSocketAddress("2001:db9::1", 80),
                TcpSocketOptions.DEFAULT);
        loop.advance(Duration.ofSeconds(5));
        assertThat(outside).as("nobody answers for 2001:db9::1").isNotDone();
        assertThat(gateway.statistics().get("ipv6", "InAddrErrors")).isGreaterThan(addrErrors);
        outside.cancel(true);
        any.close();
    }
}
