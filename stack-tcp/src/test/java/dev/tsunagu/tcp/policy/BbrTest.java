package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tsunagu.policy.RateSample;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Bbr}'s state machine alone, on a virtual clock: rate samples made by hand (each a round
 * trip unless said otherwise), so each transition of draft-cardwell-iccrg-bbr-congestion-control
 * can be driven to its edge.
 */
class BbrTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    /** The path of most tests: 1 MB/s (8 Mbit/s), 100 ms: BDP 100 kB. */
    private static final long BW = 1_000_000;
    private static final long RTT = 100 * MS;
    private static final long BDP = 100_000;

    /** Feeds one {@link Bbr} samples; time and the delivered count move with them. */
    static final class Feed {
        final Bbr bbr = new Bbr(MSS, new SplittableRandom(7));
        long now;
        long delivered;

        /** A sample that ends a round trip (its segment left after the last round ended), an RTT and a millisecond on. */
        void round(long rate, long rtt, long inFlight) {
            sample(rate, rtt, inFlight, false, 0, true);
        }

        void sample(long rate, long rtt, long inFlight, boolean appLimited, long lost, boolean endsRound) {
            now += endsRound ? Math.max(rtt, 0) + MS : MS;
            long prior = endsRound ? delivered : 0;
            long newly = 10L * MSS;
            delivered += newly;
            bbr.onRateSample(now, new RateSample(rate, newly, rtt, prior, delivered, newly, lost, rtt, inFlight, appLimited));
        }

        /** STARTUP on a path of {@code bw}: doubling samples up to it, then flat ones until the pipe is full. */
        void startupTo(long bw) {
            for (long r = bw / 16; r < bw; r *= 2) {
                round(r, RTT, 2 * BDP);
            }
            while (!bbr.filledPipe()) {
                round(bw, RTT, 3 * BDP);
            }
        }

        /** Through DRAIN to PROBE_BW: the queue STARTUP made is gone. */
        void drain() {
            round(BW, RTT, BDP);
        }
    }

    @Test
    void startupPacesAtHighGainAndGrowsTheWindowByWhatIsDelivered() {
        Feed f = new Feed();
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.STARTUP);
        assertThat(f.bbr.congestionWindow()).as("the initial window, 10 segments").isEqualTo(10L * MSS);
        assertThat(f.bbr.pacingRate()).as("no rate before an RTT").isZero();
        f.bbr.onAck(0, MSS, RTT, 9L * MSS);
        assertThat(f.bbr.pacingRate()).as("2/ln2 x IW / RTT").isCloseTo((long) (Bbr.HIGH_GAIN * 10 * MSS / 0.1), within(2L));
        f.round(100_000, RTT, 10L * MSS);
        assertThat(f.bbr.congestionWindow()).isEqualTo(20L * MSS);
        assertThat(f.bbr.bottleneckBandwidth()).isEqualTo(100_000);
        assertThat(f.bbr.minRtt()).isEqualTo(RTT);
        f.round(2_000_000, RTT, 20L * MSS);
        assertThat(f.bbr.pacingRate()).as("gain x BtlBw less the 1% margin")
                .isEqualTo((long) (Bbr.HIGH_GAIN * 2_000_000 * 0.99));
    }

    @Test
    void threeRoundsWithoutTwentyFivePercentMoreBandwidthFillThePipeAndDrainFollows() {
        Feed f = new Feed();
        f.round(250_000, RTT, 2 * BDP);
        f.round(500_000, RTT, 2 * BDP);
        f.round(1_000_000, RTT, 2 * BDP);
        f.round(1_200_000, RTT, 3 * BDP); // +20%: not growth
        f.round(1_240_000, RTT, 3 * BDP);
        assertThat(f.bbr.state()).as("two flat rounds").isEqualTo(Bbr.State.STARTUP);
        f.round(1_240_000, RTT, 3 * BDP);
        assertThat(f.bbr.filledPipe()).isTrue();
        assertThat(f.bbr.state()).as("a queue of two BDPs to drain").isEqualTo(Bbr.State.DRAIN);
        assertThat(f.bbr.pacingGain()).isCloseTo(Bbr.DRAIN_GAIN, within(1e-9));
        f.round(1_240_000, RTT, 2 * BDP);
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.DRAIN);
        f.round(1_240_000, RTT, 124_000); // down to one BDP (1.24 MB/s x 100 ms)
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_BW);
    }

    @Test
    void applicationLimitedSamplesNeitherEndStartupNorLowerTheEstimate() {
        Feed f = new Feed();
        f.round(1_000_000, RTT, BDP);
        for (int i = 0; i < 5; i++) {
            f.sample(200_000, RTT, BDP / 10, true, 0, true);
        }
        assertThat(f.bbr.filledPipe()).as("the application, not the path, stopped growth").isFalse();
        assertThat(f.bbr.bottleneckBandwidth()).isEqualTo(1_000_000);
        f.sample(3_000_000, RTT, BDP, true, 0, true);
        assertThat(f.bbr.bottleneckBandwidth()).as("an application-limited sample above the estimate counts").isEqualTo(3_000_000);
    }

    @Test
    void probeBwCyclesItsGainsOneMinRttEachProbingUntilTheFlightIsUp() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_BW);
        assertThat(f.bbr.pacingGain()).as("a random phase, never the draining one first").isNotEqualTo(0.75);
        // Cruise until the probing phase comes round (at most 7 phases of one RTT each).
        for (int i = 0; i < 8 && f.bbr.pacingGain() != 1.25; i++) {
            f.round(BW, RTT, BDP);
        }
        assertThat(f.bbr.pacingGain()).isEqualTo(1.25);
        assertThat(f.bbr.pacingRate()).isEqualTo((long) (1.25 * BW * 0.99));
        f.round(BW, RTT, BDP);
        assertThat(f.bbr.pacingGain()).as("an RTT passed, but the flight has not reached 1.25 BDP").isEqualTo(1.25);
        f.round(BW, RTT, (long) (1.25 * BDP) + 10 * MSS);
        assertThat(f.bbr.pacingGain()).as("probed: drain what the probe queued").isEqualTo(0.75);
        f.sample(BW, RTT, BDP / 2, false, 0, false);
        assertThat(f.bbr.pacingGain()).as("the queue is gone before the RTT: cruise at once").isEqualTo(1.0);
        for (int i = 0; i < 6; i++) {
            assertThat(f.bbr.pacingGain()).isEqualTo(1.0);
            f.round(BW, RTT, BDP);
        }
        assertThat(f.bbr.pacingGain()).as("six cruising phases, then probe again").isEqualTo(1.25);
    }

    @Test
    void probingEndsEarlyOnLoss() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        for (int i = 0; i < 8 && f.bbr.pacingGain() != 1.25; i++) {
            f.round(BW, RTT, BDP);
        }
        f.sample(BW, RTT, BDP, false, MSS, true);
        assertThat(f.bbr.pacingGain()).isEqualTo(0.75);
    }

    @Test
    void inProbeBwTheWindowIsTwoBdpsPlusThreeSendQuanta() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        for (int i = 0; i < 40; i++) {
            f.round(BW, RTT, BDP);
        }
        long quanta = 3 * f.bbr.sendQuantum();
        long target = 2 * BDP + quanta + (f.bbr.pacingGain() == 1.25 ? 2L * MSS : 0);
        assertThat(f.bbr.congestionWindow()).isEqualTo(target);
        assertThat(f.bbr.sendQuantum()).as("two segments below 24 Mbit/s").isEqualTo(2L * MSS);
    }

    @Test
    void tenSecondsWithoutANewMinimumRttProbeItWithFourSegmentsForTwoHundredMillisecondsAndARound() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        long cwndBefore = f.bbr.congestionWindow();
        long stamp = f.now;
        while (f.now - stamp <= Bbr.MIN_RTT_WINDOW_NANOS - 2 * RTT) {
            f.round(BW, RTT + 20 * MS, BDP); // a queue: every RTT above the minimum
            assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_BW);
        }
        while (f.bbr.state() != Bbr.State.PROBE_RTT) {
            f.round(BW, RTT + 20 * MS, BDP);
        }
        assertThat(f.now - stamp).isGreaterThan(Bbr.MIN_RTT_WINDOW_NANOS);
        assertThat(f.bbr.congestionWindow()).isEqualTo(4L * MSS);
        assertThat(f.bbr.pacingGain()).isEqualTo(1.0);
        // The flight has to come down to four segments before the 200 ms start.
        f.sample(BW, RTT + 20 * MS, BDP / 2, false, 0, false);
        f.sample(BW, RTT, 4L * MSS, false, 0, false);
        long probeStart = f.now;
        assertThat(f.bbr.minRtt()).as("the sample on a drained queue is the new minimum").isEqualTo(RTT);
        f.sample(BW, RTT, 4L * MSS, false, 0, false);
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_RTT);
        f.round(BW, RTT, 4L * MSS); // a round ends, but 200 ms have not passed
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_RTT);
        f.round(BW, RTT, 4L * MSS);
        f.round(BW, RTT, 4L * MSS);
        assertThat(f.now - probeStart).isGreaterThan(Bbr.PROBE_RTT_NANOS);
        assertThat(f.bbr.state()).isEqualTo(Bbr.State.PROBE_BW);
        assertThat(f.bbr.congestionWindow()).as("the window from before, restored").isGreaterThanOrEqualTo(cwndBefore);
    }

    @Test
    void lossIsNoCongestionSignalButItsFirstRoundConservesPackets() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        for (int i = 0; i < 20; i++) {
            f.round(BW, RTT, BDP);
        }
        long cwnd = f.bbr.congestionWindow();
        long bw = f.bbr.bottleneckBandwidth();
        f.bbr.onFastRetransmit(f.now, cwnd);
        assertThat(f.bbr.inRecovery()).isTrue();
        assertThat(f.bbr.slowStartThreshold()).as("never reduced: the recovery window is cwnd").isGreaterThan(1L << 40);
        f.sample(BW, RTT, 60_000, false, MSS, false);
        assertThat(f.bbr.congestionWindow()).as("packet conservation: in flight + delivered").isEqualTo(70_000);
        f.sample(BW, RTT, 65_000, false, 0, false);
        assertThat(f.bbr.congestionWindow()).as("never below what is in flight + delivered").isEqualTo(75_000);
        assertThat(f.bbr.bottleneckBandwidth()).as("the model does not fall with loss (v1)").isEqualTo(bw);
        assertThat(f.bbr.pacingRate()).isEqualTo((long) (f.bbr.pacingGain() * bw * 0.99));
        f.bbr.onRecoveryEnd(f.now);
        assertThat(f.bbr.inRecovery()).isFalse();
        assertThat(f.bbr.congestionWindow()).as("the window from before recovery").isEqualTo(cwnd);
    }

    @Test
    void aTimeoutLeavesOneSegmentUntilARoundOfWhatFollowsIsDelivered() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        long cwnd = f.bbr.congestionWindow();
        f.bbr.onRetransmissionTimeout(f.now, cwnd);
        assertThat(f.bbr.congestionWindow()).isEqualTo(MSS);
        f.sample(BW, -1, 0, false, MSS, false); // delivered, but sent before the timeout
        assertThat(f.bbr.congestionWindow()).as("grows by what is delivered, not restored").isLessThan(cwnd);
        f.round(BW, RTT, 0);
        assertThat(f.bbr.congestionWindow()).isGreaterThanOrEqualTo(cwnd);
    }

    @Test
    void ecnEchoesAndDuplicateAcksChangeNothingInVersionOne() {
        Feed f = new Feed();
        f.startupTo(BW);
        f.drain();
        long cwnd = f.bbr.congestionWindow();
        long rate = f.bbr.pacingRate();
        f.bbr.onCongestionExperienced(f.now, cwnd);
        f.bbr.onDuplicateAck(f.now, 1, cwnd);
        assertThat(f.bbr.congestionWindow()).isEqualTo(cwnd);
        assertThat(f.bbr.pacingRate()).isEqualTo(rate);
        assertThat(f.bbr.inRecovery()).isFalse();
    }

    @Test
    void theWindowNeverFallsBelowFourSegmentsAndFollowsTheMss() {
        Feed f = new Feed();
        f.round(10_000, RTT, MSS); // a slow path: BDP 1 kB
        for (int i = 0; i < 10; i++) {
            f.round(10_000, RTT, MSS);
        }
        assertThat(f.bbr.congestionWindow()).isGreaterThanOrEqualTo(4L * MSS);
        f.bbr.onMssChanged(2000);
        assertThat(f.bbr.congestionWindow()).isGreaterThanOrEqualTo(8000);
        assertThat(f.bbr.wantsRateSamples()).isTrue();
    }
}
