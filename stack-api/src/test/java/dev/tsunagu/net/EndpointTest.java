package dev.tsunagu.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.SocketTable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Endpoints as the socket table, traces and commands print them: IPv6 in brackets, RFC 5952 text. */
class EndpointTest {
    private static InetSocketAddress at(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    @Test
    void ipv4IsDottedAndIpv6IsBracketedInItsShortForm() throws Exception {
        assertThat(Endpoint.format(at("10.0.0.2", 80))).isEqualTo("10.0.0.2:80");
        assertThat(Endpoint.format(at("fd00:0:0:0:0:0:0:2", 80))).isEqualTo("[fd00::2]:80");
        assertThat(Endpoint.format(at("::", 443))).isEqualTo("[::]:443");
        assertThat(Endpoint.format(at("0.0.0.0", 53))).isEqualTo("0.0.0.0:53");
        assertThat(Endpoint.format(at("FE80::0001", 546))).isEqualTo("[fe80::1]:546");
        assertThat(Endpoint.host(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
    }

    @Test
    void noEndpointNoPortAndAnUnresolvedNameAreShownAsNetstatShowsThem() throws Exception {
        assertThat(Endpoint.format(null)).isEqualTo("*:*");
        assertThat(Endpoint.format(at("::", 0))).isEqualTo("[::]:*");
        assertThat(Endpoint.format(InetSocketAddress.createUnresolved("www.example.test", 80)))
                .isEqualTo("www.example.test:80");
    }

    @Test
    void theSocketTableShowsIpv6EndpointsBracketedAndKeepsItsColumnsAligned() throws Exception {
        List<SocketInfo> rows = List.of(
                new SocketInfo("TCP", 3, at("::", 80), null, "LISTEN", 0, 0, Map.of()),
                new SocketInfo("TCP", 4, at("fd00:1234:5678:9abc::2", 80), at("fd00:1234:5678:9abc::1", 49152),
                        "ESTABLISHED", 0, 0, Map.of()),
                new SocketInfo("UDP", 5, at("10.0.0.2", 53), null, "UNCONN", 0, 0, Map.of()));
        List<String> lines = SocketTable.format(rows).lines().toList();
        assertThat(lines.get(1)).contains("[::]:80 ").contains("*:*").doesNotContain("0.0.0.0");
        assertThat(lines.get(2)).contains("[fd00:1234:5678:9abc::2]:80 ").contains("[fd00:1234:5678:9abc::1]:49152 ");
        assertThat(lines.get(3)).contains("10.0.0.2:53 ");
        // The state column starts at the same place on every line, however long an address is.
        int state = lines.get(0).indexOf("State");
        assertThat(lines.get(1).indexOf("LISTEN")).isEqualTo(state);
        assertThat(lines.get(2).indexOf("ESTABLISHED")).isEqualTo(state);
        assertThat(lines.get(3).indexOf("UNCONN")).isEqualTo(state);
    }
}
