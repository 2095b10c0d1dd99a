package dev.tsunagu.tcp.policy;

/**
 * HyStart++ (RFC 9406): when to leave the initial slow start before it overshoots, from the
 * round trip growing rather than from a loss. One instance per connection, owned by the
 * congestion controller, which asks it how much each ACK may grow the window.
 *
 * <pre>
 *   SLOW_START ──(RTT of this round ≥ last round's + RttThresh)──▶ CSS ──(CSS_ROUNDS rounds)──▶ DONE
 *        ▲                                                          │      (ssthresh = cwnd)
 *        └────────────(RTT falls below the CSS baseline: spurious)──┘
 *   any loss, in either phase ─▶ DONE (the controller's own loss response)
 * </pre>
 *
 * <p><b>Rounds</b> (4.2): a round ends when the data outstanding at its start is acknowledged.
 * The SPI reports bytes, not sequence numbers, so the round's end is counted in acknowledged
 * bytes: {@code windowEnd = delivered + bytesInFlight} when the round starts (SND.NXT, as an
 * offset into the bytes ever acknowledged), and the round ends when {@code delivered} reaches
 * it; the next ACK, the first for data sent after the round began, starts the next round (as
 * Linux's {@code after(snd_una, end_seq)}), so a round's samples are those of one flight. In
 * slow start nothing is retransmitted, so bytes acknowledged stand exactly for SEG.ACK.
 *
 * <p><b>RTT samples</b>: each ACK that carries one counts (the sender gives one per ACK when
 * timestamps are on; without them one per flight, Karn's rule, so a round never has
 * {@link #N_RTT_SAMPLE} of them and HyStart++ quietly stays in standard slow start).
 *
 * <p><b>Growth</b> (4.2): {@code min(acked, L*SMSS)} per ACK in slow start, a quarter of that
 * ({@link #CSS_GROWTH_DIVISOR}) in Conservative Slow Start; L is 8 for an unpaced sender and
 * unbounded for a paced one. With segmentation offload SMSS here is the sender's segment as
 * handed to the device (the controller passes its send unit): the receiver acknowledges such a
 * segment with one ACK, and L counts ACKs' worth of segments.
 *
 * <p>Only the initial slow start uses it (4.3: later slow starts end at the ssthresh a loss set).
 */
final class HyStartPlusPlus {
    /** RFC 9406 4.3 constants. */
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    /** L for a sender that does not pace (4.3); a paced one has no limit. */
    static final int L_UNPACED = 8;

    /** Where the algorithm is. */
    enum Phase { SLOW_START, CSS, DONE }

    private static final long NONE = Long.MAX_VALUE;

    private final boolean paced;
    private Phase phase = Phase.SLOW_START;
    /** Bytes acknowledged so far (the controller's count of SND.UNA). */
    private long delivered;
    /** The end of the current round, in {@link #delivered}'s terms; 0: the first ACK starts a round. */
    private long windowEnd;
    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int rttSampleCount;
    private long cssBaselineMinRtt = NONE;
    /** Rounds begun in CSS, counting the one it was entered in. */
    private int cssRounds;

    HyStartPlusPlus(boolean paced) {
        this.paced = paced;
    }

    Phase phase() {
        return phase;
    }

    /**
     * An ACK in slow start (cwnd below ssthresh).
     *
     * @param rttNanos the ACK's RTT sample, or -1
     * @param bytesInFlight after this ACK
     * @param mss the segment L counts: SMSS, or the sender's offloaded segment
     * @return the bytes cwnd grows by; after the call, {@link #phase()} may be {@link Phase#DONE}
     *     (CSS lasted {@link #CSS_ROUNDS} rounds): the controller then sets ssthresh to cwnd
     */
    long onAck(long ackedBytes, long rttNanos, long bytesInFlight, long mss) {
        long growth = paced ? ackedBytes : Math.min(ackedBytes, (long) L_UNPACED * mss);
        if (phase == Phase.DONE) {
            return growth;
        }
        delivered += ackedBytes;
        if (delivered > windowEnd) {
            startRound(bytesInFlight);
            if (phase == Phase.DONE) {
                return 0;
            }
        }
        if (rttNanos >= 0) {
            currentRoundMinRtt = Math.min(currentRoundMinRtt, rttNanos);
            rttSampleCount++;
        }
        boolean enough = rttSampleCount >= N_RTT_SAMPLE && currentRoundMinRtt != NONE;
        if (phase == Phase.SLOW_START && enough && lastRoundMinRtt != NONE) {
            // 4.2: the round trip grew by more than RttThresh over the last round's: a queue is
            // building. Slow down (CSS) rather than stop: the growth may be noise.
            long rttThresh = Math.max(MIN_RTT_THRESH, Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
            if (currentRoundMinRtt >= lastRoundMinRtt + rttThresh) {
                cssBaselineMinRtt = currentRoundMinRtt;
                phase = Phase.CSS;
                cssRounds = 1; // "that partial round counts towards the limit"
            }
        } else if (phase == Phase.CSS && enough && currentRoundMinRtt < cssBaselineMinRtt) {
            // 4.2: the RTT fell back below the baseline: the exit was spurious; slow start again.
            cssBaselineMinRtt = NONE;
            phase = Phase.SLOW_START;
        }
        return phase == Phase.CSS ? growth / CSS_GROWTH_DIVISOR : growth;
    }

    /** A loss or an ECN mark in slow start or CSS: congestion avoidance follows (4.2). */
    void onCongestion() {
        phase = Phase.DONE;
    }

    private void startRound(long bytesInFlight) {
        windowEnd = delivered + Math.max(bytesInFlight, 1);
        lastRoundMinRtt = currentRoundMinRtt;
        currentRoundMinRtt = NONE;
        rttSampleCount = 0;
        if (phase == Phase.CSS) {
            if (cssRounds >= CSS_ROUNDS) {
                phase = Phase.DONE; // 4.2: CSS_ROUNDS rounds complete: congestion avoidance
            } else {
                cssRounds++;
            }
        }
    }

    @Override
    public String toString() {
        return "HyStart++[" + phase + (phase == Phase.CSS ? " round " + cssRounds : "") + "]";
    }
}
