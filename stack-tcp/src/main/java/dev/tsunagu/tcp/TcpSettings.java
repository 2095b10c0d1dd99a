package dev.tsunagu.tcp;

import dev.tsunagu.util.TokenBucket;
import dev.tsunagu.stack.StackContext;

/**
 * The stack-wide TCP settings (from {@link TcpOptions}, fixed when the layer starts) that the
 * connection and its parts read, and the one budget they share: the stack-wide limit on RFC
 * 5961 challenge ACKs. Handed to each part that needs it, so that no part reaches up to the
 * layer for a number.
 */
final class TcpSettings {
    final long timeWaitNanos;
    /** The delayed-ACK timeout, capped at RFC 1122 4.2.3.2's 500 ms. */
    final long delayedAckNanos;
    final long finWait2Nanos;
    /** In-order data segments acknowledged at once at the start of a connection (Linux's quick-ACK mode). */
    final int quickAcks;
    /** The least time between two ACKs answering unacceptable segments of one connection. */
    final long invalidAckIntervalNanos;
    final long minRtoNanos;
    final long maxRtoNanos;
    final long keepaliveIdleNanos;
    final long keepaliveIntervalNanos;
    final int keepaliveProbes;
    final int synRetries;
    final int maxOutOfOrder;
    /** Whether we offer SACK (RFC 2018) and timestamps (RFC 7323) in our SYNs. */
    final boolean sack;
    final boolean timestamps;
    /** Half-open connections per listener, and whether a full SYN queue answers with cookies (RFC 4987). */
    final int synQueue;
    final boolean synCookies;
    /** Whether our SYNs ask for ECN, and whether we agree when a peer's does (RFC 3168 6.1.1). */
    final boolean ecnRequest;
    final boolean ecnAccept;
    /** RFC 5681 4.1's restart after idle ({@link TcpOptions#SLOW_START_AFTER_IDLE}). */
    final boolean slowStartAfterIdle;
    /** PRR-CRB instead of PRR-SSRB in SACK recovery ({@link TcpOptions#PRR_CONSERVATIVE}, RFC 6937). */
    final boolean prrConservative;
    /** RFC 4821's probing ({@link TcpOptions#MTU_PROBING}). */
    final TcpOptions.MtuProbing mtuProbing;
    private final TokenBucket challengeAcks;

    TcpSettings(StackContext ctx) {
        this.challengeAcks = new TokenBucket(ctx.option(TcpOptions.CHALLENGE_ACK_LIMIT), ctx.option(TcpOptions.CHALLENGE_ACK_LIMIT));
        this.timeWaitNanos = 2 * ctx.option(TcpOptions.MSL).toNanos();
        this.delayedAckNanos = Math.min(ctx.option(TcpOptions.DELAYED_ACK).toNanos(), 500_000_000L);
        this.quickAcks = Math.max(0, ctx.option(TcpOptions.QUICK_ACKS));
        this.finWait2Nanos = ctx.option(TcpOptions.FIN_WAIT_2_TIMEOUT).toNanos();
        this.invalidAckIntervalNanos = ctx.option(TcpOptions.INVALID_ACK_INTERVAL).toNanos();
        this.minRtoNanos = ctx.option(TcpOptions.MIN_RTO).toNanos();
        this.maxRtoNanos = ctx.option(TcpOptions.MAX_RTO).toNanos();
        this.keepaliveIdleNanos = ctx.option(TcpOptions.KEEPALIVE_IDLE).toNanos();
        this.keepaliveIntervalNanos = ctx.option(TcpOptions.KEEPALIVE_INTERVAL).toNanos();
        this.keepaliveProbes = ctx.option(TcpOptions.KEEPALIVE_PROBES);
        this.synRetries = ctx.option(TcpOptions.SYN_RETRIES);
        this.maxOutOfOrder = ctx.option(TcpOptions.MAX_OUT_OF_ORDER);
        this.sack = ctx.option(TcpOptions.SACK);
        this.timestamps = ctx.option(TcpOptions.TIMESTAMPS);
        this.synQueue = ctx.option(TcpOptions.SYN_QUEUE);
        this.synCookies = ctx.option(TcpOptions.SYN_COOKIES);
        TcpOptions.EcnMode ecn = ctx.option(TcpOptions.ECN);
        this.ecnRequest = ecn == TcpOptions.EcnMode.ON;
        this.ecnAccept = ecn != TcpOptions.EcnMode.OFF;
        this.slowStartAfterIdle = ctx.option(TcpOptions.SLOW_START_AFTER_IDLE);
        this.prrConservative = ctx.option(TcpOptions.PRR_CONSERVATIVE);
        this.mtuProbing = ctx.option(TcpOptions.MTU_PROBING);
    }

    /** Takes one challenge ACK from the stack-wide budget (RFC 5961 7), if any is left. */
    boolean takeChallengeAck(long now) {
        return challengeAcks.tryTake(now);
    }
}
