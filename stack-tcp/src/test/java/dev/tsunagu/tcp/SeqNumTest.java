package dev.tsunagu.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sequence number comparisons modulo 2^32 (RFC 9293 3.4), above all across the wrap. */
class SeqNumTest {
    private static final int TOP = 0xFFFF_FFFF; // 2^32 - 1, as an int: -1

    @Test
    void comparesOrdinaryNumbers() {
        assertThat(SeqNum.lt(1, 2)).isTrue();
        assertThat(SeqNum.lt(2, 1)).isFalse();
        assertThat(SeqNum.lt(1, 1)).isFalse();
        assertThat(SeqNum.le(1, 1)).isTrue();
        assertThat(SeqNum.gt(2, 1)).isTrue();
        assertThat(SeqNum.gt(1, 1)).isFalse();
        assertThat(SeqNum.ge(1, 1)).isTrue();
        assertThat(SeqNum.ge(0, 1)).isFalse();
    }

    @Test
    void theTopOfTheSpaceIsBeforeZero() {
        assertThat(SeqNum.lt(TOP, 0)).isTrue();
        assertThat(SeqNum.gt(0, TOP)).isTrue();
        assertThat(SeqNum.le(TOP, 0)).isTrue();
        assertThat(SeqNum.ge(0, TOP)).isTrue();
        assertThat(SeqNum.lt(0xFFFF_FF00, 0x0000_0100)).isTrue();
        assertThat(SeqNum.gt(0x0000_0100, 0xFFFF_FF00)).isTrue();
    }

    @Test
    void theSignedBoundaryIsNotSpecial() {
        assertThat(SeqNum.lt(Integer.MAX_VALUE, Integer.MIN_VALUE)).isTrue();
        assertThat(SeqNum.gt(Integer.MIN_VALUE, Integer.MAX_VALUE)).isTrue();
        assertThat(SeqNum.lt(Integer.MAX_VALUE - 10, Integer.MIN_VALUE + 10)).isTrue();
    }

    @Test
    void orderHoldsUpToHalfTheSpaceApart() {
        int a = 0x7000_0000;
        assertThat(SeqNum.lt(a, a + Integer.MAX_VALUE)).isTrue(); // 2^31 - 1 ahead: after
        assertThat(SeqNum.gt(a, a + Integer.MAX_VALUE + 2)).isTrue(); // 2^31 + 1 ahead: reads as behind
    }

    @Test
    void maxAndMinFollowTheWrap() {
        assertThat(SeqNum.max(TOP, 5)).isEqualTo(5);
        assertThat(SeqNum.max(5, TOP)).isEqualTo(5);
        assertThat(SeqNum.min(TOP, 5)).isEqualTo(TOP);
        assertThat(SeqNum.min(5, TOP)).isEqualTo(TOP);
        assertThat(SeqNum.max(3, 3)).isEqualTo(3);
    }

    @Test
    void inRangeIsHalfOpenAcrossTheWrap() {
        int lo = 0xFFFF_FFF0;
        int hi = 0x0000_0010;
        assertThat(SeqNum.inRange(lo, lo, hi)).isTrue();
        assertThat(SeqNum.inRange(TOP, lo, hi)).isTrue();
        assertThat(SeqNum.inRange(0, lo, hi)).isTrue();
        assertThat(SeqNum.inRange(hi - 1, lo, hi)).isTrue();
        assertThat(SeqNum.inRange(hi, lo, hi)).isFalse();
        assertThat(SeqNum.inRange(lo - 1, lo, hi)).isFalse();
        assertThat(SeqNum.inRange(0x8000_0000, lo, hi)).isFalse();
    }

    @Test
    void anEmptyRangeHoldsNothing() {
        assertThat(SeqNum.inRange(7, 7, 7)).isFalse();
        assertThat(SeqNum.inRange(TOP, 0, 0)).isFalse();
        assertThat(SeqNum.inRangeInclusive(7, 7, 7)).isTrue();
        assertThat(SeqNum.inRangeInclusive(8, 7, 7)).isFalse();
    }

    @Test
    void inRangeInclusiveTakesTheUpperEndAcrossTheWrap() {
        int lo = 0xFFFF_FFFE;
        int hi = 1;
        assertThat(SeqNum.inRangeInclusive(lo, lo, hi)).isTrue();
        assertThat(SeqNum.inRangeInclusive(TOP, lo, hi)).isTrue();
        assertThat(SeqNum.inRangeInclusive(0, lo, hi)).isTrue();
        assertThat(SeqNum.inRangeInclusive(1, lo, hi)).isTrue();
        assertThat(SeqNum.inRangeInclusive(2, lo, hi)).isFalse();
        assertThat(SeqNum.inRangeInclusive(lo - 1, lo, hi)).isFalse();
    }

    @Test
    void aReceiveWindowCheckAcrossTheWrap() {
        // RFC 9293 3.10.7.4: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, with RCV.NXT just below the wrap.
        int rcvNxt = 0xFFFF_F000;
        int rcvWnd = 0x2000;
        assertThat(SeqNum.inRange(0x0000_0FFF, rcvNxt, rcvNxt + rcvWnd)).isTrue();
        assertThat(SeqNum.inRange(0x0000_1000, rcvNxt, rcvNxt + rcvWnd)).isFalse();
        assertThat(SeqNum.inRange(0xFFFF_EFFF, rcvNxt, rcvNxt + rcvWnd)).isFalse();
    }
}
