package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.Ipv4LayerProvider;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lifecycle rules of the TCP issue not covered by the conformance suites. */
class TcpLifecycleTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("tcp-lifecycle");
    private final NetworkStack client = TestHosts.host(loop, "client", 1).on(lan, "10.0.0.1/24").build();
    private final List<NetworkStack> others = new ArrayList<>();

    @AfterEach
    void tearDown() {
        client.close();
        others.forEach(NetworkStack::close);
    }

    private NetworkStack server() {
        NetworkStack s = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24").build();
        others.add(s);
        return s;
    }

    @Test
    void icmpUnreachableDuringSynSentFailsTheConnectAtOnce() {
        // A host with IP but no TCP answers our SYN with ICMP protocol unreachable.
        NetworkStack noTcp = TestHosts.host(loop, "no-tcp", 3)
                .layers(List.of(new EthernetLayerProvider(), new Ipv4LayerProvider())).on(lan, "10.0.0.3/24").build();
        others.add(noTcp);
        long before = loop.now();
        assertThatThrownBy(() -> client.tcp().connect(new InetSocketAddress("10.0.0.3", 80)))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("ICMP unreachable from 10.0.0.3");
        assertThat(loop.now() - before).as("at once, not after SYN retries").isLessThan(Duration.ofMillis(1).toNanos());
        assertThat(client.sockets()).isEmpty();
    }

    @Test
    void closingWithUnreadDataSendsRst() throws Exception {
        NetworkStack server = server();
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        loop.runUntilIdle();
        TcpSocket s = accepted.getNow(null);
        s.write("unread".getBytes());
        s.flush();
        loop.runUntilIdle();
        c.close(); // six bytes were never read (RFC 1122 4.2.2.13)
        loop.runUntilIdle();
        assertThat(client.statistics().get("tcp", "OutRsts")).isEqualTo(1);
        assertThatThrownBy(() -> s.read(new byte[10], 0, 10)).isInstanceOf(SocketException.class)
                .hasMessageContaining("connection reset");
        assertThat(client.sockets()).as("no TIME_WAIT after a reset").isEmpty();
        listener.close();
    }

    @Test
    void aFullAcceptQueueDropsTheCompletingAcksAndCountsThemRatherThanGrowing() throws Exception {
        // A SYN queue larger than the backlog (by default it is the backlog), so that every SYN is kept.
        NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24")
                .option(TcpOptions.SYN_QUEUE, 8).build();
        others.add(server);
        TcpServerSocket listener = server.tcp().listen(80, 2, TcpSocketOptions.DEFAULT);
        List<CompletableFuture<TcpSocket>> connects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            connects.add(client.tcp().connectAsync(new InetSocketAddress("10.0.0.2", 80), TcpSocketOptions.DEFAULT));
        }
        loop.advance(Duration.ofMillis(500));
        // All five SYNs found room in the SYN queue; two handshakes filled the accept queue (the
        // backlog), the other three ACKs were dropped and their children wait in SYN-RECEIVED.
        assertThat(server.statistics().get("tcp", "ListenOverflows")).isEqualTo(3);
        assertThat(server.sockets()).filteredOn(r -> r.state().equals("LISTEN"))
                .singleElement().extracting(SocketInfo::receiveQueue).isEqualTo(2L);
        assertThat(server.sockets()).as("the accept queue holds the backlog, no more")
                .filteredOn(r -> r.state().equals("SYN_RECEIVED")).hasSize(3);
        // Accepting makes room: the SYN-ACKs are retransmitted, draw ACKs again, and complete.
        for (int i = 0; i < 5; i++) {
            listener.accept(Duration.ofSeconds(10));
        }
        loop.advance(Duration.ofSeconds(5));
        assertThat(connects).allMatch(CompletableFuture::isDone);
        listener.close();
    }

    @Test
    void aFullSynQueueWithoutCookiesDropsSynsAndCountsThem() throws Exception {
        NetworkStack server = TestHosts.host(loop, "server", 2).on(lan, "10.0.0.2/24")
                .option(TcpOptions.SYN_QUEUE, 2).option(TcpOptions.SYN_COOKIES, false).build();
        others.add(server);
        TcpServerSocket listener = server.tcp().listen(80, 10, TcpSocketOptions.DEFAULT);
        // The five SYNs arrive together, before any handshake completes: two fit in the SYN queue.
        List<CompletableFuture<TcpSocket>> connects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            connects.add(client.tcp().connectAsync(new InetSocketAddress("10.0.0.2", 80), TcpSocketOptions.DEFAULT));
        }
        loop.runUntilIdle();
        assertThat(server.statistics().get("tcp", "SynQueueOverflows")).isEqualTo(3);
        assertThat(server.statistics().get("tcp", "SyncookiesSent")).isZero();
        assertThat(connects).filteredOn(CompletableFuture::isDone).hasSize(2);
        // The dropped SYNs are retransmitted and complete once the queue has room.
        loop.advance(Duration.ofSeconds(5));
        assertThat(connects).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        for (int i = 0; i < 5; i++) {
            listener.accept(Duration.ofSeconds(1));
        }
        listener.close();
    }

    @Test
    void afterAnIdlePeriodLongerThanTheRtoTheCongestionWindowRestarts() throws Exception {
        NetworkStack server = server();
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        loop.runUntilIdle();
        TcpSocket s = accepted.getNow(null);
        byte[] bulk = new byte[200_000];
        c.write(bulk);
        byte[] sink = new byte[65536];
        int got = 0;
        while (got < bulk.length) {
            got += s.read(sink, 0, sink.length);
        }
        long grown = cwnd();
        long initialWindow = 3L * Integer.parseInt(client.sockets().getFirst().details().get("mss")); // RFC 5681 eq. 1
        assertThat(grown).isGreaterThan(initialWindow);
        loop.advance(Duration.ofSeconds(10));
        c.write(new byte[100]); // the first data after the idle period
        assertThat(cwnd()).as("RFC 5681 4.1: back to the initial window; %s", client.sockets()).isEqualTo(initialWindow);
        listener.close();
    }

    @Test
    void withoutSlowStartAfterIdleTheWindowSurvivesTheIdlePeriod() throws Exception {
        // tcp.slowStartAfterIdle off (Linux's tcp_slow_start_after_idle=0, as packetdrill's defaults.sh).
        NetworkStack keeps = TestHosts.host(loop, "keeps", 4).on(lan, "10.0.0.4/24")
                .option(TcpOptions.SLOW_START_AFTER_IDLE, false).build();
        others.add(keeps);
        NetworkStack server = server();
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = keeps.tcp().connect(new InetSocketAddress("10.0.0.2", 80));
        loop.runUntilIdle();
        TcpSocket s = accepted.getNow(null);
        byte[] bulk = new byte[200_000];
        c.write(bulk);
        byte[] sink = new byte[65536];
        int got = 0;
        while (got < bulk.length) {
            got += s.read(sink, 0, sink.length);
        }
        loop.advance(Duration.ofSeconds(1)); // the last delayed ACKs arrive
        long grown = Long.parseLong(keeps.sockets().getFirst().details().get("cwnd"));
        assertThat(grown).isGreaterThan(3L * Integer.parseInt(keeps.sockets().getFirst().details().get("mss")));
        loop.advance(Duration.ofSeconds(10));
        c.write(new byte[100]);
        assertThat(Long.parseLong(keeps.sockets().getFirst().details().get("cwnd"))).isEqualTo(grown);
        listener.close();
    }

    private long cwnd() {
        return Long.parseLong(client.sockets().getFirst().details().get("cwnd"));
    }
}
