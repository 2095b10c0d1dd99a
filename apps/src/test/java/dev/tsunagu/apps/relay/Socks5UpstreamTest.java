package dev.tsunagu.apps.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay through a SOCKS5 proxy (RFC 1928): a small proxy in the test, on loopback, that
 * speaks CONNECT and UDP ASSOCIATE without authentication, records the destinations it is asked
 * for and takes each to a loopback echo server instead. The client stack's flows to foreign
 * addresses reach the proxy with their original destinations, data comes back, half-close and
 * refusals are carried.
 */
@Timeout(60)
class Socks5UpstreamTest {
    private final RelayStacks stacks = new RelayStacks("socks");
    private final NetworkStack client = stacks.client;
    private final NetworkStack gateway = stacks.gateway;
    private final TinySocks5 proxy = new TinySocks5();
    private TransparentRelay relay;

    @AfterEach
    void tearDown() throws IOException {
        if (relay != null) {
            relay.close();
        }
        stacks.close();
        proxy.close();
    }

    private void start() throws IOException {
        relay = TransparentRelay.start(gateway, new Socks5Upstream(proxy.address()), TransparentRelay.Settings.DEFAULT);
    }

    @Test
    void tcpGoesThroughConnectWithItsOriginalDestinationAndHalfClose() throws Exception {
        start();
        InetSocketAddress destination = new InetSocketAddress("198.51.100.44", 443);
        byte[] data = new byte[1 << 20];
        new java.util.Random(5).nextBytes(data);
        try (TcpSocket c = client.tcp().connect(destination)) {
            c.write(data);
            c.shutdownOutput(); // the echo server ends its side after ours: both halves carried
            assertThat(RelayStacks.readToEnd(c)).isEqualTo(data);
        }
        assertThat(proxy.asked).containsExactly("CONNECT " + destination);
    }

    @Test
    void aConnectTheProxyRefusesResetsTheClient() throws Exception {
        proxy.refuse = true;
        start();
        try (TcpSocket c = client.tcp().connect(new InetSocketAddress("203.0.113.9", 25))) {
            assertThatThrownBy(() -> RelayStacks.readToEnd(c)).isInstanceOf(SocketException.class);
        }
        assertThat(relay.connectFailures()).isEqualTo(1);
    }

    @Test
    void udpGoesThroughUdpAssociateAndIsAnsweredFromItsDestination() throws Exception {
        start();
        InetSocketAddress destination = new InetSocketAddress("198.51.100.53", 53);
        try (UdpSocket c = client.udp().open().bind(4053)) {
            for (int i = 0; i < 3; i++) {
                c.send(("dns?" + i).getBytes(), destination);
                Datagram d = c.receive(Duration.ofSeconds(5));
                assertThat(d.source()).isEqualTo(destination);
                assertThat(new String(d.data())).isEqualTo("dns?" + i);
            }
        }
        assertThat(proxy.asked).containsExactly("UDP ASSOCIATE", "UDP " + destination, "UDP " + destination,
                "UDP " + destination);
    }

    @Test
    void aProxyThatWantsAUsernameAndPasswordGetsThem() throws Exception {
        proxy.credentials = new Socks5Upstream.Credentials("tsunagu", "s3cret:with@colon");
        Upstream upstream = Upstream.socks5(proxy.address(), "tsunagu", "s3cret:with@colon");
        relay = TransparentRelay.start(gateway, upstream, TransparentRelay.Settings.DEFAULT);
        InetSocketAddress destination = new InetSocketAddress("198.51.100.45", 22);
        try (TcpSocket c = client.tcp().connect(destination)) {
            c.write("through".getBytes());
            c.shutdownOutput();
            assertThat(new String(RelayStacks.readToEnd(c))).isEqualTo("through");
        }
        InetSocketAddress dns = new InetSocketAddress("198.51.100.53", 53);
        try (UdpSocket c = client.udp().open().bind(4054)) {
            c.send("q".getBytes(), dns);
            assertThat(c.receive(Duration.ofSeconds(5)).source()).isEqualTo(dns);
        }
        assertThat(proxy.asked).containsExactly("AUTH tsunagu", "CONNECT " + destination, "AUTH tsunagu",
                "UDP ASSOCIATE", "UDP " + dns);
        assertThat(upstream.toString()).as("what the command prints").contains("tsunagu@").doesNotContain("s3cret");
    }

