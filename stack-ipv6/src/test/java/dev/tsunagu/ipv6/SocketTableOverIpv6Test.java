package dev.tsunagu.ipv6;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.net.Endpoint;
import dev.tsunagu.net.Ipv6Address;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.SocketTable;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.TestHosts;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The socket table on a dual-stack host: a socket bound to every address takes both families and
 * shows as {@code [::]:port}, not {@code 0.0.0.0:port}; IPv6 endpoints are bracketed
 * ({@code [fd00::2]:80}) in the rows' text as {@code ./tsunagu}'s netstat prints it; a host
 * without IPv6 still shows {@code 0.0.0.0}.
 */
class SocketTableOverIpv6Test {
    private static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    private static String row(List<String> table, String state, String containing) {
        return table.stream().filter(l -> l.contains(state) && l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + state + " row with " + containing + " in\n"
                        + String.join("\n", table)));
    }

    @Test
    void dualStackWildcardsShowAsBracketedAnyAndIpv6EndpointsInBrackets() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        Cable lan = new Cable("table6");
        try (NetworkStack a = TestHosts.host(loop, "a", 1).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.1/24").address("fd00::1/64")).build();
             NetworkStack b = TestHosts.host(loop, "b", 2).option(Ipv6Options.DAD_TRANSMITS, 0)
                .with(InterfaceConfig.of(lan.attach()).address("10.0.0.2/24").address("fd00::2/64")).build()) {
            TcpServerSocket listener = b.tcp().listen(80);
            b.udp().open().bind(53);
            b.udp().open().bind(new InetSocketAddress(B.toInetAddress(), 54));
            CompletableFuture<TcpSocket> accepted = listener.acceptAsync();
            TcpSocket c = a.tcp().connect(new InetSocketAddress(B.toInetAddress(), 80));
            loop.await(accepted, Duration.ofSeconds(5));

            List<SocketInfo> rows = b.sockets();
            SocketInfo listen = rows.stream().filter(r -> r.state().equals("LISTEN")).findFirst().orElseThrow();
            assertThat(Endpoint.format(listen.local())).isEqualTo("[::]:80");
            assertThat(listener.localAddress().getAddress().isAnyLocalAddress())
                    .as("the socket's own address is still the java.net wildcard").isTrue();

            List<String> table = SocketTable.format(rows).lines().toList();
            assertThat(row(table, "LISTEN", "TCP")).contains("[::]:80").doesNotContain("0.0.0.0");
            assertThat(row(table, "UNCONN", ":53 ")).contains("[::]:53");
            assertThat(row(table, "UNCONN", ":54 ")).contains("[fd00::2]:54");
            String established = row(table, "ESTABLISHED", "TCP");
            assertThat(established).contains("[fd00::2]:80").contains("[fd00::1]:" + c.localAddress().getPort());
            assertThat(String.join("\n", table)).doesNotContain("0:0:0:0");
        }
    }

    @Test
    void aHostWithoutIpv6StillShowsItsWildcardAsIpv4() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        try (NetworkStack v4 = TestHosts.host(loop, "v4", 3)
                .with(InterfaceConfig.of(new Cable("table4").attach()).address("10.0.0.3/24")).build()) {
            v4.tcp().listen(80);
            v4.udp().open().bind(53);
            List<String> table = SocketTable.format(v4.sockets()).lines().toList();
            assertThat(row(table, "LISTEN", "TCP")).contains("0.0.0.0:80");
            assertThat(row(table, "UNCONN", "UDP")).contains("0.0.0.0:53");
        }
    }
}
