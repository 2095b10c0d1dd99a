package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 6937's arithmetic, segment by segment (units of one MSS = 100 bytes). */
class ProportionalRateReductionTest {
    private static final int MSS = 100;

    @Test
    void theProportionalPartSendsSsthreshOverRecoverFsOfWhatIsDelivered() {
        // CUBIC's reduction: RecoverFS 10 segments, ssthresh 7: seven sends for ten deliveries.
        ProportionalRateReduction prr = new ProportionalRateReduction(false);
        prr.start(10 * MSS);
        long pipe = 15 * MSS; // above ssthresh throughout: only the proportional part
        int sentTotal = 0;
        StringBuilder pattern = new StringBuilder();
        for (int ack = 1; ack <= 10; ack++) {
            long sndcnt = prr.onAck(MSS, pipe, 7 * MSS, MSS);
            int segments = (int) (sndcnt / MSS);
            pattern.append(segments);
            prr.onSent((long) segments * MSS);
            sentTotal += segments;
        }
        assertThat(sentTotal).as("ssthresh's worth for RecoverFS's deliveries").isEqualTo(7);
        assertThat(pattern.toString()).as("ceil(k × 7/10) − prr_out").isEqualTo("1110110110");
        assertThat(prr.delivered()).isEqualTo(10 * MSS);
        assertThat(prr.out()).isEqualTo(7 * MSS);
    }

    @Test
    void theFastRetransmitAlwaysLeaves() {
        ProportionalRateReduction prr = new ProportionalRateReduction(true);
        prr.start(20 * MSS);
        assertThat(prr.onAck(0, 19 * MSS, 10 * MSS, MSS)).as("nothing delivered yet (the reordering timer)").isEqualTo(MSS);
        assertThat(prr.window()).isEqualTo(20 * MSS);
    }

    @Test
    void belowSsthreshTheBoundsDiffer() {
        ProportionalRateReduction ssrb = new ProportionalRateReduction(false);
        ProportionalRateReduction crb = new ProportionalRateReduction(true);
        ssrb.start(20 * MSS);
        crb.start(20 * MSS);
        ssrb.onSent(MSS);
        crb.onSent(MSS);
        // Three segments delivered by one stretch ACK, pipe 4 segments, ssthresh 10.
        assertThat(ssrb.onAck(3 * MSS, 4 * MSS, 10 * MSS, MSS)).as("SSRB: max(prr_delivered − prr_out, DeliveredData) + MSS")
                .isEqualTo(4 * MSS);
        assertThat(crb.onAck(3 * MSS, 4 * MSS, 10 * MSS, MSS)).as("CRB: prr_delivered − prr_out").isEqualTo(2 * MSS);
        // An ACK that does not advance SND.UNA, or shows a new loss, is not safe (RFC 9937): no extra MSS.
        ProportionalRateReduction unsafe = new ProportionalRateReduction(false);
        unsafe.start(20 * MSS);
        unsafe.onSent(MSS);
        assertThat(unsafe.onAck(3 * MSS, 4 * MSS, 10 * MSS, MSS, false)).isEqualTo(3 * MSS);
        // Never beyond ssthresh − pipe.
        assertThat(ssrb.onAck(8 * MSS, 9 * MSS, 10 * MSS, MSS)).isEqualTo(MSS);
        assertThat(ssrb.window()).isEqualTo(10 * MSS);
    }

    @Test
    void nothingIsSentWhileMoreWentOutThanTheProportionAllows() {
        ProportionalRateReduction prr = new ProportionalRateReduction(false);
        prr.start(20 * MSS);
        prr.onSent(5 * MSS); // e.g. a tail loss probe's retransmissions
        assertThat(prr.onAck(MSS, 18 * MSS, 10 * MSS, MSS)).isZero();
        assertThat(prr.window()).as("the pipe: nothing more until deliveries catch up").isEqualTo(18 * MSS);
    }
}
