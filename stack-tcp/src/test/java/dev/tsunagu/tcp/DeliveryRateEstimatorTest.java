package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.policy.RateSample;
import org.junit.jupiter.api.Test;

/**
 * {@link DeliveryRateEstimator} alone, on a virtual clock: segments sent and acknowledged by hand,
 * each sample checked against draft-cheng-iccrg-delivery-rate-estimation's arithmetic.
 */
class DeliveryRateEstimatorTest {
    private static final int MSS = 1000;
    private static final long MS = 1_000_000L;
    private static final int[] NO_SACK = new int[8];
    private static final int ISS = -5000; // sequence numbers wrap during the flight

    private final DeliveryRateEstimator e = new DeliveryRateEstimator(1024);

    /** Sends {@code n} segments from {@code seq} at {@code now}; returns the sequence number after them. */
    private int send(int seq, int n, long now, long inFlightBefore) {
        for (int i = 0; i < n; i++) {
            e.onSent(seq, MSS, MSS, now, inFlightBefore + (long) i * MSS);
            seq += MSS;
        }
        return seq;
    }

    @Test
    void aFlightAcknowledgedOverTheRoundTripGivesTheRateItWasDeliveredAt() {
        int end = send(ISS, 10, 0, 0);
        assertThat(e.records()).isEqualTo(10);
        // ACKs every 1 ms from 100 ms on: 1 MB/s at the bottleneck.
        RateSample last = null;
        for (int i = 1; i <= 10; i++) {
            last = e.onAck(ISS + i * MSS, NO_SACK, 0, (99 + i) * MS, (10L - i) * MSS);
        }
        assertThat(e.records()).isZero();
        assertThat(last.delivered()).as("since the first segment left: everything").isEqualTo(10_000);
        assertThat(last.intervalNanos()).as("ack_elapsed (109 ms) > send_elapsed (0)").isEqualTo(109 * MS);
        assertThat(last.deliveryRate()).isEqualTo(10_000L * 1_000_000_000L / (109 * MS));
        assertThat(last.rttNanos()).isEqualTo(109 * MS);
        assertThat(last.priorDelivered()).isZero();
        assertThat(last.totalDelivered()).isEqualTo(10_000);
        assertThat(last.newlyDelivered()).isEqualTo(MSS);
        assertThat(last.bytesInFlight()).isZero();
        assertThat(last.appLimited()).isFalse();
        assertThat(end).isEqualTo(ISS + 10 * MSS);
    }

    @Test
    void theSecondFlightIsMeasuredFromTheFirstsDeliveriesSoItsRateIsTheBottlenecks() {
        int seq = send(ISS, 10, 0, 0);
        for (int i = 1; i <= 10; i++) {
            e.onAck(ISS + i * MSS, NO_SACK, 0, (99 + i) * MS, (10L - i) * MSS);
            // each ACK releases a segment (an ACK clock at 1 MB/s)
            e.onSent(seq, MSS, MSS, (99 + i) * MS, (10L - i) * MSS);
            seq += MSS;
        }
        RateSample rs = null;
        for (int i = 1; i <= 10; i++) {
            rs = e.onAck(ISS + (10 + i) * MSS, NO_SACK, 0, (199 + i) * MS, (10L - i) * MSS);
        }
        // The 20th segment left at 109 ms when 10 kB had been delivered (at 109 ms); it arrived at 209 ms.
        assertThat(rs.priorDelivered()).isEqualTo(10_000);
        assertThat(rs.delivered()).isEqualTo(10_000);
        assertThat(rs.intervalNanos()).isEqualTo(100 * MS);
        assertThat(rs.deliveryRate()).isEqualTo(100_000);
    }

    @Test
    void sackedSegmentsAreDeliveredOnceAndTheCumulativeAckDoesNotCountThemAgain() {
        send(ISS, 5, 0, 0);
        // Segment 0 lost: SACKs for 1, then 1-2, then 1-3 (the block grows; only its new part counts).
        int[] blocks = {ISS + MSS, ISS + 2 * MSS, 0, 0, 0, 0, 0, 0};
        RateSample rs = e.onAck(ISS, blocks, 1, 100 * MS, 4000);
        assertThat(rs.newlyDelivered()).isEqualTo(MSS);
        blocks[1] = ISS + 3 * MSS;
        rs = e.onAck(ISS, blocks, 1, 101 * MS, 3000);
        assertThat(rs.newlyDelivered()).isEqualTo(MSS);
        blocks[1] = ISS + 4 * MSS;
        rs = e.onAck(ISS, blocks, 1, 102 * MS, 2000);
        assertThat(rs.totalDelivered()).isEqualTo(3000);
        assertThat(e.onAck(ISS, blocks, 1, 103 * MS, 2000)).as("the same block again: nothing new").isNull();
        // Segment 0 retransmitted at 102 ms, then everything up to 4 acknowledged cumulatively.
        e.onRetransmitted(ISS, MSS, 102 * MS, 2000);
        rs = e.onAck(ISS + 4 * MSS, NO_SACK, 0, 202 * MS, MSS);
        assertThat(rs.newlyDelivered()).as("only the hole: 1-3 were SACKed").isEqualTo(MSS);
        assertThat(rs.newlyLost()).as("the retransmitted bytes").isEqualTo(MSS);
        assertThat(rs.rttNanos()).as("Karn: a retransmitted segment gives no RTT").isEqualTo(-1);
        assertThat(rs.totalDelivered()).isEqualTo(4000);
    }

