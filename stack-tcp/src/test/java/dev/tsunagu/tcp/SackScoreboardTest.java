package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sender's SACK scoreboard (RFC 6675 terms), near the 2^32 wrap so modular arithmetic is tested too. */
class SackScoreboardTest {
    private static final int MSS = 1000;
    private static final int UNA = -5_000; // the window straddles 2^32
    private static final int MAX = UNA + 20 * MSS;

    private final SackScoreboard b = new SackScoreboard(SackScoreboard.MIN_RANGES);

    private static int seg(int i) {
        return UNA + i * MSS;
    }

    @Test
    void blocksMergeWhenTheyTouchOrOverlapAndCountOnlyNewBytes() {
        assertThat(b.add(seg(2), seg(3), UNA, MAX)).isEqualTo(MSS);
        assertThat(b.add(seg(5), seg(6), UNA, MAX)).isEqualTo(MSS);
        assertThat(b.ranges()).isEqualTo(2);
        assertThat(b.add(seg(3), seg(5), UNA, MAX)).as("bridges both").isEqualTo(2 * MSS);
        assertThat(b.ranges()).isEqualTo(1);
        assertThat(b.left(0)).isEqualTo(seg(2));
        assertThat(b.right(0)).isEqualTo(seg(6));
        assertThat(b.add(seg(2), seg(6), UNA, MAX)).as("nothing new").isZero();
    }

    @Test
    void blocksBelowTheCumulativeAckOrBeyondWhatWasSentAreIgnored() {
        assertThat(b.add(seg(-3), seg(-1), UNA, MAX)).as("D-SACK below SND.UNA").isZero();
        assertThat(b.add(seg(19), seg(21), UNA, MAX)).as("beyond SND.MAX").isZero();
        assertThat(b.add(seg(4), seg(4), UNA, MAX)).as("empty").isZero();
        assertThat(b.add(seg(-1), seg(1), UNA, MAX)).as("clipped at SND.UNA").isEqualTo(MSS);
        assertThat(b.left(0)).isEqualTo(UNA);
    }

    @Test
    void advancingTheCumulativeAckForgetsWhatItCovers() {
        b.add(seg(2), seg(4), UNA, MAX);
        b.add(seg(6), seg(8), UNA, MAX);
        b.advance(seg(3));
        assertThat(b.left(0)).isEqualTo(seg(3));
        assertThat(b.startsAt(seg(3))).as("an ACK at SACKed data: reneging").isTrue();
        b.advance(seg(10));
        assertThat(b.isEmpty()).isTrue();
    }

    @Test
    void aHoleIsLostOnceMoreThanTwoSegmentsOrThreeRangesAreSackedAboveIt() {
        b.add(seg(1), seg(3), UNA, MAX);
        assertThat(b.holeLost(seg(1), MSS)).as("two segments above").isFalse();
        b.add(seg(3), seg(4), UNA, MAX);
        assertThat(b.holeLost(seg(1), MSS)).as("three segments above").isTrue();
        SackScoreboard thin = new SackScoreboard(SackScoreboard.MIN_RANGES);
        thin.add(seg(2), seg(2) + 10, UNA, MAX);
        thin.add(seg(4), seg(4) + 10, UNA, MAX);
        thin.add(seg(6), seg(6) + 10, UNA, MAX);
        assertThat(thin.holeLost(seg(2), MSS)).as("three discontiguous ranges, few bytes").isTrue();
        assertThat(thin.holeLost(seg(4), MSS)).isFalse();
    }

    @Test
    void thePipeCountsUnsackedBytesNotLostAndRetransmittedOnes() {
        // [0,1) hole (lost: 3 segments above), [1,4) SACKed, [4,6) hole (not lost), [6,7) SACKed, tail [7,20).
        b.add(seg(1), seg(4), UNA, MAX);
        b.add(seg(6), seg(7), UNA, MAX);
        assertThat(b.pipe(UNA, MAX, UNA, MSS)).isEqualTo(2 * MSS + 13 * MSS);
        assertThat(b.pipe(UNA, MAX, seg(1), MSS)).as("segment 0 retransmitted").isEqualTo(16L * MSS);
        assertThat(b.sackedBetween(UNA, MAX)).isEqualTo(4L * MSS);
    }

