package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.ip.icmp.PingResult;
import dev.tsunagu.ip.icmp.PingService;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * IPv4 and ICMP over an IP-only medium (a TUN's: bare packets, no ARP), on the virtual clock:
 * ping and fragments across it, and a router forwarding between an Ethernet LAN and such a link,
 * as a gateway on a TUN does.
 */
class IpOnlyLinkTest {
    private final VirtualEventLoop loop = new VirtualEventLoop();
    private final List<NetworkStack> stacks = new ArrayList<>();

    @AfterEach
    void tearDown() {
        stacks.forEach(NetworkStack::close);
    }

    private NetworkStack add(NetworkStack s) {
        stacks.add(s);
        return s;
    }

    private PingResult ping(NetworkStack from, String to, int size) throws Exception {
        PingService ping = from.service(PingService.class).orElseThrow();
        return loop.await(ping.ping(Ipv4Address.parse(to), size, Duration.ofSeconds(2)), Duration.ofSeconds(3));
    }

    @Test
    void pingAndFragmentsCrossAnIpOnlyLink() throws Exception {
        Cable tun = Cable.ipOnly("p2p", 1500);
        NetworkStack a = add(TestHosts.host(loop, "a", 1).on(tun, "10.5.0.1/24").build());
        NetworkStack b = add(TestHosts.host(loop, "b", 2).on(tun, "10.5.0.2/24").build());
        loop.runUntilIdle();
        assertThat(ping(a, "10.5.0.2", 56)).isInstanceOf(PingResult.Reply.class);
        PingResult big = ping(b, "10.5.0.1", 4000); // three fragments each way
        assertThat(big).isInstanceOfSatisfying(PingResult.Reply.class, r -> assertThat(r.bytes()).isEqualTo(4000));
        assertThat(a.statistics().get("arp", "OutRequests")).as("nothing is resolved").isZero();
        assertThat(a.statistics().get("iplink", "OutPackets")).isGreaterThanOrEqualTo(4);
        assertThat(b.statistics().get("iplink", "InPackets")).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aRouterForwardsBetweenEthernetAndAnIpOnlyLink() throws Exception {
        Cable lan = new Cable("lan");
        Cable tun = Cable.ipOnly("tun", 1500);
        NetworkStack client = add(TestHosts.host(loop, "client", 1).on(lan, "10.6.0.2/24").gateway("10.6.0.1").build());
        add(TestHosts.host(loop, "router", 2).on(lan, "10.6.0.1/24").on(tun, "10.7.0.1/24")
                .option(IpOptions.FORWARDING, true).build());
        NetworkStack far = add(TestHosts.host(loop, "far", 3).on(tun, "10.7.0.2/24").gateway("10.7.0.1").build());
        loop.runUntilIdle();
        assertThat(ping(client, "10.7.0.2", 56)).isInstanceOfSatisfying(PingResult.Reply.class,
                r -> assertThat(r.from()).isEqualTo(Ipv4Address.parse("10.7.0.2")));
        assertThat(ping(far, "10.6.0.2", 1400)).isInstanceOf(PingResult.Reply.class);
    }
}
