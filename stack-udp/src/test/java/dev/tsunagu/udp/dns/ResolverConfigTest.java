package dev.tsunagu.udp.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolverConfigTest {

    static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void defaults() throws Exception {
        ResolverConfig c = ResolverConfig.of(at("10.0.0.53", 53));
        assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.attempts()).isEqualTo(3);
        assertThat(c.cacheEntries()).isEqualTo(1024);
        assertThat(c.maxTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.negativeTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.totalTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void parsesAServerList() throws Exception {
        assertThat(ResolverConfig.parse("10.0.0.53, 10.0.0.54:5353").servers())
                .containsExactly(at("10.0.0.53", 53), at("10.0.0.54", 5353));
        assertThat(ResolverConfig.parseServers(" 192.0.2.1 ,198.51.100.2\t[2001:db8::1]:5353 2001:db8::53 "))
                .containsExactly(at("192.0.2.1", 53), at("198.51.100.2", 53), at("2001:db8::1", 5353),
                        at("2001:db8::53", 53));
        assertThat(ResolverConfig.parseServers("[::1]")).containsExactly(at("::1", 53));
        assertThat(ResolverConfig.parseServers("  ")).isEmpty();
    }

    @Test
    void refusesWhatIsNotALiteralAddress() {
        for (String bad : List.of("dns.example", "10.0.0.256", "10.0.0", "10.0.0.1:0", "10.0.0.1:70000",
                "10.0.0.1:", "10.0.0.1:x", "[::1", "[::1]x", "[::1]:", "1.2.3.4.5", "::g")) {
            assertThatThrownBy(() -> ResolverConfig.parseServers(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS server");
        }
    }

    @Test
    void validatesItsFields() throws Exception {
        ResolverConfig c = ResolverConfig.of(at("10.0.0.53", 53));
        assertThatThrownBy(() -> c.withAttempts(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withCacheEntries(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withNegativeTtl(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withServers(List.of(InetSocketAddress.createUnresolved("dns.example", 53))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withAttempts(5).withTimeout(Duration.ofMillis(200)).totalTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void literalAddressesAreRecognisedWithoutAsking() throws Exception {
        assertThat(ResolverConfig.literal("192.0.2.1")).isEqualTo(InetAddress.getByName("192.0.2.1"));
        assertThat(ResolverConfig.literal("[2001:db8::1]")).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(ResolverConfig.literal("example.com")).isNull();
        assertThat(ResolverConfig.literal("1.2.3")).isNull();
        assertThat(ResolverConfig.literal("123")).isNull();
    }
}
