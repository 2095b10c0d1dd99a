package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.HappyEyeballs;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.SocketLibrary;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.udp.UdpOptions;
import dev.tsunagu.udp.dns.DnsMessage;
import dev.tsunagu.udp.dns.Question;
import dev.tsunagu.udp.dns.ResourceRecord;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket library's connect by name races both families (RFC 8305 section 5) on the virtual
 * clock: the descriptor {@code socket()} reserved ends on the connection that won, and the
 * attempts that lost leave no row in the socket table. The server answers DNS for three names:
 * {@code both.test} (its own two addresses), {@code hole.test} (an IPv6 address nobody has, and
 * its IPv4 one), and {@code none.test} (addresses nobody has, one per family).
 */
class SocketLibraryRacesBothFamiliesTest {
    private static final InetAddress SERVER_V4 = InetAddress.ofLiteral("10.0.0.2");
    private static final InetAddress SERVER_V6 = InetAddress.ofLiteral("fd00::2");
    private static final Map<String, List<InetAddress>> NAMES = Map.of(
            "both.test", List.of(SERVER_V6, SERVER_V4),
            "hole.test", List.of(InetAddress.ofLiteral("fd00::99"), SERVER_V4),
            "none.test", List.of(InetAddress.ofLiteral("fd00::98"), InetAddress.ofLiteral("10.0.0.98")));
    private static final long DELAY = HappyEyeballs.CONNECTION_ATTEMPT_DELAY.toNanos();

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("sl-he");
    private NetworkStack client;
    private NetworkStack server;
    private SocketLibrary lib;

    @BeforeEach
    void setUp() throws Exception {
        client = TestHosts.host(loop, "client", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .option(UdpOptions.DNS_SERVERS, "10.0.0.2:53")
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.1/24").address("fd00::1/64")).build();
        server = TestHosts.host(loop, "server", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64")).build();
        UdpSocket dns = server.udp().open().bind(53);
        dns.onReceive(d -> answer(dns, d));
        lib = SocketLibrary.of(client);
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void rfc8305_5_ipv6ThatConnectsWinsAndTheDescriptorIsItsOwn() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        int fd = lib.socket(SocketLibrary.SOCK_STREAM);
        long start = loop.now();

        lib.connect(fd, "both.test", 80);

        assertThat(loop.now() - start).isLessThan(DELAY);
        assertTheOnlyConnectionIs(fd, SERVER_V6);
        loop.advance(Duration.ofSeconds(2));
        TcpSocket accepted = listener.acceptAsync().join();
        assertThat(listener.acceptAsync().isDone()).as("IPv4 was never tried").isFalse();
        assertThat(accepted.remoteAddress().getAddress()).isEqualTo(InetAddress.ofLiteral("fd00::1"));
        lib.close(fd);
    }

    @Test
    void rfc8305_5_ipv4WinsAfterTheAttemptDelayWhenIpv6BlackHolesAndTakesTheDescriptor() throws Exception {
        TcpServerSocket listener = server.tcp().listen(80);
        int fd = lib.socket(SocketLibrary.SOCK_STREAM);
        long start = loop.now();

        lib.connect(fd, "hole.test", 80);

        assertThat(loop.now() - start).isGreaterThanOrEqualTo(DELAY).isLessThan(2 * DELAY);
        assertTheOnlyConnectionIs(fd, SERVER_V4); // the IPv6 attempt was cancelled, not left to its timeout
        // The descriptor works: what is written on it reaches the server, and the answer comes back.
        lib.write(fd, "ping".getBytes(), 0, 4);
        TcpSocket accepted = listener.acceptAsync().join();
        byte[] buf = new byte[16];
        assertThat(new String(buf, 0, accepted.read(buf, 0, buf.length))).isEqualTo("ping");
        accepted.write("pong".getBytes(), 0, 4);
        assertThat(new String(buf, 0, lib.read(fd, buf, 0, buf.length))).isEqualTo("pong");

        loop.advance(Duration.ofSeconds(30)); // past every connect timeout: nothing of the race comes back
        assertThat(tcpRows()).singleElement().satisfies(row -> assertThat(row.descriptor()).isEqualTo(fd));
        lib.close(fd);
        assertThat(client.descriptors().lookup(fd)).isNull();
    }

    @Test
    void rfc8305_5_whenEveryAttemptFailsTheErrorNamesEachAddress() throws Exception {
        int fd = lib.socket(SocketLibrary.SOCK_STREAM);

        assertThatThrownBy(() -> lib.connect(fd, "none.test", 80)).isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("none of 2 addresses could be connected to: ")
                .hasMessageContaining("fd00:0:0:0:0:0:0:98").hasMessageContaining("10.0.0.98")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));

        assertThat(tcpRows()).isEmpty();
        assertThat(client.descriptors().lookup(fd)).as("still the socket's, as after a failed connect(2)").isNotNull();
        server.tcp().listen(80);
        lib.connect(fd, "both.test", 80);
        assertThat(tcpRows()).singleElement().satisfies(row -> assertThat(row.descriptor()).isEqualTo(fd));
        lib.close(fd);
    }

    @Test
    void aDatagramSocketTakesTheFirstAddress() throws Exception {
        int fd = lib.socket(SocketLibrary.SOCK_DGRAM);

        lib.connect(fd, "hole.test", 9);

        assertThat(client.sockets()).filteredOn(row -> row.descriptor() == fd).singleElement()
                .satisfies(row -> assertThat(row.remote()).isEqualTo(new InetSocketAddress("fd00::99", 9)));
        lib.close(fd);
    }

    /** The socket table has one TCP row: descriptor {@code fd}, established to {@code remote} port 80. */
    private void assertTheOnlyConnectionIs(int fd, InetAddress remote) {
        assertThat(tcpRows()).singleElement().satisfies(row -> {
            assertThat(row.descriptor()).isEqualTo(fd);
            assertThat(row.remote()).isEqualTo(new InetSocketAddress(remote, 80));
            assertThat(row.state()).isEqualTo("ESTABLISHED");
        });
    }

    private List<SocketInfo> tcpRows() {
        return client.sockets().stream().filter(row -> row.protocol().equals("TCP")).toList();
    }

    /** The server's DNS: the addresses of the family asked, NXDOMAIN for other names. */
    private static void answer(UdpSocket socket, Datagram d) {
        try {
            DnsMessage query = DnsMessage.parse(d.data());
            Question q = query.questions().getFirst();
            List<InetAddress> addresses = NAMES.get(DnsMessage.canonicalName(q.name()));
            if (addresses == null) {
                socket.send(DnsMessage.response(query, DnsMessage.RCODE_NXDOMAIN, List.of()), d.source());
                return;
            }
            List<ResourceRecord> answers = addresses.stream()
                    .<ResourceRecord>mapMulti((a, out) -> {
                        if (q.type() == DnsMessage.TYPE_AAAA && a instanceof Inet6Address v6) {
                            out.accept(new ResourceRecord.Aaaa(q.name(), 300, v6));
                        } else if (q.type() == DnsMessage.TYPE_A && a instanceof Inet4Address v4) {
                            out.accept(new ResourceRecord.A(q.name(), 300, v4));
                        }
                    }).toList();
            socket.send(DnsMessage.response(query, DnsMessage.RCODE_NOERROR, answers), d.source());
        } catch (IOException e) { // DnsFormatException too
            throw new AssertionError(e);
        }
    }
}
