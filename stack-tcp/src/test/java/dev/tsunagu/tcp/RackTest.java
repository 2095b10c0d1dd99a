package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RACK's rules (RFC 8985 6.2) and its per-segment record, without a connection (times in ms). */
class RackTest {
    private static final int MSS = 100;
    private static final long MS = 1_000_000L;

    @Test
    void theRecordCutsNewDataIntoSegmentsAndARetransmissionMarksThem() {
        RackSegments r = new RackSegments(64);
        r.onSent(1000, 1000 + 3 * MSS + 50, 5 * MS, MSS); // a burst the device cuts: 4 records
        assertThat(r.size()).isEqualTo(4);
        assertThat(r.end(3)).isEqualTo(1350);
        r.onSent(1100, 1150, 9 * MS, MSS); // half of the second segment again
        assertThat(r.size()).as("split at the retransmission's end").isEqualTo(5);
        assertThat(r.xmitTs(1)).isEqualTo(9 * MS);
        assertThat(r.has(1, RackSegments.RETRANSMITTED)).isTrue();
        assertThat(r.has(2, RackSegments.RETRANSMITTED)).as("the other half").isFalse();
        assertThat(r.xmitTs(2)).isEqualTo(5 * MS);
        assertThat(r.indexOf(1120)).isEqualTo(1);
        assertThat(r.splitAt(1250)).isEqualTo(4);
        assertThat(r.size()).isEqualTo(6);
        r.advance(1150);
        assertThat(r.size()).isEqualTo(4);
        assertThat(r.start(0)).isEqualTo(1150);
        r.advance(1350);
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void aFullRecordGrowsItsNewestSegmentInsteadOfForgetting() {
        RackSegments r = new RackSegments(16);
        r.onSent(0, 20 * MSS, MS, MSS);
        assertThat(r.size()).isEqualTo(16);
        assertThat(r.end(15)).as("the last record took the rest").isEqualTo(20 * MSS);
        assertThat(r.xmitTs(15)).isEqualTo(MS);
    }

    @Test
    void segmentsSentBeforeTheLatestDeliveredOneAreLostAfterItsRttAndTheWindow() {
        Rack rack = new Rack(64);
        RackSegments s = rack.segments;
        s.onSent(0, 4 * MSS, 0, MSS); // four segments at t = 0
        s.onSent(4 * MSS, 5 * MSS, 2 * MS, MSS); // a fifth at t = 2 ms
        // At 40 ms the fifth is SACKed: RACK.xmit_ts = 2 ms, RACK.rtt = 38 ms.
        s.set(4, RackSegments.SACKED);
        rack.onDelivered(4, 40 * MS, false);
        assertThat(rack.rtt()).isEqualTo(38 * MS);
        long reo = rack.reoWnd(false, false, 38 * MS);
        assertThat(reo).as("min_RTT / 4").isEqualTo(38 * MS / 4);
        long timeout = rack.detectLoss(40 * MS, reo);
        // Deadline for the first four: 0 + 38 + 9.5 = 47.5 ms.
        assertThat(timeout).isEqualTo(47 * MS + MS / 2 - 40 * MS);
        assertThat(rack.lostOriginal).isFalse();
        assertThat(rack.detectLoss(48 * MS, reo)).isZero();
        assertThat(rack.lostOriginal).isTrue();
        assertThat(rack.lostOriginalEnd).isEqualTo(4 * MSS);
        assertThat(s.has(0, RackSegments.LOST)).isTrue();
    }

    @Test
    void withoutReorderingTheWindowIsZeroInRecoveryOrWithDupThreshSacked() {
        Rack rack = new Rack(64);
        rack.segments.onSent(0, 2 * MSS, 0, MSS);
        rack.onDelivered(1, 40 * MS, false);
        assertThat(rack.reoWnd(true, false, 40 * MS)).isZero();
        assertThat(rack.reoWnd(false, true, 40 * MS)).isZero();
        assertThat(rack.reoWnd(false, false, 40 * MS)).isEqualTo(10 * MS);
        // Segment 0 (never retransmitted) delivered below RACK.fack: reordering.
        rack.onDelivered(0, 41 * MS, false);
        assertThat(rack.reorderingSeen).isTrue();
        assertThat(rack.reoWnd(true, true, 40 * MS)).isEqualTo(10 * MS);
        assertThat(rack.reoWnd(true, true, 4 * MS)).as("at most SRTT").isEqualTo(4 * MS);
    }

    @Test
    void dsacksWidenTheWindowOncePerRoundTripForSixteenRecoveries() {
        Rack rack = new Rack(64);
        rack.segments.onSent(0, 2 * MSS, 0, MSS);
        rack.onDelivered(1, 40 * MS, false);
        rack.onDelivered(0, 40 * MS, false); // reordering seen
        rack.onDsack(0, 2 * MSS);
        rack.onDsack(MSS, 2 * MSS); // the same round trip: not counted again
        assertThat(rack.reoWndMult).isEqualTo(2);
        assertThat(rack.reoWnd(false, false, 100 * MS)).isEqualTo(20 * MS);
        rack.onDsack(2 * MSS, 3 * MSS); // SND.UNA passed the round's SND.NXT
        assertThat(rack.reoWndMult).isEqualTo(3);
        for (int i = 0; i < Rack.REO_WND_PERSIST - 1; i++) {
            rack.onRecoveryEnd();
        }
        assertThat(rack.reoWndMult).as("15 recoveries later").isEqualTo(3);
        rack.onRecoveryEnd();
        assertThat(rack.reoWndMult).as("the sixteenth").isEqualTo(1);
    }

    @Test
    void aRetransmissionWhoseAckMayAnswerTheOriginalGivesNoRtt() {
        Rack rack = new Rack(64);
        RackSegments s = rack.segments;
        s.onSent(0, 2 * MSS, 0, MSS);
        rack.onDelivered(1, 40 * MS, false); // min_RTT 40 ms
        s.onSent(0, MSS, 100 * MS, MSS);    // segment 0 again at 100 ms
        rack.onDelivered(0, 101 * MS, false);
        assertThat(rack.rtt()).as("1 ms is below min_RTT: the original's ACK").isEqualTo(40 * MS);
        rack.onDelivered(0, 150 * MS, true);
        assertThat(rack.rtt()).as("the echo predates the retransmission").isEqualTo(40 * MS);
        rack.onDelivered(0, 150 * MS, false);
        assertThat(rack.rtt()).isEqualTo(50 * MS);
    }

    @Test
    void aLostRetransmissionIsFoundByItsOwnTransmissionTime() {
        Rack rack = new Rack(64);
        RackSegments s = rack.segments;
        s.onSent(0, 3 * MSS, 0, MSS);
        s.onSent(0, MSS, 50 * MS, MSS);          // segment 0 retransmitted at 50 ms
        s.onSent(3 * MSS, 4 * MSS, 60 * MS, MSS); // new data at 60 ms
        s.set(3, RackSegments.SACKED);
        rack.onDelivered(3, 100 * MS, false);   // delivered: RACK.xmit_ts = 60 ms, rtt 40 ms
        s.set(1, RackSegments.SACKED);
        s.set(2, RackSegments.SACKED);
        assertThat(rack.detectLoss(100 * MS, 0)).isZero();
        assertThat(rack.lostRetransmission).as("sent at 50 ms, before the delivered 60 ms one").isTrue();
        assertThat(s.has(0, RackSegments.LOST)).isTrue();
        s.onSent(0, MSS, 101 * MS, MSS);
        assertThat(s.has(0, RackSegments.LOST)).as("sent again: no longer lost").isFalse();
    }
}
