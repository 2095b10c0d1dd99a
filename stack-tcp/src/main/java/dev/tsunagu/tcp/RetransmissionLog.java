package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.lt;

import java.util.Arrays;

/**
 * The retransmissions of one loss recovery in the order they left, each with SND.MAX at that
 * moment, so that a later SACK can say which of them were lost: RACK's rule (RFC 8985 6.2: a
 * segment is lost once a segment sent after it is delivered and a reordering window has passed)
 * by the order of sending instead of a timestamp per segment. Data first sent beyond a
 * retransmission's SND.MAX left after it; once that data is SACKed, a retransmission whose hole
 * is still open was lost too, and only that one: the holes resent after the SACKed data may
 * still be on their way, and with hundreds of holes known (a deep buffer's overshoot) resending
 * them all doubles the retransmissions.
 *
 * <p>Bounded: a ring of at most {@code max} entries (8 bytes each), grown as needed; when full,
 * the oldest entry is forgotten (its loss is then found by the tail loss probe or the
 * retransmission timeout, as before this log). Empty and holding no array outside recovery.
 *
 * <p>Not thread-safe: the connection's event loop only.
 */
final class RetransmissionLog {
    private static final int[] NONE = new int[0];

    private final int max;
    /** Pairs (sequence number, SND.MAX when it left), oldest at {@link #head}. */
    private int[] ring = NONE;
    private int head;
    private int count;

    /** A log of at most {@code max} retransmissions (at least 1). */
    RetransmissionLog(int max) {
        this.max = Math.max(1, max);
    }

    /** The segment at {@code seq} was retransmitted while SND.MAX was {@code sndMax}. */
    void add(int seq, int sndMax) {
        if (count == max) {
            head = (head + 1) % (ring.length / 2);
            count--;
        }
        int capacity = ring.length / 2;
        if (count == capacity) {
            int[] bigger = new int[2 * Math.min(max, Math.max(16, 2 * capacity))];
            for (int i = 0; i < count; i++) {
                int from = (head + i) % capacity;
                bigger[2 * i] = ring[2 * from];
                bigger[2 * i + 1] = ring[2 * from + 1];
            }
            ring = bigger;
            head = 0;
            capacity = ring.length / 2;
        }
        int at = (head + count) % capacity;
        ring[2 * at] = seq;
        ring[2 * at + 1] = sndMax;
        count++;
    }

    /**
     * Removes every retransmission that left before the byte at {@code edge - 1} was first sent
     * (its SND.MAX then was below {@code edge}) and writes the sequence numbers of those into
     * {@code lost}, oldest first; the caller checks which holes are still open.
     *
     * @return how many were written (at most {@code lost.length}; the rest stay for next time)
     */
    int takeSentBefore(int edge, int[] lost) {
        int n = 0;
        int capacity = ring.length / 2;
        while (count > 0 && n < lost.length && lt(ring[2 * head + 1], edge)) {
            lost[n++] = ring[2 * head];
            head = (head + 1) % capacity;
            count--;
        }
        return n;
    }

    int size() {
        return count;
    }

    void clear() {
        ring = NONE;
        head = 0;
        count = 0;
    }

    @Override
    public String toString() {
        return "RetransmissionLog[" + count + " of " + max + ", " + Arrays.toString(Arrays.copyOf(ring, Math.min(ring.length, 8))) + "...]";
    }
}
