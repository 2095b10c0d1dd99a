package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.buffer.PacketBuffer;
import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.EthernetLayerProvider;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.AddressFamily;
import dev.tsunagu.net.InternetChecksum;
import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.IcmpErrorInfo;
import dev.tsunagu.stack.IpPacketInfo;
import dev.tsunagu.stack.IpService;
import dev.tsunagu.stack.Layer;
import dev.tsunagu.stack.LayerProvider;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.stack.StackContext;
import dev.tsunagu.stack.TransportProtocol;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The family-neutral contracts as the IPv4 layer keeps them: {@link IpService} found by
 * family, {@link IpPacketInfo} with addresses and the pseudo-header sum, {@link IcmpErrorInfo}
 * with its kind, the default gateway per family, and ping taking {@code java.net} addresses.
 * A probe transport on an experimental protocol number (RFC 3692) stands in for TCP and UDP.
 */
class IpServiceContractTest {
    private static final int PROBE = 253;
    private static final Ipv4Address A = Ipv4Address.parse("10.0.0.1");
    private static final Ipv4Address B = Ipv4Address.parse("10.0.0.2");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan = new Cable("ip-contract");
    private final Probe probeA = new Probe();
    private final Probe probeB = new Probe();
    private NetworkStack a;
    private NetworkStack b;

    @BeforeEach
    void setUp() {
        a = host("a", 1, probeA).on(lan, "10.0.0.1/24").gateway("10.0.0.254").build();
        b = host("b", 2, probeB).on(lan, "10.0.0.2/24").build();
        loop.runUntilIdle();
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
    }

    private TestHosts host(String name, long seed, Probe probe) {
        return TestHosts.host(loop, name, seed)
                .layers(List.of(new EthernetLayerProvider(), new Ipv4LayerProvider(), probe));
    }

    @Test
    void theIpv4LayerIsTheServiceForIpv4AndThereIsNoneForIpv6() {
        assertThat(probeA.context.ipService(AddressFamily.IPV4)).isNotNull()
                .isSameAs(a.service(Ipv4Service.class).orElseThrow());
        assertThat(probeA.context.ipService(AddressFamily.IPV4).family()).isEqualTo(AddressFamily.IPV4);
        assertThat(probeA.context.ipService(AddressFamily.IPV6)).isNull();
    }

    @Test
    void routesAnswerInAddresses() throws Exception {
        IpService ip = probeA.context.ipService(AddressFamily.IPV4);
        a.call(() -> {
            assertThat(ip.sourceAddressFor(B)).isEqualTo(A);
            assertThat(ip.sourceAddressFor(Ipv4Address.parse("192.0.2.1"))).as("via the gateway").isEqualTo(A);
            assertThat(ip.isLocalAddress(A)).isTrue();
            assertThat(ip.isLocalAddress(B)).isFalse();
            assertThat(ip.mtuFor(B)).isEqualTo(1500);
            assertThat(ip.headerLength()).isEqualTo(20);
            assertThat(ip.pseudoHeaderSum(A, B, PROBE, 12))
                    .isEqualTo(InternetChecksum.pseudoHeader(A.bits(), B.bits(), PROBE, 12));
            return null;
        });
    }

    @Test
    void aDatagramArrivesWithItsAddressesAndPseudoHeaderSum() throws Exception {
        IpService ip = probeA.context.ipService(AddressFamily.IPV4);
        a.call(() -> ip.send(payload(a, "hello"), null, B, PROBE, 0, 0, false));
        loop.runUntilIdle();
        assertThat(probeB.received).hasSize(1);
        Received r = probeB.received.get(0);
        assertThat(r.source()).isEqualTo(A);
        assertThat(r.destination()).isEqualTo(B);
        assertThat(r.pseudoHeaderSum()).isEqualTo(InternetChecksum.pseudoHeader(A.bits(), B.bits(), PROBE, 5));
        assertThat(r.data()).isEqualTo("hello");
    }

    @Test
    void anAddressOfAnotherFamilyIsRefusedByName() {
        IpService ip = probeA.context.ipService(AddressFamily.IPV4);
        assertThatThrownBy(() -> a.call(() -> ip.mtuFor(Ipv6Address.parse("2001:db8::1"))))
                .hasStackTraceContaining("given an IPv6 address: 2001:db8::1");
    }

    @Test
    void portUnreachableReachesTheSenderAsAKindWithAddresses() throws Exception {
        probeB.refuse = true;
        IpService ip = probeA.context.ipService(AddressFamily.IPV4);
        a.call(() -> ip.send(payload(a, "knock knock"), A, B, PROBE, 0, 0, false));
        loop.runUntilIdle();
        assertThat(probeA.errors).hasSize(1);
        IcmpErrorInfo e = probeA.errors.get(0);
        assertThat(e.kind()).isEqualTo(IcmpErrorInfo.Kind.PORT_UNREACHABLE);
        assertThat(e.kind().isRefusal()).isTrue();
        assertThat(e.reporter()).isEqualTo(B);
        assertThat(e.quotedSource()).isEqualTo(A);
        assertThat(e.quotedDestination()).isEqualTo(B);
    }

