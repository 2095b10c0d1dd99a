package dev.tsunagu.tcp.policy;

import dev.tsunagu.policy.CongestionControl;
import dev.tsunagu.policy.RateSample;
import java.util.random.RandomGenerator;

/**
 * BBR version 1 (draft-cardwell-iccrg-bbr-congestion-control-00; Cardwell et al., "BBR:
 * Congestion-Based Congestion Control", ACM Queue 2016): a model of the path — its bottleneck
 * bandwidth (BtlBw, the {@linkplain WindowedMaxFilter windowed maximum} of the delivery rate over
 * 10 round trips) and its round-trip propagation time (RTprop, the {@linkplain MinRttFilter
 * minimum RTT} over 10 s) — and a sender that paces at {@code pacing_gain × BtlBw} with at most
 * {@code cwnd_gain × BtlBw × RTprop} in flight. Loss is not a congestion signal in v1: a flow
 * on a path with random loss keeps its rate, where a loss-based controller halves it.
 *
 * <pre>
 *            full pipe (BtlBw grew &lt; 25% in 3 rounds)   inflight ≤ BDP
 *   STARTUP ───────────────────────────────────▶ DRAIN ────────────────▶ PROBE_BW
 *   gain 2/ln2                                   pacing 1/(2/ln2)        gains 1.25, 0.75, 1 ×6,
 *      ▲                                                                 one RTprop each
 *      │ pipe not yet full            PROBE_RTT: cwnd 4 segments for        │
 *      └───────────────────────────── 200 ms and a round trip ◀─────────────┘
 *                                     (RTprop older than 10 s, any state)
 * </pre>
 *
 * <p><b>Inputs</b>: {@link #onRateSample} on every ACK that delivers data — the sender's
 * delivery-rate sample (draft-cheng-iccrg-delivery-rate-estimation) carries the rate, whether
 * it was application-limited (such samples only raise BtlBw), the RTT of the newest segment it
 * delivered, the delivered count that marks round trips, and the bytes retransmitted since.
 *
 * <p><b>Outputs</b>: {@link #pacingRate()} (with a 1% margin below the gain, as Linux, so a
 * queue does not build at exactly the bottleneck rate) and {@link #congestionWindow()}: the
 * target {@code cwnd_gain × BDP + 3 send quanta} (the quanta cover delayed and stretched ACKs),
 * approached by what each ACK delivers; in STARTUP it only grows. 4 segments at least.
 *
 * <p><b>Loss</b>: the congestion window falls by the bytes retransmitted; the first round of
 * a recovery is packet conservation (cwnd = in flight + delivered, so as much leaves as arrives)
 * and its end restores the window from before it. A retransmission timeout sets cwnd to one
 * segment, restored when a round trip of data sent after it is delivered. The slow-start
 * threshold is never reduced, so the sender's recovery window is BBR's cwnd. ECN echoes are not
 * a signal in v1 (BBRv2/v3 respond to loss rates and CE marks; see {@code docs/architecture.md}).
 *
 * <p>All state is plain fields, time passed in. Not thread-safe: one instance per connection,
 * used on its event loop.
 */
public final class Bbr implements CongestionControl {
    /** The states of the model's state machine. */
    public enum State { STARTUP, DRAIN, PROBE_BW, PROBE_RTT }

    /** 2/ln 2: the smallest gain that doubles the delivery rate every round in STARTUP. */
    public static final double HIGH_GAIN = 2 / Math.log(2);
    /** DRAIN's pacing gain: drains in one round the queue STARTUP made. */
    public static final double DRAIN_GAIN = 1 / HIGH_GAIN;
    /** PROBE_BW's cwnd gain: room for delayed and aggregated ACKs. */
    public static final double CWND_GAIN = 2.0;
    /** PROBE_BW's pacing gains, a phase of one RTprop each: probe, drain what the probe queued, cruise. */
    static final double[] PACING_GAIN_CYCLE = {1.25, 0.75, 1, 1, 1, 1, 1, 1};
    /** BtlBw's window, in round trips. */
    public static final int BW_FILTER_ROUNDS = 10;
    /** RTprop's window. */
    public static final long MIN_RTT_WINDOW_NANOS = 10_000_000_000L;
    /** How long PROBE_RTT holds the window at {@link #MIN_CWND_SEGMENTS} (at least a round trip too). */
    public static final long PROBE_RTT_NANOS = 200_000_000L;
    /** STARTUP ends when BtlBw grew less than this in {@link #FULL_BW_ROUNDS} rounds. */
    static final double FULL_BW_THRESHOLD = 1.25;
    static final int FULL_BW_ROUNDS = 3;
    /** The smallest window: enough to keep the ACK clock going with delayed ACKs. */
    public static final int MIN_CWND_SEGMENTS = 4;
    /** Pacing below the gain's rate by this much (Linux's {@code bbr_pacing_margin_percent}). */
    static final double PACING_MARGIN = 0.01;
    /** Before a bandwidth sample: the initial window, in segments (RFC 6928's 10, as Linux). */
    static final int INITIAL_CWND_SEGMENTS = 10;

