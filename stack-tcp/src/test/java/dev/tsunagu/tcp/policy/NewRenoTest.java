package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link NewReno} alone, against RFC 5681 and RFC 6582: the events a sender would report, the
 * windows that must follow. Times are plain numbers (NewReno ignores them).
 */
class NewRenoTest {
    private static final long NOW = 1_000_000_000L;

    /** One round trip: a full window sent, then acknowledged segment by segment (the last may be short). */
    private static void ackOneWindow(NewReno cc) {
        long inFlight = cc.congestionWindow();
        while (inFlight > 0) {
            long acked = Math.min(inFlight, cc.mss());
            inFlight -= acked;
            cc.onAck(NOW, acked, -1, inFlight);
        }
    }

    /** A controller in fast recovery, entered with {@code flight} bytes outstanding. */
    private static NewReno inRecovery(int mss, long flight) {
        NewReno cc = new NewReno(mss);
        for (int dup = 1; dup <= 3; dup++) {
            cc.onDuplicateAck(NOW, dup, flight);
        }
        cc.onFastRetransmit(NOW, flight);
        return cc;
    }

    /** A controller in congestion avoidance with cwnd = ssthresh = {@code window}. */
    private static NewReno inCongestionAvoidance(int mss, long window) {
        NewReno cc = inRecovery(mss, 2 * window);
        cc.onAck(NOW, 2 * window, -1, window);
        cc.onRecoveryEnd(NOW);
        assertThat(cc.congestionWindow()).isEqualTo(cc.slowStartThreshold()).isEqualTo(window);
        return cc;
    }

    // ---- RFC 5681 3.1: initial window and ssthresh ----

    @ParameterizedTest(name = "SMSS {0}: IW = {1} segments = {2} bytes")
    @CsvSource({
        "536,  4, 2144",
        "1095, 4, 4380",
        "1096, 3, 3288",
        "1460, 3, 4380",
        "2190, 3, 6570",
        "2191, 2, 4382",
        "8960, 2, 17920",
    })
    void initialWindowIsRfc5681Equation1(int mss, int segments, long bytes) {
        NewReno cc = new NewReno(mss);
        assertThat(bytes).isEqualTo((long) segments * mss);
        assertThat(NewReno.initialWindow(mss)).isEqualTo(bytes);
        assertThat(cc.congestionWindow()).isEqualTo(bytes);
        assertThat(cc.slowStartThreshold()).as("arbitrarily high").isEqualTo(NewReno.INITIAL_SSTHRESH);
        assertThat(cc.inRecovery()).isFalse();
    }

