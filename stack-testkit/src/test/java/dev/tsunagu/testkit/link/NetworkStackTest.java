package dev.tsunagu.testkit.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.cable.Cables;
import dev.tsunagu.loop.ThreadedEventLoop;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.EtherType;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.MissingLayerException;
import dev.tsunagu.stack.NetInterface;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.CapturingIpv4Sink;
import dev.tsunagu.testkit.TestHosts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a stack is assembled from what is on the class path, and what it says when something is missing. */
class NetworkStackTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();

    @Test
    void aStackContainsTheLayersOnTheClassPathAndALoopbackInterface() {
        try (NetworkStack s = NetworkStack.builder().eventLoop(loop).addInterface("cable:nst-1", "10.2.0.1/24").build()) {
            assertThat(s.layers()).contains("ethernet");
            assertThat(s.interfaces()).extracting(NetInterface::name).containsExactly("lo", "eth0");
            NetInterface lo = s.interfaceNamed("lo").orElseThrow();
            assertThat(lo.addresses()).extracting(Object::toString).containsExactly("127.0.0.1/8");
            assertThat(lo.mtu()).isEqualTo(65535);
            assertThat(s.primaryInterface().mtu()).isEqualTo(1500);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void askingForTcpWithoutStackTcpNamesTheMissingModule() {
        try (NetworkStack s = TestHosts.host(loop, "no-tcp", 1).build()) {
            assertThatThrownBy(s::tcp)
                    .isInstanceOf(MissingLayerException.class)
                    .hasMessage("this stack has no TCP: add the Maven artifact dev.tsunagu:tsunagu-stack-tcp"
                            + " (JPMS module dev.tsunagu.tcp) to the class path or module path");
            assertThatThrownBy(s::udp).hasMessageContaining("dev.tsunagu:tsunagu-stack-udp");
        }
    }

    @Test
    void aStackWithoutALinkLayerIsRefusedClearly() {
        assertThatThrownBy(() -> NetworkStack.builder().eventLoop(loop).layers(List.of()).build())
                .isInstanceOf(MissingLayerException.class)
                .hasMessageContaining("dev.tsunagu:tsunagu-stack-link");
    }

    /** An IPv6 address is only its layer's business: without one the build names what is missing. */
    @Test
    void anIpv6AddressWithoutAnIpv6LayerIsRefusedByName() {
        assertThatThrownBy(() -> TestHosts.host(loop, "v6", 1).layers(List.of(new EthernetLayerProvider()))
                .with(InterfaceConfig.of(new Cable("v6").attach())
                        .address("10.0.0.1/24").address("2001:db8::1/64"))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eth0: 2001:db8::1/64 is an IPv6 address and this stack has no IPv6 layer");
    }

    @Test
    void loopbackCarriesAStacksPacketsBackToItself() {
        CapturingIpv4Sink sink = new CapturingIpv4Sink();
        try (NetworkStack s = TestHosts.host(loop, "lo", 1).layers(List.of(new EthernetLayerProvider(), sink)).build()) {
            s.run(() -> {
                PacketBuffer p = s.buffers().acquire(4);
                p.append("ping".getBytes(), 0, 4);
                s.interfaceNamed("lo").orElseThrow().output(p, EtherType.IPV4, Ipv4Address.LOOPBACK);
            });
            loop.runUntilIdle();
            assertThat(sink.packets()).extracting(String::new).containsExactly("ping");
            assertThat(s.statistics().get("arp", "OutRequests")).as("loopback needs no ARP").isZero();
        }
    }

    @Test
    void cableSpecsJoinStacksOnTheSameNamedSegmentAndItIsForgottenWhenEmpty() throws Exception {
        NetworkStack a = NetworkStack.builder().name("a").eventLoop(loop).addInterface("cable:nst-2,mtu=9000", "10.3.0.1/24").build();
        NetworkStack b = NetworkStack.builder().name("b").eventLoop(loop).addInterface("cable:nst-2,mtu=9000", "10.3.0.2/24").build();
        Cable cable = Cables.find("nst-2");
        assertThat(cable.portCount()).isEqualTo(2);
        assertThat(a.primaryInterface().mtu()).isEqualTo(9000);
        assertThatThrownBy(() -> NetworkStack.builder().eventLoop(loop).addInterface("cable:nst-2", "10.3.0.3/24").build())
                .hasMessageContaining("exists with MTU 9000");
        a.close();
        b.close();
        assertThat(Cables.find("nst-2")).isNull();
    }

    @Test
    void aStackOnItsOwnThreadedLoopWorksAndStopsItOnClose() throws Exception {
        NetworkStack s = NetworkStack.builder().name("threaded").addInterface("cable:nst-3", "10.4.0.1/24").build();
        ThreadedEventLoop own = (ThreadedEventLoop) s.loop();
        assertThat(s.call(() -> own.inEventLoop())).isTrue();
        assertThat(s.neighbors()).isEmpty();
        assertThat(s.statistics().get("arp", "OutGratuitous")).isEqualTo(1);
        s.close();
        assertThat(own.isClosed()).isTrue();
    }

    @Test
    void interfacesGetRandomLocallyAdministeredMacsReproducibleBySeed() {
        Cable c = new Cable("nst-4");
        try (NetworkStack a = TestHosts.host(loop, "a", 42).on(c, "10.5.0.1/24").build();
             NetworkStack b = TestHosts.host(loop, "b", 42).on(new Cable("nst-5"), "10.5.0.1/24").build()) {
            assertThat(a.primaryInterface().mac()).isEqualTo(b.primaryInterface().mac());
            assertThat(a.primaryInterface().macBits() & 0x0200_0000_0000L).isNotZero();
            assertThat(a.primaryInterface().mac().isMulticast()).isFalse();
        }
    }
}
