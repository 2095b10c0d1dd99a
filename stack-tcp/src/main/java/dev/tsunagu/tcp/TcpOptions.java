package dev.tsunagu.tcp;

import dev.tsunagu.stack.StackOption;
import java.time.Duration;

/** TCP settings of a stack, set with {@code NetworkStack.Builder.option}. */
public final class TcpOptions {
    /** Maximum segment lifetime; TIME_WAIT lasts twice this (RFC 9293: 2 minutes; Linux's TIME_WAIT is 60 s). */
    public static final StackOption<Duration> MSL = StackOption.of("tcp.msl", Duration.class, Duration.ofSeconds(30),
            "maximum segment lifetime (TIME_WAIT = 2 MSL)");

    /** RFC 6298 (2.1): the RTO before any RTT sample. */
    public static final StackOption<Duration> INITIAL_RTO = StackOption.of("tcp.initialRto", Duration.class,
            Duration.ofSeconds(1), "retransmission timeout before the first RTT sample");

    /** RFC 6298 (2.4) recommends 1 s; Linux and most stacks use 200 ms. */
    public static final StackOption<Duration> MIN_RTO = StackOption.of("tcp.minRto", Duration.class,
            Duration.ofMillis(200), "lower bound of the retransmission timeout");

    /** RFC 6298 (2.5): at least 60 s. */
    public static final StackOption<Duration> MAX_RTO = StackOption.of("tcp.maxRto", Duration.class,
            Duration.ofSeconds(60), "upper bound of the retransmission timeout (backoff stops there)");

    /** Retransmissions of one segment before the connection is aborted (Linux tcp_retries2 = 15). */
    public static final StackOption<Integer> MAX_RETRIES = StackOption.of("tcp.maxRetries", Integer.class, 15,
            "retransmissions of data before giving up");

    /** SYN retransmissions before connect fails (Linux tcp_syn_retries = 6). */
    public static final StackOption<Integer> SYN_RETRIES = StackOption.of("tcp.synRetries", Integer.class, 6,
            "SYN retransmissions before connect gives up");

    /** RFC 1122 4.2.3.2: at most 500 ms; 40 ms as on Linux. */
    public static final StackOption<Duration> DELAYED_ACK = StackOption.of("tcp.delayedAck", Duration.class,
            Duration.ofMillis(40), "delayed ACK timeout");

    /**
     * The initial congestion window in segments: 0 for RFC 3390's rule by MSS (2 to 4 segments,
     * RFC 5681 3.1), or a count such as RFC 6928's 10 (Linux's default since 2.6.39).
     */
    public static final StackOption<Integer> INITIAL_WINDOW = StackOption.of("tcp.initialWindow", Integer.class, 0,
            "initial congestion window in segments (0: RFC 3390 by MSS; RFC 6928 and Linux: 10)");

    /**
     * How many in-order data segments at the start of a connection are acknowledged at once
     * rather than delayed: 0 (the default) delays from the first, as RFC 1122 4.2.3.2 allows;
     * Linux's quick-ACK mode acknowledges up to 16 at once so that the peer's slow start is not
     * held back by our delayed ACKs.
     */
    public static final StackOption<Integer> QUICK_ACKS = StackOption.of("tcp.quickAcks", Integer.class, 0,
            "in-order data segments acknowledged at once at the start of a connection (Linux: 16)");

    /**
     * RFC 5681 4.1: after an idle period longer than the RTO the congestion window restarts
     * from (at most) the initial window, as the RFC says a sender SHOULD. Linux's
     * {@code tcp_slow_start_after_idle}; packetdrill's {@code defaults.sh} turns it off.
     */
    public static final StackOption<Boolean> SLOW_START_AFTER_IDLE = StackOption.of("tcp.slowStartAfterIdle",
            Boolean.class, true, "restart from the initial window after an idle period longer than the RTO (RFC 5681 4.1)");

