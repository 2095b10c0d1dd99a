package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.Datagram;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.UdpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.Neighbors;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two dual-stack hosts on one cable, with every layer found by ServiceLoader: DAD, Neighbor
 * Discovery, ping, fragmentation, TCP and UDP over IPv6, all on the virtual clock.
 */
class Ipv6OnTheCableTest {
    static final Ipv6Address A = Ipv6Address.parse("fd00::1");
    static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("v6lan");
    private final TestHosts.Network net = new TestHosts.Network();
    private final NetworkStack a = net.add(host("a", 1, "10.0.0.1/24", "fd00::1/64"));
    private final NetworkStack b = net.add(host("b", 2, "10.0.0.2/24", "fd00::2/64"));

    private NetworkStack host(String name, long seed, String v4, String v6) {
        return TestHosts.host(loop, name, seed)
                .with(InterfaceConfig.of(lan.attach()).address(v4).address(v6))
                .build();
    }

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** Lets DAD finish (one solicitation, one RetransTimer). */
    private void settle() {
        loop.advance(Duration.ofSeconds(2));
    }

    private Ipv6Service v6(NetworkStack s) {
        return s.service(Ipv6Service.class).orElseThrow();
    }

    private PingResult ping(NetworkStack from, IpAddress to, int size) throws Exception {
        CompletableFuture<PingResult> f = from.service(PingService.class).orElseThrow()
                .ping(to, size, Duration.ofSeconds(5));
        return loop.await(f, Duration.ofSeconds(10));
    }

    @Test
    void addressesAreTentativeUntilDadHasRunThenPreferredWithALinkLocalFromTheMac() {
        Ipv6Interface s = v6(a).interfaceState(a.primaryInterface());
        assertThat(s.addresses()).extracting(Ipv6Interface.Address::state)
                .containsOnly(Ipv6Interface.AddressState.TENTATIVE);
        assertThat(a.call(() -> v6(a).isLocalAddress(A))).isFalse();
        settle();
        assertThat(s.addresses()).extracting(Ipv6Interface.Address::state)
                .containsOnly(Ipv6Interface.AddressState.PREFERRED);
        assertThat(s.addresses()).extracting(x -> x.address())
                .contains(Ipv6Addresses.linkLocal(a.primaryInterface().macBits()), A);
        assertThat(a.statistics().get("nd", "OutNeighborSolicits")).isEqualTo(2); // one DAD probe per address
        assertThat(a.statistics().get("nd", "DadDuplicates")).isZero();
    }