    private final RandomGenerator random;
    private final WindowedMaxFilter btlBw = new WindowedMaxFilter(BW_FILTER_ROUNDS);
    private final MinRttFilter rtProp = new MinRttFilter(MIN_RTT_WINDOW_NANOS);
    private int mss;
    private State state = State.STARTUP;
    private double pacingGain = HIGH_GAIN;
    private double cwndGain = HIGH_GAIN;
    private long cwnd;
    private long pacingRate;
    /** The window before a loss, PROBE_RTT or a timeout reduced it, to come back to. */
    private long priorCwnd;

    // ---- Round trips (a round ends when a segment sent after its start is delivered) ----
    private long roundCount;
    private long nextRoundDelivered;
    private boolean roundStart;

    // ---- STARTUP's end ----
    private boolean filledPipe;
    private long fullBw;
    private int fullBwCount;

    // ---- PROBE_BW ----
    private int cycleIndex;
    private long cycleStamp;

    // ---- PROBE_RTT ----
    private long probeRttDoneStamp;
    private boolean probeRttRoundDone;
    private boolean idleRestart;

    // ---- Loss ----
    private boolean inRecovery;
    /** Recovery just began: the next sample sets cwnd by packet conservation. */
    private boolean recoveryStarted;
    private boolean packetConservation;
    /** A retransmission timeout cut cwnd to one segment; restored after a round trip. */
    private boolean afterTimeout;
    /** The delivered count of the latest sample, so a timeout can start a round from it. */
    private long lastDelivered;

    /** BBR for SMSS {@code mss}; {@code random} picks the first PROBE_BW phase (seeded in tests). */
    public Bbr(int mss, RandomGenerator random) {
        if (mss <= 0) {
            throw new IllegalArgumentException("MSS must be positive: " + mss);
        }
        this.mss = mss;
        this.random = random;
        this.cwnd = (long) INITIAL_CWND_SEGMENTS * mss;
    }

    // =====================================================================================
    // What the sender reads
    // =====================================================================================

    @Override
    public long congestionWindow() {
        return cwnd;
    }

    /** Never reduced: BBR bounds the flight with its cwnd alone, recovery included. */
    @Override
    public long slowStartThreshold() {
        return Long.MAX_VALUE / 2;
    }

    @Override
    public long pacingRate() {
        return pacingRate;
    }

    @Override
    public boolean inRecovery() {
        return inRecovery;
    }

    @Override
    public boolean wantsRateSamples() {
        return true;
    }

    /** BBR sets the window through recovery itself (packet conservation for a round, then its model). */
    @Override
    public boolean usesRateReduction() {
        return false;
    }

    /** The state machine's state. */
    public State state() {
        return state;
    }

    /** BtlBw, bytes per second (0 before a sample). */
    public long bottleneckBandwidth() {
        return btlBw.get();
    }

    /** RTprop, nanoseconds (-1 before a sample). */
    public long minRtt() {
        return rtProp.get();
    }

    /** The current pacing gain. */
    public double pacingGain() {
        return pacingGain;
    }

    /** Round trips counted so far. */
    public long rounds() {
        return roundCount;
    }

    /** Whether STARTUP found the pipe full. */
    public boolean filledPipe() {
        return filledPipe;
    }

    // =====================================================================================
    // The model, per ACK
    // =====================================================================================

    @Override
    public void onRateSample(long now, RateSample rs) {
        lastDelivered = rs.totalDelivered();
        updateRound(rs);
        updateBandwidth(rs);
        if (state == State.PROBE_BW) {
            checkCyclePhase(now, rs);
        }
        checkFullPipe(rs);
        checkDrain(now, rs);
        updateMinRtt(now, rs);
        setPacingRate(pacingGain);
        setCwnd(rs);
    }

    /** A round trip ends when a segment sent after the previous round ended is delivered. */
    private void updateRound(RateSample rs) {
        if (rs.priorDelivered() >= nextRoundDelivered) {
            nextRoundDelivered = rs.totalDelivered();
            roundCount++;
            roundStart = true;
            packetConservation = false; // one round of conservation per recovery
            if (afterTimeout) {
                afterTimeout = false;
                cwnd = Math.max(cwnd, priorCwnd);
            }
        } else {
            roundStart = false;
        }
    }

    /** BtlBw: application-limited samples count only when they raise it (they understate the path). */
    private void updateBandwidth(RateSample rs) {
        if (rs.valid() && (!rs.appLimited() || rs.deliveryRate() >= btlBw.get())) {
            btlBw.update(roundCount, rs.deliveryRate());
        }
    }

