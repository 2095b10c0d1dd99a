package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two links joined by a stack that forwards (RFC 8200 as a router): default routes through the
 * gateway, the hop limit decremented and Time Exceeded when it runs out, no fragmenting on the
 * way but Packet Too Big, which the source turns into a smaller path MTU (RFC 8201).
 */
class Ipv6ForwardingTest {
    private static final Ipv6Address B = Ipv6Address.parse("fd02::1");
    private static final Ipv6Address ROUTER_LAN1 = Ipv6Address.parse("fd01::fe");

    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final Cable lan1 = new Cable("v6-lan1");
    private final Cable lan2 = new Cable("v6-lan2", 1280);
    private final TestHosts.Network net = new TestHosts.Network();
    private final NetworkStack a = net.add(TestHosts.host(loop, "a", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
            .with(InterfaceConfig.of(lan1.attach()).address("fd01::1/64")).gateway("fd01::fe").build());
    private final NetworkStack router = net.add(TestHosts.host(loop, "router", 2)
            .option(Ipv6Options.DAD_TRANSMITS, 0).option(Ipv6Options.FORWARDING, true)
            .with(InterfaceConfig.of(lan1.attach()).address("fd01::fe/64"))
            .with(InterfaceConfig.of(lan2.attach()).address("fd02::fe/64")).build());
    private final NetworkStack b = net.add(TestHosts.host(loop, "b", 3).option(Ipv6Options.DAD_TRANSMITS, 0)
            .with(InterfaceConfig.of(lan2.attach()).address("fd02::1/64")).gateway("fd02::fe").build());

    @AfterEach
    void tearDown() {
        net.close();
    }

    private PingResult ping(int size, int hopLimit) throws Exception {
        return loop.await(a.service(PingService.class).orElseThrow().ping(B, size, hopLimit, Duration.ofSeconds(3)),
                Duration.ofSeconds(5));
    }

    @Test
    void aPingCrossesTheRouterWithTheHopLimitDecremented() throws Exception {
        PingResult r = ping(56, 0);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) r).ttl()).isEqualTo(63);
        assertThat(router.statistics().get("ipv6", "OutForwDatagrams")).isEqualTo(2);
    }

    @Test
    void rfc4443_3_3_aHopLimitThatRunsOutIsTimeExceededFromTheRouter() throws Exception {
        PingResult r = ping(8, 1);
        assertThat(r).isInstanceOf(PingResult.Unreachable.class);
        PingResult.Unreachable u = (PingResult.Unreachable) r;
        assertThat(u.from()).isEqualTo(ROUTER_LAN1);
        assertThat(u.describe()).isEqualTo("Time exceeded: Hop limit");
    }

    @Test
    void rfc8201_aPacketTooBigForTheNextLinkComesBackAndTheSourceFragmentsNextTime() throws Exception {
        PingResult r = ping(1400, 0);
        assertThat(r).isInstanceOf(PingResult.Unreachable.class);
        assertThat(((PingResult.Unreachable) r).describe()).isEqualTo("Packet too big");
        assertThat(a.call(() -> a.service(Ipv6Service.class).orElseThrow().pathMtu(B))).isEqualTo(1280);
        PingResult again = ping(1400, 0);
        assertThat(again).isInstanceOf(PingResult.Reply.class);
        assertThat(a.statistics().get("ipv6", "FragOKs")).isEqualTo(1);
        assertThat(b.statistics().get("ipv6", "ReasmOKs")).isEqualTo(1);
    }

    @Test
    void aLinkLocalAddressIsReachableOnlyOnItsOwnLink() throws Exception {
        Ipv6Address routerLinkLocal = Ipv6Addresses.linkLocal(router.interfaces().get(2).macBits());
        // The router's lan2 link-local address is not reachable from lan1: no route, no answer.
        PingResult r = loop.await(a.service(PingService.class).orElseThrow()
                .ping(routerLinkLocal, 8, Duration.ofSeconds(2)), Duration.ofSeconds(5));
        assertThat(r).isNotInstanceOf(PingResult.Reply.class);
    }
}