    @Test
    void aBlockThatFillsAGapBetweenTwoOldOnesDeliversTheGap() {
        send(ISS, 6, 0, 0);
        int[] blocks = {ISS + 4 * MSS, ISS + 5 * MSS, ISS + MSS, ISS + 2 * MSS, 0, 0, 0, 0};
        e.onAck(ISS, blocks, 2, 100 * MS, 4000);
        // Segments 2 and 3 arrive: one block [1, 5) now covers both old ones and the gap.
        int[] merged = {ISS + MSS, ISS + 5 * MSS, 0, 0, 0, 0, 0, 0};
        RateSample rs = e.onAck(ISS, merged, 1, 101 * MS, 2000);
        assertThat(rs.newlyDelivered()).isEqualTo(2 * MSS);
        assertThat(rs.totalDelivered()).isEqualTo(4 * MSS);
    }

    @Test
    void samplesAfterTheApplicationRanDryAreFlaggedUntilThatFlightIsDelivered() {
        int seq = send(ISS, 2, 0, 0);
        e.onAppLimited(2 * MSS); // nothing more to send, window open
        assertThat(e.appLimited()).isTrue();
        seq = send(seq, 1, 1 * MS, 2 * MSS);
        RateSample rs = e.onAck(ISS + 2 * MSS, NO_SACK, 0, 100 * MS, MSS);
        assertThat(rs.appLimited()).as("the segment that closed it left before the mark").isFalse();
        assertThat(e.appLimited()).as("2 kB delivered, the mark is 2 kB: not past it yet").isTrue();
        rs = e.onAck(ISS + 3 * MSS, NO_SACK, 0, 101 * MS, 0);
        assertThat(rs.appLimited()).as("sent while application-limited").isTrue();
        assertThat(e.appLimited()).isFalse();
    }

    @Test
    void anIntervalShorterThanTheMinimumRttGivesNoRate() {
        send(ISS, 1, 0, 0);
        e.onAck(ISS + MSS, NO_SACK, 0, 50 * MS, 0); // min RTT 50 ms
        send(ISS + MSS, 1, 60 * MS, 0);
        // A spurious retransmission at 100 ms, stamped anew; the original's ACK arrives at 105 ms
        // and closes an interval from the copy's stamp: 45 ms (send 40, ACK 45), shorter than any
        // round trip this path has shown, so no rate.
        e.onRetransmitted(ISS + MSS, MSS, 100 * MS, MSS);
        RateSample rs = e.onAck(ISS + 2 * MSS, NO_SACK, 0, 105 * MS, 0);
        assertThat(rs.intervalNanos()).isEqualTo(45 * MS);
        assertThat(rs.valid()).isFalse();
        assertThat(rs.deliveryRate()).isEqualTo(-1);
        assertThat(rs.rttNanos()).isEqualTo(-1);
    }

    @Test
    void aFullRingCoarsensInsteadOfGrowing() {
        DeliveryRateEstimator small = new DeliveryRateEstimator(16);
        for (int i = 0; i < 40; i++) {
            small.onSent(ISS + i * MSS, MSS, MSS, 0, (long) i * MSS);
        }
        assertThat(small.records()).isEqualTo(16);
        RateSample rs = small.onAck(ISS + 40 * MSS, NO_SACK, 0, 100 * MS, 0);
        assertThat(rs.totalDelivered()).as("every byte still counted once").isEqualTo(40 * MSS);
    }

    @Test
    void aSegmentTheDeviceCutsIsRecordedAsItsPieces() {
        e.onSent(ISS, 3 * MSS + 500, MSS, 0, 0);
        assertThat(e.records()).isEqualTo(4);
        int[] blocks = {ISS + MSS, ISS + 2 * MSS, 0, 0, 0, 0, 0, 0};
        assertThat(e.onAck(ISS, blocks, 1, 100 * MS, 3000).newlyDelivered()).isEqualTo(MSS);
    }
}
