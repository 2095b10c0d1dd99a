package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8305 section 5's connection race on the virtual clock: a dual-stack client, a server
 * that has both families, and an IPv6 address that answers nothing (no neighbour has it) or
 * refuses.
 */
class HappyEyeballsOverBothFamiliesTest {
    private static final InetAddress SERVER_V4 = InetAddress.ofLiteral("10.0.0.2");
    private static final InetAddress SERVER_V6 = InetAddress.ofLiteral("fd00::2");
    private static final InetAddress NOBODY_V6 = InetAddress.ofLiteral("fd00::99");
    private static final Duration DELAY = HappyEyeballs.CONNECTION_ATTEMPT_DELAY;

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("he");
    private NetworkStack client;
    private NetworkStack server;

    @BeforeEach
    void setUp() throws Exception {
        client = TestHosts.host(loop, "client", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.1/24").address("fd00::1/64")).build();
        server = TestHosts.host(loop, "server", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64")).build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    private TcpSocket race(List<InetAddress> addresses, int port) throws Exception {
        CompletableFuture<TcpSocket> c = HappyEyeballs.connect(loop, client.tcp(), addresses, port,
                TcpSocketOptions.DEFAULT, DELAY);
        return loop.await(c, Duration.ofSeconds(30));
    }

    @Test
    void rfc8305_5_ipv6ThatConnectsWinsAndIpv4IsNeverTried() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        long start = loop.now();

        TcpSocket s = race(List.of(SERVER_V6, SERVER_V4), 80);

        assertThat(s.remoteAddress().getAddress()).isEqualTo(SERVER_V6);
        assertThat(loop.now() - start).isLessThan(DELAY.toNanos());
        loop.advance(Duration.ofSeconds(2));
        assertThat(listener.acceptAsync().isDone()).as("only one connection reached the server").isTrue();
        assertThat(listener.acceptAsync().isDone()).isFalse();
    }

    @Test
    void rfc8305_5_ipv4StartsAfterTheConnectionAttemptDelayWhenIpv6StaysSilent() throws Exception {
        server.tcp().listen(80);
        long start = loop.now();

        TcpSocket s = race(List.of(NOBODY_V6, SERVER_V4), 80);

        assertThat(s.remoteAddress().getAddress()).isEqualTo(SERVER_V4);
        assertThat(loop.now() - start).isGreaterThanOrEqualTo(DELAY.toNanos()).isLessThan(DELAY.toNanos() * 2);
    }

    @Test
    void rfc8305_5_aRefusedIpv6AttemptStartsIpv4AtOnce() throws Exception {
        // The IPv6 address is the client's own loopback, where nothing listens: refused at once.
        server.tcp().listen(81);
        long start = loop.now();

        TcpSocket s = race(List.of(InetAddress.ofLiteral("::1"), SERVER_V4), 81);

        assertThat(s.remoteAddress().getAddress()).isEqualTo(SERVER_V4);
        assertThat(loop.now() - start).isLessThan(DELAY.toNanos());
    }

    @Test
    void everyAttemptFailingFailsTheRace() {
        CompletableFuture<TcpSocket> c = HappyEyeballs.connect(loop, client.tcp(), List.of(SERVER_V6, SERVER_V4), 82,
                TcpSocketOptions.DEFAULT, DELAY);
        loop.advance(Duration.ofSeconds(5));
        assertThat(c).isCompletedExceptionally();
    }
}