    @Test
    void anInitialWindowInSegmentsIsRfc6928s() {
        NewReno cc = new NewReno(1000, 10);
        assertThat(cc.congestionWindow()).isEqualTo(10_000);
        cc.onMssChanged(1460); // still the initial window: it follows the MSS
        assertThat(cc.congestionWindow()).isEqualTo(14_600);
        cc.onAck(NOW, 14_600, -1, 14_600); // slow start: +1 segment per segment acknowledged (appropriate byte counting)
        assertThat(cc.congestionWindow()).isGreaterThan(14_600);
        cc.onIdleRestart(NOW);
        assertThat(cc.congestionWindow()).as("restart window: min(cwnd, IW)").isEqualTo(14_600);
        assertThatThrownBy(() -> new NewReno(1000, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new NewReno(1000, 0).congestionWindow()).as("0: RFC 3390's rule").isEqualTo(NewReno.initialWindow(1000));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void aNonPositiveMssIsRefused(int mss) {
        assertThatThrownBy(() -> new NewReno(mss)).isInstanceOf(IllegalArgumentException.class);
        NewReno cc = new NewReno(1460);
        assertThatThrownBy(() -> cc.onMssChanged(mss)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- slow start ----

    @ParameterizedTest(name = "SMSS {0}")
    @ValueSource(ints = {536, 1460, 2190, 8960})
    void slowStartDoublesTheWindowEachRoundTripOfAcks(int mss) {
        NewReno cc = new NewReno(mss);
        long cwnd = NewReno.initialWindow(mss);
        for (int rtt = 1; rtt <= 8; rtt++) {
            ackOneWindow(cc);
            cwnd *= 2;
            assertThat(cc.congestionWindow()).as("after round trip %d", rtt).isEqualTo(cwnd);
        }
        assertThat(cc.slowStartThreshold()).isEqualTo(NewReno.INITIAL_SSTHRESH);
    }

    @ParameterizedTest(name = "an ACK of {0} bytes grows cwnd by {1}")
    @CsvSource({
        "1,    1",
        "100,  100",
        "1459, 1459",
        "1460, 1460",
        "2920, 1460", // a delayed ACK of two segments: RFC 3465 with L = 1 SMSS
        "14600, 1460", // a stretch ACK
    })
    void slowStartCountsBytesUpToOneSmssPerAck(long acked, long growth) {
        NewReno cc = new NewReno(1460);
        cc.onAck(NOW, acked, 10_000_000, 0);
        assertThat(cc.congestionWindow()).isEqualTo(4380 + growth);
    }

    @Test
    void anAckOfNothingChangesNothing() {
        NewReno cc = new NewReno(1460);
        cc.onAck(NOW, 0, -1, 4380);
        assertThat(cc.congestionWindow()).isEqualTo(4380);
    }

    // ---- congestion avoidance ----

    @ParameterizedTest(name = "SMSS {0}, cwnd {1} segments")
    @CsvSource({
        "536,  10",
        "1460, 10",
        "1460, 40",
        "1460, 100",
        "8960, 20",
    })
    void congestionAvoidanceGrowsAboutOneSmssPerRoundTrip(int mss, int segments) {
        NewReno cc = inCongestionAvoidance(mss, (long) segments * mss);
        for (int rtt = 1; rtt <= 5; rtt++) {
            long before = cc.congestionWindow();
            ackOneWindow(cc);
            assertThat(cc.congestionWindow() - before).as("round trip %d", rtt)
                    .isBetween((long) mss * 9 / 10, (long) mss);
        }
    }

    @ParameterizedTest(name = "SMSS {0}, cwnd {1}: +{2}")
    @CsvSource({
        "1460, 14600, 146", // SMSS*SMSS/cwnd
        "1460, 29200, 73",
        "1000, 3000, 333", // rounded down
        "2, 100, 1", // 4/100 rounds to 0: at least one byte
    })
    void congestionAvoidanceAddsSmssSquaredOverCwndPerAck(int mss, long cwnd, long growth) {
        NewReno cc = inCongestionAvoidance(mss, cwnd);
        cc.onAck(NOW, mss, -1, cwnd - mss);
        assertThat(cc.congestionWindow()).isEqualTo(cwnd + growth);
    }

    // ---- RFC 5681 3.2: fast retransmit ----

    @ParameterizedTest(name = "SMSS {0}, {1} in flight: ssthresh {2}, cwnd {3}")
    @CsvSource({
        "1460, 29200, 14600, 18980", // FlightSize/2, + 3 SMSS
        "1460, 14601, 7300,  11680", // rounded down
        "1460, 5840,  2920,  7300", // 2 SMSS is the floor
        "1460, 1460,  2920,  7300",
        "536,  53600, 26800, 28408",
        "8960, 89600, 44800, 71680",
    })
    void fastRetransmitHalvesTheFlightAndInflatesByThreeSegments(int mss, long flight, long ssthresh, long cwnd) {
        NewReno cc = inRecovery(mss, flight);
        assertThat(cc.inRecovery()).isTrue();
        assertThat(cc.slowStartThreshold()).isEqualTo(ssthresh);
        assertThat(cc.congestionWindow()).isEqualTo(cwnd);
        assertThat(cc).hasToString("NewReno[cwnd=" + cwnd + ", ssthresh=" + ssthresh + ", mss=" + mss + ", recovery]");
    }

    @Test
    void theWindowIsReducedOncePerRecovery() {
        NewReno cc = inRecovery(1460, 29200);
        cc.onFastRetransmit(NOW, 10_000);
        assertThat(cc.slowStartThreshold()).isEqualTo(14600);
        assertThat(cc.congestionWindow()).isEqualTo(18980);
    }

    @Test
    void duplicateAcksInflateOnlyInRecovery() {
        NewReno cc = new NewReno(1460);
        cc.onDuplicateAck(NOW, 1, 4380);
        cc.onDuplicateAck(NOW, 2, 4380);
        assertThat(cc.congestionWindow()).as("before recovery: limited transmit is the sender's").isEqualTo(4380);

        cc = inRecovery(1460, 29200);
        for (int dup = 4; dup <= 10; dup++) {
            cc.onDuplicateAck(NOW, dup, 29200);
            assertThat(cc.congestionWindow()).isEqualTo(18980 + (dup - 3) * 1460L);
        }
        assertThat(cc.slowStartThreshold()).isEqualTo(14600);
    }

    @Test
    void anAckInRecoveryChangesNothing() {
        NewReno cc = inRecovery(1460, 29200);
        cc.onAck(NOW, 1460, -1, 27740);
        assertThat(cc.congestionWindow()).isEqualTo(18980);
        assertThat(cc.inRecovery()).isTrue();
    }

    // ---- RFC 6582 3.2 step 5: partial ACKs ----

    @ParameterizedTest(name = "cwnd {0}, partial ACK of {1}: cwnd {2}")
    @CsvSource({
        "18980, 1460,  18980", // deflate by 1 SMSS, add 1 SMSS back
        "18980, 2920,  17520",
        "18980, 14600, 5840",
        "18980, 1000,  17980", // less than one SMSS acknowledged: nothing added back
        "18980, 1459,  17521",
        "18980, 18980, 1460", // deflated to the floor
        "18980, 40000, 1460", // never below one SMSS
    })
    void partialAckDeflatesByWhatWasAcknowledged(long cwnd, long acked, long after) {
        NewReno cc = inRecovery(1460, 29200);
        assertThat(cc.congestionWindow()).isEqualTo(cwnd);
        cc.onPartialAck(NOW, acked, 29200 - acked);
        assertThat(cc.congestionWindow()).isEqualTo(after);
        assertThat(cc.inRecovery()).isTrue();
        assertThat(cc.slowStartThreshold()).isEqualTo(14600);
    }

    @Test
    void partialAcksAndDuplicatesCombine() {
        NewReno cc = inRecovery(1460, 29200); // 18980
        cc.onDuplicateAck(NOW, 4, 29200); // 20440
        cc.onPartialAck(NOW, 4380, 24820); // 17520
        cc.onDuplicateAck(NOW, 1, 24820); // 18980
        cc.onPartialAck(NOW, 1460, 23360); // 18980
        assertThat(cc.congestionWindow()).isEqualTo(18980);
    }

    @Test
    void aPartialAckOutsideRecoveryChangesNothing() {
        NewReno cc = new NewReno(1460);
        cc.onPartialAck(NOW, 1460, 2920);
        assertThat(cc.congestionWindow()).isEqualTo(4380);
    }

    // ---- RFC 6582 3.2 step 3: the full ACK ----

    @ParameterizedTest(name = "{0} in flight at the full ACK: cwnd {1}")
    @CsvSource({
        "0,     2920", // min(ssthresh, max(FlightSize, SMSS) + SMSS): no burst
        "1000,  2920",
        "1460,  2920",
        "5840,  7300",
        "13140, 14600",
        "14600, 14600", // ssthresh caps it
        "20000, 14600",
    })
    void recoveryEndsWithAtMostSsthresh(long flight, long cwnd) {
        NewReno cc = inRecovery(1460, 29200);
        cc.onAck(NOW, 29200 - flight, -1, flight);
        cc.onRecoveryEnd(NOW);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.congestionWindow()).isEqualTo(cwnd);
        assertThat(cc.slowStartThreshold()).isEqualTo(14600);
    }

    @Test
    void afterRecoveryTheWindowGrowsAgain() {
        NewReno cc = inRecovery(1460, 29200);
        cc.onAck(NOW, 23360, -1, 5840);
        cc.onRecoveryEnd(NOW); // 7300 < ssthresh 14600: slow start
        cc.onAck(NOW, 1460, -1, 4380);
        assertThat(cc.congestionWindow()).isEqualTo(8760);
        cc.onRecoveryEnd(NOW);
        assertThat(cc.congestionWindow()).as("not in recovery: nothing to end").isEqualTo(8760);
    }

    // ---- RFC 5681 3.1: the retransmission timer ----

    @ParameterizedTest(name = "{0} in flight: ssthresh {1}")
    @CsvSource({
        "29200, 14600",
        "5840,  2920",
        "1460,  2920",
        "0,     2920",
    })
    void aTimeoutCollapsesToTheLossWindow(long flight, long ssthresh) {
        NewReno cc = new NewReno(1460);
        for (int i = 0; i < 3; i++) {
            ackOneWindow(cc);
        }
        cc.onRetransmissionTimeout(NOW, flight);
        assertThat(cc.congestionWindow()).isEqualTo(1460);
        assertThat(cc.slowStartThreshold()).isEqualTo(ssthresh);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc).hasToString("NewReno[cwnd=1460, ssthresh=" + ssthresh + ", mss=1460]");
    }

    @Test
    void aTimeoutInRecoveryLeavesRecovery() {
        NewReno cc = inRecovery(1460, 29200);
        cc.onRetransmissionTimeout(NOW, 20000);
        assertThat(cc.inRecovery()).isFalse();
        assertThat(cc.congestionWindow()).isEqualTo(1460);
        assertThat(cc.slowStartThreshold()).isEqualTo(10000);
    }

    @Test
    void theSameSegmentTimingOutAgainHoldsSsthresh() {
        NewReno cc = new NewReno(1460);
        cc.onRetransmissionTimeout(NOW, 29200);
        cc.onRetransmissionTimeout(NOW, 1460);
        assertThat(cc.slowStartThreshold()).as("RFC 5681 3.1: held constant").isEqualTo(14600);
        assertThat(cc.congestionWindow()).isEqualTo(1460);

        cc.onAck(NOW, 1460, -1, 0); // new data acknowledged: a later timeout is a new loss
        assertThat(cc.congestionWindow()).as("slow start again").isEqualTo(2920);
        cc.onRetransmissionTimeout(NOW, 2920);
        assertThat(cc.slowStartThreshold()).isEqualTo(2920);
    }

    @Test
    void slowStartAfterATimeoutHandsOverToCongestionAvoidanceAtSsthresh() {
        NewReno cc = new NewReno(1460);
        cc.onRetransmissionTimeout(NOW, 11680); // ssthresh 5840
        long inFlight = 0;
        cc.onAck(NOW, 1460, -1, inFlight); // 2920
        cc.onAck(NOW, 1460, -1, inFlight); // 4380
        cc.onAck(NOW, 1460, -1, inFlight); // 5840 = ssthresh
        assertThat(cc.congestionWindow()).isEqualTo(5840);
        cc.onAck(NOW, 1460, -1, inFlight);
        assertThat(cc.congestionWindow()).as("congestion avoidance: +SMSS*SMSS/cwnd").isEqualTo(5840 + 365);
    }

    // ---- RFC 5681 4.1: restart after idle ----

    @ParameterizedTest(name = "SMSS {0}")
    @ValueSource(ints = {536, 1460, 8960})
    void idleRestartFallsBackToTheInitialWindow(int mss) {
        NewReno cc = new NewReno(mss);
        ackOneWindow(cc);
        ackOneWindow(cc);
        cc.onIdleRestart(NOW);
        assertThat(cc.congestionWindow()).isEqualTo(NewReno.initialWindow(mss));
        assertThat(cc.slowStartThreshold()).isEqualTo(NewReno.INITIAL_SSTHRESH);
    }

    @Test
    void idleRestartNeverGrowsTheWindow() {
        NewReno cc = new NewReno(1460);
        cc.onRetransmissionTimeout(NOW, 29200);
        cc.onIdleRestart(NOW);
        assertThat(cc.congestionWindow()).isEqualTo(1460);
    }

    // ---- MSS changes ----

    @Test
    void anMssChangeBeforeAnyAckRecomputesTheInitialWindow() {
        NewReno cc = new NewReno(536);
        cc.onSent(NOW, 536, 536);
        cc.onMssChanged(1460);
        assertThat(cc.mss()).isEqualTo(1460);
        assertThat(cc.congestionWindow()).isEqualTo(4380);
        assertThat(cc.slowStartThreshold()).isEqualTo(NewReno.INITIAL_SSTHRESH);
    }

    @ParameterizedTest(name = "SMSS 1460 -> {0}: cwnd {1}, ssthresh {2}")
    @CsvSource({
        "1460, 18980, 14600",
        "1200, 15600, 12000", // same segment counts: 13 and 10
        "536,  6968,  5360",
        "8960, 116480, 89600",
    })
    void anMssChangeLaterKeepsTheSegmentCounts(int newMss, long cwnd, long ssthresh) {
        NewReno cc = inRecovery(1460, 29200); // cwnd 13 segments, ssthresh 10
        cc.onMssChanged(newMss);
        assertThat(cc.congestionWindow()).isEqualTo(cwnd);
        assertThat(cc.slowStartThreshold()).isEqualTo(ssthresh);
    }

    @Test
    void anMssChangeScalesTheLossWindowToo() {
        NewReno cc = new NewReno(1000);
        cc.onRetransmissionTimeout(NOW, 0); // cwnd 1000, ssthresh 2000
        cc.onMssChanged(999);
        assertThat(cc.congestionWindow()).isEqualTo(999);
        assertThat(cc.slowStartThreshold()).isEqualTo(1998);
        cc.onMssChanged(1500);
        assertThat(cc.congestionWindow()).isEqualTo(1500);
        assertThat(cc.slowStartThreshold()).isEqualTo(3000);
    }

    @Test
    void toStringShowsTheWindows() {
        assertThat(new NewReno(1460)).hasToString("NewReno[cwnd=4380, ssthresh=initial, mss=1460]");
    }

    // ---- RFC 3168 6.1.2: the response to an ECN echo ----

    @Test
    void rfc3168_anEcnEchoHalvesLikeALossButEntersNoRecovery() {
        NewReno cc = new NewReno(1000);
        while (cc.congestionWindow() < 20_000) {
            cc.onAck(NOW, 1000, -1, 0);
        }
        cc.onCongestionExperienced(NOW, 20_000);
        assertThat(cc.slowStartThreshold()).isEqualTo(10_000);
        assertThat(cc.congestionWindow()).as("at ssthresh at once: nothing to resend, no inflation").isEqualTo(10_000);
        assertThat(cc.inRecovery()).isFalse();
        cc.onAck(NOW, 1000, -1, 9_000);
        assertThat(cc.congestionWindow()).as("congestion avoidance from there").isEqualTo(10_000 + 1000 * 1000 / 10_000);
    }

    @Test
    void rfc3168_anEcnEchoInRecoveryChangesNothing() {
        NewReno cc = inRecovery(1000, 20_000);
        long cwnd = cc.congestionWindow();
        long ssthresh = cc.slowStartThreshold();
        cc.onCongestionExperienced(NOW, 20_000);
        assertThat(cc.congestionWindow()).isEqualTo(cwnd);
        assertThat(cc.slowStartThreshold()).isEqualTo(ssthresh);
    }

    /** A controller written before ECN gets the interface's default: recovery entered and left at once. */
    @Test
    void rfc3168_theDefaultResponseOfAnOlderControllerIsALossWithoutRecovery() {
        NewReno inner = new NewReno(1000);
        while (inner.congestionWindow() < 20_000) {
            inner.onAck(NOW, 1000, -1, 0);
        }
        dev.tsunagu.policy.CongestionControl legacy = new dev.tsunagu.policy.CongestionControl() {
            public long congestionWindow() { return inner.congestionWindow(); }
            public long slowStartThreshold() { return inner.slowStartThreshold(); }
            public void onAck(long now, long acked, long rtt, long flight) { inner.onAck(now, acked, rtt, flight); }
            public void onFastRetransmit(long now, long flight) { inner.onFastRetransmit(now, flight); }
            public void onRecoveryEnd(long now) { inner.onRecoveryEnd(now); }
            public void onRetransmissionTimeout(long now, long flight) { inner.onRetransmissionTimeout(now, flight); }
            public boolean inRecovery() { return inner.inRecovery(); }
        };
        legacy.onCongestionExperienced(NOW, 20_000);
        assertThat(legacy.inRecovery()).isFalse();
        assertThat(legacy.slowStartThreshold()).isEqualTo(10_000);
        assertThat(legacy.congestionWindow()).isEqualTo(10_000);
    }
}
