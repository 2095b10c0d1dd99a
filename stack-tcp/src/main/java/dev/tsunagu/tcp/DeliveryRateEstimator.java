package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;
import static dev.tsunagu.tcp.SeqNum.gt;
import static dev.tsunagu.tcp.SeqNum.le;
import static dev.tsunagu.tcp.SeqNum.lt;

import dev.tsunagu.policy.RateSample;

/**
 * Delivery-rate estimation (draft-cheng-iccrg-delivery-rate-estimation), for a congestion
 * control that {@linkplain dev.tsunagu.policy.CongestionControl#wantsRateSamples() asks for it}.
 *
 * <p><b>Per segment</b>, when it leaves (new or again): the connection's delivered count
 * ({@code P.delivered}), when that count last moved ({@code P.delivered_time}), when the flight
 * it belongs to began ({@code P.first_sent_time}), when it left, and whether the application
 * limited the sender then ({@code P.is_app_limited}). A record per wire segment (a segment the
 * device cuts is recorded as its MSS-sized pieces, since the peer SACKs those), in a ring sorted
 * by sequence number. These fields are this class's own, apart from any other per-segment state
 * (RACK's transmit times), so either can change without the other.
 *
 * <p><b>Per ACK</b>: each record it delivers — cumulatively, or by a SACK block covering it
 * whole (a record is delivered once: SACKed, it is not counted again when the cumulative ACK
 * passes it) — adds its length to {@code C.delivered}; the most recently sent of them gives the
 * sample's start. The rate is {@code delivered / max(send_elapsed, ack_elapsed)}: the ACK
 * interval alone would overstate it when ACKs arrive compressed, the send interval alone when
 * a flight left in a burst. Intervals shorter than the minimum RTT seen give no rate (as Linux).
 *
 * <p><b>Application-limited</b>: when the sender has nothing to send and the window has room,
 * {@code C.app_limited} marks the delivered count after which samples are trustworthy again;
 * samples whose segments left before it are flagged.
 *
 * <p><b>Bounded</b>: at most {@code maxRecords} records (grown by doubling from 16 as the flight
 * needs); when full, a new segment extends the newest record instead, which only coarsens the
 * samples. A SACK block is walked only where it differs from the previous ACK's blocks (which
 * were walked then), so an ACK costs what it newly delivers, not the size of its blocks.
 *
 * <p>Not thread-safe: the connection's event loop only.
 */
final class DeliveryRateEstimator {
    private static final int SACKED = 1;
    private static final int APP_LIMITED = 2;
    private static final int RETRANSMITTED = 4;
    private static final int[] NO_INTS = new int[0];

    private final int maxRecords;
    // The ring, by logical index i in [0, count): physical (head + i) & (capacity - 1).
    private int[] start = NO_INTS;
    private int[] end = NO_INTS;
    private long[] pDelivered;
    private long[] pDeliveredTime;
    private long[] pFirstSentTime;
    private long[] pSentTime;
    private byte[] pFlags;
    private int head;
    private int count;

    // ---- The connection's delivery state (C.*) ----
    private long delivered;
    private long deliveredTime;
    private long firstSentTime;
    /** C.app_limited: the delivered count until which samples are application-limited, or 0. */
    private long appLimited;
    /** Bytes retransmitted so far (taken as lost), and how many of them the last sample reported. */
    private long lost;
    private long lostReported;
    /** The least RTT measured from a record (Long.MAX_VALUE before one). */
    private long minRtt = Long.MAX_VALUE;

    // ---- The sample this ACK builds (rs.*) ----
    private boolean rsHasData;
    private long rsPriorDelivered;
    private long rsPriorTime;
    private long rsSentTime;
    private long rsSendElapsed;
    private long rsAckElapsed;
    private long rsRtt;
    private boolean rsAppLimited;
    private long rsNewly;

    /** The previous ACK's SACK blocks, already walked. */
    private final int[] previousBlocks = new int[8];
    private int previousCount;
    private final int[] pieces = new int[4];

    /** An estimator keeping at most {@code maxRecords} records (at least 16). */
    DeliveryRateEstimator(int maxRecords) {
        this.maxRecords = Integer.highestOneBit(Math.max(16, maxRecords));
    }

    /** The most records for a send buffer of {@code bytes}: its flight in segments of 536 bytes (RFC 9293's default MSS). */
    static int recordsFor(int sendBufferBytes) {
        return sendBufferBytes / 536 + 1;
    }

    /** C.delivered: bytes delivered so far. */
    long delivered() {
        return delivered;
    }

    /** Records held (segments in flight, roughly). */
    int records() {
        return count;
    }

    // =====================================================================================
    // Sending
    // =====================================================================================

