package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Cubic} alone, one test per rule of RFC 9438, on a virtual clock: a small model of a
 * sender ({@link Path}) keeps a window in flight and has each segment acknowledged one RTT after
 * it left, so the window's growth in time can be compared with the RFC's functions.
 */
class CubicTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;

    /** A sender that keeps cwnd in flight; each segment is acknowledged {@code rtt} after it left. */
    static final class Path {
        final LossBasedControl cc;
        long now;
        private final ArrayDeque<Long> sentAt = new ArrayDeque<>();

        Path(LossBasedControl cc, long now) {
            this.cc = cc;
            this.now = now;
            fill();
        }

        void fill() {
            while ((long) (sentAt.size() + 1) * cc.mss() <= cc.congestionWindow()) {
                sentAt.add(now);
            }
        }

        /** The next segment's ACK, with {@code sample} as its RTT sample (or -1). */
        void ack(long rtt, long sample) {
            long sent = sentAt.poll();
            now = Math.max(now, sent + rtt);
            cc.onAck(now, cc.mss(), sample, (long) sentAt.size() * cc.mss());
            fill();
        }

        /** One round trip: every segment now in flight is acknowledged, each with an RTT sample. */
        void round(long rtt) {
            for (int n = sentAt.size(); n > 0; n--) {
                ack(rtt, rtt);
            }
        }

        long inFlight() {
            return (long) sentAt.size() * cc.mss();
        }
    }

    private static double segments(LossBasedControl cc) {
        return (double) cc.congestionWindow() / cc.mss();
    }

    /** Grows a fresh controller in slow start (no RTT samples, so HyStart++ has no say) to {@code w} segments. */
    private static Cubic grownTo(Cubic cc, int w) {
        while (cc.congestionWindow() < (long) w * MSS) {
            cc.onAck(0, MSS, -1, 0);
        }
        assertThat(cc.congestionWindow()).isEqualTo((long) w * MSS);
        return cc;
    }

    /** A loss with {@code w} segments in flight, then its recovery ends: cwnd = ssthresh = 0.7 w. */
    private static void lossAndRecovery(Cubic cc, long now, int w) {
        for (int dup = 1; dup <= 3; dup++) {
            cc.onDuplicateAck(now, dup, (long) w * MSS);
        }
        cc.onFastRetransmit(now, (long) w * MSS);
        long ssthresh = cc.slowStartThreshold();
        cc.onAck(now, (long) w * MSS, -1, ssthresh - MSS);
        cc.onRecoveryEnd(now);
        assertThat(cc.congestionWindow()).isEqualTo(ssthresh);
    }

    // ---- 4.6: multiplicative decrease, beta_cubic = 0.7 ----

    @ParameterizedTest(name = "{0} bytes in flight: ssthresh {1}, cwnd {2} in recovery")
    @CsvSource({
        "100000, 70000, 73000",
        "10000,  7000,  10000",
        "2500,   2000,  5000", // never below 2 SMSS
    })
    void aLossSetsSsthreshToBetaTimesTheFlight(long flight, long ssthresh, long cwnd) {
        Cubic cc = grownTo(new Cubic(MSS), Math.max(4, (int) (flight / MSS) + 1));
        cc.onFastRetransmit(0, flight);
        assertThat(cc.slowStartThreshold()).isEqualTo(ssthresh);
        assertThat(cc.congestionWindow()).as("ssthresh + 3 SMSS, the duplicates").isEqualTo(cwnd);
        assertThat(cc.inRecovery()).isTrue();
        assertThat(Cubic.BETA).isEqualTo(0.7);
        assertThat(Cubic.ALPHA).isCloseTo(3 * 0.3 / 1.7, within(1e-12));
    }

    // ---- 4.2: W_cubic(t) and K ----

    @Test
    void kIsTheTimeTheCurveTakesBackToWmax() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        lossAndRecovery(cc, 0, 100);
        assertThat(segments(cc)).isEqualTo(70);
        cc.onAck(5_000 * MS, MSS, 100 * MS, 69 * MSS); // the epoch begins here
        assertThat(cc.wMax()).isEqualTo(100);
        assertThat(cc.k()).as("K = cbrt((W_max - cwnd_epoch) / C)").isCloseTo(Math.cbrt(30 / 0.4), within(1e-9));
        assertThat(cc.wCubic(0)).as("W_cubic(0) = cwnd_epoch").isCloseTo(70, within(1e-9));
        assertThat(cc.wCubic(cc.k())).as("W_cubic(K) = W_max").isCloseTo(100, within(1e-9));
        assertThat(cc.wCubic(cc.k() + 2)).as("convex beyond K").isCloseTo(100 + 0.4 * 8, within(1e-9));
    }

    @Test
    void theWindowFollowsTheCubicFunctionConcaveThenConvex() {
        // A long fat path (1,000 segments, 100 ms): K is 9 s, and W_est stays far below the curve.
        Cubic cc = grownTo(new Cubic(MSS), 1000);
        long rtt = 100 * MS;
        lossAndRecovery(cc, 0, 1000);
        Path path = new Path(cc, 0);
        path.round(rtt); // the first ACK starts the epoch
        long epoch = rtt;
        double k = cc.k();
        assertThat(k).isCloseTo(Math.cbrt(300 / 0.4), within(1e-9));
        double lastGap = Double.MAX_VALUE;
        while (path.now - epoch < (long) ((k + 2) * 1e9)) {
            path.round(rtt);
            double t = (path.now - epoch) / 1e9;
            double w = segments(cc);
            assertThat(cc.wEst()).as("the CUBIC region: W_est below W_cubic at t=%.1f", t).isLessThan(cc.wCubic(t));
            // cwnd is aimed at W_cubic one RTT ahead, approached over that RTT.
            assertThat(w).as("cwnd at t=%.2f s", t).isBetween(cc.wCubic(t) - 1.5, cc.wCubic(t + 0.1) + 1);
            if (t < k) {
                double gap = 1000 - w;
                assertThat(gap).as("concave: ever closer to W_max").isLessThanOrEqualTo(lastGap);
                lastGap = gap;
            }
        }
        assertThat(segments(cc)).as("K + 2 s: beyond W_max, convex").isGreaterThan(1003);
    }

    // ---- 4.3: the Reno-friendly region ----

    @Test
    void onAShortPathTheWindowIsRenosWithBetaCubic() {
        Cubic cc = grownTo(new Cubic(MSS), 20);
        long rtt = 10 * MS;
        lossAndRecovery(cc, 0, 20);
        Path path = new Path(cc, 0);
        path.round(rtt); // starts the epoch (W_est = 14), then grows by alpha per RTT
        for (int r = 1; r <= 10; r++) {
            path.round(rtt);
        }
        // W_cubic(0.1 s) is about 14.7; W_est after 11 rounds is 14 + 11 alpha.
        assertThat(cc.wCubic(0.11)).isLessThan(cc.wEst());
        assertThat(segments(cc)).as("cwnd = W_est").isCloseTo(cc.wEst(), within(1.0));
        assertThat(cc.wEst()).isCloseTo(14 + 11 * Cubic.ALPHA, within(0.6));
    }

    @Test
    void onceWestPassesTheWindowBeforeTheLossAlphaBecomesOne() {
        Cubic cc = grownTo(new Cubic(MSS), 20);
        long rtt = 10 * MS;
        lossAndRecovery(cc, 0, 20);
        Path path = new Path(cc, 0);
        while (cc.wEst() < 20) {
            path.round(rtt);
        }
        double before = cc.wEst();
        path.round(rtt);
        path.round(rtt);
        assertThat(cc.wEst() - before).as("two RTTs at alpha = 1").isCloseTo(2.0, within(0.2));
    }

    // ---- 4.7: fast convergence ----

    @ParameterizedTest(name = "fast convergence {0}: W_max {1}")
    @CsvSource({"true, 68", "false, 80"})
    void aLossBelowTheLastWmaxReleasesBandwidth(boolean fastConvergence, double wMax) {
        Cubic cc = grownTo(new Cubic(MSS, 0, fastConvergence, true), 100);
        lossAndRecovery(cc, 0, 100); // W_max 100, cwnd 70
        while (cc.congestionWindow() < 80 * MSS) {
            cc.onAck(1_000 * MS, MSS, -1, 70 * MSS);
        }
        long now = 1_000 * MS;
        double w = segments(cc);
        cc.onFastRetransmit(now, 80 * MSS);
        assertThat(cc.wMax()).isCloseTo(fastConvergence ? w * (1 + Cubic.BETA) / 2 : w, within(1e-9))
                .isCloseTo(wMax, within(0.1));
    }

    @Test
    void aLossAboveTheLastWmaxSetsItToTheWindow() {
        Cubic cc = grownTo(new Cubic(MSS), 50);
        lossAndRecovery(cc, 0, 50);
        assertThat(cc.wMax()).isEqualTo(50);
    }

    // ---- 4.8: the retransmission timeout ----

    @Test
    void aTimeoutCollapsesTheWindowAndSetsSsthreshByBeta() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        cc.onRetransmissionTimeout(0, 100 * MSS);
        assertThat(cc.congestionWindow()).isEqualTo(MSS);
        assertThat(cc.slowStartThreshold()).isEqualTo(70 * MSS);
        cc.onRetransmissionTimeout(1_000 * MS, MSS);
        assertThat(cc.slowStartThreshold()).as("the same data timing out again holds ssthresh").isEqualTo(70 * MSS);
    }

    @Test
    void afterATimeoutTheEpochStartsWithKZeroFromTheWindowThen() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        lossAndRecovery(cc, 0, 100); // an old W_max of 100 that the timeout must not use
        cc.onRetransmissionTimeout(0, 70 * MSS);
        assertThat(cc.slowStartThreshold()).isEqualTo(49 * MSS);
        while (cc.congestionWindow() < cc.slowStartThreshold()) {
            cc.onAck(1_000 * MS, MSS, -1, 0);
        }
        double w = segments(cc);
        cc.onAck(2_000 * MS, MSS, 100 * MS, 0);
        assertThat(cc.k()).isZero();
        assertThat(cc.wMax()).isEqualTo(w);
        assertThat(cc.wEst()).isGreaterThanOrEqualTo(w).isLessThan(w + 0.1);
    }

    // ---- shared mechanics, and the rest ----

    @Test
    void theRecoveryMechanicsAreNewRenos() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        cc.onFastRetransmit(0, 100 * MSS);
        cc.onDuplicateAck(0, 4, 100 * MSS);
        assertThat(cc.congestionWindow()).isEqualTo(74 * MSS);
        cc.onPartialAck(0, 10 * MSS, 90 * MSS);
        assertThat(cc.congestionWindow()).isEqualTo(65 * MSS);
        cc.onAck(0, 90 * MSS, -1, 3 * MSS);
        assertThat(cc.congestionWindow()).as("no growth in recovery").isEqualTo(65 * MSS);
        cc.onRecoveryEnd(0);
        assertThat(cc.congestionWindow()).isEqualTo(4 * MSS);
        assertThat(cc).hasToString("Cubic[cwnd=4000, ssthresh=70000, mss=1000]");
    }

    @Test
    void anMssChangeKeepsTheCurveInSegments() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        lossAndRecovery(cc, 0, 100);
        cc.onMssChanged(500);
        assertThat(cc.congestionWindow()).isEqualTo(35_000);
        assertThat(cc.wMax()).isEqualTo(100);
    }

    @Test
    void idleRestartBeginsANewEpoch() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        lossAndRecovery(cc, 0, 100);
        cc.onAck(1_000 * MS, MSS, 100 * MS, 69 * MSS);
        cc.onIdleRestart(60_000 * MS);
        assertThat(cc.congestionWindow()).isEqualTo(LossBasedControl.initialWindow(MSS));
        // Slow start back to ssthresh, then a new epoch whose t starts now, not a minute ago.
        while (cc.congestionWindow() < cc.slowStartThreshold()) {
            cc.onAck(60_100 * MS, MSS, -1, 0);
        }
        long before = cc.congestionWindow();
        cc.onAck(60_200 * MS, MSS, 100 * MS, 0);
        assertThat(cc.congestionWindow() - before).as("no minute-long jump along the curve").isLessThan(2 * MSS);
    }

    // ---- pacing (Linux's rule) ----

    @Test
    void thePacingRateIsAMultipleOfCwndOverSrtt() {
        Cubic cc = new Cubic(MSS);
        assertThat(cc.pacingRate()).as("no RTT yet").isZero();
        cc.onAck(0, MSS, 100 * MS, 0);
        assertThat(cc.pacingRate()).as("slow start: 2 x cwnd/srtt").isEqualTo(2 * 5_000 * 10);
        grownTo(cc, 100);
        lossAndRecovery(cc, 0, 100);
        assertThat(cc.pacingRate()).as("congestion avoidance: 1.2 x cwnd/srtt").isEqualTo(70_000 * 12);
        assertThat(new Cubic(MSS, 0, true, false).pacingRate()).isZero();
        Cubic unpaced = new Cubic(MSS, 0, true, false);
        unpaced.onAck(0, MSS, 100 * MS, 0);
        assertThat(unpaced.pacingRate()).isZero();
    }

    @Test
    void theInitialWindowOptionIsHonoured() {
        Cubic cc = new Cubic(MSS, 10, true, true);
        assertThat(cc.congestionWindow()).as("RFC 6928's IW10").isEqualTo(10L * MSS);
        grownTo(cc, 40);
        cc.onIdleRestart(0);
        assertThat(cc.congestionWindow()).isEqualTo(10L * MSS);
    }

    @Test
    void theProviderMakesCubic() {
        CubicProvider p = new CubicProvider();
        assertThat(p.name()).isEqualTo("cubic");
        assertThat(p.create(new PolicyDiscoveryTest.Context(1460))).isInstanceOf(Cubic.class)
                .extracting(c -> c.congestionWindow()).isEqualTo(4380L);
    }

    /** RFC 3168 6.1.2 through RFC 9438 4.6: an echo reduces by beta like a loss, with the curve restarted at the new W_max. */
    @Test
    void anEcnEchoReducesByBetaAndRestartsTheCurve() {
        Cubic cc = grownTo(new Cubic(MSS), 100);
        cc.onCongestionExperienced(0, 100L * MSS);
        assertThat(cc.slowStartThreshold()).isEqualTo(70L * MSS);
        assertThat(cc.congestionWindow()).isEqualTo(70L * MSS);
        assertThat(cc.inRecovery()).isFalse();
    }
}
