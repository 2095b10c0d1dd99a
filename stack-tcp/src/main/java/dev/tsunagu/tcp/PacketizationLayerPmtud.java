package dev.tsunagu.tcp;

import static dev.tsunagu.tcp.SeqNum.ge;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.policy.CongestionControl;

/**
 * Packetization Layer Path MTU Discovery (RFC 4821) as TCP does it: the path MTU found by
 * sending, not by trusting ICMP, so that a path that drops large segments without a word (an
 * "ICMP black hole": a router whose "fragmentation needed" a firewall filters) costs a connection
 * a few timeouts instead of all of it. One per connection that needs it: made when
 * {@code tcp.mtuProbing} is {@code ALWAYS} at establishment, or at the first suspected black hole
 * when it is {@code ON_BLACK_HOLE}.
 *
 * <p>The search (RFC 4821 7.2, 7.3) is over packet sizes, IP header and TCP header without
 * options, in RFC 4821's names: {@link #searchLow} is known to pass (the MSS is sized from it),
 * {@link #searchHigh} is the largest not known to fail (the route's MTU, the path MTU ICMP
 * taught, the peer's MSS). Each probe (7.4) is one new-data segment halfway between them,
 * sent only when enough data follows it that its loss shows as duplicate ACKs (three MSS, as
 * Linux asks for reordering + 1) and the windows take it and them. Acknowledged, the MSS goes up
 * to its size (7.6.1); lost alone — the first hole at the probe — the size is too big (7.6.2), the
 * probe's bytes go again at the MSS that passes, and there is no congestion response (the loss
 * said nothing about congestion: Linux's tcp_mtup_probe_failed with tcp_simple_retransmit). A
 * loss of other data meanwhile makes the probe inconclusive: it is forgotten, and sent again
 * later. The search is done when the two bounds are within {@link #SEARCH_THRESHOLD}; after
 * {@link #REPROBE_NANOS} it starts again from the largest size (7.8: a path may grow).
 *
 * <p>Black holes (7.7's full-stop timeout): when {@link #BLACK_HOLE_TIMEOUTS} retransmission
 * timeouts in a row strike a segment larger than the base size, the MSS falls to the base
 * ({@link #BASE_MSS}), and on each further timeout in the same run to half the size known to pass
 * (no lower than the family's floor), as Linux's tcp_mtu_probing; probes then climb back.
 *
 * <p>Called by the {@link Sender} (when a probe goes, and with what), {@link LossRecovery} (ACKs,
 * losses, timeouts) and {@link PathMtuDiscovery} (what ICMP says, when it says anything). Loop
 * thread only.
 */
final class PacketizationLayerPmtud {
    /**
     * The MSS to fall back to and start from (RFC 4821 7.2: a search_low of 1024 bytes "is
     * probably safe enough"; Linux's tcp_base_mss is 1024 too).
     */
    static final int BASE_MSS = 1024;
    /** The search is over when the bounds are this close (Linux's tcp_probe_threshold). */
    static final int SEARCH_THRESHOLD = 8;
    /**
     * Timeouts in a row of a full-sized segment that make us suspect a black hole. Linux waits
     * for tcp_retries1 (3) retransmissions; two already stall a connection for three RTOs, and a
     * wrong guess costs only a few round trips at a smaller size before the probes climb back.
     */
    static final int BLACK_HOLE_TIMEOUTS = 2;
    /** How long a finished search stands before the largest size is tried again (Linux's tcp_probe_interval, 10 minutes). */
    static final long REPROBE_NANOS = 600_000_000_000L;
    /** Segments of data a probe needs behind it, so that its loss draws duplicate ACKs. */
    private static final int FOLLOWERS = 3;

    private final EventLoop loop;
    private final PathMtuDiscovery pmtu;
    private final Sender snd;
    private final CongestionControl cc;
    private final TcpCounters counters;

    /** The search has begun (probing is on): the MSS is sized from {@link #searchLow}. */
    boolean enabled;
    /** RFC 4821 7.2: the largest packet known to pass. */
    int searchLow;
    /** RFC 4821 7.2: the largest packet not known to fail. */
    int searchHigh;
    /** The probe in flight: its packet size, its sequence space {@code [probeStart, probeEnd)}. */
    private boolean probeOut;
    private int probeSize;
    private int probeStart;
    private int probeEnd;
    /** When the search last converged (valid while {@link #searchDone}). */
    private boolean searchDone;
    private long searchDoneAt;

    PacketizationLayerPmtud(EventLoop loop, PathMtuDiscovery pmtu, Sender snd, CongestionControl cc, TcpCounters counters) {
        this.loop = loop;
        this.pmtu = pmtu;
        this.snd = snd;
        this.cc = cc;
        this.counters = counters;
    }

    /** {@code tcp.mtuProbing=ALWAYS}: the connection starts at the base size and probes up from there. */
    void start() {
        enable();
        lowerMssTo(pmtu.mssFor(searchLow));
    }

    private void enable() {
        enabled = true;
        searchHigh = pmtu.largestPacket();
        searchLow = Math.min(basePacket(), searchHigh);
        searchDone = false;
    }