    /** STARTUP's exit (draft 4.3.2.2): three rounds in which BtlBw grew by less than 25%. */
    private void checkFullPipe(RateSample rs) {
        if (filledPipe || !roundStart || rs.appLimited()) {
            return;
        }
        long bw = btlBw.get();
        if (bw >= fullBw * FULL_BW_THRESHOLD) {
            fullBw = bw;
            fullBwCount = 0;
            return;
        }
        if (++fullBwCount >= FULL_BW_ROUNDS) {
            filledPipe = true;
        }
    }

    private void checkDrain(long now, RateSample rs) {
        if (state == State.STARTUP && filledPipe) {
            state = State.DRAIN;
            pacingGain = DRAIN_GAIN;
            cwndGain = HIGH_GAIN;
        }
        if (state == State.DRAIN && rs.bytesInFlight() <= inflight(1.0)) {
            enterProbeBw(now);
        }
    }

    private void enterProbeBw(long now) {
        state = State.PROBE_BW;
        cwndGain = CWND_GAIN;
        // A random phase, but not the draining one (0.75): a flow that just drained need not drain again.
        cycleIndex = PACING_GAIN_CYCLE.length - 1 - random.nextInt(PACING_GAIN_CYCLE.length - 1);
        advanceCyclePhase(now);
    }

    /**
     * PROBE_BW's gain cycle (draft 4.3.4.3): a phase lasts one RTprop; the probing phase (1.25)
     * also lasts until the flight reached its target or something was lost, the draining one
     * (0.75) ends early once the flight is down to one BDP.
     */
    private void checkCyclePhase(long now, RateSample rs) {
        boolean fullLength = now - cycleStamp > Math.max(rtProp.get(), 0);
        double gain = pacingGain;
        boolean next;
        if (gain == 1.0) {
            next = fullLength;
        } else if (gain > 1.0) {
            next = fullLength && (rs.newlyLost() > 0 || priorInFlight(rs) >= inflight(gain));
        } else {
            next = fullLength || priorInFlight(rs) <= inflight(1.0);
        }
        if (next) {
            advanceCyclePhase(now);
        }
    }

    private void advanceCyclePhase(long now) {
        cycleIndex = (cycleIndex + 1) % PACING_GAIN_CYCLE.length;
        cycleStamp = now;
        pacingGain = PACING_GAIN_CYCLE[cycleIndex];
    }

    /**
     * RTprop and PROBE_RTT (draft 4.3.5): when the minimum is 10 s old, hold the window at four
     * segments until the queue has drained and 200 ms and a round trip have passed, so the
     * minimum is measured on an empty queue; then back to PROBE_BW (or STARTUP if the pipe was
     * never found full).
     */
    private void updateMinRtt(long now, RateSample rs) {
        boolean expired = rtProp.update(now, rs.rttNanos());
        if (expired && !idleRestart && state != State.PROBE_RTT) {
            state = State.PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = 1.0;
            saveCwnd();
            probeRttDoneStamp = 0;
        }
        if (state == State.PROBE_RTT) {
            if (probeRttDoneStamp == 0 && rs.bytesInFlight() <= minCwnd()) {
                probeRttDoneStamp = now + PROBE_RTT_NANOS;
                probeRttRoundDone = false;
                nextRoundDelivered = rs.totalDelivered();
            } else if (probeRttDoneStamp != 0) {
                if (roundStart) {
                    probeRttRoundDone = true;
                }
                if (probeRttRoundDone && now - probeRttDoneStamp > 0) {
                    rtProp.refresh(now);
                    cwnd = Math.max(cwnd, priorCwnd);
                    if (filledPipe) {
                        enterProbeBw(now);
                    } else {
                        state = State.STARTUP;
                        pacingGain = HIGH_GAIN;
                        cwndGain = HIGH_GAIN;
                    }
                }
            }
        }
        if (rs.newlyDelivered() > 0) {
            idleRestart = false;
        }
    }

    /** {@code gain × BtlBw}, less the margin; before the pipe is full it only rises. */
    private void setPacingRate(double gain) {
        long bw = btlBw.get();
        if (bw <= 0) {
            return;
        }
        long rate = (long) (gain * bw * (1 - PACING_MARGIN));
        if (filledPipe || rate > pacingRate) {
            pacingRate = rate;
        }
    }

    /** The window (draft 4.2.3): toward the target by what each ACK delivers; loss and PROBE_RTT bound it. */
    private void setCwnd(RateSample rs) {
        long acked = rs.newlyDelivered();
        if (acked > 0 && !recoverOrRestore(rs)) {
            long target = inflight(cwndGain);
            if (filledPipe) {
                cwnd = Math.min(cwnd + acked, target);
            } else if (cwnd < target || rs.totalDelivered() < (long) INITIAL_CWND_SEGMENTS * mss) {
                cwnd += acked;
            }
            cwnd = Math.max(cwnd, minCwnd());
        }
        if (state == State.PROBE_RTT) {
            cwnd = Math.min(cwnd, minCwnd());
        }
    }

