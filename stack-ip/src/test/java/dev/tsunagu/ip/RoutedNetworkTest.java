package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.link.fault.FaultPlan;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.Craft;
import dev.tsunagu.testkit.RawHost;
import dev.tsunagu.testkit.RoutedNetwork;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * IPv4 and ICMP across a router ({@link RoutedNetwork}: client — router — server on two
 * cables, the router forwarding between them, all on one virtual clock): ping, TTL expiry,
 * fragmentation twice and reassembly, the RFC 1122 rules on a router's errors, no route.
 * UDP across the same network: stack-udp's {@code RoutedUdpTest}.
 */
class RoutedNetworkTest {
    private RoutedNetwork net;
    private VirtualEventLoop loop;
    private NetworkStack client;
    private NetworkStack router;
    private NetworkStack server;
    private Cable lanA;

    private void build(FaultPlan lanBLoss, long faultSeed) {
        net = RoutedNetwork.build(lanBLoss, faultSeed, b -> b.option(IpOptions.FORWARDING, true));
        loop = net.loop;
        client = net.client;
        router = net.router;
        server = net.server;
        lanA = net.lanA;
    }

    @AfterEach
    void tearDown() {
        if (net != null) {
            net.close();
        }
    }

    private PingResult ping(NetworkStack from, String to, int size, int ttl) throws Exception {
        PingService ping = from.service(PingService.class).orElseThrow();
        return loop.await(ping.ping(Ipv4Address.parse(to), size, ttl, Duration.ofSeconds(2)), Duration.ofSeconds(3));
    }

    @Test
    void pingAcrossTheRouterWorks() throws Exception {
        build(FaultPlan.none(), 0);
        PingResult r = ping(client, "10.2.0.2", 56, 0);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        PingResult.Reply reply = (PingResult.Reply) r;
        assertThat(reply.from()).isEqualTo(Ipv4Address.parse("10.2.0.2"));
        assertThat(reply.bytes()).isEqualTo(56);
        assertThat(reply.ttl()).as("one router hop from the default 64").isEqualTo(63);
        assertThat(router.statistics().get("ip", "ForwDatagrams")).isEqualTo(2);
    }

    @Test
    void ttlExpiryAtTheRouterYieldsTimeExceeded() throws Exception {
        build(FaultPlan.none(), 0);
        PingResult r = ping(client, "10.2.0.2", 56, 1);
        assertThat(r).isInstanceOf(PingResult.Unreachable.class);
        PingResult.Unreachable u = (PingResult.Unreachable) r;
        assertThat(u.from()).isEqualTo(Ipv4Address.parse("10.1.0.1"));
        assertThat(u.type()).isEqualTo(11);
        assertThat(u.code()).isZero();
        assertThat(u.describe()).isEqualTo("Time to live exceeded");
        assertThat(router.statistics().get("ip", "DropTtlExceeded")).isEqualTo(1);
        assertThat(router.statistics().get("icmp", "OutTimeExcds")).isEqualTo(1);
        assertThat(server.statistics().get("icmp", "InEchos")).isZero();
    }

    @Test
    void aPingLargerThanBothMtusIsFragmentedTwiceAndReassembled() throws Exception {
        build(FaultPlan.none(), 0);
        PingResult r = ping(client, "10.2.0.2", 4000, 0);
        assertThat(r).isInstanceOf(PingResult.Reply.class);
        assertThat(((PingResult.Reply) r).bytes()).isEqualTo(4000);
        assertThat(client.statistics().get("ip", "FragOKs")).isEqualTo(1);
        assertThat(router.statistics().get("ip", "FragCreates")).as("the router re-fragments for lanB's MTU 1000").isPositive();
        assertThat(server.statistics().get("ip", "ReasmOKs")).isEqualTo(1);
        assertThat(client.statistics().get("ip", "ReasmOKs")).isEqualTo(1);
    }

    @Test
    void aRouterSendsNoTimeExceededAboutAnIcmpErrorOrANonFirstFragment() throws Exception {
        build(FaultPlan.none(), 0);
        int rawIp = Craft.ip("10.1.0.9");
        int far = Craft.ip("10.2.0.2");
        try (RawHost raw = new RawHost(lanA, loop, 0x02_00_00_00_00_09L, "10.1.0.9").introduceTo(router)) {
            byte[] echo = Craft.echoRequest(1, 1, new byte[8]);
            byte[] anError = Craft.icmp(3, 3, 0, Craft.ipv4(far, rawIp, 17, new byte[8]));
            byte[] udp = Craft.udp(rawIp, far, 1, 2, new byte[32]);
            raw.sendIp(router, Craft.ipv4(rawIp, far, 1, 1, 10, 0, new byte[0], echo));                 // baseline
            raw.sendIp(router, Craft.ipv4(rawIp, far, 1, 1, 11, 0, new byte[0], anError));              // an ICMP error
            raw.sendIp(router, Craft.ipv4(rawIp, far, 17, 1, 12, 0x2000, new byte[0], Arrays.copyOf(udp, 16))); // first fragment
            raw.sendIp(router, Craft.ipv4(rawIp, far, 17, 1, 13, 2, new byte[0], Arrays.copyOfRange(udp, 16, 40))); // a later one
            loop.runUntilIdle();
            List<Integer> quotedIds = raw.receivedIp().stream()
                    .filter(p -> p[9] == 1 && p[20] == 11)
                    .map(p -> (int) ByteBuffer.wrap(p).getShort(28 + 4))
                    .toList();
            assertThat(quotedIds).as("time exceeded only for the echo and the first fragment").containsExactly(10, 12);
            assertThat(router.statistics().get("icmp", "OutErrorsSuppressed")).isEqualTo(2);
        }
    }

    @Test
    void pingingTheRoutersFarInterfaceAndOurselvesAndLoopback() throws Exception {
        build(FaultPlan.none(), 0);
        assertThat(ping(client, "10.2.0.1", 8, 0)).isInstanceOf(PingResult.Reply.class);
        assertThat(ping(client, "10.1.0.2", 8, 0)).as("our own address, through lo").isInstanceOf(PingResult.Reply.class);
        assertThat(ping(client, "127.0.0.1", 8, 0)).isInstanceOf(PingResult.Reply.class);
        assertThat(client.statistics().get("if.lo", "TxFrames")).isEqualTo(4);
    }

    @Test
    void aDestinationWithoutARouteFailsClearly() throws Exception {
        build(FaultPlan.none(), 0);
        PingService ping = server.service(PingService.class).orElseThrow();
        // The router has no default route: it answers "net unreachable".
        PingResult r = ping(server, "192.0.2.1", 8, 0);
        assertThat(r).isInstanceOf(PingResult.Unreachable.class);
        assertThat(((PingResult.Unreachable) r).describe()).isEqualTo("Destination Net Unreachable");
        // The router itself has no route either: the send fails locally.
        PingService routerPing = router.service(PingService.class).orElseThrow();
        assertThatThrownBy(() -> loop.await(routerPing.ping(Ipv4Address.parse("192.0.2.1"), 8, Duration.ofSeconds(1)),
                Duration.ofSeconds(2)))
                .hasCauseInstanceOf(java.net.NoRouteToHostException.class)
                .hasMessageContaining("no route to host 192.0.2.1");
        assertThat(Arrays.asList(ping)).isNotEmpty();
    }
}