    @Test
    void pingWorksBothWaysThroughTheOneEntryPointAndTheNeighbourBecomesReachable() throws Exception {
        settle();
        PingResult r = ping(a, B, 56);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) r).from()).isEqualTo(B);
        assertThat(((PingResult.Reply) r).bytes()).isEqualTo(56);
        assertThat(((PingResult.Reply) r).ttl()).isEqualTo(64);
        assertThat(ping(b, A, 0)).isInstanceOf(PingResult.Reply.class);
        assertThat(a.call(() -> v6(a).neighbors())).anySatisfy(e -> {
            assertThat(e.address()).isEqualTo(B);
            assertThat(e.state()).isEqualTo(Neighbors.State.REACHABLE);
            assertThat(e.mac()).isEqualTo(b.primaryInterface().mac());
        });
        assertThat(b.statistics().get("icmpv6", "OutEchoReplies")).isEqualTo(1);
    }

    @Test
    void theLinkLocalAddressAnswersToo() throws Exception {
        settle();
        Ipv6Address bLinkLocal = Ipv6Addresses.linkLocal(b.primaryInterface().macBits());
        PingResult r = ping(a, bLinkLocal, 8);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) r).from()).isEqualTo(bLinkLocal);
    }

    @Test
    void aPingLargerThanTheMtuIsFragmentedAtTheSourceAndReassembled() throws Exception {
        settle();
        PingResult r = ping(a, B, 4000);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) r).bytes()).isEqualTo(4000);
        assertThat(a.statistics().get("ipv6", "FragOKs")).isEqualTo(1);
        assertThat(a.statistics().get("ipv6", "FragCreates")).isEqualTo(3);
        assertThat(b.statistics().get("ipv6", "ReasmOKs")).isEqualTo(1);
        assertThat(a.statistics().get("ipv6", "ReasmOKs")).isEqualTo(1); // the reply came back in fragments too
        assertThat(v6(b).reassemblyPackets()).isZero();
    }

    @Test
    void aPingToAnAddressNobodyHasTimesOutAfterThreeSolicitations() throws Exception {
        settle();
        long before = a.statistics().get("nd", "OutNeighborSolicits");
        PingResult r = ping(a, Ipv6Address.parse("fd00::99"), 8);
        assertThat(r).isInstanceOf(PingResult.Timeout.class);
        assertThat(a.statistics().get("nd", "OutNeighborSolicits") - before).isEqualTo(3); // MAX_MULTICAST_SOLICIT
        assertThat(a.statistics().get("nd", "ResolutionFailures")).isEqualTo(1);
        assertThat(a.call(() -> v6(a).neighbors())).isEmpty();
    }

    @Test
    void aSecondHostWithTheSameAddressGivesItUpByDad() {
        settle();
        NetworkStack c = net.add(host("c", 3, "10.0.0.3/24", "fd00::1/64"));
        settle();
        assertThat(c.statistics().get("nd", "DadDuplicates")).isEqualTo(1);
        assertThat(v6(c).interfaceState(c.primaryInterface()).addresses()).extracting(x -> x.address())
                .doesNotContain(A);
        assertThat(c.call(() -> v6(c).isLocalAddress(A))).isFalse();
        assertThat(a.call(() -> v6(a).isLocalAddress(A))).isTrue(); // the first holder keeps it
    }

    @Test
    void tcpCarriesAMegabyteOverIpv6WithTheMssOfTheIpv6Mtu() throws Exception {
        settle();
        TcpServerSocket listener = b.tcp().listen(5001);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = a.tcp().connect(new InetSocketAddress(B.toInetAddress(), 5001));
        TcpSocket s = loop.await(accepted, Duration.ofSeconds(5));
        assertThat(s.remoteAddress().getAddress()).isEqualTo(A.toInetAddress());
        assertThat(a.call(() -> v6(a).pathMtu(B))).isEqualTo(1500);
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        CompletableFuture<Void> written = c.writeAsync(data, 0, data.length);
        byte[] got = new byte[data.length];
        int n = 0;
        while (n < got.length) {
            n += s.read(got, n, got.length - n);
        }
        loop.await(written, Duration.ofSeconds(5));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(got)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        c.close();
        s.close();
        loop.runUntilIdle();
        assertThat(a.statistics().get("tcp", "InErrs")).isZero();
        assertThat(b.statistics().get("tcp", "InErrs")).isZero();
        assertThat(a.statistics().get("ipv6", "FragOKs")).isZero(); // segments fit: MSS 1500 - 40 - 20
    }

    @Test
    void aListenerOnAnyAddressAcceptsBothFamilies() throws Exception {
        settle();
        TcpServerSocket listener = b.tcp().listen(80);
        CompletableFuture<TcpSocket> first = listener.acceptAsync();
        a.tcp().connect(new InetSocketAddress(B.toInetAddress(), 80));
        assertThat(loop.await(first, Duration.ofSeconds(5)).remoteAddress().getAddress()).isEqualTo(A.toInetAddress());
        CompletableFuture<TcpSocket> second = listener.acceptAsync();
        a.tcp().connect(new InetSocketAddress(IpAddress.parse("10.0.0.2").toInetAddress(), 80));
        assertThat(loop.await(second, Duration.ofSeconds(5)).remoteAddress().getAddress())
                .isEqualTo(IpAddress.parse("10.0.0.1").toInetAddress());
    }

    @Test
    void udpDatagramsGoBothWaysAndAClosedPortAnswersWithIcmpv6PortUnreachable() throws Exception {
        settle();
        UdpSocket server = b.udp().open().bind(7);
        UdpSocket client = a.udp().open().bind(0);
        client.send("hello".getBytes(), new InetSocketAddress(B.toInetAddress(), 7));
        loop.runUntilIdle();
        Datagram d = server.poll();
        assertThat(d).isNotNull();
        assertThat(new String(d.data())).isEqualTo("hello");
        assertThat(d.source().getAddress()).isEqualTo(A.toInetAddress());
        client.send(new byte[3000], new InetSocketAddress(B.toInetAddress(), 7)); // fragmented
        loop.runUntilIdle();
        assertThat(server.poll().data()).hasSize(3000);

        client.send("x".getBytes(), new InetSocketAddress(B.toInetAddress(), 9));
        loop.runUntilIdle();
        assertThat(b.statistics().get("icmpv6", "OutDestUnreachs")).isEqualTo(1);
        assertThat(a.statistics().get("icmpv6", "InDestUnreachs")).isEqualTo(1);
        assertThat(a.statistics().get("udp", "InIcmpErrors")).isEqualTo(1);
    }

    @Test
    void aStackConfiguredForIpv4AloneSendsNoIpv6() {
        Cable quiet = new Cable("quiet");
        NetworkStack only4 = net.add(TestHosts.host(loop, "v4", 9).on(quiet, "10.1.0.1/24").build());
        settle();
        assertThat(only4.layers()).contains("ipv6");
        assertThat(only4.statistics().get("nd", "OutNeighborSolicits")).isZero();
        assertThat(only4.statistics().get("nd", "OutRouterSolicits")).isZero();
        assertThat(v6(only4).interfaceState(only4.primaryInterface())).isNull();
    }

    @Test
    void loadingTheLayerLeavesASeedsRandomChoicesAsTheyWere() {
        // The layer is loaded into every stack; a random draw while it is built would shift every
        // later choice (MACs, ISNs, ports) and a seed would no longer reproduce the run it gave
        // before IPv6 existed (the tour's output for a seed is pinned).
        List<LayerProvider> without = ServiceLoader.load(LayerProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> !p.name().equals("ipv6")).toList();
        NetworkStack with = net.add(TestHosts.host(loop, "with", 31).on(new Cable("w"), "10.2.0.1/24").build());
        NetworkStack plain = net.add(TestHosts.host(loop, "plain", 31).layers(without)
                .on(new Cable("p"), "10.2.0.1/24").build());
        assertThat(with.layers()).contains("ipv6");
        assertThat(plain.layers()).doesNotContain("ipv6");
        assertThat(with.primaryInterface().macBits()).isEqualTo(plain.primaryInterface().macBits());
    }
}
