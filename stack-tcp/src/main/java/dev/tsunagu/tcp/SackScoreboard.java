package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;

import java.util.Arrays;

/**
 * The sender's record of what the peer has selectively acknowledged (RFC 2018, the
 * "scoreboard" of RFC 6675): sorted, disjoint, non-adjacent {@code [left, right)} ranges of
 * sequence numbers above SND.UNA, and the questions loss recovery asks of them — is a byte
 * SACKed, how much is SACKed above a point, is a hole lost (RFC 6675 {@code IsLost}), how many
 * bytes are in the network ({@code SetPipe}).
 *
 * <p>Bounded by the flight it describes, not by a small count: a peer that loses hundreds of
 * segments of one window (a slow start overshooting a deep buffer) SACKs hundreds of separate
 * ranges, and every one the scoreboard forgets is data recovery cannot see, so the holes above
 * it are repaired one probe or timeout at a time instead of at the pipe's pace. Ranges made by
 * real segments are at least a segment long and so are the holes between them, so a flight
 * that fits in the send buffer holds at most {@code capacity / (2 * MSS)} ranges; the limit is
 * {@link #rangesFor one range per KiB of send buffer} (for segments of 512 bytes or more), at
 * least {@link #MIN_RANGES}: 8 bytes of scoreboard per KiB, under 1% of the send buffer. A
 * block that would need a range beyond it is ignored; knowing less only means retransmitting
 * a little more, never losing data. The array is allocated on the first SACK block, grows by
 * doubling only as far as the ranges need, and is given back when the scoreboard empties, so a
 * connection that never sees loss pays nothing.
 *
 * <p>Not thread-safe: the connection's event loop only.
 */
final class SackScoreboard {
    /** The fewest ranges kept, whatever the send buffer (what a small buffer's flight can need, and more). */
    static final int MIN_RANGES = 32;
    /** Bytes of send buffer per range the limit allows (see the class comment). */
    static final int BYTES_PER_RANGE = 1024;
    /** RFC 6675 DupThresh. */
    static final int DUP_THRESH = 3;

    private static final int[] NONE = new int[0];
    /** The first array: 8 ranges, enough for most losses. */
    private static final int FIRST_RANGES = 8;

    private final int maxRanges;
    private int[] r = NONE;
    private int count;

    /** The limit for a send buffer of {@code sendBufferBytes}: one range per KiB, at least {@link #MIN_RANGES}. */
    static int rangesFor(int sendBufferBytes) {
        return Math.max(MIN_RANGES, sendBufferBytes / BYTES_PER_RANGE);
    }

    /** A scoreboard of at most {@code maxRanges} ranges (at least 1). */
    SackScoreboard(int maxRanges) {
        this.maxRanges = Math.max(1, maxRanges);
    }

    /** The most ranges this scoreboard keeps. */
    int maxRanges() {
        return maxRanges;
    }
    /**
     * Every unSACKed byte below this is lost, whatever is SACKed above it: RACK (RFC 8985, the
     * {@link Rack}) found the segment ending here lost, and original transmissions leave in
     * sequence order, so every one below it was sent earlier still. Bytes, not holes: a hole
     * may be lost in part. Valid while {@link #lostBelowValid}.
     */
    private int lostBelow;
    private boolean lostBelowValid;

    /** Marks every unSACKed byte below {@code seq} lost (see {@link #lostBelow}); never moves the mark back. */
    void markLostBelow(int seq) {
        if (!lostBelowValid || gt(seq, lostBelow)) {
            lostBelow = seq;
            lostBelowValid = true;
        }
    }