    /**
     * New data {@code [seq, seq + len)} left now, cut into segments of {@code mss} on the wire;
     * {@code inFlightBefore} bytes were outstanding before it.
     */
    void onSent(int seq, int len, int mss, long now, long inFlightBefore) {
        if (len <= 0) {
            return;
        }
        startOfFlight(now, inFlightBefore);
        for (int off = 0; off < len; off += mss) {
            int pieceEnd = seq + Math.min(len, off + mss);
            append(seq + off, pieceEnd, now);
        }
    }

    /** {@code [seq, seq + len)} left again (a retransmission): its records are stamped anew and its bytes count as lost. */
    void onRetransmitted(int seq, int len, long now, long inFlightBefore) {
        if (len <= 0) {
            return;
        }
        lost += len;
        startOfFlight(now, inFlightBefore);
        int seqEnd = seq + len;
        for (int i = firstEndingAfter(seq); i < count; i++) {
            int p = phys(i);
            if (!lt(start[p], seqEnd)) {
                break;
            }
            if ((pFlags[p] & SACKED) == 0) {
                stamp(p, now);
                pFlags[p] |= RETRANSMITTED;
            }
        }
    }

    /**
     * The sender found nothing to send with room in the window: samples are application-limited
     * until what is in flight now has been delivered.
     */
    void onAppLimited(long inFlight) {
        appLimited = Math.max(delivered + inFlight, 1);
    }

    /** Whether samples are currently application-limited. */
    boolean appLimited() {
        return appLimited != 0;
    }

    /** Nothing outstanding when a segment leaves: a new flight, timed from now (draft 3.2). */
    private void startOfFlight(long now, long inFlightBefore) {
        if (inFlightBefore == 0) {
            firstSentTime = now;
            deliveredTime = now;
        }
    }

    private void append(int s, int e, long now) {
        if (count > 0) {
            int last = phys(count - 1);
            if (!gt(s, start[last])) {
                return; // not new: sent before (the caller's go-back-N counts as a retransmission)
            }
            if (count == maxRecords) {
                end[last] = e; // full: coarser, never unbounded
                return;
            }
        }
        if (count == start.length) {
            grow();
        }
        int p = phys(count);
        count++;
        start[p] = s;
        end[p] = e;
        pFlags[p] = 0;
        stamp(p, now);
    }

    private void stamp(int p, long now) {
        pDelivered[p] = delivered;
        pDeliveredTime[p] = deliveredTime;
        pFirstSentTime[p] = firstSentTime;
        pSentTime[p] = now;
        pFlags[p] = (byte) ((pFlags[p] & SACKED) | (appLimited != 0 ? APP_LIMITED : 0));
    }

    private void grow() {
        int capacity = Math.max(16, start.length * 2);
        int[] s = new int[capacity];
        int[] e = new int[capacity];
        long[] d = new long[capacity];
        long[] dt = new long[capacity];
        long[] f = new long[capacity];
        long[] st = new long[capacity];
        byte[] fl = new byte[capacity];
        for (int i = 0; i < count; i++) {
            int p = phys(i);
            s[i] = start[p];
            e[i] = end[p];
            d[i] = pDelivered[p];
            dt[i] = pDeliveredTime[p];
            f[i] = pFirstSentTime[p];
            st[i] = pSentTime[p];
            fl[i] = pFlags[p];
        }
        start = s;
        end = e;
        pDelivered = d;
        pDeliveredTime = dt;
        pFirstSentTime = f;
        pSentTime = st;
        pFlags = fl;
        head = 0;
    }

    // =====================================================================================
    // Acknowledgments
    // =====================================================================================

    /**
     * An ACK whose cumulative point is {@code una}, with {@code blockCount} SACK blocks in
     * {@code blocks} ({@code left, right} pairs): delivers what it covers and makes the sample.
     *
     * @param inFlight the sender's estimate of the bytes still in the network
     * @return the sample, or null if this ACK delivered nothing
     */
    RateSample onAck(int una, int[] blocks, int blockCount, long now, long inFlight) {
        while (count > 0 && le(end[head], una)) {
            if ((pFlags[head] & SACKED) == 0) {
                deliver(head, now);
            }
            head = (head + 1) & (start.length - 1);
            count--;
        }
        for (int b = 0; b < blockCount; b++) {
            int left = blocks[2 * b];
            int right = blocks[2 * b + 1];
            if (le(right, una) || !lt(left, right)) {
                continue; // a D-SACK (RFC 2883) or nonsense: nothing newly delivered
            }
            walkNewPartsOf(left, right, now);
        }
        previousCount = Math.min(blockCount, previousBlocks.length / 2);
        System.arraycopy(blocks, 0, previousBlocks, 0, 2 * previousCount);
        if (count == 0) {
            trimIfEmpty();
        }
        return sample(inFlight);
    }

