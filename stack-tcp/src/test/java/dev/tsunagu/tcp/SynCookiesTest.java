package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.net.IpAddress;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** {@link SynCookies} alone: the cookie's fields, its lifetime, the secret's rotation, the TSval bits. */
class SynCookiesTest {
    private static final IpAddress LOCAL = IpAddress.parse("10.0.0.2");
    private static final IpAddress REMOTE = IpAddress.parse("10.0.0.9");
    private static final long TICK = SynCookies.TICK_NANOS;

    /** A key source that counts its draws. */
    private static final class CountingKeys implements RandomGenerator {
        final SplittableRandom r = new SplittableRandom(7);
        int draws;

        @Override
        public long nextLong() {
            draws++;
            return r.nextLong();
        }
    }

    private final CountingKeys keys = new CountingKeys();
    private final SynCookies cookies = new SynCookies(keys);

    private int cookie(int peerIsn, int mssIndex, long now) {
        return cookies.cookie(LOCAL, 80, REMOTE, 40_000, peerIsn, mssIndex, now);
    }

    private int check(int peerIsn, int cookie, long now) {
        return cookies.check(LOCAL, 80, REMOTE, 40_000, peerIsn, cookie, now);
    }

    @Test
    void theMssIndexIsTheLargestTableEntryNotAboveTheOffer() {
        assertThat(SynCookies.MSS_TABLE[SynCookies.mssIndex(1460)]).isEqualTo(1460);
        assertThat(SynCookies.MSS_TABLE[SynCookies.mssIndex(1400)]).isEqualTo(1360);
        assertThat(SynCookies.MSS_TABLE[SynCookies.mssIndex(536)]).isEqualTo(536);
        assertThat(SynCookies.MSS_TABLE[SynCookies.mssIndex(9000)]).isEqualTo(8960);
        assertThat(SynCookies.MSS_TABLE[SynCookies.mssIndex(10)]).isEqualTo(64);
    }

    @Test
    void aCookieChecksForItsOwnConnectionAndCarriesItsMss() {
        long now = 5 * TICK + 123;
        for (int m = 0; m < SynCookies.MSS_TABLE.length; m++) {
            int c = cookie(0x1234_5678, m, now);
            assertThat(c >>> 27).as("t mod 32 in the top bits").isEqualTo(5);
            assertThat(check(0x1234_5678, c, now)).isEqualTo(m);
        }
        int c = cookie(0x1234_5678, 3, now);
        assertThat(check(0x1234_5679, c, now)).as("another peer ISN").isEqualTo(-1);
        assertThat(cookies.check(LOCAL, 80, REMOTE, 40_001, 0x1234_5678, c, now)).as("another port").isEqualTo(-1);
        assertThat(cookies.check(LOCAL, 80, IpAddress.parse("10.0.0.10"), 40_000, 0x1234_5678, c, now))
                .as("another address").isEqualTo(-1);
        assertThat(check(0x1234_5678, c ^ (1 << 24), now)).as("the MSS bits are covered by the MAC").isEqualTo(-1);
        assertThat(check(0x1234_5678, c ^ 1, now)).as("the MAC itself").isEqualTo(-1);
    }

    @Test
    void aCookieLivesTwoTicksAndNoMore() {
        long issued = 40 * TICK + TICK - 1; // the last instant of tick 40
        int c = cookie(1, 6, issued);
        assertThat(check(1, c, issued + 1)).as("next tick").isEqualTo(6);
        assertThat(check(1, c, 42 * TICK + TICK - 1)).as("two ticks on").isEqualTo(6);
        assertThat(check(1, c, 43 * TICK)).as("three ticks on: stale").isEqualTo(-1);
        assertThat(check(1, c, issued + 32 * TICK)).as("a whole t cycle later: stale, not valid again").isEqualTo(-1);
    }

    @Test
    void theSecretRotatesAndThePreviousOneChecksCookiesIssuedJustBefore() {
        long lastTickOfPeriod = (SynCookies.TICKS_PER_SECRET - 1) * TICK;
        int c = cookie(9, 2, lastTickOfPeriod);
        assertThat(keys.draws).as("drawn at first use").isEqualTo(2);
        long nextPeriod = SynCookies.TICKS_PER_SECRET * TICK;
        assertThat(check(9, c, nextPeriod)).as("issued under the previous secret, still young").isEqualTo(2);
        assertThat(keys.draws).as("a fresh secret for the new period").isEqualTo(4);
        // The same inputs at the same t mod 32 in a later period give another MAC: the secret changed.
        int later = cookie(9, 2, lastTickOfPeriod + 32 * TICK);
        assertThat(later >>> 27).isEqualTo(c >>> 27);
        assertThat(later).isNotEqualTo(c);
    }

    @Test
    void noSecretIsDrawnWithoutACookie() {
        assertThat(keys.draws).isZero();
    }

    @Test
    void theTimestampCarriesTheOptionsAndNeverRunsAhead() {
        int now = 0x1000_0005;
        int ts = SynCookies.encodeTimestamp(now, 7, true, true);
        assertThat(ts & 0x3F).isEqualTo(7 | 0x10 | 0x20);
        assertThat(ts).isLessThanOrEqualTo(now);
        assertThat(now - ts).isLessThan(64);
        assertThat(SynCookies.windowScaleOf(ts)).isEqualTo(7);
        assertThat(SynCookies.sackPermittedOf(ts)).isTrue();
        assertThat(SynCookies.ecnOf(ts)).isTrue();
        int none = SynCookies.encodeTimestamp(now, -1, false, false);
        assertThat(SynCookies.windowScaleOf(none)).isEqualTo(-1);
        assertThat(SynCookies.sackPermittedOf(none)).isFalse();
        assertThat(SynCookies.ecnOf(none)).isFalse();
        assertThat(SynCookies.windowScaleOf(0x0E)).isEqualTo(14);
        assertThat(SynCookies.windowScaleOf(0x0F)).isEqualTo(-1);
    }
}
