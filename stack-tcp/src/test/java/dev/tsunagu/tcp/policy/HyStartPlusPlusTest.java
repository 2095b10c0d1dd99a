package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.tcp.policy.CubicTest.Path;
import dev.tsunagu.tcp.policy.HyStartPlusPlus.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HyStart++ (RFC 9406) inside {@link Cubic}'s initial slow start, one test per rule, on the
 * virtual clock of {@link Path}: rounds of a window in flight, each ACK with an RTT sample.
 */
class HyStartPlusPlusTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** Slow start over {@code rounds} round trips of {@code rtt}; the window is then 4 × 2^rounds segments. */
    private static Path slowStart(Cubic cc, int rounds, long rtt) {
        Path path = new Path(cc, 0);
        for (int r = 0; r < rounds; r++) {
            path.round(rtt);
        }
        return path;
    }

    /** A round at {@code rtt} whose first {@code n} ACKs carry samples: enough (8) to decide, or not. */
    private static void round(Path path, long rtt, int n) {
        for (int i = (int) (path.inFlight() / MSS); i > 0; i--) {
            path.ack(rtt, n-- > 0 ? rtt : -1);
        }
    }

    @Test
    void aSteadyRttIsStandardSlowStart() {
        Cubic cc = new Cubic(MSS);
        slowStart(cc, 5, 100 * MS);
        assertThat(cc.congestionWindow()).as("doubling each round").isEqualTo(4L * 32 * MSS);
        assertThat(cc.hystartPhase()).isEqualTo(Phase.SLOW_START);
    }

    @ParameterizedTest(name = "base RTT {0} ms: {1} ms more is RttThresh (clamped to 4..16 ms)")
    @CsvSource({"100, 12.5", "20, 4", "200, 16"})
    void anRttIncreaseOfRttThreshEntersConservativeSlowStart(long baseMs, double threshMs) {
        long base = baseMs * MS;
        long thresh = (long) (threshMs * MS);
        Cubic below = new Cubic(MSS);
        slowStart(below, 3, base).round(base + thresh - MS / 2);
        assertThat(below.hystartPhase()).as("just under RttThresh").isEqualTo(Phase.SLOW_START);

        Cubic cc = new Cubic(MSS);
        Path path = slowStart(cc, 3, base);
        long cwnd = cc.congestionWindow();
        for (int i = 0; i < 8; i++) {
            path.ack(base + thresh, base + thresh);
        }
        assertThat(cc.hystartPhase()).isEqualTo(Phase.CSS);
        assertThat(cc.congestionWindow()).as("the eighth sample's ACK already grows by a quarter")
                .isEqualTo(cwnd + 7L * MSS + MSS / HyStartPlusPlus.CSS_GROWTH_DIVISOR);
        assertThat(cc.slowStartThreshold()).as("still slow start").isEqualTo(LossBasedControl.INITIAL_SSTHRESH);
    }

    @Test
    void fewerThanEightSamplesARoundDecideNothing() {
        Cubic cc = new Cubic(MSS);
        Path path = slowStart(cc, 3, 100 * MS);
        round(path, 200 * MS, HyStartPlusPlus.N_RTT_SAMPLE - 1);
        round(path, 300 * MS, HyStartPlusPlus.N_RTT_SAMPLE - 1);
        assertThat(cc.hystartPhase()).isEqualTo(Phase.SLOW_START);
    }

    @Test
    void cssGrowsAQuarterAsFastAndEndsInCongestionAvoidanceAfterFiveRounds() {
        Cubic cc = new Cubic(MSS);
        long rtt = 100 * MS;
        Path path = slowStart(cc, 3, rtt);
        path.round(rtt + 20 * MS); // enters CSS in this round: it counts as the first
        assertThat(cc.hystartPhase()).isEqualTo(Phase.CSS);
        for (int r = 2; r <= HyStartPlusPlus.CSS_ROUNDS; r++) {
            path.round(rtt + 20 * MS);
            assertThat(cc.hystartPhase()).as("CSS round %d", r).isEqualTo(Phase.CSS);
        }
        for (int acks = 0; cc.hystartPhase() == Phase.CSS; acks++) {
            assertThat(acks).as("CSS ends within its sixth round").isLessThan(1_000);
            path.ack(rtt + 20 * MS, rtt + 20 * MS);
        }
        assertThat(cc.hystartPhase()).isEqualTo(Phase.DONE);
        assertThat(cc.slowStartThreshold()).as("ssthresh = cwnd: congestion avoidance").isEqualTo(cc.congestionWindow());
        long ssthresh = cc.slowStartThreshold();
        path.round(rtt + 20 * MS);
        assertThat(cc.congestionWindow() - ssthresh).as("congestion avoidance grows slowly")
                .isLessThanOrEqualTo(2L * MSS);
    }

    @Test
    void anRttBackBelowTheBaselineWasASpuriousExit() {
        Cubic cc = new Cubic(MSS);
        long rtt = 100 * MS;
        Path path = slowStart(cc, 3, rtt);
        path.round(rtt + 20 * MS);
        assertThat(cc.hystartPhase()).isEqualTo(Phase.CSS);
        path.round(rtt);
        assertThat(cc.hystartPhase()).isEqualTo(Phase.SLOW_START);
        long before = cc.congestionWindow();
        path.ack(rtt, rtt);
        assertThat(cc.congestionWindow() - before).as("full slow-start growth again").isEqualTo(MSS);
    }

    @Test
    void aLossEndsHyStartAndTheLossResponseRules() {
        Cubic cc = new Cubic(MSS);
        Path path = slowStart(cc, 3, 100 * MS);
        path.round(120 * MS);
        assertThat(cc.hystartPhase()).isEqualTo(Phase.CSS);
        cc.onFastRetransmit(path.now, path.inFlight());
        assertThat(cc.hystartPhase()).isEqualTo(Phase.DONE);
        assertThat(cc.slowStartThreshold()).isEqualTo((long) (path.inFlight() * Cubic.BETA));
    }

    @Test
    void anUnpacedSenderGrowsAtMostEightSegmentsPerAck() {
        Cubic paced = new Cubic(MSS);
        Cubic unpaced = new Cubic(MSS, 0, true, false);
        paced.onAck(0, 20 * MSS, -1, 0);
        unpaced.onAck(0, 20 * MSS, -1, 0);
        assertThat(paced.congestionWindow()).isEqualTo(24 * MSS);
        assertThat(unpaced.congestionWindow()).isEqualTo((4 + HyStartPlusPlus.L_UNPACED) * MSS);
    }

    @Test
    void onlyTheInitialSlowStartUsesIt() {
        Cubic cc = new Cubic(MSS);
        Path path = slowStart(cc, 3, 100 * MS);
        cc.onRetransmissionTimeout(path.now, path.inFlight());
        Path again = new Path(cc, path.now + 1_000 * MS);
        again.round(100 * MS);
        again.round(100 * MS);
        again.round(200 * MS); // a delay jump that would be CSS in the initial slow start
        assertThat(cc.congestionWindow()).as("standard slow start up to ssthresh")
                .isGreaterThanOrEqualTo(Math.min(8L * MSS, cc.slowStartThreshold()));
        assertThat(cc.hystartPhase()).isEqualTo(Phase.DONE);
    }
}
