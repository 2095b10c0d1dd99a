package dev.tsunagu.apps.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay between two threaded stacks on an IP-only cable (a TUN's medium): a client whose
 * default route is the gateway, and the gateway in transparent mode running the relay. The
 * relay's {@link Upstream} is a test double that takes every destination to a kernel server on
 * loopback and remembers what was asked for, which is also how other relays are written. Half-
 * close and resets are carried both ways; UDP flows are answered from their destination and
 * expire when idle.
 */
@Timeout(60)
class TransparentRelayTest {
    private final RelayStacks stacks = new RelayStacks("relay");
    private final NetworkStack client = stacks.client;
    private final NetworkStack gateway = stacks.gateway;
    private final List<InetSocketAddress> asked = new CopyOnWriteArrayList<>();
    private ServerSocket tcpServer;
    private DatagramSocket udpServer;
    private TransparentRelay relay;

    @AfterEach
    void tearDown() throws IOException {
        if (relay != null) {
            relay.close();
        }
        stacks.close();
        if (tcpServer != null) {
            tcpServer.close();
        }
        if (udpServer != null) {
            udpServer.close();
        }
    }

    /** Every destination goes to the loopback servers (TCP to {@code tcpPort}, UDP to the UDP server). */
    private Upstream toLoopback(int tcpPort) {
        return new Upstream() {
            @Override
            public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
                asked.add(destination);
                return Upstream.direct().connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort), timeout);
            }

            @Override
            public DatagramSocket datagrams(InetSocketAddress destination) throws IOException {
                asked.add(destination);
                return Upstream.direct().datagrams((InetSocketAddress) udpServer.getLocalSocketAddress());
            }
        };
    }

    private void start(int tcpPort, TransparentRelay.Settings settings) throws IOException {
        relay = TransparentRelay.start(gateway, toLoopback(tcpPort), settings);
    }

    @Test
    void aConnectionIsRelayedWithHalfCloseBothWays() throws Exception {
        tcpServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // The server answers only after the client's FIN: the SHA-256 of all it got, then closes.
        CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
            try (Socket s = tcpServer.accept()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    sha.update(buf, 0, n);
                }
                s.getOutputStream().write(HexFormat.of().formatHex(sha.digest()).getBytes());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        start(tcpServer.getLocalPort(), TransparentRelay.Settings.DEFAULT);
        byte[] data = new byte[2 << 20];
        new Random(20).nextBytes(data);
        InetSocketAddress destination = new InetSocketAddress("198.51.100.80", 443);
        try (TcpSocket c = client.tcp().connect(destination)) {
            c.write(data);
            c.shutdownOutput();
            String answer = new String(RelayStacks.readToEnd(c));
            assertThat(answer).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
        }
        served.get(20, TimeUnit.SECONDS);
        assertThat(asked).containsExactly(destination);
        assertThat(relay.bytesToUpstream()).isEqualTo(data.length);
        assertThat(relay.bytesFromUpstream()).isEqualTo(64);
        assertThat(relay.connections()).isEqualTo(1);
        awaitNoLiveConnections();
        assertThat(relay.resets()).isZero();
    }

    @Test
    void anUpstreamResetReachesTheClientAndAClientResetReachesUpstream() throws Exception {
        tcpServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        start(tcpServer.getLocalPort(), TransparentRelay.Settings.DEFAULT);

        // Upstream resets: the client's next read fails.
        CompletableFuture<Void> resetter = CompletableFuture.runAsync(() -> {
            try {
                Socket s = tcpServer.accept();
                s.getInputStream().read();
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try (TcpSocket c = client.tcp().connect(new InetSocketAddress("203.0.113.7", 80))) {
            c.write("x".getBytes());
            c.flush();
            resetter.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> RelayStacks.readToEnd(c)).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }

        // The client resets: upstream's read fails with a reset.
        CompletableFuture<Void> gotFirst = new CompletableFuture<>();
        CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
            try (Socket s = tcpServer.accept()) {
                InputStream in = s.getInputStream();
                in.read();
                gotFirst.complete(null);
                return String.valueOf(in.read());
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        TcpSocket c = client.tcp().connect(new InetSocketAddress("203.0.113.7", 81));
        c.write("y".getBytes());
        c.flush();
        gotFirst.get(10, TimeUnit.SECONDS); // the byte reached upstream: the relay is connected
        c.abort();
        assertThat(seen.get(10, TimeUnit.SECONDS)).containsIgnoringCase("reset");
        assertThat(relay.resets()).isEqualTo(2);
    }

    @Test
    void aRefusedUpstreamResetsTheClient() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        start(closedPort, TransparentRelay.Settings.DEFAULT);
        try (TcpSocket c = client.tcp().connect(new InetSocketAddress("198.51.100.1", 22))) {
            assertThatThrownBy(() -> RelayStacks.readToEnd(c)).isInstanceOf(SocketException.class);
        }
        assertThat(relay.connectFailures()).isEqualTo(1);
    }

    @Test
    void udpFlowsAreAnsweredFromTheirDestinationAndExpireWhenIdle() throws Exception {
        udpServer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                while (true) {
                    p.setLength(buf.length);
                    udpServer.receive(p);
                    udpServer.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        });
        start(1, TransparentRelay.Settings.DEFAULT.withUdpIdleTimeout(Duration.ofMillis(300)));
        try (UdpSocket c = client.udp().open().bind(5353)) {
            for (String to : List.of("198.51.100.53", "203.0.113.53")) {
                InetSocketAddress destination = new InetSocketAddress(to, 53);
                for (int i = 0; i < 3; i++) {
                    c.send(("q" + i).getBytes(), destination);
                    Datagram d = c.receive(Duration.ofSeconds(5));
                    assertThat(d.source()).as("answered from where it was sent").isEqualTo(destination);
                    assertThat(new String(d.data())).isEqualTo("q" + i);
                }
            }
            assertThat(relay.udpFlows()).as("one flow per destination").isEqualTo(2);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (relay.liveUdpFlows() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(relay.liveUdpFlows()).isZero();
            assertThat(relay.udpFlowsExpired()).isEqualTo(2);
        }
    }

    @Test
    void aConnectionIdleForTheTcpIdleTimeoutIsResetOnBothSidesAndOneThatIsNotIsLeftAlone() throws Exception {
        tcpServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // Upstream echoes byte by byte until its connection fails, then says how.
        CompletableFuture<String> upstreamEnd = CompletableFuture.supplyAsync(() -> {
            try (Socket s = tcpServer.accept()) {
                int b;
                while ((b = s.getInputStream().read()) >= 0) {
                    s.getOutputStream().write(b);
                }
                return "end of stream";
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        start(tcpServer.getLocalPort(), TransparentRelay.Settings.DEFAULT);
        assertThat(TransparentRelay.Settings.DEFAULT.tcpIdleTimeout()).isEqualTo(Duration.ofMinutes(124));
        try (TcpSocket c = client.tcp().connect(new InetSocketAddress("198.51.100.22", 22))) {
            byte[] one = new byte[1];
            c.write("a".getBytes());
            c.flush();
            assertThat(c.read(one, 0, 1, Duration.ofSeconds(10))).isEqualTo(1);
            // The relay's clock, passed in: an hour of silence is within the timeout...
            relay.expireIdle(System.nanoTime() + Duration.ofHours(1).toNanos());
            assertThat(relay.tcpIdleTimeouts()).isZero();
            c.write("b".getBytes());
            c.flush();
            assertThat(c.read(one, 0, 1, Duration.ofSeconds(10))).isEqualTo(1);
            assertThat((char) one[0]).isEqualTo('b');
            // ...and a second past 2 h 4 min of it is not: both sides are reset.
            relay.expireIdle(System.nanoTime() + TransparentRelay.Settings.TCP_IDLE.plusSeconds(1).toNanos());
            assertThat(relay.tcpIdleTimeouts()).isEqualTo(1);
            assertThatThrownBy(() -> RelayStacks.readToEnd(c)).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        assertThat(upstreamEnd.get(10, TimeUnit.SECONDS)).containsIgnoringCase("reset");
        awaitNoLiveConnections();
        assertThat(relay.summary()).contains("1 idle");
    }

    private void awaitNoLiveConnections() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (relay.liveConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(relay.liveConnections()).isZero();
    }

}
