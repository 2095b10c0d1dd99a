package dev.tsunagu.tcp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Window growth with segmentation offload (issue #15): the sender hands the device segments of
 * many SMSS and the receiver acknowledges each with one ACK. For the same bytes acknowledged the
 * window must grow as it does without offload, where the same bytes leave in SMSS-sized segments
 * with an ACK each: in slow start (RFC 5681 eq. 2 / RFC 3465's L, RFC 9406's L) and in
 * congestion avoidance (byte counting). A model sender on a virtual clock: each round trip it
 * sends the window (whole SMSS) in segments of at most its send unit, and each segment is
 * acknowledged by its own ACK one RTT later.
 */
class SegmentationOffloadGrowthTest {
    private static final int MSS = 1000;
    /** The TCP payload of a 64 KiB IPv4 packet with the largest TCP header, as TcpConnection computes it. */
    private static final int SEGMENTATION_LIMIT = 65535 - 20 - 60;
    private static final long RTT = 10_000_000L;

    /** One round trip at {@code now}: the window in segments of at most {@code unit}, one ACK per segment. */
    private static void round(LossBasedControl cc, long unit, long now) {
        long window = cc.congestionWindow() / MSS * MSS;
        List<Long> segments = new ArrayList<>();
        for (long left = window; left > 0; left -= Math.min(unit, left)) {
            segments.add(Math.min(unit, left));
        }
        long inFlight = window;
        for (long s : segments) {
            inFlight -= s;
            cc.onAck(now, s, -1, inFlight);
        }
    }

    /** The windows after each of {@code rounds} round trips, with or without offload. */
    private static List<Long> windows(Supplier<LossBasedControl> make, boolean offload, int rounds, long start) {
        LossBasedControl cc = make.get();
        if (offload) {
            cc.onSegmentationOffload(SEGMENTATION_LIMIT);
        }
        List<Long> w = new ArrayList<>();
        long now = start;
        for (int r = 0; r < rounds; r++) {
            now += RTT;
            round(cc, offload ? cc.sendUnit() : MSS, now);
            w.add(cc.congestionWindow());
        }
        return w;
    }

    @Test
    void theSendUnitIsTheLargestOffloadedSegmentInWholeSmss() {
        NewReno cc = new NewReno(1448);
        assertThat(cc.sendUnit()).as("no offload: one SMSS").isEqualTo(1448);
        cc.onSegmentationOffload(SEGMENTATION_LIMIT);
        assertThat(cc.sendUnit()).isEqualTo(45 * 1448L);
        cc.onMssChanged(1000);
        assertThat(cc.sendUnit()).as("follows the MSS").isEqualTo(65 * 1000L);
        cc.onSegmentationOffload(500);
        assertThat(cc.sendUnit()).as("never below one SMSS").isEqualTo(1000);
    }

    @Test
    void newRenoSlowStartDoublesPerRoundTripWithOffloadAsWithout() {
        List<Long> without = windows(() -> new NewReno(MSS, 10), false, 7, 0);
        List<Long> with = windows(() -> new NewReno(MSS, 10), true, 7, 0);
        assertThat(without).containsExactly(20_000L, 40_000L, 80_000L, 160_000L, 320_000L, 640_000L, 1_280_000L);
        assertThat(with).as("an ACK of one offloaded segment grows cwnd by the segment, not by one SMSS").isEqualTo(without);
    }

    @Test
    void cubicSlowStartUnpacedDoublesPerRoundTripWithOffloadAsWithout() {
        // Unpaced, HyStart++ limits growth to L = 8 segments per ACK: SMSS without offload,
        // the offloaded segment with it (else an ACK of 45 SMSS would grow cwnd by 8).
        Supplier<LossBasedControl> cubic = () -> new Cubic(MSS, 10, true, false);
        List<Long> without = windows(cubic, false, 7, 0);
        List<Long> with = windows(cubic, true, 7, 0);
        assertThat(without).containsExactly(20_000L, 40_000L, 80_000L, 160_000L, 320_000L, 640_000L, 1_280_000L);
        assertThat(with).isEqualTo(without);
    }

    @Test
    void aStretchAckBeyondOneOffloadedSegmentStillCountsAtMostOneInSlowStart() {
        NewReno cc = new NewReno(MSS, 10);
        cc.onSegmentationOffload(SEGMENTATION_LIMIT);
        cc.onAck(0, 3 * cc.sendUnit(), -1, 0);
        assertThat(cc.congestionWindow()).as("RFC 5681 eq. 2 with L = one of the sender's segments")
                .isEqualTo(10_000 + cc.sendUnit());
    }

    /** A controller after a recovery entered with {@code flight} outstanding and left with {@code window}. */
    private static LossBasedControl afterRecovery(LossBasedControl cc, long flight, long window) {
        cc.onFastRetransmit(0, flight);
        cc.onAck(0, flight - window, -1, window);
        cc.onRecoveryEnd(0);
        return cc;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"NewReno", "Cubic"})
    void aLaterSlowStartStopsAtSsthreshWhateverTheAckCovers(String name) {
        // After a loss, slow start runs to ssthresh; an ACK of a whole offloaded segment must not
        // carry cwnd past it (an SMSS-sized one could not have), as Linux's tcp_slow_start.
        LossBasedControl cc = name.equals("NewReno") ? new NewReno(MSS) : new Cubic(MSS, 10, true, false);
        cc.onSegmentationOffload(SEGMENTATION_LIMIT);
        afterRecovery(cc, 200_000, 10_000);
        long ssthresh = cc.slowStartThreshold();
        assertThat(cc.congestionWindow()).isLessThan(ssthresh - cc.sendUnit() / 2);
        cc.onAck(0, cc.sendUnit(), -1, 0);
        cc.onAck(0, cc.sendUnit(), -1, 0);
        assertThat(cc.congestionWindow()).isEqualTo(ssthresh);
    }

    @ParameterizedTest(name = "NewReno at {0} SMSS")
    @CsvSource({"20", "90"})
    void newRenoCongestionAvoidanceGrowsOneSmssPerRoundTripWithOffloadAsWithout(int segments) {
        long window = (long) segments * MSS;
        Supplier<LossBasedControl> reno = () -> afterRecovery(new NewReno(MSS), 2 * window, window);
        List<Long> without = windows(reno, false, 5, 0);
        List<Long> with = windows(reno, true, 5, 0);
        for (int r = 0; r < 5; r++) {
            // Byte counting: the same bytes grow cwnd about one SMSS per round trip whether 1 or
            // 65 SMSS come per ACK (ACK counting grew it 1/65 as much with offload). Within the
            // rounding of SMSS*SMSS/cwnd per ACK, and of the window to whole SMSS.
            long before = r == 0 ? window : without.get(r - 1);
            assertThat(without.get(r) - before).as("round %d without offload", r).isBetween(MSS * 9L / 10, (long) MSS);
            long beforeWith = r == 0 ? window : with.get(r - 1);
            assertThat(with.get(r) - beforeWith).as("round %d with offload", r).isBetween(MSS * 9L / 10, MSS * 11L / 10);
        }
        assertThat((double) with.getLast()).isCloseTo(without.getLast(), org.assertj.core.data.Offset.offset(MSS / 2.0));
    }

    @Test
    void cubicCongestionAvoidanceGrowsWithOffloadAsWithout() {
        long window = 90L * MSS;
        // A loss with window/β in flight leaves ssthresh = cwnd = the window: congestion avoidance.
        Supplier<LossBasedControl> cubic = () -> afterRecovery(new Cubic(MSS, 10, true, false),
                Math.round(window / Cubic.BETA), window);
        List<Long> without = windows(cubic, false, 30, 0);
        List<Long> with = windows(cubic, true, 30, 0);
        assertThat(with.getLast()).as("the curve moved on").isGreaterThan(window + 10L * MSS);
        for (int r = 0; r < 30; r++) {
            // Byte counting throughout: the same within a segment's worth of rounding per round.
            assertThat((double) with.get(r)).as("round %d", r).isCloseTo(without.get(r), org.assertj.core.data.Offset.offset(MSS * 1.0));
        }
    }
}