    /**
     * Marks delivered the records inside {@code [left, right)} that the previous ACK's blocks did
     * not cover: the block minus each previous block, piece by piece. Cutting a piece keeps at
     * most one part in the list (a piece split in two has its right part walked at once), so the
     * list never outgrows what it was read from.
     */
    private void walkNewPartsOf(int left, int right, long now) {
        int n = 0;
        pieces[n++] = left;
        pieces[n++] = right;
        for (int k = 0; k < previousCount && n > 0; k++) {
            int pl = previousBlocks[2 * k];
            int pr = previousBlocks[2 * k + 1];
            int m = 0;
            for (int j = 0; j < n; j += 2) {
                int a = pieces[j];
                int z = pieces[j + 1];
                if (le(pr, a) || ge(pl, z)) {
                    pieces[m++] = a; // no overlap
                    pieces[m++] = z;
                    continue;
                }
                if (gt(z, pr)) {
                    scanPiece(pr, z, left, right, now); // the part above the previous block
                }
                if (lt(a, pl)) {
                    pieces[m++] = a; // the part below it, still to be cut by the other blocks
                    pieces[m++] = pl;
                }
            }
            n = m;
        }
        for (int j = 0; j < n; j += 2) {
            scanPiece(pieces[j], pieces[j + 1], left, right, now);
        }
    }

    /** Marks delivered each record overlapping {@code [a, z)} that lies wholly in the SACK block {@code [left, right)}. */
    private void scanPiece(int a, int z, int left, int right, long now) {
        for (int i = firstEndingAfter(a); i < count; i++) {
            int p = phys(i);
            if (!lt(start[p], z)) {
                break;
            }
            if ((pFlags[p] & SACKED) == 0 && ge(start[p], left) && le(end[p], right)) {
                pFlags[p] |= SACKED;
                deliver(p, now);
            }
        }
    }

    /** Draft 3.3: record {@code p} was delivered now. */
    private void deliver(int p, long now) {
        long len = end[p] - start[p];
        delivered += len;
        deliveredTime = now;
        rsNewly += len;
        long sent = pSentTime[p];
        // The most recently sent delivered segment gives the sample (Linux's tcp_rate_skb_delivered).
        if (!rsHasData || sent - rsSentTime > 0 || (sent == rsSentTime && pDelivered[p] > rsPriorDelivered)) {
            rsHasData = true;
            rsSentTime = sent;
            rsPriorDelivered = pDelivered[p];
            rsPriorTime = pDeliveredTime[p];
            rsAppLimited = (pFlags[p] & APP_LIMITED) != 0;
            rsSendElapsed = sent - pFirstSentTime[p];
            rsAckElapsed = now - pDeliveredTime[p];
            rsRtt = (pFlags[p] & RETRANSMITTED) != 0 ? -1 : now - sent;
            firstSentTime = sent; // the next flight's send interval starts here
        }
    }

    /** Draft 3.4: the sample of this ACK, or null if it delivered nothing; resets for the next. */
    private RateSample sample(long inFlight) {
        if (!rsHasData) {
            return null;
        }
        if (appLimited != 0 && delivered > appLimited) {
            appLimited = 0;
        }
        if (rsRtt >= 0 && rsRtt < minRtt) {
            minRtt = rsRtt;
        }
        long interval = Math.max(rsSendElapsed, rsAckElapsed);
        long over = delivered - rsPriorDelivered;
        long rate = -1;
        if (interval > 0 && (minRtt == Long.MAX_VALUE || interval >= minRtt)) {
            rate = (long) (over * 1e9 / interval);
        }
        RateSample rs = new RateSample(rate, over, interval, rsPriorDelivered, delivered, rsNewly, lost - lostReported,
                rsRtt, inFlight, rsAppLimited);
        lostReported = lost;
        rsHasData = false;
        rsNewly = 0;
        return rs;
    }

    /** The first record (logical index) whose end is after {@code seq}, or {@link #count}: by bisection, the ring being sorted. */
    private int firstEndingAfter(int seq) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (gt(end[phys(mid)], seq)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private int phys(int i) {
        return (head + i) & (start.length - 1);
    }

    /** Nothing in flight: the arrays go back (an idle connection holds none), as the SACK scoreboard's. */
    private void trimIfEmpty() {
        if (start.length > 64) {
            start = NO_INTS;
            end = NO_INTS;
            pDelivered = null;
            pDeliveredTime = null;
            pFirstSentTime = null;
            pSentTime = null;
            pFlags = null;
            head = 0;
        }
    }

    @Override
    public String toString() {
        return "DeliveryRateEstimator[delivered=" + delivered + ", records=" + count + ", appLimited=" + appLimited
                + ", lost=" + lost + "]";
    }
}
