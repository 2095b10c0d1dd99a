package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.Ipv4LayerProvider;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.tcp.wire.TestPacketInfo;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TCP reaches the network only through the {@link IpService} of the peer's family and learns of
 * a segment only through {@link IpPacketInfo}: so a stand-in IPv6 layer (a wire between two
 * stacks, RFC 8200 8.1's pseudo-header) is all TCP needs to run over IPv6 unchanged, with
 * connections demultiplexed by 128-bit addresses. Without such a layer, an IPv6 peer is a
 * clear error.
 */
class TcpOverAnotherFamilyTest {
    private static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8::1");
    private static final Ipv6Address SERVER = Ipv6Address.parse("2001:db8::2");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("tcp-family");
    private final WireIpv6 clientWire = new WireIpv6(CLIENT);
    private final WireIpv6 serverWire = new WireIpv6(SERVER);
    private final NetworkStack client = host("client", 1, "10.0.0.1/24", clientWire);
    private final NetworkStack server = host("server", 2, "10.0.0.2/24", serverWire);

    /** A host with an IPv4 and an IPv6 address on one interface; the IPv6 one is its stand-in layer's. */
    private NetworkStack host(String name, long seed, String address, WireIpv6 v6) {
        return TestHosts.host(loop, name, seed)
                .with(InterfaceConfig.of(lan.attach()).address(address).address(v6.address + "/64"))
                .layers(List.of(new EthernetLayerProvider(), new Ipv4LayerProvider(), v6, new TcpLayerProvider()))
                .build();
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
    }

    @Test
    void aConnectionOverIpv6CarriesDataBothWaysAndCloses() throws Exception {
        clientWire.peer = serverWire;
        serverWire.peer = clientWire;
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress(SERVER.toInetAddress(), 80));
        TcpSocket s = loop.await(accepted, java.time.Duration.ofSeconds(5));
        assertThat(c.remoteAddress()).isEqualTo(new InetSocketAddress(SERVER.toInetAddress(), 80));
        assertThat(s.remoteAddress().getAddress()).isEqualTo(CLIENT.toInetAddress());
        assertThat(c.localAddress().getAddress()).isEqualTo(CLIENT.toInetAddress());
        assertThat(client.primaryInterface().ipv6Addresses()).extracting(Object::toString).containsExactly("2001:db8::1/64");
        assertThat(client.primaryInterface().hasAddress(CLIENT)).isTrue();

        byte[] data = new byte[100_000];
        new Random(7).nextBytes(data);
        CompletableFuture<Void> written = c.writeAsync(data, 0, data.length);
        byte[] got = new byte[data.length];
        int n = 0;
        while (n < data.length) {
            n += s.read(got, n, got.length - n);
        }
        loop.await(written, java.time.Duration.ofSeconds(5));
        assertThat(Arrays.equals(got, data)).isTrue();
        s.write("bye".getBytes());
        byte[] back = new byte[3];
        assertThat(c.read(back, 0, 3)).isEqualTo(3);
        assertThat(new String(back)).isEqualTo("bye");

        // The MSS was sized for a 40-byte network header: 1500 - 40 - 20.
        assertThat(clientWire.largestSegment).isEqualTo(1440 + 20);
        assertThat(clientWire.segments).isGreaterThan(60);
        c.close();
        s.close();
        loop.runUntilIdle();
        assertThat(client.statistics().get("tcp", "InErrs")).isZero();
        assertThat(server.statistics().get("tcp", "InErrs")).isZero();
    }

    @Test
    void aSegmentTheNetworkLayerRefusesAsTooBigLowersTheMssAndGoesAgain() throws Exception {
        clientWire.peer = serverWire;
        serverWire.peer = clientWire;
        TcpServerSocket listener = server.tcp().listen(80);
        CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
        TcpSocket c = client.tcp().connect(new InetSocketAddress(SERVER.toInetAddress(), 80));
        TcpSocket s = loop.await(accepted, java.time.Duration.ofSeconds(5));
        // The network layer learnt a smaller path MTU on its own (say, from a Packet Too Big
        // about another datagram): TCP hears of it only when a segment is refused.
        clientWire.pathMtu = 1280;
        byte[] data = new byte[50_000];
        new Random(8).nextBytes(data);
        CompletableFuture<Void> written = c.writeAsync(data, 0, data.length);
        byte[] got = new byte[data.length];
        int n = 0;
        while (n < data.length) {
            n += s.read(got, n, got.length - n);
        }
        loop.await(written, java.time.Duration.ofSeconds(5));
        assertThat(Arrays.equals(got, data)).isTrue();
        assertThat(clientWire.refused).isPositive();
        assertThat(clientWire.largestAfterShrink).isLessThanOrEqualTo(1280 - 40);
        assertThat(client.statistics().get("tcp", "PmtuReductions")).isEqualTo(1);
        assertThat(client.statistics().get("tcp", "Timeouts")).as("resent at once").isZero();
        c.close();
        s.close();
    }

    @Test
    void aCorruptedSegmentFailsTheChecksumOverTheIpv6PseudoHeader() throws Exception {
        clientWire.peer = serverWire;
        serverWire.peer = clientWire;
        clientWire.corruptNext = true;
        server.tcp().listen(80);
        client.tcp().connectAsync(new InetSocketAddress(SERVER.toInetAddress(), 80), dev.tsunagu.socket.TcpSocketOptions.DEFAULT);
        loop.runUntilIdle();
        assertThat(server.statistics().get("tcp", "InCsumErrors")).isEqualTo(1);
    }

    @Test
    void anIpv6PeerWithoutAnIpv6LayerIsAClearError() {
        try (NetworkStack plain = TestHosts.host(loop, "plain", 3).on(lan, "10.0.0.3/24").build()) {
            assertThatThrownBy(() -> plain.tcp().connect(new InetSocketAddress(SERVER.toInetAddress(), 80)))
                    .isInstanceOf(NoRouteToHostException.class)
                    .hasMessage("no route to 2001:db8::2: this stack has no IPv6 layer");
        }
    }

    /**
     * A stand-in IPv6 layer: one address, MTU 1500 (or the path MTU a test sets: larger packets
     * with don't-fragment are refused), a 40-byte header, and a "wire" that hands each datagram
     * to its peer's transport on the next loop turn.
     */
    private static final class WireIpv6 implements LayerProvider {
        final Ipv6Address address;
        WireIpv6 peer;
        StackContext ctx;
        int segments;
        int largestSegment;
        boolean corruptNext;
        int pathMtu = 1500;
        int refused;
        int largestAfterShrink;

        WireIpv6(Ipv6Address address) {
            this.address = address;
        }

        @Override
        public String name() {
            return "ipv6-wire";
        }

        @Override
        public Layer.Kind kind() {
            return Layer.Kind.NETWORK;
        }

        @Override
        public Layer create(StackContext context) {
            ctx = context;
            context.registerIpService(new IpService() {
                @Override
                public AddressFamily family() {
                    return AddressFamily.IPV6;
                }

                @Override
                public IpAddress sourceAddressFor(IpAddress destination) {
                    return address;
                }

                @Override
                public boolean isLocalAddress(IpAddress a) {
                    return address.equals(a);
                }

                @Override
                public int mtuFor(IpAddress destination) {
                    return pathMtu;
                }

                @Override
                public int headerLength() {
                    return 40;
                }

                @Override
                public long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
                    return TestPacketInfo.pseudoHeaderSum(source, destination, protocol, length);
                }

                @Override
                public int send(PacketBuffer payload, IpAddress source, IpAddress destination, int protocol, int ttl,
                                int tos, boolean dontFragment) {
                    if (dontFragment && payload.length() + 40 > pathMtu) {
                        payload.release(); // as an IPv6 layer that learnt a smaller path MTU refuses a packet
                        refused++;
                        return TOO_BIG;
                    }
                    byte[] bytes = payload.toByteArray();
                    payload.release();
                    segments++;
                    if (pathMtu < 1500) {
                        largestAfterShrink = Math.max(largestAfterShrink, bytes.length);
                    }
                    largestSegment = Math.max(largestSegment, bytes.length);
                    if (corruptNext) {
                        corruptNext = false;
                        bytes[bytes.length - 1] ^= 1;
                    }
                    WireIpv6 to = peer;
                    ctx.loop().execute(() -> to.deliver(source, destination, protocol, bytes));
                    return SENT;
                }

                @Override
                public void sendPortUnreachable(IpPacketInfo info, PacketBuffer payload) {}
            });
            return new Layer() {};
        }

        void deliver(IpAddress source, IpAddress destination, int protocol, byte[] bytes) {
            PacketBuffer p = ctx.buffers().acquire(bytes.length);
            p.append(bytes, 0, bytes.length);
            NetInterface in = ctx.interfaces().get(0);
            ctx.transportProtocol(protocol).receive(new TestPacketInfo(source, destination, in), p);
        }
    }
}
