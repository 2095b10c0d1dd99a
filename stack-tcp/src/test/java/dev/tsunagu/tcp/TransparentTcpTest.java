package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.IpProtocol;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.FlowFilter;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackOption;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.testkit.wire.Ipv4Repr;
import dev.tsunagu.testkit.wire.TcpRepr;
import java.net.BindException;
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
 * Transparent mode on the virtual clock: a gateway stack on an IP-only link (a TUN's medium)
 * takes every address in its transparent prefixes as its own, and its "any" listener accepts
 * connections to any of them, on any port, each socket knowing the destination the client asked
 * for; bounded like any listener (backlog, SYN cookies); declined flows and destinations outside
 * the prefixes are refused on the wire. A third port on the link records every packet.
 */
class TransparentTcpTest {
    /** stack-ip's IpOptions.TRANSPARENT (stack-ip is a run-time dependency here; options are keyed by name). */
    private static final StackOption<String> TRANSPARENT = StackOption.of("ip.transparent", String.class, "", "");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable tun = Cable.ipOnly("transparent", 1500);
    private final BufferPool pool = new BufferPool();
    private final RecordingDriverContext wire = new RecordingDriverContext("wire", pool, loop);
    private final CableDriver wirePort = tun.attach();
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(tun, "10.0.0.1/24").gateway("10.0.0.2").build();
    private NetworkStack gateway;

    private void gateway(String prefixes) {
        gateway = TestHosts.host(loop, "gateway", 2).on(tun, "10.0.0.2/24").option(TRANSPARENT, prefixes).build();
        wirePort.open(wire);
        loop.runUntilIdle();
    }

    @AfterEach
    void tearDown() {
        client.close();
        if (gateway != null) {
            gateway.close();
        }
        wirePort.close();
    }

    @Test
    void connectionsToManyDestinationsAreAcceptedEachKnowingWhereItWasGoing() throws Exception {
        gateway("0.0.0.0/0");
        TcpServerSocket any = gateway.tcp().listenAny(64, TcpSocketOptions.DEFAULT, FlowFilter.ALL);
        List<InetSocketAddress> destinations = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            destinations.add(new InetSocketAddress("198.51.100." + i, 80));
            destinations.add(new InetSocketAddress("203.0.113." + (200 + i), 1000 + i));
        }
        destinations.add(new InetSocketAddress("10.0.0.2", 8080)); // the gateway's own address too
        Set<InetSocketAddress> seen = new HashSet<>();
        for (InetSocketAddress to : destinations) {
            CompletableFuture<TcpSocket> accepted = any.acceptAsync();
            TcpSocket c = client.tcp().connect(to);
            loop.runUntilIdle();
            TcpSocket s = accepted.getNow(null);
            assertThat(s).as("accepted a connection to %s", to).isNotNull();
            assertThat(s.localAddress()).as("the original destination").isEqualTo(to);
            assertThat(s.remoteAddress()).isEqualTo(c.localAddress());
            byte[] hello = ("to " + to).getBytes();
            c.write(hello);
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
        }
        assertThat(seen).hasSize(destinations.size());
        assertThat(gateway.statistics().get("ip", "InTransparent")).isPositive();
        // Every segment from the gateway came from the destination its client asked for.
        for (Packet p : tcpOnWire()) {
            if (p.ip.destination() == Ipv4Address.parse("10.0.0.1").bits()) {
                InetSocketAddress from = new InetSocketAddress(Ipv4Address.format(p.ip.source()), p.tcp.sourcePort());
                assertThat(destinations).as("a segment's source").contains(from);
            }
        }
        any.close();
    }

    @Test
    void aDeclinedFlowIsResetFromTheDestinationItself() throws Exception {
        gateway("0.0.0.0/0");
        FlowFilter noSmtp = (source, destination) -> destination.getPort() != 25;
        TcpServerSocket any = gateway.tcp().listenAny(8, TcpSocketOptions.DEFAULT, noSmtp);
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("198.51.100.9", 25)))
                .isInstanceOf(ConnectException.class).hasMessageContaining("refused");
        assertThat(gateway.statistics().get("tcp", "TransparentDeclined")).isEqualTo(1);
        List<Packet> resets = tcpOnWire().stream().filter(p -> (p.tcp.flags() & TcpRepr.RST) != 0).toList();
        assertThat(resets).hasSize(1);
        Packet rst = resets.getFirst();
        assertThat(Ipv4Address.format(rst.ip.source())).as("the RST comes from the address asked for").isEqualTo("198.51.100.9");
        assertThat(rst.tcp.sourcePort()).isEqualTo(25);
        assertThat(rst.tcp.flags() & TcpRepr.ACK).as("RST,ACK acknowledging the SYN").isNotZero();
        // Another port is taken.
        CompletableFuture<TcpSocket> accepted = any.acceptAsync();
        client.tcp().connect(new InetSocketAddress("198.51.100.9", 587)).close();
        loop.runUntilIdle();
        assertThat(accepted).isCompleted();
        any.close();
    }

    @Test
    void destinationsOutsideThePrefixesAreNotTaken() throws Exception {
        gateway("198.51.100.0/24");
        TcpServerSocket any = gateway.tcp().listenAny(8, TcpSocketOptions.DEFAULT, FlowFilter.ALL);
        CompletableFuture<TcpSocket> inside = client.tcp().connectAsync(new InetSocketAddress("198.51.100.1", 80),
                TcpSocketOptions.DEFAULT);
        loop.runUntilIdle();
        assertThat(inside).isCompleted();
        CompletableFuture<TcpSocket> outside = client.tcp().connectAsync(new InetSocketAddress("203.0.113.1", 80),
                TcpSocketOptions.DEFAULT);
        loop.advance(Duration.ofSeconds(5));
        assertThat(outside).as("nobody answers for 203.0.113.1").isNotDone();
        assertThat(gateway.statistics().get("ip", "InAddrErrors")).isPositive();
        assertThat(tcpOnWire().stream().filter(p -> Ipv4Address.format(p.ip.source()).equals("203.0.113.1"))).isEmpty();
        outside.cancel(true);
        any.close();
    }

    @Test
    void theAnyListenerIsBoundedByItsBacklogAndAnswersFloodsWithCookies() throws Exception {
        gateway("0.0.0.0/0");
        TcpServerSocket any = gateway.tcp().listenAny(2, TcpSocketOptions.DEFAULT, FlowFilter.ALL);
        List<CompletableFuture<TcpSocket>> connects = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            connects.add(client.tcp().connectAsync(new InetSocketAddress("198.51.100." + i, 443), TcpSocketOptions.DEFAULT));
        }
        loop.runUntilIdle();
        // Two fill the SYN queue (bounded by the backlog); the other four are answered with
        // cookies, which keep nothing, and their ACKs find the accept queue full.
        assertThat(gateway.statistics().get("tcp", "SyncookiesSent")).isEqualTo(4);
        assertThat(gateway.statistics().get("tcp", "ListenOverflows")).isPositive();
        assertThat(gateway.sockets().stream().filter(r -> r.protocol().equalsIgnoreCase("TCP")
                && !r.state().equals("LISTEN")).count()).as("connections the gateway keeps").isEqualTo(2);
        List<InetSocketAddress> origins = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            origins.add(any.accept(Duration.ofSeconds(1)).localAddress());
        }
        // The clients' first data returns their cookies: now there is room, and the rest come in.
        for (CompletableFuture<TcpSocket> c : connects) {
            assertThat(c).as("the client side is established either way").isCompleted();
            c.join().write(new byte[] {1});
            c.join().flush();
        }
        loop.runUntilIdle();
        for (int i = 0; i < 4; i++) {
            origins.add(any.accept(Duration.ofSeconds(1)).localAddress());
        }
        assertThat(gateway.statistics().get("tcp", "SyncookiesRecv")).isEqualTo(4);
        assertThat(origins).extracting(InetSocketAddress::getPort).containsOnly(443);
        assertThat(origins).hasSize(6).doesNotHaveDuplicates();
        any.close();
    }

    @Test
    void aStackHasOneAnyListenerAndClosingItEndsTransparentAccepting() throws Exception {
        gateway("0.0.0.0/0");
        TcpServerSocket any = gateway.tcp().listenAny(8, TcpSocketOptions.DEFAULT, FlowFilter.ALL);
        assertThatThrownBy(() -> gateway.tcp().listenAny(8, TcpSocketOptions.DEFAULT, FlowFilter.ALL))
                .isInstanceOf(BindException.class);
        any.close();
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("198.51.100.1", 80)))
                .isInstanceOf(ConnectException.class);
    }

    private record Packet(Ipv4Repr ip, TcpRepr tcp) {}

    /** The TCP segments recorded on the link since the start, parsed by the test kit's own values. */
    private List<Packet> tcpOnWire() {
        List<Packet> out = new ArrayList<>();
        byte[] f;
        while ((f = wire.pollNow()) != null) {
            PacketBuffer b = pool.copyOf(f, 0, f.length);
            if (Ipv4Repr.parse(b) instanceof Ipv4Repr.Parsed(Ipv4Repr ip) && ip.protocol() == IpProtocol.TCP) {
                b.consume(ip.headerLength());
                b.truncate(ip.payloadLength());
                if (TcpRepr.parse(b, ip.source(), ip.destination()) instanceof TcpRepr.Parsed(TcpRepr tcp)) {
                    out.add(new Packet(ip, tcp));
                }
            }
            b.release();
        }
        recorded.addAll(out);
        return List.copyOf(recorded);
    }

    private final List<Packet> recorded = new ArrayList<>();
}
