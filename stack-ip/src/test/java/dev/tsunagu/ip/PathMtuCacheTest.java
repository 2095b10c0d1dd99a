package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.IpAddress;
import dev.tsunagu.net.Ipv4Address;
import dev.tsunagu.net.Ipv6Address;
import org.junit.jupiter.api.Test;

/** {@link PathMtuCache}: lowers only, expires, stays bounded (RFC 1191 6.3, RFC 8201 4), for either family. */
class PathMtuCacheTest {
    private static final long MINUTE = 60_000_000_000L;
    private long now;
    private final PathMtuCache cache = new PathMtuCache(3, 10 * MINUTE, PathMtuCache.IPV4_MIN_MTU, () -> now);

    private static IpAddress v4(int host) {
        return new Ipv4Address(0x0a000000 | host);
    }

    @Test
    void aLearntMtuIsReportedBelowTheLinksUntilItExpires() {
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1500);
        assertThat(cache.lower(v4(7), 1280, 1500)).isTrue();
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1280);
        assertThat(cache.mtu(v4(8), 1500)).as("per destination").isEqualTo(1500);
        assertThat(cache.mtu(v4(7), 1000)).as("never above the route's own").isEqualTo(1000);
        now = 10 * MINUTE - 1;
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1280);
        now = 10 * MINUTE;
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1500);
        assertThat(cache.size()).isZero();
    }

    @Test
    void anErrorNeverRaisesIt() {
        cache.lower(v4(7), 1280, 1500);
        now = 1;
        assertThat(cache.lower(v4(7), 1400, 1500)).isFalse();
        assertThat(cache.lower(v4(7), 1280, 1500)).isFalse();
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1280);
        now = 2;
        assertThat(cache.lower(v4(7), 1000, 1500)).isTrue();
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(1000);
        assertThat(cache.lower(v4(9), 1500, 1500)).as("not below the link").isFalse();
    }

    @Test
    void nothingBelowTheFamilysMinimum() {
        cache.lower(v4(7), 10, 1500);
        assertThat(cache.mtu(v4(7), 1500)).isEqualTo(PathMtuCache.IPV4_MIN_MTU);
        PathMtuCache v6 = new PathMtuCache(3, 10 * MINUTE, 1280, () -> now);
        Ipv6Address d = Ipv6Address.parse("2001:db8::7");
        assertThat(v6.lower(d, 576, Integer.MAX_VALUE)).isTrue();
        assertThat(v6.mtu(d, 1500)).as("RFC 8201 4: never below 1280").isEqualTo(1280);
    }

    @Test
    void boundedTheOldestLearntGoesFirst() {
        for (int d = 1; d <= 5; d++) {
            now = d;
            cache.lower(v4(d), 1000 + d, 1500);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.mtu(v4(1), 1500)).isEqualTo(1500);
        assertThat(cache.mtu(v4(2), 1500)).isEqualTo(1500);
        assertThat(cache.mtu(v4(5), 1500)).isEqualTo(1005);
    }

    @Test
    void theFamiliesAddressesAreApart() {
        Ipv6Address mapped = Ipv6Address.parse("::ffff:10.0.0.7");
        cache.lower(v4(7), 1280, 1500);
        assertThat(cache.mtu(mapped, 1500)).as("an IPv4-mapped IPv6 address is another destination").isEqualTo(1500);
    }
}
