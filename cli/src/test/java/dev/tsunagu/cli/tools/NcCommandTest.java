package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code nc} both ways, TCP and UDP, against a peer stack. */
class NcCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void tcpClientHalfClosesAtEndOfStdinAndPrintsWhatThePeerSends() throws Exception {
        try (Cli cli = new Cli("nc-tcp")) {
            NetworkStack peer = cli.peer();
            // The peer reads everything until our FIN, then answers in capitals and closes: the
            // answer can only come if end of stdin half-closed the connection.
            CompletableFuture<String> peerRead = new CompletableFuture<>();
            try (TcpServerSocket l = peer.tcp().listen(5000)) {
                Thread.ofVirtual().start(() -> {
                    try (TcpSocket s = l.accept(WAIT)) {
                        String got = new String(readAll(s), StandardCharsets.UTF_8);
                        peerRead.complete(got);
                        s.write(got.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        peerRead.completeExceptionally(e);
                    }
                });
                Cli.Result r = Cli.run("hello, peer\n".getBytes(StandardCharsets.UTF_8), cli.cmd("nc", Cli.PEER, "5000"));

                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(peerRead.get(10, TimeUnit.SECONDS)).isEqualTo("hello, peer\n");
                assertThat(r.out()).isEqualTo("HELLO, PEER\n");
            }
        }
    }

    /**
     * RFC 8305 for {@code nc}: a name with an IPv6 address that answers nothing and an IPv4 one
     * that listens; on a stack with both families nc tries IPv6 first, then IPv4 after the
     * Connection Attempt Delay, and talks over IPv4.
     */
    @Test
    void tcpByNameRacesBothFamiliesAndTheOneThatAnswersWins() throws Exception {
        try (Cli cli = new Cli("nc-race")) {
            NetworkStack peer = NetworkStack.builder().name("peer-race").addInterface(dev.tsunagu.stack.InterfaceConfig
                    .of(cli.driver()).address(Cli.PEER + "/24").address("fd00:7::1/64")).buildUnchecked();
            try (peer; ResolveCommandTest.Dns dns = new ResolveCommandTest.Dns(peer);
                 TcpServerSocket l = peer.tcp().listen(5001)) {
                CompletableFuture<InetSocketAddress> from = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try (TcpSocket s = l.accept(WAIT)) {
                        from.complete(s.remoteAddress());
                        readAll(s);
                        s.write("over IPv4".getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        from.completeExceptionally(e);
                    }
                });
                Cli.Result r = Cli.run(new byte[0], cli.cmd("nc", "--ip", "fd00:7::2/64", "--dns", Cli.PEER,
                        "race.example.test", "5001"));
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).isEqualTo("over IPv4");
                assertThat(from.get(10, TimeUnit.SECONDS).getAddress().getHostAddress()).isEqualTo(Cli.ME);
                assertThat(dns.queries.get()).as("AAAA and A asked").isEqualTo(2);
            }
        }
    }

    @Test
    void tcpListenerTakesOneConnection() throws Exception {
        try (Cli cli = new Cli("nc-listen")) {
            NetworkStack peer = cli.peer();
            PipedOutputStream toStdin = new PipedOutputStream();
            Cli.Running nc = cli.start(new PipedInputStream(toStdin), cli.cmd("nc", "-l", "6000")).awaitReady();
            try (TcpSocket s = peer.tcp().connect(new InetSocketAddress(Cli.ME, 6000))) {
                s.write("from the peer".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                Cli.await("nc printing what the peer sent", () -> nc.out().equals("from the peer"));
                toStdin.write("from stdin".getBytes(StandardCharsets.UTF_8));
                toStdin.close();
                assertThat(new String(readAll(s), StandardCharsets.UTF_8)).isEqualTo("from stdin");
            }
            Cli.Result r = nc.result(WAIT);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).startsWith("nc: connection from 10.7.0.1:");
        }
    }

    @Test
    void aListenerThatNobodyCalledStopsOnCtrlC() throws Exception {
        try (Cli cli = new Cli("nc-listen-stop")) {
            Cli.Running nc = cli.start(cli.cmd("nc", "-l", "6002")).awaitReady();
            Cli.Result r = nc.stop();
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void udpClientSendsStdinAndPrintsTheAnswers() throws Exception {
        try (Cli cli = new Cli("nc-udp")) {
            NetworkStack peer = cli.peer();
            try (UdpSocket echo = peer.udp().open().bind(7)) {
                Thread.ofVirtual().start(() -> {
                    try {
                        Datagram d = echo.receive(WAIT);
                        echo.send(("echo: " + new String(d.data(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8), d.source());
                    } catch (IOException e) {
                        // the test fails on the missing answer
                    }
                });
                Cli.Result r = Cli.run("datagram".getBytes(StandardCharsets.UTF_8),
                        cli.cmd("nc", "--udp", "-q", "0.3", Cli.PEER, "7"));
                assertThat(r.exit()).as(r.err()).isZero();
                assertThat(r.out()).isEqualTo("echo: datagram");
            }
        }
    }

    @Test
    void udpClientToAClosedPortIsRefused() {
        try (Cli cli = new Cli("nc-udp-refused")) {
            cli.peer();
            Cli.Result r = Cli.run("x".getBytes(StandardCharsets.UTF_8), cli.cmd("nc", "-u", "-q", "5", Cli.PEER, "9999"));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.errLines()).singleElement().asString().contains("10.7.0.1:9999: connection refused");
        }
    }

    @Test
    void udpListenerPrintsDatagramsAndAnswersTheSender() throws Exception {
        try (Cli cli = new Cli("nc-udp-listen")) {
            NetworkStack peer = cli.peer();
            Cli.Running nc = cli.start(new ByteArrayInputStream("reply".getBytes(StandardCharsets.UTF_8)),
                    cli.cmd("nc", "-l", "-u", "6001")).awaitReady();
            try (UdpSocket u = peer.udp().open()) {
                u.connect(new InetSocketAddress(Cli.ME, 6001));
                u.send("first".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(u.receive(WAIT).data(), StandardCharsets.UTF_8)).isEqualTo("reply");
                Cli.await("nc printing the datagram", () -> nc.out().equals("first"));
            }
            assertThat(nc.stop().exit()).isZero();
        }
    }

    static byte[] readAll(TcpSocket s) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = s.read(buf, 0, buf.length, WAIT)) >= 0) {
            got.write(buf, 0, n);
        }
        return got.toByteArray();
    }
}
