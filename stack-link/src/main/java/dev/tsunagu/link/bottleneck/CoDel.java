package dev.tsunagu.link.bottleneck;

/**
 * CoDel, Controlled Delay (RFC 8289): a queue's controller that looks at how long each packet
 * waited (its sojourn time) as it leaves, not at how full the queue is. A queue that drains
 * once an interval is a good queue, whatever its size; one whose sojourn time stays above
 * {@link #TARGET_NANOS} for an {@link #INTERVAL_NANOS} is a standing queue, and CoDel then drops
 * at the head, the next drop {@code interval / sqrt(count)} after the last, until the sojourn
 * time falls below the target (the control law, 5.5: the drop rate grows until the senders'
 * windows shrink enough).
 *
 * <p>The RFC's dequeue loop drops several packets at one instant when more than one drop is
 * due; here the queue asks once per head packet ({@link #onDequeue}) and asks again for the next
 * one after a {@link Verdict#SIGNAL}, which is the same loop unrolled.
 *
 * <p>A signal is a drop, or with ECN (RFC 3168) a CE mark in an ECN-capable packet, which then
 * goes on (as Linux's {@code codel ecn}); the decision is the queue's ({@code BottleneckDriver}),
 * this class only says when, and counts a mark as it counts a drop.
 * Not thread-safe: one per queue, on its loop.
 */
public final class CoDel {
    /** The acceptable standing queue delay (5 ms, RFC 8289 4.4). */
    public static final long TARGET_NANOS = 5_000_000L;
    /** The sliding window over which a standing queue is judged (100 ms, RFC 8289 4.3). */
    public static final long INTERVAL_NANOS = 100_000_000L;

    /** What to do with the packet at the head. */
    public enum Verdict {
        /** Send it. */
        PASS,
        /** Signal congestion with it: drop it (or, with ECN, mark it) and ask again for the next. */
        SIGNAL
    }

    private final int maxPacketBytes;
    /** When the sojourn time first went above target in this episode, plus an interval; 0: below. */
    private long firstAboveTime;
    /** In the dropping state, when the next drop is due. */
    private long dropNext;
    private int count;
    private int lastCount;
    private boolean dropping;
    private long signals;

    /**
     * A controller for a queue whose largest packet is {@code maxPacketBytes} (a queue holding
     * no more than one packet is never judged standing: there is nothing to shed).
     */
    public CoDel(int maxPacketBytes) {
        this.maxPacketBytes = maxPacketBytes;
    }

    /**
     * The packet at the head leaves the queue at {@code now} after waiting {@code sojournNanos};
     * {@code bytesLeft} remain queued behind it.
     */
    public Verdict onDequeue(long now, long sojournNanos, long bytesLeft) {
        boolean okToDrop = okToDrop(now, sojournNanos, bytesLeft);
        if (dropping) {
            if (!okToDrop) {
                dropping = false; // the sojourn time fell below target: leave the dropping state
                return Verdict.PASS;
            }
            if (now - dropNext >= 0) {
                count++;
                dropNext = controlLaw(dropNext, count);
                return signal();
            }
            return Verdict.PASS;
        }
        if (okToDrop) {
            // Enter the dropping state. If it was left only recently, resume near the drop rate
            // it had reached (RFC 8289 5.4: count - lastcount), rather than from one.
            dropping = true;
            int delta = count - lastCount;
            count = delta > 1 && now - dropNext < 16 * INTERVAL_NANOS ? delta : 1;
            dropNext = controlLaw(now, count);
            lastCount = count;
            return signal();
        }
        return Verdict.PASS;
    }

    /** How many packets it has told the queue to drop (or mark). */
    public long signals() {
        return signals;
    }

    /** Whether it is in the dropping state. */
    public boolean dropping() {
        return dropping;
    }

    private Verdict signal() {
        signals++;
        return Verdict.SIGNAL;
    }

    /** RFC 8289 5.3 dodequeue(): whether the sojourn time has been above target for an interval. */
    private boolean okToDrop(long now, long sojournNanos, long bytesLeft) {
        if (sojournNanos < TARGET_NANOS || bytesLeft <= maxPacketBytes) {
            firstAboveTime = 0;
            return false;
        }
        if (firstAboveTime == 0) {
            firstAboveTime = now + INTERVAL_NANOS;
            return false;
        }
        return now - firstAboveTime >= 0;
    }

    /** RFC 8289 5.5: the next drop {@code interval / sqrt(count)} after {@code t}. */
    static long controlLaw(long t, int count) {
        return t + (long) (INTERVAL_NANOS / Math.sqrt(count));
    }

    @Override
    public String toString() {
        return "CoDel[" + (dropping ? "dropping, count " + count : "idle") + ", signals " + signals + "]";
    }
}