    /** The packet the base MSS makes (no smaller than the family's floor: IPv6's 1280). */
    private int basePacket() {
        return Math.max(pmtu.floorPacket(), BASE_MSS + pmtu.headers());
    }

    // =====================================================================================
    // Probing up (RFC 4821 7.3, 7.4)
    // =====================================================================================

    /**
     * The payload of a probe to send now at SND.NXT, or 0 for none: probing is on, no probe is
     * out, the search is not over, and {@code unsent} bytes and a {@code usable} window take the
     * probe and the segments that must follow it.
     */
    int probeLength(int unsent, long usable) {
        if (!enabled || probeOut || cc.inRecovery()) {
            return 0;
        }
        int high = Math.min(searchHigh, pmtu.largestPacket());
        if (high - searchLow < SEARCH_THRESHOLD) {
            long now = loop.now();
            if (!searchDone) {
                searchDone = true;
                searchDoneAt = now;
                return 0;
            }
            if (now - searchDoneAt < REPROBE_NANOS) {
                return 0;
            }
            // RFC 4821 7.8: the path may have grown; search again up to the largest size.
            searchHigh = pmtu.largestPacket();
            searchDone = false;
            high = searchHigh;
            if (high - searchLow < SEARCH_THRESHOLD) {
                searchDone = true;
                searchDoneAt = now;
                return 0;
            }
        }
        int size = (searchLow + high + 1) >>> 1;
        int len = pmtu.mssFor(size);
        long needed = len + (long) FOLLOWERS * snd.mss;
        if (len <= snd.mss || unsent < needed || usable < needed) {
            return 0;
        }
        probeSize = size;
        return len;
    }

    /** The probe left: {@code len} bytes at {@code seq}. */
    void onProbeSent(int seq, int len) {
        probeOut = true;
        probeStart = seq;
        probeEnd = seq + len;
        counters.mtuProbes.increment();
    }

    /** A cumulative ACK to {@code ack}: if it covers the probe, the probe's size passes (RFC 4821 7.6.1). */
    void onAck(int ack) {
        if (!probeOut || !ge(ack, probeEnd)) {
            return;
        }
        probeOut = false;
        counters.mtuProbeSuccesses.increment();
        searchLow = probeSize;
        int mss = pmtu.mssFor(searchLow);
        if (mss > snd.mss) {
            snd.mss = mss;
            cc.onMssChanged(mss);
        }
    }

    /**
     * Loss detection is about to answer a loss whose first hole is at {@code sndUna} (fast
     * retransmit, SACK recovery, a timeout). If a probe is out, it is settled: lost alone (the
     * hole is the probe) it failed (RFC 4821 7.6.2) and {@link #searchHigh} comes below it;
     * with other data lost it is inconclusive and forgotten.
     *
     * @return whether the loss was the probe's alone: no congestion response is due, and the
     *     caller sends the probe's bytes again at the MSS ({@link #probeStart}, {@link #probeEnd})
     */
    boolean onLoss(int sndUna) {
        if (!probeOut) {
            return false;
        }
        probeOut = false;
        if (sndUna != probeStart) {
            return false;
        }
        counters.mtuProbeFailures.increment();
        searchHigh = probeSize - 1;
        return true;
    }

    int probeStart() {
        return probeStart;
    }

    int probeEnd() {
        return probeEnd;
    }

    // =====================================================================================
    // Black holes (RFC 4821 7.7) and ICMP
    // =====================================================================================

    /**
     * The {@code consecutive}-th retransmission timeout in a row struck a segment of
     * {@code headLength} bytes at SND.UNA: if that suggests a black hole, the MSS comes down.
     *
     * @return whether it did
     */
    boolean onTimeout(int consecutive, int headLength) {
        if (consecutive < BLACK_HOLE_TIMEOUTS) {
            return false;
        }
        int mss = enabled
                // Still timing out at the size believed to pass: halve it, never below the floor.
                ? Math.max(pmtu.mssFor(pmtu.floorPacket()), Math.min(pmtu.mssFor(basePacket()), pmtu.mssFor(searchLow) / 2))
                : pmtu.mssFor(Math.min(basePacket(), pmtu.largestPacket()));
        if (headLength <= mss || mss >= snd.mss) {
            return false; // the segment timing out would fit the smaller size: not a size problem
        }
        if (enabled) {
            searchLow = Math.min(searchLow, pmtu.packetFor(mss));
            searchDone = false;
        } else {
            enable();
        }
        counters.pmtuBlackHoles.increment();
        lowerMssTo(mss);
        return true;
    }

    /** ICMP taught a path MTU of {@code mtu} (RFC 1191): neither bound stays above it. */
    void onPathMtuLowered(int mtu) {
        searchHigh = Math.min(searchHigh, mtu);
        searchLow = Math.min(searchLow, mtu);
    }

    private void lowerMssTo(int mss) {
        if (mss < snd.mss) {
            snd.mss = mss;
            cc.onMssChanged(mss);
        }
    }
}
