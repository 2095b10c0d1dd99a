package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** BBR's two filters, with time passed in: the windowed maximum (bandwidth, by rounds) and the min-RTT filter. */
class BbrFiltersTest {
    private static final long MS = 1_000_000L;

    @Test
    void theMaximumHoldsForTheWindowThenTheNextBestTakesOver() {
        WindowedMaxFilter f = new WindowedMaxFilter(10);
        assertThat(f.get()).isZero();
        assertThat(f.update(0, 100)).isEqualTo(100);
        for (long round = 1; round <= 10; round++) {
            assertThat(f.update(round, 60)).as("round %d: the peak of round 0 is still in the window", round).isEqualTo(100);
        }
        // Round 11: the peak is 11 rounds old, out of a 10-round window; what followed it is the maximum.
        assertThat(f.update(11, 60)).isEqualTo(60);
    }

    @Test
    void aHigherSampleReplacesAtOnceAndALowerPathIsFollowedWithinAWindow() {
        WindowedMaxFilter f = new WindowedMaxFilter(10);
        f.update(0, 100);
        assertThat(f.update(1, 150)).as("a new best at once").isEqualTo(150);
        // The path's bandwidth halves: the estimate falls to it no later than a window after the last peak.
        long round = 2;
        while (f.get() > 75 && round < 40) {
            f.update(round++, 75);
        }
        assertThat(f.get()).isEqualTo(75);
        assertThat(round - 1).as("the round the old peak left").isLessThanOrEqualTo(12);
    }

    @Test
    void theSecondBestIsKeptSoThatTheEstimateStepsDownNotToTheLatest() {
        WindowedMaxFilter f = new WindowedMaxFilter(10);
        f.update(0, 100);
        f.update(3, 90);  // a quarter of the window on: a second choice
        f.update(6, 80);  // half: a third
        for (long r = 7; r <= 10; r++) {
            f.update(r, 10);
        }
        assertThat(f.update(11, 10)).as("100 aged out; 90 (round 3) is the best of the window").isEqualTo(90);
    }

    @Test
    void aWindowMustBePositive() {
        assertThatThrownBy(() -> new WindowedMaxFilter(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theMinimumRttIsKeptUntilItExpiresThenAnySampleReplacesIt() {
        MinRttFilter f = new MinRttFilter(10_000 * MS);
        assertThat(f.get()).isEqualTo(-1);
        assertThat(f.expired(0)).as("nothing measured yet").isTrue();
        f.update(0, 50 * MS);
        f.update(1_000 * MS, 80 * MS);
        f.update(2_000 * MS, -1);
        assertThat(f.get()).as("the larger sample and no sample change nothing").isEqualTo(50 * MS);
        assertThat(f.stamp()).isZero();
        f.update(3_000 * MS, 50 * MS);
        assertThat(f.stamp()).as("an equal sample refreshes the stamp").isEqualTo(3_000 * MS);
        assertThat(f.expired(13_000 * MS)).isFalse();
        assertThat(f.expired(13_001 * MS)).isTrue();
        assertThat(f.update(13_001 * MS, 90 * MS)).as("reported expired").isTrue();
        assertThat(f.get()).as("a fresh sample replaces an expired minimum, even a larger one").isEqualTo(90 * MS);
        f.refresh(20_000 * MS);
        assertThat(f.expired(29_000 * MS)).isFalse();
    }
}