    /**
     * Losses take their bytes off the window; the first round of a recovery is packet
     * conservation.
     *
     * @return whether conservation set the window (the target is then not applied)
     */
    private boolean recoverOrRestore(RateSample rs) {
        if (rs.newlyLost() > 0) {
            cwnd = Math.max(cwnd - rs.newlyLost(), mss);
        }
        if (recoveryStarted) {
            recoveryStarted = false;
            packetConservation = true;
            nextRoundDelivered = rs.totalDelivered(); // the conservation round starts now
            cwnd = priorInFlight(rs);
        }
        if (packetConservation) {
            cwnd = Math.max(cwnd, priorInFlight(rs));
            return true;
        }
        return false;
    }

    /** The flight before this ACK: what is in flight after it plus what it delivered. */
    private static long priorInFlight(RateSample rs) {
        return rs.bytesInFlight() + rs.newlyDelivered();
    }

    /**
     * {@code gain × BDP} plus three send quanta (draft 4.2.3.2), and in the probing phase two
     * segments more (Linux): the flight that keeps the pipe full at that gain. Before a model
     * exists, the initial window.
     */
    long inflight(double gain) {
        long bw = btlBw.get();
        long rtt = rtProp.get();
        if (bw <= 0 || rtt < 0) {
            return (long) INITIAL_CWND_SEGMENTS * mss;
        }
        long bdp = (long) (bw * (rtt / 1e9) * gain);
        long target = bdp + 3 * sendQuantum();
        if (state == State.PROBE_BW && cycleIndex == 0) {
            target += 2L * mss;
        }
        return target;
    }

    /** Draft 4.2.2: one segment below 1.2 Mbit/s, two below 24 Mbit/s, else a millisecond's worth up to 64 KB. */
    long sendQuantum() {
        if (pacingRate < 150_000) {
            return mss;
        }
        if (pacingRate < 3_000_000) {
            return 2L * mss;
        }
        return Math.min(pacingRate / 1000, 64 * 1024);
    }

    private long minCwnd() {
        return (long) MIN_CWND_SEGMENTS * mss;
    }

    /** Remembers the window to restore: the larger of the saved and current ones while already reduced. */
    private void saveCwnd() {
        priorCwnd = inRecovery || state == State.PROBE_RTT ? Math.max(priorCwnd, cwnd) : cwnd;
    }

    // =====================================================================================
    // The sender's other events
    // =====================================================================================

    /** Only the first RTT sample matters here: an initial pacing rate before any bandwidth sample. */
    @Override
    public void onAck(long now, long ackedBytes, long rttNanos, long bytesInFlight) {
        if (pacingRate == 0 && rttNanos > 0) {
            pacingRate = (long) (HIGH_GAIN * cwnd * 1e9 / rttNanos);
        }
    }

    @Override
    public void onFastRetransmit(long now, long bytesInFlight) {
        if (inRecovery) {
            return;
        }
        saveCwnd();
        inRecovery = true;
        recoveryStarted = true;
    }

    @Override
    public void onRecoveryEnd(long now) {
        if (!inRecovery) {
            return;
        }
        inRecovery = false;
        recoveryStarted = false;
        packetConservation = false;
        cwnd = Math.max(cwnd, priorCwnd);
    }

    /** BBRv1 ignores ECN: a CE echo is neither a loss nor a change in the model. */
    @Override
    public void onCongestionExperienced(long now, long bytesInFlight) {}

    @Override
    public void onRetransmissionTimeout(long now, long bytesInFlight) {
        saveCwnd();
        inRecovery = false;
        recoveryStarted = false;
        packetConservation = false;
        afterTimeout = true;
        cwnd = mss;
        roundStart = false;
        // The round that restores the window is that of what is sent after the timeout.
        nextRoundDelivered = lastDelivered;
    }

    @Override
    public void onIdleRestart(long now) {
        idleRestart = true;
        if (state == State.PROBE_BW) {
            setPacingRate(1.0); // no probing burst after idle: cruise at the model's rate
        }
    }

    @Override
    public void onMssChanged(int newMss) {
        if (newMss <= 0) {
            throw new IllegalArgumentException("MSS must be positive: " + newMss);
        }
        mss = newMss;
        cwnd = Math.max(cwnd, minCwnd());
    }

    @Override
    public String toString() {
        return "Bbr[" + state + ", btlBw=" + btlBw.get() + " B/s, rtProp=" + rtProp.get() + " ns, cwnd=" + cwnd
                + ", pacing=" + pacingRate + " B/s, gain=" + pacingGain + (inRecovery ? ", recovery" : "") + "]";
    }
}
