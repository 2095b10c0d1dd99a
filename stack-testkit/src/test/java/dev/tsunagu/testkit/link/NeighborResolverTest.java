package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.net.MacAddress;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.NeighborResolver;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.tsunagu.link.EthernetLayerProvider;

/**
 * The link layer's per-family seam: a next hop goes to its family's {@link NeighborResolver}
 * (ARP for IPv4 is built in), a family without one is counted and dropped, and a network
 * layer can bring its own resolver (as IPv6's Neighbor Discovery will) and finish with
 * {@code LinkLayer.transmit}.
 */
class NeighborResolverTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("resolver-test");
    private final List<NetworkStack> stacks = new ArrayList<>();

    @AfterEach
    void tearDown() {
        stacks.forEach(NetworkStack::close);
    }

    @Test
    void aNextHopOfAFamilyWithNoResolverIsCountedAndDropped() {
        Ipv6Sink sinkB = new Ipv6Sink(false);
        NetworkStack a = host("a", 1, new Ipv6Sink(false));
        host("b", 2, sinkB);
        loop.runUntilIdle();
        sendIpv6(a, "fe80::2");
        loop.runUntilIdle();
        assertThat(a.statistics().get("ethernet", "DropNoResolver")).isEqualTo(1);
        assertThat(a.statistics().get("ethernet", "OutFrames")).as("only the gratuitous ARP").isEqualTo(1);
        assertThat(sinkB.packets).isEmpty();
    }

    @Test
    void aRegisteredResolverCarriesItsFamilysPackets() {
        Ipv6Sink sinkA = new Ipv6Sink(true);
        Ipv6Sink sinkB = new Ipv6Sink(true);
        NetworkStack a = host("a", 1, sinkA);
        host("b", 2, sinkB);
        loop.runUntilIdle();
        sendIpv6(a, "fe80::2");
        loop.runUntilIdle();
        assertThat(sinkA.resolved).containsExactly(Ipv6Address.parse("fe80::2"));
        assertThat(sinkB.packets).extracting(String::new).containsExactly("six");
        assertThat(a.statistics().get("ethernet", "DropNoResolver")).isZero();
    }

    @Test
    void aFamilyTakesOneResolver() {
        Ipv6Sink sink = new Ipv6Sink(true);
        NetworkStack a = host("a", 1, sink);
        assertThatThrownBy(() -> a.call(() -> {
            sink.context.linkLayer().registerNeighborResolver(sink.resolver());
            return null;
        })).hasMessageContaining("IPv6 has two neighbour resolvers");
    }

    private NetworkStack host(String name, int n, Ipv6Sink sink) {
        NetworkStack s = TestHosts.host(loop, name, n).layers(List.of(new EthernetLayerProvider(), sink))
                .on(lan, "10.0.0." + n + "/24").build();
        stacks.add(s);
        return s;
    }

    private static void sendIpv6(NetworkStack s, String nextHop) {
        s.run(() -> {
            PacketBuffer p = s.buffers().acquire(3);
            p.append("six".getBytes(), 0, 3);
            s.primaryInterface().output(p, EtherType.IPV6, IpAddress.parse(nextHop));
        });
    }

    /** A stand-in IPv6 layer: takes EtherType 0x86DD and, if asked, brings a resolver that broadcasts. */
    private static final class Ipv6Sink implements LayerProvider {
        final List<byte[]> packets = new ArrayList<>();
        final List<IpAddress> resolved = new ArrayList<>();
        final boolean withResolver;
        StackContext context;

        Ipv6Sink(boolean withResolver) {
            this.withResolver = withResolver;
        }

        @Override
        public String name() {
            return "ipv6-sink";
        }

        @Override
        public Layer.Kind kind() {
            return Layer.Kind.NETWORK;
        }

        NeighborResolver resolver() {
            return new NeighborResolver() {
                @Override
                public AddressFamily family() {
                    return AddressFamily.IPV6;
                }

                @Override
                public void send(NetInterface iface, PacketBuffer packet, int etherType, IpAddress nextHop) {
                    resolved.add(nextHop);
                    context.linkLayer().transmit(iface, packet, etherType, MacAddress.BROADCAST.bits());
                }
            };
        }

        @Override
        public Layer create(StackContext ctx) {
            context = ctx;
            ctx.registerNetworkProtocol(EtherType.IPV6, new NetworkProtocol() {
                @Override
                public void receive(NetInterface iface, PacketBuffer packet, int deliveryClass) {
                    packets.add(packet.toByteArray());
                    packet.release();
                }
            });
            return new Layer() {
                @Override
                public void start() {
                    if (withResolver) {
                        ctx.linkLayer().registerNeighborResolver(resolver());
                    }
                }
            };
        }
    }
}
