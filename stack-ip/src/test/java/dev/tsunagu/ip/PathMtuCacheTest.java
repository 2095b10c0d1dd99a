package dev.tsunagu.ip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link PathMtuCache}: lowers only, expires, stays bounded (RFC 1191 6.3). */
class PathMtuCacheTest {
    private static final long MINUTE = 60_000_000_000L;
    private final PathMtuCache cache = new PathMtuCache(3, 10 * MINUTE);

    @Test
    void aLearntMtuIsReportedBelowTheLinksUntilItExpires() {
        assertThat(cache.mtu(7, 1500, 0)).isEqualTo(1500);
        assertThat(cache.lower(7, 1280, 1500, 0)).isTrue();
        assertThat(cache.mtu(7, 1500, 0)).isEqualTo(1280);
        assertThat(cache.mtu(8, 1500, 0)).as("per destination").isEqualTo(1500);
        assertThat(cache.mtu(7, 1000, 0)).as("never above the route's own").isEqualTo(1000);
        assertThat(cache.mtu(7, 1500, 10 * MINUTE - 1)).isEqualTo(1280);
        assertThat(cache.mtu(7, 1500, 10 * MINUTE)).isEqualTo(1500);
        assertThat(cache.size()).isZero();
    }

    @Test
    void anErrorNeverRaisesIt() {
        cache.lower(7, 1280, 1500, 0);
        assertThat(cache.lower(7, 1400, 1500, 1)).isFalse();
        assertThat(cache.lower(7, 1280, 1500, 1)).isFalse();
        assertThat(cache.mtu(7, 1500, 1)).isEqualTo(1280);
        assertThat(cache.lower(7, 1000, 1500, 2)).isTrue();
        assertThat(cache.mtu(7, 1500, 2)).isEqualTo(1000);
        assertThat(cache.lower(9, 1500, 1500, 2)).as("not below the link").isFalse();
    }

    @Test
    void nothingBelowTheIpv4Minimum() {
        cache.lower(7, 10, 1500, 0);
        assertThat(cache.mtu(7, 1500, 0)).isEqualTo(PathMtuCache.IPV4_MIN_MTU);
    }

    @Test
    void boundedTheOldestLearntGoesFirst() {
        for (int d = 1; d <= 5; d++) {
            cache.lower(d, 1000 + d, 1500, d);
        }
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.mtu(1, 1500, 6)).isEqualTo(1500);
        assertThat(cache.mtu(2, 1500, 6)).isEqualTo(1500);
        assertThat(cache.mtu(5, 1500, 6)).isEqualTo(1005);
    }
}
