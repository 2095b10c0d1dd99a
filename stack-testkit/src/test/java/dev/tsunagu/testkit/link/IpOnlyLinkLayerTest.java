package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.BufferPool;
import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.CableDriver;
import dev.tsunagu.link.iponly.IpOnlyLayerProvider;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.LinkLayer;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkProtocol;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.testkit.RecordingDriverContext;
import dev.tsunagu.testkit.TestHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The link layer of IP-only media, chosen per interface by the driver's capabilities: on an
 * IP-only cable (a TUN's medium) frames are bare packets dispatched by their version field,
 * nothing is prepended or resolved, and the Ethernet interfaces of the same stack keep
 * Ethernet and ARP.
 */
class IpOnlyLinkLayerTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable tun = Cable.ipOnly("ip-only-test", 1500);
    private final BufferPool pool = new BufferPool();
    private final RecordingDriverContext peer = new RecordingDriverContext("peer", pool, loop);
    private final CableDriver peerPort = tun.attach();
    private final Sink ipv4 = new Sink("ipv4-sink", EtherType.IPV4);
    private final Sink ipv6 = new Sink("ipv6-sink", EtherType.IPV6);
    private final List<NetworkStack> stacks = new ArrayList<>();

    @BeforeEach
    void plugPeer() {
        peerPort.open(peer);
    }

    @AfterEach
    void tearDown() {
        stacks.forEach(NetworkStack::close);
        peerPort.close();
    }

    private NetworkStack host(List<LayerProvider> layers) {
        NetworkStack s = TestHosts.host(loop, "tun-host", 1).layers(layers).on(tun, "10.0.0.2/24").build();
        stacks.add(s);
        loop.runUntilIdle();
        return s;
    }

    private NetworkStack host() {
        return host(List.of(new EthernetLayerProvider(), new IpOnlyLayerProvider(), ipv4, ipv6));
    }

    private void inject(byte[] frame) {
        peerPort.transmit(pool.copyOf(frame, 0, frame.length));
        loop.runUntilIdle();
    }

    private static byte[] packet(int firstByte, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) firstByte;
        for (int i = 1; i < length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @Test
    void theInterfaceOnAnIpOnlyDriverGetsTheIpOnlyLinkLayer() {
        NetworkStack s = host();
        NetInterface iface = s.primaryInterface();
        assertThat(iface.isIpOnly()).isTrue();
        assertThat(iface.isLoopback()).as("IP-only is not loopback: its packets come from outside").isFalse();
        assertThat(iface.needsAddressResolution()).isFalse();
        assertThat(iface.macBits()).isZero();
        assertThat(s.layers()).contains("ethernet", "ip-only");
        assertThat(peer.pollNow()).as("no gratuitous ARP, no frame at all when it comes up").isNull();
    }

    @Test
    void packetsGoUpByTheirVersionFieldWhole() {
        NetworkStack s = host();
        byte[] v4 = packet(0x45, 40);
        byte[] v6 = packet(0x60, 60);
        inject(v4);
        inject(v6);
        assertThat(ipv4.packets).containsExactly(v4);
        assertThat(ipv6.packets).containsExactly(v6);
        assertThat(ipv4.deliveryClasses).containsExactly(LinkLayer.UNICAST);
        assertThat(s.statistics().get("iplink", "InPackets")).isEqualTo(2);
        assertThat(s.statistics().get("ethernet", "InFrames")).as("Ethernet never saw them").isZero();
    }

    @Test
    void framesOfNoKnownVersionAndEmptyFramesAreCountedAndDropped() {
        NetworkStack s = host();
        inject(packet(0x55, 40));
        inject(packet(0x00, 40));
        inject(new byte[0]);
        assertThat(ipv4.packets).isEmpty();
        assertThat(ipv6.packets).isEmpty();
        assertThat(s.statistics().get("iplink", "DropUnknownVersion")).isEqualTo(2);
        assertThat(s.statistics().get("iplink", "DropEmpty")).isEqualTo(1);
    }

    @Test
    void aVersionThisStackHasNoLayerForIsCountedAndDropped() {
        NetworkStack s = host(List.of(new EthernetLayerProvider(), new IpOnlyLayerProvider(), ipv4));
        inject(packet(0x60, 60));
        assertThat(s.statistics().get("iplink", "DropNoLayer")).isEqualTo(1);
    }

    @Test
    void sendingPutsThePacketOnTheWireAsItIsWhateverTheNextHop() throws Exception {
        NetworkStack s = host();
        byte[] v4 = packet(0x45, 30);
        s.run(() -> {
            PacketBuffer p = s.buffers().acquire(v4.length);
            p.append(v4, 0, v4.length);
            s.primaryInterface().output(p, EtherType.IPV4, IpAddress.parse("192.0.2.77")); // off-link: no matter
        });
        loop.runUntilIdle();
        assertThat(peer.poll(Duration.ZERO)).isEqualTo(v4);
        assertThat(peer.poll(Duration.ZERO)).as("nothing else: no ARP request").isNull();
        assertThat(s.statistics().get("iplink", "OutPackets")).isEqualTo(1);
    }

    @Test
    void anEthernetInterfaceBesideItKeepsEthernetAndArp() throws Exception {
        Cable lan = new Cable("ip-only-test-lan");
        NetworkStack s = NetworkStack.builder().name("both").eventLoop(loop).seed(3)
                .layers(List.of(new EthernetLayerProvider(), new IpOnlyLayerProvider(), ipv4))
                .addInterface(InterfaceConfig.of(tun.attach()).address("10.0.0.2/24"))
                .addInterface(InterfaceConfig.of(lan.attach()).address("10.1.0.2/24")).build();
        stacks.add(s);
        loop.runUntilIdle();
        NetInterface eth = s.interfaces().stream().filter(i -> !i.isIpOnly() && !i.isLoopback()).findFirst().orElseThrow();
        assertThat(eth.needsAddressResolution()).isTrue();
        assertThat(s.statistics().get("arp", "OutGratuitous")).as("announced on the Ethernet side only").isEqualTo(1);
        assertThat(peer.pollNow()).as("nothing on the IP-only side").isNull();
    }

    @Test
    void aStackWithoutTheIpOnlyLayerRefusesAnIpOnlyDriverNamingIt() {
        assertThatThrownBy(() -> host(List.of(new EthernetLayerProvider(), ipv4)))
                .isInstanceOf(MissingLayerException.class)
                .hasMessageContaining("IP-only").hasMessageContaining("tsunagu-stack-link");
    }

    /** A stand-in network layer for one EtherType that keeps what it is given. */
    private static final class Sink implements LayerProvider {
        final String name;
        final int etherType;
        final List<byte[]> packets = new ArrayList<>();
        final List<Integer> deliveryClasses = new ArrayList<>();

        Sink(String name, int etherType) {
            this.name = name;
            this.etherType = etherType;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Layer.Kind kind() {
            return Layer.Kind.NETWORK;
        }

        @Override
        public Layer create(StackContext ctx) {
            ctx.registerNetworkProtocol(etherType, new NetworkProtocol() {
                @Override
                public void receive(NetInterface iface, PacketBuffer packet, int deliveryClass) {
                    packets.add(packet.toByteArray());
                    deliveryClasses.add(deliveryClass);
                    packet.release();
                }
            });
            return new Layer() {};
        }
    }
}