    @Test
    void icmpTypesMapToFamilyNeutralKinds() {
        assertThat(IcmpProtocol.kind(3, 2)).isEqualTo(IcmpErrorInfo.Kind.PROTOCOL_UNREACHABLE);
        assertThat(IcmpProtocol.kind(3, 3)).isEqualTo(IcmpErrorInfo.Kind.PORT_UNREACHABLE);
        assertThat(IcmpProtocol.kind(3, 4)).isEqualTo(IcmpErrorInfo.Kind.PACKET_TOO_BIG);
        assertThat(IcmpProtocol.kind(3, 1)).isEqualTo(IcmpErrorInfo.Kind.UNREACHABLE);
        assertThat(IcmpProtocol.kind(11, 0)).isEqualTo(IcmpErrorInfo.Kind.TIME_EXCEEDED);
        assertThat(IcmpProtocol.kind(12, 0)).isEqualTo(IcmpErrorInfo.Kind.PARAMETER_PROBLEM);
        assertThat(IcmpProtocol.kind(4, 0)).isEqualTo(IcmpErrorInfo.Kind.OTHER);
    }

    @Test
    void theDefaultGatewayIsKeptPerFamily() {
        assertThat(probeA.context.defaultGateway(AddressFamily.IPV4)).contains(Ipv4Address.parse("10.0.0.254"));
        assertThat(probeA.context.defaultGateway(AddressFamily.IPV6)).isEmpty();
        Probe probeD = new Probe();
        try (NetworkStack d = host("d", 4, probeD).on(lan, "10.0.0.4/24").gateway("fe80::1").build()) {
            assertThat(probeD.context.defaultGateway(AddressFamily.IPV6)).contains(Ipv6Address.parse("fe80::1"));
            assertThat(probeD.context.defaultGateway(AddressFamily.IPV4)).isEmpty();
        }
    }

    @Test
    void pingTakesJavaNetAddresses() throws Exception {
        PingService ping = a.service(PingService.class).orElseThrow();
        PingResult r = loop.await(ping.ping(InetAddress.getByName("10.0.0.2"), 8, Duration.ofSeconds(1)),
                Duration.ofSeconds(2));
        assertThat(r).isInstanceOfSatisfying(PingResult.Reply.class, reply -> assertThat(reply.from()).isEqualTo(B));
    }

    @Test
    void pingingIpv6WithoutAnIpv6LayerSaysWhatIsMissing() throws Exception {
        PingService ping = a.service(PingService.class).orElseThrow();
        var f = ping.ping(InetAddress.getByName("2001:db8::1"), 8, Duration.ofSeconds(1));
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NoRouteToHostException.class).hasMessageContaining("no IPv6 layer");
    }

    @Test
    void anInterfaceHasNoIpv6AddressesYet() throws Exception {
        assertThat(a.primaryInterface().hasAddress((IpAddress) A)).isTrue();
        assertThat(a.primaryInterface().hasAddress(Ipv6Address.mapped(A))).isFalse();
    }

    private static PacketBuffer payload(NetworkStack s, String text) {
        PacketBuffer p = s.buffers().acquire(text.length());
        p.append(text.getBytes(), 0, text.length());
        return p;
    }

    /** What the probe kept of one received datagram (the info is a flyweight: copied). */
    record Received(IpAddress source, IpAddress destination, long pseudoHeaderSum, String data) {}

    /** A transport on protocol 253 that records what it receives and can refuse it. */
    private static final class Probe implements LayerProvider {
        final List<Received> received = new ArrayList<>();
        final List<IcmpErrorInfo> errors = new ArrayList<>();
        boolean refuse;
        StackContext context;

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public Layer.Kind kind() {
            return Layer.Kind.TRANSPORT;
        }

        @Override
        public Layer create(StackContext ctx) {
            context = ctx;
            ctx.registerTransportProtocol(PROBE, new TransportProtocol() {
                @Override
                public void receive(IpPacketInfo info, PacketBuffer packet) {
                    if (refuse) {
                        ctx.ipService(info.source().family()).sendPortUnreachable(info, packet);
                    } else {
                        received.add(new Received(info.source(), info.destination(),
                                info.pseudoHeaderSum(PROBE, packet.length()), new String(packet.toByteArray())));
                    }
                    packet.release();
                }

                @Override
                public void receiveError(IcmpErrorInfo error, PacketBuffer quoted) {
                    errors.add(error);
                }
            });
            return new Layer() {};
        }
    }
}