    /** The seeds' "full segment or timer" policy: how long a partial segment may wait. */
    public static final StackOption<Duration> SEND_HOLD = StackOption.of("tcp.sendHold", Duration.class,
            Duration.ofMillis(200), "longest wait of a partial segment under full-segment-or-timer");

    public static final StackOption<Duration> KEEPALIVE_IDLE = StackOption.of("tcp.keepaliveIdle", Duration.class,
            Duration.ofHours(2), "idle time before the first keepalive probe (RFC 1122: >= 2 h)");

    public static final StackOption<Duration> KEEPALIVE_INTERVAL = StackOption.of("tcp.keepaliveInterval", Duration.class,
            Duration.ofSeconds(75), "time between keepalive probes");

    public static final StackOption<Integer> KEEPALIVE_PROBES = StackOption.of("tcp.keepaliveProbes", Integer.class, 9,
            "unanswered keepalive probes before the connection is aborted");

    /** How long FIN_WAIT_2 may last once the application has closed (Linux tcp_fin_timeout). */
    public static final StackOption<Duration> FIN_WAIT_2_TIMEOUT = StackOption.of("tcp.finWait2Timeout", Duration.class,
            Duration.ofSeconds(60), "FIN_WAIT_2 lifetime of an orphaned connection");

    /** RFC 5961 section 7: challenge ACKs per second, stack-wide. */
    public static final StackOption<Integer> CHALLENGE_ACK_LIMIT = StackOption.of("tcp.challengeAckLimit", Integer.class,
            1000, "challenge ACKs per second");

    /** Per connection: at most one ACK for an out-of-window segment per this interval (Linux tcp_invalid_ratelimit). */
    public static final StackOption<Duration> INVALID_ACK_INTERVAL = StackOption.of("tcp.invalidAckInterval", Duration.class,
            Duration.ofMillis(500), "minimum interval between ACKs for out-of-window segments");

    /**
     * Out-of-order ranges a receive buffer keeps at most, below its own bound by bytes (one
     * range per 64 bytes of the buffer, at least 64: see {@code ReceiveBuffer}); a segment that
     * would need more is dropped. By default only the buffer's bound applies.
     */
    public static final StackOption<Integer> MAX_OUT_OF_ORDER = StackOption.of("tcp.maxOutOfOrder", Integer.class,
            Integer.MAX_VALUE, "out-of-order ranges kept per connection at most (default: one per 64 bytes of receive buffer)");

    /** RFC 2018 selective acknowledgments, offered in our SYNs and used when the peer agrees (RFC 6675 recovery). */
    public static final StackOption<Boolean> SACK = StackOption.of("tcp.sack", Boolean.class, true,
            "offer and use selective acknowledgments (RFC 2018, RFC 6675)");

    /** RFC 7323 timestamps: RTT samples on every flight, even during recovery, and PAWS. */
    public static final StackOption<Boolean> TIMESTAMPS = StackOption.of("tcp.timestamps", Boolean.class, true,
            "offer and use the Timestamps option (RFC 7323)");

    /**
     * Half-open connections (SYN-RECEIVED) one listener keeps, apart from its accept queue; 0 (the
     * default) bounds the SYN queue by the listen backlog, as Linux does. A SYN beyond it is
     * answered with a SYN cookie, or dropped when {@link #SYN_COOKIES} is off.
     */
    public static final StackOption<Integer> SYN_QUEUE = StackOption.of("tcp.synQueue", Integer.class, 0,
            "half-open connections per listener (the SYN queue) before SYN cookies; 0: the listen backlog");

    /** RFC 4987 SYN cookies when a listener's SYN queue is full (Linux's tcp_syncookies = 1). */
    public static final StackOption<Boolean> SYN_COOKIES = StackOption.of("tcp.synCookies", Boolean.class, true,
            "answer SYNs with SYN cookies when the SYN queue is full (RFC 4987)");