    @Test
    void aWrongPasswordOrNoneIsAClearErrorAndResetsTheClient() throws Exception {
        proxy.credentials = new Socks5Upstream.Credentials("tsunagu", "right");
        Duration t = Duration.ofSeconds(5);
        InetSocketAddress somewhere = new InetSocketAddress("198.51.100.46", 80);
        assertThatThrownBy(() -> new Socks5Upstream(proxy.address(), new Socks5Upstream.Credentials("tsunagu", "wrong"))
                .connect(somewhere, t)).isInstanceOf(SocketException.class).hasMessageContaining("refused the username");
        assertThatThrownBy(() -> new Socks5Upstream(proxy.address()).connect(somewhere, t))
                .isInstanceOf(SocketException.class).hasMessageContaining("accepts none of the methods");
        relay = TransparentRelay.start(gateway, Upstream.socks5(proxy.address(), "tsunagu", "wrong"),
                TransparentRelay.Settings.DEFAULT);
        try (TcpSocket c = client.tcp().connect(somewhere)) {
            assertThatThrownBy(() -> RelayStacks.readToEnd(c)).isInstanceOf(SocketException.class);
        }
        assertThat(relay.connectFailures()).isEqualTo(1);
        assertThatThrownBy(() -> new Socks5Upstream.Credentials("", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Socks5Upstream.Credentials("u", "x".repeat(256)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDestinationGivenByNameGoesToTheProxyAsItsName() throws Exception {
        InetSocketAddress named = InetSocketAddress.createUnresolved("echo.example.test", 7);
        try (Socket s = new Socks5Upstream(proxy.address()).connect(named, Duration.ofSeconds(5))) {
            s.getOutputStream().write("by name".getBytes());
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes())).isEqualTo("by name");
        }
        assertThat(proxy.asked).containsExactly("CONNECT " + named); // ATYP 3, not resolved on our side
        assertThat(Socks5Client.encodeAddress(named)[0]).isEqualTo((byte) Socks5Client.ATYP_DOMAIN);
    }

    /**
     * A SOCKS5 proxy of the least that RFC 1928 asks (no authentication, or username/password
     * when {@link #credentials} are set, RFC 1929; IPv4 addresses and names), which
     * sends every CONNECT to a loopback TCP echo server and every UDP datagram to a loopback UDP
     * echo, and records what it was asked.
     */
    private static final class TinySocks5 implements AutoCloseable {
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile boolean refuse;
        volatile Socks5Upstream.Credentials credentials;
        private final ServerSocket server;
        private final ServerSocket tcpEcho;
        private final DatagramSocket udpEcho;

        TinySocks5() {
            try {
                InetAddress lo = InetAddress.getLoopbackAddress();
                server = new ServerSocket(0, 50, lo);
                tcpEcho = new ServerSocket(0, 50, lo);
                udpEcho = new DatagramSocket(0, lo);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread.ofVirtual().start(() -> acceptLoop(server, this::session));
            Thread.ofVirtual().start(() -> acceptLoop(tcpEcho, TinySocks5::echo));
            Thread.ofVirtual().start(this::udpEchoLoop);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        private interface Handler {
            void handle(Socket s) throws IOException;
        }

        private static void acceptLoop(ServerSocket ss, Handler h) {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            h.handle(s);
                        } catch (IOException e) {
                            // the session ends
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Echoes until end of stream, then ends its own side. */
        private static void echo(Socket s) throws IOException {
            s.getInputStream().transferTo(s.getOutputStream());
            s.shutdownOutput();
        }

        private void udpEchoLoop() {
            byte[] buf = new byte[2048];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                while (true) {
                    p.setLength(buf.length);
                    udpEcho.receive(p);
                    udpEcho.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void session(Socket s) throws IOException {
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                return;
            }
            byte[] methods = new byte[in.readUnsignedByte()];
            in.readFully(methods);
            Socks5Upstream.Credentials wanted = credentials;
            if (wanted == null) {
                out.write(new byte[] {5, 0});
            } else {
                // RFC 1929: username/password or nothing.
                if (!Arrays.toString(methods).contains("2")) {
                    out.write(new byte[] {5, (byte) 0xFF});
                    return;
                }
                out.write(new byte[] {5, 2});
                in.readUnsignedByte(); // sub-negotiation VER
                byte[] user = new byte[in.readUnsignedByte()];
                in.readFully(user);
                byte[] password = new byte[in.readUnsignedByte()];
                in.readFully(password);
                boolean ok = new String(user).equals(wanted.username()) && new String(password).equals(wanted.password());
                asked.add((ok ? "AUTH " : "AUTH REFUSED ") + new String(user));
                out.write(new byte[] {1, (byte) (ok ? 0 : 1)});
                if (!ok) {
                    return;
                }
            }
            in.readUnsignedByte(); // VER
            int command = in.readUnsignedByte();
            in.readUnsignedByte(); // RSV
            InetSocketAddress destination = Socks5Client.readAddress(in);
            InetAddress lo = InetAddress.getLoopbackAddress();
            if (command == Socks5Client.CONNECT) {
                asked.add("CONNECT " + destination);
                if (refuse) {
                    reply(out, 5, new InetSocketAddress(lo, 0));
                    return;
                }
                try (Socket up = new Socket(lo, tcpEcho.getLocalPort())) {
                    reply(out, 0, (InetSocketAddress) up.getLocalSocketAddress());
                    Thread down = Thread.ofVirtual().start(() -> {
                        try {
                            up.getInputStream().transferTo(out);
                            s.shutdownOutput();
                        } catch (IOException e) {
                            // ends
                        }
                    });
                    in.transferTo(up.getOutputStream());
                    up.shutdownOutput();
                    down.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (command == Socks5Client.UDP_ASSOCIATE) {
                asked.add("UDP ASSOCIATE");
                try (DatagramSocket relay = new DatagramSocket(0, lo)) {
                    reply(out, 0, (InetSocketAddress) relay.getLocalSocketAddress());
                    Thread.ofVirtual().start(() -> udpRelay(relay));
                    in.transferTo(OutputStream.nullOutputStream()); // the association lasts as long as this connection
                }
            } else {
                reply(out, 7, new InetSocketAddress(lo, 0));
            }
        }

        /** Unwraps a client's datagrams to the UDP echo and wraps its answers, as from the destination asked. */
        private void udpRelay(DatagramSocket relay) {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try (DatagramSocket toEcho = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                while (true) {
                    p.setLength(buf.length);
                    relay.receive(p);
                    InetSocketAddress clientAddress = (InetSocketAddress) p.getSocketAddress();
                    DataInputStream h = new DataInputStream(new java.io.ByteArrayInputStream(buf, 3, p.getLength() - 3));
                    InetSocketAddress destination = Socks5Client.readAddress(h);
                    asked.add("UDP " + destination);
                    int headerLength = 3 + Socks5Client.encodeAddress(destination).length;
                    byte[] payload = Arrays.copyOfRange(buf, headerLength, p.getLength());
                    toEcho.send(new DatagramPacket(payload, payload.length, udpEcho.getLocalSocketAddress()));
                    DatagramPacket answer = new DatagramPacket(new byte[2048], 2048);
                    toEcho.receive(answer);
                    byte[] header = Arrays.copyOf(new byte[3], headerLength);
                    System.arraycopy(Socks5Client.encodeAddress(destination), 0, header, 3, headerLength - 3);
                    byte[] wrapped = Arrays.copyOf(header, headerLength + answer.getLength());
                    System.arraycopy(answer.getData(), 0, wrapped, headerLength, answer.getLength());
                    relay.send(new DatagramPacket(wrapped, wrapped.length, clientAddress));
                }
            } catch (IOException e) {
                // the association ended
            }
        }

        private static void reply(OutputStream out, int code, InetSocketAddress bound) throws IOException {
            out.write(new byte[] {5, (byte) code, 0});
            out.write(Socks5Client.encodeAddress(bound));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
            tcpEcho.close();
            udpEcho.close();
        }
    }
}
