package dev.tsunagu.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP sockets (RFC 768): binding, boundaries, filtering, bounds, both APIs. */
class UdpSocketTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("udp-sockets");
    private final NetworkStack a = TestHosts.host(loop, "a", 1).on(lan, "10.0.0.1/24").build();
    private final NetworkStack b = TestHosts.host(loop, "b", 2).on(lan, "10.0.0.2/24").build();

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    @Test
    void datagramBoundariesArePreserved() throws Exception {
        try (UdpSocket server = b.udp().open().bind(9000); UdpSocket client = a.udp().open()) {
            client.send(new byte[] {1}, at("10.0.0.2", 9000));
            client.send(new byte[0], at("10.0.0.2", 9000));
            client.send(new byte[300], at("10.0.0.2", 9000));
            assertThat(server.receive(Duration.ofSeconds(1)).length()).isEqualTo(1);
            assertThat(server.receive(Duration.ofSeconds(1)).length()).isZero();
            Datagram d = server.receive(Duration.ofSeconds(1));
            assertThat(d.length()).isEqualTo(300);
            assertThat(d.source().getAddress().getHostAddress()).isEqualTo("10.0.0.1");
            assertThat(d.source().getPort()).isBetween(UdpLayer.EPHEMERAL_LOW, UdpLayer.EPHEMERAL_HIGH);
            assertThat(d.destination()).isEqualTo(at("10.0.0.2", 9000));
        }
    }

    /** The socket API takes any {@code java.net} address; a family the stack lacks is named in the error. */
    @Test
    void anIpv6DestinationWithoutAnIpv6LayerSaysWhatIsMissing() throws Exception {
        try (UdpSocket client = a.udp().open()) {
            assertThatThrownBy(() -> client.send(new byte[1], at("2001:db8::1", 53)))
                    .isInstanceOf(java.net.NoRouteToHostException.class)
                    .hasMessage("no route to 2001:db8::1: this stack has no IPv6 layer");
            assertThatThrownBy(() -> client.connect(at("::1", 53)).send(new byte[1]))
                    .isInstanceOf(java.net.NoRouteToHostException.class).hasMessageContaining("no IPv6 layer");
        }
        assertThatThrownBy(() -> a.udp().open().bind(at("2001:db8::1", 53)))
                .isInstanceOf(BindException.class).hasMessageContaining("2001:db8::1: not an address of this host");
        assertThat(a.statistics().get("udp", "OutDatagrams")).isZero();
    }

    @Test
    void aPortInUseIsAClearErrorAndCloseReleasesItAtOnce() throws Exception {
        UdpSocket first = b.udp().open().bind(53);
        assertThatThrownBy(() -> b.udp().open().bind(53)).isInstanceOf(BindException.class)
                .hasMessage("UDP port 53 is already in use");
        first.close();
        try (UdpSocket second = b.udp().open().bind(53)) {
            assertThat(second.localAddress().getPort()).isEqualTo(53);
        }
        assertThatThrownBy(() -> first.send(new byte[1], at("10.0.0.1", 1))).isInstanceOf(SocketException.class)
                .hasMessage("socket closed");
    }

    @Test
    void ephemeralPortsAreRandomWithinTheRfc6056Range() throws Exception {
        List<Integer> ports = new ArrayList<>();
        List<UdpSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            UdpSocket s = a.udp().open().bind(0);
            sockets.add(s);
            ports.add(s.localAddress().getPort());
        }
        assertThat(ports).allMatch(p -> p >= 49152 && p <= 65535).doesNotHaveDuplicates();
        assertThat(ports).isNotEqualTo(ports.stream().sorted().toList()); // not sequential
        sockets.forEach(UdpSocket::close);
    }

    @Test
    void bindingToAnAddressThatIsNotOursFails() {
        assertThatThrownBy(() -> a.udp().open().bind(at("10.0.0.99", 7))).isInstanceOf(BindException.class)
                .hasMessageContaining("not an address of this host");
    }

    @Test
    void aConnectedSocketFiltersOtherPeers() throws Exception {
        NetworkStack c = TestHosts.host(loop, "c", 3).on(lan, "10.0.0.3/24").build();
        try (UdpSocket server = b.udp().open().bind(9000);
             UdpSocket fromA = a.udp().open().bind(7000);
             UdpSocket fromC = c.udp().open().bind(7000)) {
            server.connect(at("10.0.0.1", 7000));
            fromC.send("intruder".getBytes(), at("10.0.0.2", 9000));
            fromA.send("friend".getBytes(), at("10.0.0.2", 9000));
            assertThat(new String(server.receive(Duration.ofSeconds(1)).data())).isEqualTo("friend");
            assertThat(server.poll()).isNull();
            assertThat(b.statistics().get("udp", "DropFiltered")).isEqualTo(1);
        } finally {
            c.close();
        }
    }

    @Test
    void theReceiveQueueIsBoundedAndOverflowIsCounted() throws Exception {
        int limit = UdpOptions.RECEIVE_QUEUE.defaultValue();
        try (UdpSocket server = b.udp().open().bind(9000); UdpSocket client = a.udp().open()) {
            client.send(new byte[1], at("10.0.0.2", 9000)); // resolve ARP first (it queues only a few)
            server.receive(Duration.ofSeconds(1));
            for (int i = 0; i < limit + 10; i++) {
                client.send(new byte[] {(byte) i}, at("10.0.0.2", 9000));
            }
            loop.runUntilIdle();
            assertThat(server.droppedDatagrams()).isEqualTo(10);
            assertThat(b.statistics().get("udp", "RcvbufErrors")).isEqualTo(10);
            List<SocketInfo> table = b.sockets();
            assertThat(table).singleElement().satisfies(row -> {
                assertThat(row.protocol()).isEqualTo("UDP");
                assertThat(row.receiveQueue()).isEqualTo(limit);
                assertThat(row.state()).isEqualTo("UNCONN");
                assertThat(row.descriptor()).isEqualTo(server.descriptor());
            });
        }
    }

    @Test
    void receiveTimesOutInVirtualTime() throws Exception {
        try (UdpSocket server = b.udp().open().bind(9000)) {
            long before = loop.now();
            assertThatThrownBy(() -> server.receive(Duration.ofSeconds(5))).isInstanceOf(SocketTimeoutException.class);
            assertThat(loop.now() - before).isEqualTo(Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void theCallbackApiDeliversOnTheLoop() throws Exception {
        List<String> got = new ArrayList<>();
        try (UdpSocket server = b.udp().open().bind(9000); UdpSocket client = a.udp().open()) {
            client.send("queued first".getBytes(), at("10.0.0.2", 9000));
            loop.runUntilIdle();
            server.onReceive(d -> {
                assertThat(loop.inEventLoop()).isTrue();
                got.add(new String(d.data()));
            });
            client.send("then called back".getBytes(), at("10.0.0.2", 9000));
            loop.runUntilIdle();
        }
        assertThat(got).containsExactly("queued first", "then called back");
    }

    @Test
    void descriptorsAreSmallIntegersReusedLowestFirst() throws Exception {
        UdpSocket s1 = a.udp().open();
        UdpSocket s2 = a.udp().open();
        assertThat(s1.descriptor()).isEqualTo(3);
        assertThat(s2.descriptor()).isEqualTo(4);
        s1.close();
        UdpSocket s3 = a.udp().open();
        assertThat(s3.descriptor()).isEqualTo(3);
        s2.close();
        s3.close();
    }

    @Test
    void blockingReceiveOnVirtualThreadsAgainstThreadedStacks() throws Exception {
        // Real threads, real clock: two stacks each on its own loop, 100 virtual threads each
        // waiting for its own datagram.
        try (NetworkStack x = NetworkStack.builder().name("x").addInterface("cable:udp-threaded", "10.9.0.1/24").build();
             NetworkStack y = NetworkStack.builder().name("y").addInterface("cable:udp-threaded", "10.9.0.2/24").build()) {
            int n = 100;
            CountDownLatch done = new CountDownLatch(n);
            List<UdpSocket> servers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                UdpSocket s = y.udp().open().bind(10_000 + i);
                servers.add(s);
                int expected = i;
                Thread.ofVirtual().start(() -> {
                    try {
                        Datagram d = s.receive(Duration.ofSeconds(10));
                        if (d.data()[0] == (byte) expected) {
                            done.countDown();
                        }
                    } catch (Exception e) {
                        // the latch will tell
                    }
                });
            }
            try (UdpSocket client = x.udp().open()) {
                for (int i = 0; i < n; i++) {
                    client.send(new byte[] {(byte) i}, at("10.9.0.2", 10_000 + i));
                }
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            }
            servers.forEach(UdpSocket::close);
        }
    }
}