    @Test
    void holesAreFoundLostOnesFirstFromHighRxt() {
        b.add(seg(1), seg(4), UNA, MAX);
        b.add(seg(6), seg(7), UNA, MAX);
        assertThat(b.findHole(UNA, true, MSS, UNA, MAX)).isTrue();
        assertThat(b.holeStart).isEqualTo(UNA);
        assertThat(b.holeEnd).isEqualTo(seg(1));
        assertThat(b.findHole(seg(1), true, MSS, UNA, MAX)).as("nothing lost past HighRxt").isFalse();
        assertThat(b.findHole(seg(1), false, MSS, UNA, MAX)).isTrue();
        assertThat(b.holeStart).isEqualTo(seg(4));
        assertThat(b.holeEnd).isEqualTo(seg(6));
        assertThat(b.skipSacked(seg(2))).isEqualTo(seg(4));
        assertThat(b.skipSacked(seg(5))).isEqualTo(seg(5));
        assertThat(b.nextSackedAfter(seg(4), MAX)).isEqualTo(seg(6));
    }

    @Test
    void racksMarkMakesBytesLostNotWholeHoles() {
        // [0,1) hole (lost by DupThresh), [1,4) SACKed, [4,6) hole, [6,7) SACKed, tail [7,20).
        b.add(seg(1), seg(4), UNA, MAX);
        b.add(seg(6), seg(7), UNA, MAX);
        b.markLostBelow(seg(5)); // RACK: segment 4 is lost, segment 5 (sent later) not yet
        assertThat(b.pipe(UNA, MAX, UNA, MSS)).as("segment 5 and the tail").isEqualTo(MSS + 13 * MSS);
        assertThat(b.findHole(seg(1), true, MSS, UNA, MAX)).isTrue();
        assertThat(b.holeStart).isEqualTo(seg(4));
        assertThat(b.holeEnd).as("only the lost part").isEqualTo(seg(5));
        assertThat(b.findHole(seg(1), false, MSS, UNA, MAX)).isTrue();
        assertThat(b.holeStart).as("the part not lost").isEqualTo(seg(5));
        // A mark above the highest SACKed byte (a delivered retransmission showed it) reaches the tail.
        b.markLostBelow(seg(9));
        assertThat(b.findHole(seg(7), true, MSS, UNA, MAX)).isTrue();
        assertThat(b.holeStart).isEqualTo(seg(7));
        assertThat(b.holeEnd).isEqualTo(seg(9));
        assertThat(b.pipe(UNA, MAX, UNA, MSS)).isEqualTo(11L * MSS);
    }

    @Test
    void theScoreboardIsBoundedAndEmptyOneHoldsNoArray() {
        for (int i = 0; i < 2 * SackScoreboard.MIN_RANGES; i++) {
            b.add(UNA + 10 * i + 1, UNA + 10 * i + 2, UNA, MAX);
        }
        assertThat(b.ranges()).isEqualTo(SackScoreboard.MIN_RANGES);
        b.clear();
        assertThat(b.isEmpty()).isTrue();
    }

    @Test
    void theLimitFollowsTheSendBufferOneRangePerKibibyte() {
        assertThat(SackScoreboard.rangesFor(8 * 1024)).as("small buffers keep the floor").isEqualTo(SackScoreboard.MIN_RANGES);
        assertThat(SackScoreboard.rangesFor(4 << 20)).isEqualTo(4096);
        // A window of 2,000 segments that lost every other one: 1,000 ranges, all kept and all
        // counted in the pipe, with a limit from a 4 MiB send buffer (the array grows as they come).
        SackScoreboard big = new SackScoreboard(SackScoreboard.rangesFor(4 << 20));
        int una = -5_000;
        int max = una + 2_000 * MSS;
        for (int i = 1; i < 2_000; i += 2) {
            big.add(una + i * MSS, una + (i + 1) * MSS, una, max);
        }
        assertThat(big.ranges()).isEqualTo(1_000);
        assertThat(big.sackedBetween(una, max)).isEqualTo(1_000L * MSS);
        assertThat(big.pipe(una, max, una, MSS)).as("every hole below 3 SACKed ranges is lost: only the top two count")
                .isEqualTo(2L * MSS);
    }
}
