package dev.tsunagu.tcp;

/**
 * A small ring of (end sequence number, time written) per write, oldest first: the
 * send-buffering policy is told when the oldest still-unsent byte was written. Bounded: when
 * full, the oldest mark merges into the next (its bytes then look a little younger).
 */
final class WriteMarks {
    private static final int CAPACITY = 32;
    private static final int[] NO_ENDS = new int[0];
    private static final long[] NO_TIMES = new long[0];
    /** Allocated on the first write: an idle connection (most of a million) keeps 400 bytes less. */
    private int[] ends = NO_ENDS;
    private long[] times = NO_TIMES;
    private int head;
    private int size;

    void mark(int endSeq, long time) {
        if (ends.length == 0) {
            ends = new int[CAPACITY];
            times = new long[CAPACITY];
        }
        if (size > 0 && times[(head + size - 1) % CAPACITY] == time) {
            ends[(head + size - 1) % CAPACITY] = endSeq; // same instant: extend the last mark
            return;
        }
        if (size == CAPACITY) {
            head = (head + 1) % CAPACITY;
            size--;
        }
        int at = (head + size) % CAPACITY;
        ends[at] = endSeq;
        times[at] = time;
        size++;
    }

    /** When the first byte at or after {@code seq} was written (dropping marks wholly before it). */
    long oldestAfter(int seq) {
        while (size > 0 && SeqNum.le(ends[head], seq)) {
            head = (head + 1) % CAPACITY;
            size--;
        }
        return size > 0 ? times[head] : Long.MAX_VALUE / 4;
    }
}
