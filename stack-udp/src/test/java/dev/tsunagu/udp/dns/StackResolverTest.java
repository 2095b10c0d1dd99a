package dev.tsunagu.udp.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.NameResolver;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import dev.tsunagu.udp.UdpOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every stack with UDP has the socket library's resolver, configured by {@code dns.servers}. */
class StackResolverTest {
    @Test
    void theStacksResolverAsksTheConfiguredServer() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("stack-resolver");
        try (NetworkStack dns = TestHosts.host(loop, "dns", 1).on(lan, "10.0.0.53/24").build();
             NetworkStack client = TestHosts.host(loop, "client", 2).on(lan, "10.0.0.2/24")
                     .option(UdpOptions.DNS_SERVERS, "10.0.0.53").build()) {
            new DnsTestServer(dns.udp(), Map.of("www.example.test", List.of(InetAddress.getByName("10.0.0.80"))),
                    Duration.ofMinutes(5));
            Resolver resolver = client.service(Resolver.class).orElseThrow();
            assertThat(resolver.lookup("www.example.test")).containsExactly(InetAddress.getByName("10.0.0.80"));
            assertThat(client.service(NameResolver.class)).as("the same resolver, for the socket library")
                    .containsSame(resolver);
            assertThatThrownBy(() -> resolver.lookup("nope.example.test")).isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("NXDOMAIN");
        }
    }

    @Test
    void withoutServersItSaysSo() {
        VirtualEventLoop loop = new VirtualEventLoop();
        try (NetworkStack s = TestHosts.host(loop, "alone", 1).on(new Cable("no-dns"), "10.0.0.2/24").build()) {
            Resolver resolver = s.service(Resolver.class).orElseThrow();
            assertThatThrownBy(() -> resolver.lookup("example.test")).isInstanceOf(UnknownHostException.class)
                    .hasMessageContaining("no DNS servers configured");
        }
    }
}
