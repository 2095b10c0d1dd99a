package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.Ipv4LayerProvider;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The seeds' socket library: descriptors and the BSD calls, end to end. */
class SocketLibraryTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("socket-library");
    private final NetworkStack browser = TestHosts.host(loop, "browser", 1).on(lan, "10.0.0.1/24").build();
    private final NetworkStack web = TestHosts.host(loop, "web", 2).on(lan, "10.0.0.2/24").build();

    @AfterEach
    void tearDown() {
        browser.close();
        web.close();
    }

    @Test
    void socketConnectWriteReadCloseWithDescriptors() throws Exception {
        SocketLibrary server = SocketLibrary.of(web);
        SocketLibrary client = SocketLibrary.of(browser);

        int listenFd = server.socket(SocketLibrary.SOCK_STREAM);
        server.bind(listenFd, 80);
        server.listen(listenFd, 16);
        assertThat(listenFd).isEqualTo(3);

        int fd = client.socket(SocketLibrary.SOCK_STREAM);
        assertThat(fd).as("the first descriptor, as a process's first socket").isEqualTo(3);
        assertThat(browser.descriptors().descriptors()).containsExactly(3);
        client.connect(fd, "10.0.0.2", 80);
        assertThat(browser.sockets()).singleElement().satisfies(row -> {
            assertThat(row.descriptor()).as("the socket table shows the same descriptor").isEqualTo(fd);
            assertThat(row.state()).isEqualTo("ESTABLISHED");
        });

        int conn = server.accept(listenFd);
        assertThat(conn).isEqualTo(4);
        byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes();
        assertThat(client.write(fd, request, 0, request.length)).isEqualTo(request.length);
        byte[] buf = new byte[100];
        int n = server.read(conn, buf, 0, buf.length);
        assertThat(Arrays.copyOf(buf, n)).isEqualTo(request);
        server.write(conn, "200 OK".getBytes(), 0, 6);
        server.close(conn);
        n = client.read(fd, buf, 0, buf.length);
        assertThat(new String(buf, 0, n)).isEqualTo("200 OK");
        assertThat(client.read(fd, buf, 0, buf.length)).isEqualTo(-1);
        assertThat(client.netstat()).contains("CLOSE_WAIT").contains("10.0.0.2:80");
        client.close(fd);
        assertThat(browser.descriptors().size()).isZero();
        assertThatThrownBy(() -> client.read(fd, buf, 0, 1)).isInstanceOf(SocketException.class)
                .hasMessage("bad descriptor 3");
        server.close(listenFd);
    }

    @Test
    void bufferSizesSetBeforeListenAreWhatAcceptedConnectionsAdvertise() throws Exception {
        SocketLibrary server = SocketLibrary.of(web);
        SocketLibrary client = SocketLibrary.of(browser);
        int listenFd = server.socket(SocketLibrary.SOCK_STREAM);
        server.setsockopt(listenFd, SocketLibrary.SO_RCVBUF, 8192);
        server.bind(listenFd, 80);
        server.listen(listenFd, 4);
        int fd = client.socket(SocketLibrary.SOCK_STREAM);
        client.connect(fd, "10.0.0.2", 80);
        int conn = server.accept(listenFd);
        assertThat(web.sockets()).filteredOn(r -> r.descriptor() == conn).singleElement()
                .satisfies(r -> assertThat(r.details()).containsEntry("rcv_wnd", "8192"));
        assertThatThrownBy(() -> client.setsockopt(fd, SocketLibrary.SO_RCVBUF, 8192))
                .isInstanceOf(SocketException.class).hasMessageContaining("not an unconnected stream socket");
        int other = client.socket(SocketLibrary.SOCK_STREAM);
        assertThatThrownBy(() -> client.setsockopt(other, SocketLibrary.SO_SNDBUF, 0))
                .isInstanceOf(SocketException.class).hasMessageContaining("bad value 0");
        assertThatThrownBy(() -> client.setsockopt(other, 99, 1))
                .isInstanceOf(SocketException.class).hasMessageContaining("unknown socket option 99");
    }

    @Test
    void theResolverIsBuiltIn() throws Exception {
        SocketLibrary lib = SocketLibrary.of(browser);
        assertThat(lib.resolve("10.0.0.2").getFirst().getHostAddress()).isEqualTo("10.0.0.2");
        assertThat(lib.resolve("localhost").getFirst().getHostAddress()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> lib.resolve("www.example.test")).hasMessageContaining("no DNS servers configured");
    }

    @Test
    void withoutStackUdpLiteralsStillWorkAndNamesSayWhatToAdd() throws Exception {
        // stack-tcp does not depend on stack-udp: a stack of Ethernet, IPv4 and TCP has no resolver.
        try (NetworkStack noUdp = TestHosts.host(loop, "no-udp", 3)
                .layers(List.of(new EthernetLayerProvider(), new Ipv4LayerProvider(), new TcpLayerProvider()))
                .on(lan, "10.0.0.3/24").build()) {
            SocketLibrary lib = SocketLibrary.of(noUdp);
            assertThat(lib.resolve("10.0.0.2").getFirst().getHostAddress()).isEqualTo("10.0.0.2");
            assertThatThrownBy(() -> lib.resolve("www.example.test")).isInstanceOf(UnknownHostException.class)
                    .hasMessage("www.example.test: this stack has no name resolver: add the Maven artifact"
                            + " dev.tsunagu:tsunagu-stack-udp (JPMS module dev.tsunagu.udp), whose DNS resolver is one");
            int fd = lib.socket(SocketLibrary.SOCK_STREAM);
            assertThatThrownBy(() -> lib.connect(fd, "www.example.test", 80)).isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("dev.tsunagu:tsunagu-stack-udp");
        }
    }

    @Test
    void datagramSocketsToo() throws Exception {
        SocketLibrary a = SocketLibrary.of(browser);
        SocketLibrary b = SocketLibrary.of(web);
        int server = b.socket(SocketLibrary.SOCK_DGRAM);
        b.bind(server, 53);
        int client = a.socket(SocketLibrary.SOCK_DGRAM);
        a.connect(client, "10.0.0.2", 53);
        a.write(client, "query".getBytes(), 0, 5);
        byte[] buf = new byte[10];
        assertThat(new String(buf, 0, b.read(server, buf, 0, 10))).isEqualTo("query");
        a.close(client);
        b.close(server);
    }

    @Test
    void rfc8305_aRaceGivesTheReservedDescriptorToTheWinnerAloneAndCancelsTheRest() throws Exception {
        // Two addresses of one family race as two of both would: 10.0.0.99 answers nothing (no ARP
        // reply), 10.0.0.2 listens. Descriptor 3 is the socket library's, reserved by socket().
        SocketLibrary client = SocketLibrary.of(browser);
        web.tcp().listen(80);
        int fd = client.socket(SocketLibrary.SOCK_STREAM);
        TcpLayer tcp = browser.service(TcpLayer.class).orElseThrow();
        List<InetSocketAddress> remotes = List.of(new InetSocketAddress("10.0.0.99", 80),
                new InetSocketAddress("10.0.0.2", 80));

        CompletableFuture<TcpSocket> race = tcp.connectAsync(remotes, TcpSocketOptions.DEFAULT, fd);
        loop.advance(Duration.ofMillis(200));
        assertThat(tcpRows(browser)).as("the first attempt, in its handshake, has no descriptor").singleElement()
                .satisfies(row -> {
                    assertThat(row.descriptor()).isEqualTo(-1);
                    assertThat(row.state()).isEqualTo("SYN_SENT");
                });
        assertThat(browser.descriptors().lookup(fd)).as("still the reservation").isNotInstanceOf(TcpSocket.class);

        loop.advance(Duration.ofMillis(100)); // the second attempt started at 250 ms and has connected
        assertThat(race).isCompleted();
        TcpSocket s = race.join();
        assertThat(s.descriptor()).isEqualTo(fd);
        assertThat(browser.descriptors().lookup(fd)).isSameAs(s);
        assertThat(tcpRows(browser)).as("the first attempt was cancelled: deleted in SYN-SENT").singleElement()
                .satisfies(row -> {
                    assertThat(row.descriptor()).isEqualTo(fd);
                    assertThat(row.remote()).isEqualTo(new InetSocketAddress("10.0.0.2", 80));
                    assertThat(row.state()).isEqualTo("ESTABLISHED");
                });
        loop.advance(Duration.ofSeconds(30));
        assertThat(tcpRows(browser)).hasSize(1);
        assertThat(browser.descriptors().descriptors()).containsExactly(fd);
        s.close();
    }

    private static List<SocketInfo> tcpRows(NetworkStack stack) {
        return stack.sockets().stream().filter(row -> row.protocol().equals("TCP")).toList();
    }
}
