package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;

import java.util.Arrays;

/**
 * RACK's per-segment record (RFC 8985 5.2): for each segment sent and not yet cumulatively
 * acknowledged, {@code [start, end)} in sequence order, its most recent transmission time
 * ({@code Segment.xmit_ts}) and whether it was retransmitted ({@code Segment.retransmitted}),
 * with two flags of our own: SACKed (so that a SACK block delivers a segment once) and lost
 * (RACK marked it, and it has not been sent again since).
 *
 * <p>Only RACK's fields live here; other per-segment state (a delivery-rate sample's) belongs
 * in its own record. New data is cut into records of at most one MSS as it leaves (a
 * segmentation-offload burst becomes several), so a SACK block or a retransmission covers whole
 * records; one that covers part of a record splits it. The records are a sorted array from
 * {@link #head}, contiguous, grown by doubling; at most {@code max} (then the newest record
 * absorbs what is sent, its time the later one: loss detection for it waits a little longer,
 * which is safe). Empty and holding no arrays when nothing is outstanding.
 *
 * <p>Not thread-safe: the connection's event loop only.
 */
final class RackSegments {
    static final byte RETRANSMITTED = 1;
    static final byte SACKED = 2;
    static final byte LOST = 4;

    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];
    private static final byte[] NO_BYTES = new byte[0];

    private final int max;
    private int[] start = NO_INTS;
    private int[] end = NO_INTS;
    private long[] xmitTs = NO_LONGS;
    private byte[] flags = NO_BYTES;
    /** Records are {@code [head, head + count)} of the arrays. */
    private int head;
    private int count;
    /**
     * The latest transmission time given: each transmission gets a later one than the one
     * before, at least by a nanosecond, so that among transmissions in one tick of the clock the
     * order of sending decides RACK_sent_after, not the sequence numbers (which would say an
     * original segment left after a retransmission of a lower one sent just after it). The
     * records of one transmission share its time, and the RFC's tie-break by sequence number
     * orders them.
     */
    private long lastTs = Long.MIN_VALUE;

    /** A record of at most {@code max} segments (at least 16). */
    RackSegments(int max) {
        this.max = Math.max(16, max);
    }

    int size() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int start(int i) {
        return start[head + i];
    }

    int end(int i) {
        return end[head + i];
    }

    long xmitTs(int i) {
        return xmitTs[head + i];
    }

    boolean has(int i, byte flag) {
        return (flags[head + i] & flag) != 0;
    }

    void set(int i, byte flag) {
        flags[head + i] |= flag;
    }

    void clear(int i, byte flag) {
        flags[head + i] &= (byte) ~flag;
    }

    /** Forgets every segment (the flags of all: e.g. SACKED after the peer reneged). */
    void clearFlag(byte flag) {
        for (int i = head; i < head + count; i++) {
            flags[i] &= (byte) ~flag;
        }
    }

    void clear() {
        start = NO_INTS;
        end = NO_INTS;
        xmitTs = NO_LONGS;
        flags = NO_BYTES;
        head = 0;
        count = 0;
    }

    /**
     * {@code [seq, seqEnd)} left at {@code now}: beyond the last record (new data), records of
     * at most {@code mss} are appended; over records already there (a retransmission), they
     * take the new time and the retransmitted flag, and lose the lost one.
     */
    void onSent(int seq, int seqEnd, long now, int mss) {
        if (!lt(seq, seqEnd)) {
            return;
        }
        now = lastTs == Long.MIN_VALUE ? now : Math.max(now, lastTs + 1);
        lastTs = now;
        int tail = count == 0 ? seq : end[head + count - 1];
        if (count > 0 && lt(seq, tail)) {
            retransmitted(seq, lt(seqEnd, tail) ? seqEnd : tail, now);
            seq = tail;
            if (!lt(seq, seqEnd)) {
                return;
            }
        }
        for (int s = seq; lt(s, seqEnd); ) {
            int e = seqEnd - s > mss ? s + mss : seqEnd;
            if (count == max) {
                // Full: the newest record takes this too (never lost earlier than it should be).
                int last = head + count - 1;
                end[last] = seqEnd;
                xmitTs[last] = now;
                return;
            }
            append(s, e, now, (byte) 0);
            s = e;
        }
    }

    private void append(int s, int e, long ts, byte f) {
        if (head + count == start.length) {
            if (head > 0 && count < start.length / 2) {
                compact();
            } else {
                int n = Math.max(16, 2 * start.length);
                start = Arrays.copyOf(start, n);
                end = Arrays.copyOf(end, n);
                xmitTs = Arrays.copyOf(xmitTs, n);
                flags = Arrays.copyOf(flags, n);
            }
        }
        int i = head + count;
        start[i] = s;
        end[i] = e;
        xmitTs[i] = ts;
        flags[i] = f;
        count++;
    }

    private void compact() {
        System.arraycopy(start, head, start, 0, count);
        System.arraycopy(end, head, end, 0, count);
        System.arraycopy(xmitTs, head, xmitTs, 0, count);
        System.arraycopy(flags, head, flags, 0, count);
        head = 0;
    }

    /** Records in {@code [seq, seqEnd)} (inside the record) went again at {@code now}. */
    private void retransmitted(int seq, int seqEnd, long now) {
        int i = splitAt(seq);
        splitAt(seqEnd);
        for (; i < count && lt(start(i), seqEnd); i++) {
            int a = head + i;
            xmitTs[a] = now;
            flags[a] = (byte) ((flags[a] | RETRANSMITTED) & ~LOST);
        }
    }

    /**
     * Makes {@code seq} a record boundary (splitting the record that holds it) if it is inside
     * the record.
     *
     * @return the index of the first record starting at or after {@code seq}
     */
    int splitAt(int seq) {
        int i = indexOf(seq);
        if (i < 0) {
            return count > 0 && lt(seq, start(0)) ? 0 : count;
        }
        if (start(i) == seq) {
            return i;
        }
        if (count == max) {
            return i + 1; // no room to split: the record counts as beyond seq
        }
        int a = head + i;
        append(0, 0, 0, (byte) 0); // make room (may move the arrays)
        a = head + i;
        int n = count - 1 - i - 1;
        System.arraycopy(start, a + 1, start, a + 2, n);
        System.arraycopy(end, a + 1, end, a + 2, n);
        System.arraycopy(xmitTs, a + 1, xmitTs, a + 2, n);
        System.arraycopy(flags, a + 1, flags, a + 2, n);
        start[a + 1] = seq;
        end[a + 1] = end[a];
        xmitTs[a + 1] = xmitTs[a];
        flags[a + 1] = flags[a];
        end[a] = seq;
        return i + 1;
    }

    /** The index of the record holding {@code seq}, or -1 (binary search). */
    int indexOf(int seq) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (lt(seq, start(mid))) {
                hi = mid - 1;
            } else if (ge(seq, end(mid))) {
                lo = mid + 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** The index of the first record that ends after {@code seq} (count if none). */
    int firstEndingAfter(int seq) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (le(end(mid), seq)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** SND.UNA moved to {@code una}: drops the records it covers (whole ones; a record it cuts starts at it). */
    void advance(int una) {
        while (count > 0 && le(end[head], una)) {
            head++;
            count--;
        }
        if (count == 0) {
            clear();
        } else if (gt(una, start[head])) {
            start[head] = una;
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RackSegments[");
        for (int i = 0; i < Math.min(count, 8); i++) {
            s.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(start(i))).append('-')
                    .append(Integer.toUnsignedString(end(i))).append('@').append(xmitTs(i)).append(has(i, RETRANSMITTED) ? "R" : "")
                    .append(has(i, SACKED) ? "S" : "").append(has(i, LOST) ? "L" : "");
        }
        return s.append(count > 8 ? " ...]" : "]").toString();
    }
}