    /** Whether RACK's mark makes some byte above SND.UNA lost. */
    boolean hasLost() {
        return lostBelowValid;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    int left(int i) {
        return r[2 * i];
    }

    int right(int i) {
        return r[2 * i + 1];
    }

    void clear() {
        count = 0;
        r = NONE;
        lostBelowValid = false;
    }

    /**
     * Takes one SACK block {@code [left, right)} from an ACK whose cumulative point is
     * {@code sndUna}; {@code sndMax} is the highest sequence number sent. Blocks below SND.UNA
     * (D-SACK, RFC 2883) or beyond anything sent, and empty ones, are ignored.
     *
     * @return how many bytes became SACKed that were not before
     */
    int add(int left, int right, int sndUna, int sndMax) {
        if (!lt(left, right) || gt(right, sndMax) || le(right, sndUna)) {
            return 0;
        }
        if (lt(left, sndUna)) {
            left = sndUna;
        }
        int i = 0;
        while (i < count && lt(r[2 * i + 1], left)) {
            i++;
        }
        int j = i;
        while (j < count && le(r[2 * j], right)) {
            j++;
        }
        // Ranges [i, j) touch or overlap the block and merge with it.
        int before = 0;
        for (int k = i; k < j; k++) {
            before += r[2 * k + 1] - r[2 * k];
        }
        if (i == j) {
            if (count == maxRanges) {
                return 0;
            }
            if (2 * count == r.length) {
                r = Arrays.copyOf(r, 2 * Math.min(maxRanges, Math.max(FIRST_RANGES, 2 * count)));
            }
            System.arraycopy(r, 2 * i, r, 2 * i + 2, 2 * (count - i));
            r[2 * i] = left;
            r[2 * i + 1] = right;
            count++;
            return right - left;
        }
        int newLeft = lt(r[2 * i], left) ? r[2 * i] : left;
        int newRight = gt(r[2 * j - 1], right) ? r[2 * j - 1] : right;
        r[2 * i] = newLeft;
        r[2 * i + 1] = newRight;
        int removed = j - i - 1;
        if (removed > 0) {
            System.arraycopy(r, 2 * j, r, 2 * i + 2, 2 * (count - j));
            count -= removed;
        }
        return (newRight - newLeft) - before;
    }

    /** SND.UNA moved to {@code sndUna}: forget what it covers. */
    void advance(int sndUna) {
        int i = 0;
        while (i < count && le(r[2 * i + 1], sndUna)) {
            i++;
        }
        if (i > 0) {
            System.arraycopy(r, 2 * i, r, 0, 2 * (count - i));
            count -= i;
        }
        if (count > 0 && lt(r[0], sndUna)) {
            r[0] = sndUna;
        }
        if (count == 0) {
            r = NONE;
        }
        if (lostBelowValid && le(lostBelow, sndUna)) {
            lostBelowValid = false;
        }
    }

    /** Whether a range starts exactly at {@code seq} (a cumulative ACK there means the peer reneged). */
    boolean startsAt(int seq) {
        return count > 0 && r[0] == seq;
    }

    /** The end of the highest SACKed range; only if not empty. */
    int highest() {
        return r[2 * count - 1];
    }

    /** If {@code seq} is SACKed, the end of its range, else {@code seq}. */
    int skipSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (le(r[2 * i], seq) && lt(seq, r[2 * i + 1])) {
                return r[2 * i + 1];
            }
            if (gt(r[2 * i], seq)) {
                break;
            }
        }
        return seq;
    }

    /** The start of the first SACKed range beyond {@code seq}, or {@code limit} if none is before it. */
    int nextSackedAfter(int seq, int limit) {
        for (int i = 0; i < count; i++) {
            if (gt(r[2 * i], seq)) {
                return lt(r[2 * i], limit) ? r[2 * i] : limit;
            }
        }
        return limit;
    }

    /** Bytes SACKed in {@code [from, to)}. */
    long sackedBetween(int from, int to) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            int a = r[2 * i], b = r[2 * i + 1];
            if (ge(a, to)) {
                break;
            }
            int lo = gt(a, from) ? a : from;
            int hi = lt(b, to) ? b : to;
            if (lt(lo, hi)) {
                n += hi - lo;
            }
        }
        return n;
    }

    /**
     * RFC 6675 {@code IsLost} for the hole ending at {@code holeEnd} (every byte of a hole has
     * the same SACKed data above it): DupThresh discontiguous ranges above it, or more than
     * (DupThresh − 1) × SMSS bytes, or a hole {@link #markLostBelow marked lost}.
     */
    boolean holeLost(int holeEnd, int mss) {
        int i = count;
        long above = 0;
        while (i > 0 && ge(r[2 * (i - 1)], holeEnd)) {
            i--;
            above += r[2 * i + 1] - r[2 * i];
        }
        return lostBeforeRange(i, above, mss);
    }

    /** IsLost for the hole just below range {@code i}, with {@code sackedFromI} bytes SACKed in ranges {@code i..}. */
    private boolean lostBeforeRange(int i, long sackedFromI, int mss) {
        return i < count && lostBelowValid && le(r[2 * i], lostBelow)
                || count - i >= DUP_THRESH || sackedFromI > (long) (DUP_THRESH - 1) * mss;
    }

    /** How far from {@code cursor} (in a hole ending at {@code holeEnd}) RACK's mark makes bytes lost: {@code cursor} if none. */
    private int rackLostEnd(int cursor, int holeEnd) {
        if (!lostBelowValid || !lt(cursor, lostBelow)) {
            return cursor;
        }
        return lt(lostBelow, holeEnd) ? lostBelow : holeEnd;
    }

    /** Bytes SACKed in all. */
    long sackedTotal() {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += r[2 * i + 1] - r[2 * i];
        }
        return n;
    }

    /**
     * RFC 6675 {@code SetPipe}: the bytes between {@code sndUna} and {@code sndMax} thought to be
     * in the network — every unSACKed byte not presumed lost, plus every unSACKed byte below
     * {@code highRxt} (retransmitted in this recovery). One pass over the ranges.
     */
    long pipe(int sndUna, int sndMax, int highRxt, int mss) {
        long pipe = 0;
        long sackedAbove = sackedTotal();
        int cursor = sndUna;
        for (int i = 0; i <= count; i++) {
            int holeEnd = i < count ? r[2 * i] : sndMax;
            if (lt(cursor, holeEnd)) {
                if (i == count || !lostBeforeRange(i, sackedAbove, mss)) {
                    pipe += holeEnd - rackLostEnd(cursor, holeEnd); // RACK's lost bytes are not in flight
                }
                if (gt(highRxt, cursor)) {
                    pipe += (lt(highRxt, holeEnd) ? highRxt : holeEnd) - cursor;
                }
            }
            if (i < count) {
                sackedAbove -= r[2 * i + 1] - r[2 * i];
                cursor = r[2 * i + 1];
            }
        }
        return pipe;
    }

    /**
     * Finds the first unSACKed byte at or after {@code from} (and at or after {@code sndUna}),
     * below the highest SACKed byte, whose hole is lost ({@code wantLost}) or is not: RFC 6675
     * NextSeg's rules 1 and 3. On success {@link #holeStart} is that byte and {@link #holeEnd}
     * the end of its hole (of its lost part, or of the part not lost). Bytes RACK marked lost
     * ({@link #markLostBelow}) are lost wherever they are, also above the highest SACKed byte
     * (up to {@code sndMax}): a retransmission delivered there shows them lost.
     *
     * @return whether there is one
     */
    boolean findHole(int from, boolean wantLost, int mss, int sndUna, int sndMax) {
        long sackedAbove = sackedTotal();
        int cursor = sndUna;
        for (int i = 0; i <= count; i++) {
            int start = i < count ? r[2 * i] : sndMax;
            int hs = gt(from, cursor) ? from : cursor;
            if (lt(hs, start)) {
                boolean whole = i < count && lostBeforeRange(i, sackedAbove, mss);
                int lostEnd = whole ? start : rackLostEnd(hs, start);
                if (wantLost && lostEnd != hs) {
                    holeStart = hs;
                    holeEnd = lostEnd;
                    return true;
                }
                if (!wantLost && i < count && lostEnd != start) {
                    holeStart = lostEnd;
                    holeEnd = start;
                    return true;
                }
            }
            if (i < count) {
                sackedAbove -= r[2 * i + 1] - r[2 * i];
                cursor = r[2 * i + 1];
            }
        }
        return false;
    }

    /** Set by {@link #findHole}. */
    int holeStart;
    int holeEnd;

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("SACKed[");
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(r[2 * i])).append('-')
                    .append(Integer.toUnsignedString(r[2 * i + 1]));
        }
        return s.append(']').toString();
    }
}