    /**
     * Whether a congestion control that can pace (CUBIC, at 1.2–2 × cwnd/SRTT as Linux) does.
     * Off by default, as Linux paces only when fq or BBR asks; in the paths comparison
     * (docs/performance.md) paced CUBIC matches unpaced behind CoDel, beats it on a shallow
     * buffer and is a little slower with random loss.
     */
    public static final StackOption<Boolean> PACING = StackOption.of("tcp.pacing", Boolean.class, false,
            "pace the sending rate when the congestion control gives one");

    /**
     * Proportional Rate Reduction's bound once the pipe is below ssthresh (RFC 6937 3.1): the
     * slow-start reduction bound (PRR-SSRB, false, the default, as Linux) sends what was delivered
     * plus one MSS per ACK; the conservative one (PRR-CRB, true) never more than was delivered.
     */
    public static final StackOption<Boolean> PRR_CONSERVATIVE = StackOption.of("tcp.prrConservative", Boolean.class,
            false, "PRR's conservative reduction bound (PRR-CRB, RFC 6937) instead of the slow-start one (PRR-SSRB)");

    /** Whether a stack uses Explicit Congestion Notification (RFC 3168), as Linux's {@code tcp_ecn}. */
    public enum EcnMode {
        /** Never: our SYNs do not ask, and a peer's ECN-setup SYN is answered without it (Linux's 0). */
        OFF,
        /**
         * When the peer asks: an ECN-setup SYN is answered with an ECN-setup SYN-ACK, but our own
         * SYNs do not ask (Linux's 2, its default).
         */
        ACCEPT,
        /** Always: our SYNs ask too (Linux's 1; macOS's default). */
        ON
    }

    /**
     * ECN (RFC 3168): data segments go ECT(0), a router may mark them CE instead of dropping
     * them, the receiver echoes ECE until the sender's CWR, and the sender reduces its window as
     * for a loss but loses nothing. {@link EcnMode#ACCEPT} by default, as Linux: a peer that
     * asks gets it; we do not ask, since ECN-setup SYNs still meet the odd middlebox that drops
     * them (a SYN sent again goes without ECN, RFC 3168 6.1.1.1, so that costs one RTO).
     */
    public static final StackOption<EcnMode> ECN = StackOption.of("tcp.ecn", EcnMode.class, EcnMode.ACCEPT,
            "Explicit Congestion Notification (RFC 3168): OFF, ACCEPT (when the peer asks; the default) or ON");

    /** When TCP searches for the path MTU by probing (RFC 4821), as Linux's {@code tcp_mtu_probing}. */
    public enum MtuProbing {
        /** Never: only ICMP "fragmentation needed" / "packet too big" lowers the MSS (Linux's 0, its default). */
        OFF,
        /**
         * Once an ICMP black hole is suspected (full-sized segments time out twice in a row): the
         * MSS falls to the search's base (1024 bytes) and probes find the largest size that passes
         * (Linux's 1; the default here).
         */
        ON_BLACK_HOLE,
        /** From the start of every connection: segments start at the base size and probes raise it (Linux's 2). */
        ALWAYS
    }

    /**
     * Packetization Layer Path MTU Discovery (RFC 4821), so that a path that drops large
     * segments without an ICMP error (a filtered "fragmentation needed": an ICMP black hole)
     * slows a connection for a few RTOs instead of stalling it until it gives up.
     * {@link MtuProbing#ON_BLACK_HOLE} by default, where Linux's default is off: it costs nothing
     * while ICMP works (it acts only after two timeouts in a row of a full-sized segment), and
     * RFC 8899, which generalises RFC 4821, means PLPMTUD to be the robust default rather than
     * an opt-in; probing from the start ({@link MtuProbing#ALWAYS}) costs every connection a few
     * round trips at a smaller size, so it stays a choice.
     */
    public static final StackOption<MtuProbing> MTU_PROBING = StackOption.of("tcp.mtuProbing", MtuProbing.class,
            MtuProbing.ON_BLACK_HOLE, "Packetization Layer PMTUD (RFC 4821): OFF, ON_BLACK_HOLE (the default) or ALWAYS");

    private TcpOptions() {}
}
