package dev.tsunagu.cli.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.apps.http.HttpClient;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} and its shorthands, driven from a peer stack on the same cable. */
class ServeCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path www;

    @Test
    void servesEchoDiscardAndHttpAtOnceAndEveryOtherPortIsClosed() throws Exception {
        Files.writeString(www.resolve("hello.txt"), "hello over the cable\n");
        try (Cli cli = new Cli("serve")) {
            NetworkStack peer = cli.peer();
            Cli.Running serve = cli.start(cli.cmd("serve", "--echo", "7", "--discard", "9", "--http", "8080",
                    "--dir", www.toString())).awaitReady();
            assertThat(serve.out()).contains("echo (RFC 862) on tcp/7 and udp/7", "discard (RFC 863) on tcp/9 and udp/9",
                    "http on tcp/8080");

            // TCP echo: everything back, then the server closes once we have sent FIN.
            byte[] data = random(100_000, 1);
            assertThat(tcpExchange(peer, 7, data)).isEqualTo(data);
            Cli.await("the echo connection's log line", () -> serve.out().contains("closed after 100000 bytes echoed"));

            // UDP echo: the datagram back to its sender.
            try (UdpSocket u = peer.udp().open()) {
                u.connect(new InetSocketAddress(Cli.ME, 7));
                u.send("ping?".getBytes(StandardCharsets.US_ASCII));
                Datagram d = u.receive(WAIT);
                assertThat(new String(d.data(), StandardCharsets.US_ASCII)).isEqualTo("ping?");
            }

            // TCP discard: nothing comes back, and the server closes after our FIN.
            assertThat(tcpExchange(peer, 9, random(50_000, 2))).isEmpty();
            Cli.await("the discard connection's log line", () -> serve.out().contains("closed after 50000 bytes discarded"));

            // HTTP.
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            HttpClient.Response r = HttpClient.get(peer, "http://" + Cli.ME + ":8080/hello.txt", body);
            assertThat(r.status()).isEqualTo(200);
            assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("hello over the cable\n");

            // The peer pings the command's stack.
            PingResult pong = peer.service(PingService.class).orElseThrow()
                    .ping(Ipv4Address.parse(Cli.ME), 56, WAIT).get(20, TimeUnit.SECONDS);
            assertThat(pong).isInstanceOf(PingResult.Reply.class);

            // UDP echo never answers the small services' ports (no echo loops between two servers).
            try (UdpSocket fromEcho = peer.udp().open().bind(19); UdpSocket probe = peer.udp().open()) {
                fromEcho.send(new byte[] {1}, new InetSocketAddress(Cli.ME, 7));
                probe.connect(new InetSocketAddress(Cli.ME, 7));
                probe.send(new byte[] {2}); // sent after, answered after (one path, in order)
                assertThat(probe.receive(WAIT).data()).containsExactly(2);
                assertThat(fromEcho.poll()).isNull();
            }

            // Any other TCP port: RST, so connect is refused at once.
            assertThatThrownBy(() -> peer.tcp().connect(new InetSocketAddress(Cli.ME, 13)))
                    .isInstanceOf(ConnectException.class);
            // Any other UDP port: ICMP port unreachable, which a connected socket reports.
            try (UdpSocket u = peer.udp().open()) {
                u.connect(new InetSocketAddress(Cli.ME, 19));
                u.send(new byte[] {1});
                assertThatThrownBy(() -> u.receive(WAIT)).isInstanceOf(PortUnreachableException.class);
            }

            Cli.Result end = serve.stop();
            assertThat(end.exit()).as(end.err()).isZero();
            assertThat(end.out()).contains("serve: stopping");
        }
    }

    /**
     * {@code serve --jmx}: while it runs, the platform MBean server (what JConsole and JMC read)
     * has the stack's MXBean, its counters and socket table typed; it is gone when serve stops.
     */
    @Test
    void jmxShowsTheRunningStacksCountersAndSockets() throws Exception {
        javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        javax.management.ObjectName name = new javax.management.ObjectName("dev.tsunagu:type=Stack,name=\"tsunagu-serve\"");
        try (Cli cli = new Cli("serve-jmx")) {
            NetworkStack peer = cli.peer();
            Cli.Running serve = cli.start(cli.cmd("serve", "--echo", "7", "--jmx")).awaitReady();
            assertThat(serve.err()).contains("JMX: " + name);
            try (TcpSocket c = peer.tcp().connect(new InetSocketAddress(Cli.ME, 7))) {
                c.write("ping".getBytes(StandardCharsets.US_ASCII));
                byte[] back = new byte[4];
                int n = 0;
                while (n < 4) {
                    n += c.read(back, n, 4 - n);
                }
                assertThat(server.getAttribute(name, "Name")).isEqualTo("tsunagu-serve");
                javax.management.openmbean.CompositeData[] sockets =
                        (javax.management.openmbean.CompositeData[]) server.getAttribute(name, "Sockets");
                assertThat(sockets).anySatisfy(row -> {
                    assertThat(row.get("state")).isEqualTo("ESTABLISHED");
                    assertThat(row.get("local")).isEqualTo(Cli.ME + ":7");
                });
                assertThat((Long) server.invoke(name, "counter", new Object[] {"tcp", "PassiveOpens"},
                        new String[] {String.class.getName(), String.class.getName()})).isEqualTo(1L);
            }
            serve.stop();
        }
        assertThat(server.isRegistered(name)).as("unregistered when serve stops").isFalse();
    }

    @Test
    void aPortAskedForTwiceIsInUse() {
        try (Cli cli = new Cli("serve-inuse")) {
            Cli.Result r = Cli.run(cli.cmd("serve", "--echo", "7", "--discard", "7"));

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.errLines()).singleElement().asString().isEqualTo("tsunagu: TCP port 7 is already in use");
        }
    }

    @Test
    void nothingToServeAndAMissingDirectoryAreUsageErrors() {
        try (Cli cli = new Cli("serve-usage")) {
            Cli.Result none = Cli.run(cli.cmd("serve"));
            assertThat(none.exit()).isEqualTo(2);
            assertThat(none.errLines()).singleElement().asString().contains("nothing to serve");

            Cli.Result noDir = Cli.run(cli.cmd("http-serve", "--dir", www.resolve("missing").toString()));
            assertThat(noDir.exit()).isEqualTo(2);
            assertThat(noDir.errLines()).singleElement().asString().contains("no such directory");
        }
    }

    @Test
    void aDualStackServersSocketTableShowsItsListenersAsTheIpv6Wildcard() throws Exception {
        try (Cli cli = new Cli("serve-netstat6")) {
            Cli.Running serve = cli.start(cli.cmd("echo-serve", "--port", "7", "--ip", "fd00:7::2/64",
                    "--netstat-every", "0.05")).awaitReady();
            Cli.await("a socket table on stderr", () -> serve.err().contains("--- sockets of tsunagu-echo-serve"));
            // Bound to every address of both families: [::]:7, as ss shows a dual-stack socket.
            assertThat(serve.err()).containsPattern("TCP .*\\[::\\]:7 .*LISTEN").doesNotContain("0.0.0.0:7");
            serve.stop();
        }
    }

    @Test
    void theSocketTableComesEverySoOftenAndOnSigusr1() throws Exception {
        try (Cli cli = new Cli("serve-netstat")) {
            cli.peer();
            Cli.Running serve = cli.start(cli.cmd("echo-serve", "--port", "7", "--netstat-every", "0.05")).awaitReady();
            Cli.await("a socket table on stderr", () -> serve.err().contains("--- sockets of tsunagu-echo-serve"));
            assertThat(serve.err()).contains("Proto").containsPattern("TCP .*0\\.0\\.0\\.0:7 .*LISTEN");
            serve.stop();
        }
        try (Cli cli = new Cli("serve-signal")) {
            Cli.Running serve = cli.start(cli.cmd("discard-serve", "--port", "9")).awaitReady();
            // Only where the handler could be had (HotSpot on Linux); the command says which in its banner.
            if (serve.out().contains("kill -USR1")) {
                sun.misc.Signal.raise(new sun.misc.Signal("USR1"));
                Cli.await("the socket table after SIGUSR1", () -> serve.err().contains("--- sockets of tsunagu-discard-serve"));
                assertThat(serve.err()).containsPattern("UDP .*:9 ");
            } else {
                System.err.println("cli: no SIGUSR1 handler here, the signal path is not tested: " + serve.out());
            }
            serve.stop();
        }
    }

    @Test
    void shorthandsServeWhatTheySay() throws Exception {
        Files.writeString(www.resolve("index.html"), "<h1>hi</h1>\n");
        try (Cli cli = new Cli("shorthands")) {
            NetworkStack peer = cli.peer();
            Cli.Running http = cli.start(cli.cmd("http-serve", "--port", "80", "--dir", www.toString())).awaitReady();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            assertThat(HttpClient.get(peer, "http://" + Cli.ME + "/", body).status()).isEqualTo(200);
            assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("<h1>hi</h1>\n");
            assertThat(http.stop().exit()).isZero();

            Cli.Running udpEcho = cli.start(cli.cmd("echo-serve", "--udp", "--port", "7007")).awaitReady();
            try (UdpSocket u = peer.udp().open()) {
                u.connect(new InetSocketAddress(Cli.ME, 7007));
                u.send(new byte[] {42});
                assertThat(u.receive(WAIT).data()).containsExactly(42);
            }
            // --udp is UDP only: TCP on that port is closed.
            assertThatThrownBy(() -> peer.tcp().connect(new InetSocketAddress(Cli.ME, 7007))).isInstanceOf(ConnectException.class);
            assertThat(udpEcho.stop().exit()).isZero();
        }
    }

    @Test
    void beyondMaxConnectionsANewConnectionIsResetAndCountedAndAFreedSlotServesAgain() throws Exception {
        Files.writeString(www.resolve("a.txt"), "a\n");
        try (Cli cli = new Cli("serve-limit")) {
            NetworkStack peer = cli.peer();
            Cli.Running serve = cli.start(cli.cmd("serve", "--echo", "7", "--http", "8080", "--dir", www.toString(),
                    "--max-connections", "2")).awaitReady();
            assertThat(serve.out()).contains("echo (RFC 862) on tcp/7 and udp/7, at most 2 TCP connections at once",
                    "at most 2 connections at once").containsPattern("connections buffer at most \\d+ MiB in all \\(heap: \\d+ MiB\\)");

            TcpSocket first = echoing(peer, 1);
            TcpSocket second = echoing(peer, 2);
            // The third: the handshake completes (the stack accepts for the service), then RST.
            try (TcpSocket third = peer.tcp().connect(new InetSocketAddress(Cli.ME, 7))) {
                assertThatThrownBy(() -> {
                    third.write(new byte[] {3});
                    third.read(new byte[1], 0, 1, WAIT);
                }).isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
            }
            Cli.await("the refusal's log line", () -> serve.out().contains("tcp/7 echo: 2 connections already; reset"));
            assertThat(serve.out()).contains("(1 in all)");

            // A slot freed: served again.
            first.close();
            Cli.await("the first connection's end", () -> serve.out().contains("closed after 1 bytes echoed"));
            echoing(peer, 4).close();
            second.close();

            // HTTP counts its own connections.
            TcpSocket h1 = peer.tcp().connect(new InetSocketAddress(Cli.ME, 8080));
            TcpSocket h2 = peer.tcp().connect(new InetSocketAddress(Cli.ME, 8080));
            try (TcpSocket h3 = peer.tcp().connect(new InetSocketAddress(Cli.ME, 8080))) {
                assertThatThrownBy(() -> h3.read(new byte[1], 0, 1, WAIT)).isInstanceOf(java.net.SocketException.class)
                        .hasMessageContaining("reset");
            }
            Cli.await("the HTTP refusal's log line", () -> serve.out().contains("tcp/8080 http: 2 connections already; reset"));
            h1.close();
            h2.close();
            assertThat(serve.stop().exit()).isZero();
        }
    }

    @Test
    void maxConnectionsMustBePositive() {
        try (Cli cli = new Cli("serve-limit-usage")) {
            Cli.Result r = Cli.run(cli.cmd("echo-serve", "--max-connections", "0"));
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.errLines()).singleElement().asString().contains("--max-connections must be at least 1");
        }
    }

    /** A connection to the echo port that echoed one byte and stays open. */
    private static TcpSocket echoing(NetworkStack peer, int b) throws IOException {
        TcpSocket s = peer.tcp().connect(new InetSocketAddress(Cli.ME, 7));
        s.write(new byte[] {(byte) b});
        byte[] one = new byte[1];
        assertThat(s.read(one, 0, 1, WAIT)).isEqualTo(1);
        assertThat(one[0]).isEqualTo((byte) b);
        return s;
    }

    /** Sends {@code data}, half-closes, and returns everything the server sent until it closed. */
    static byte[] tcpExchange(NetworkStack peer, int port, byte[] data) throws IOException {
        try (TcpSocket s = peer.tcp().connect(new InetSocketAddress(Cli.ME, port))) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = s.read(buf, 0, buf.length, WAIT)) >= 0) {
                got.write(buf, 0, n);
            }
            try {
                writer.join(WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return got.toByteArray();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

}
