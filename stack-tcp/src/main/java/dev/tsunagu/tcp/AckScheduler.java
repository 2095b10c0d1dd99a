package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;

/**
 * When our ACK goes: at once, after a delay, or, for a segment we could not accept, at most so
 * often. Every rule about the timing of ACKs and window updates is here; the connection asks
 * and then sends (through {@link TcpOutput}), and every segment that carries our current ACK
 * tells {@link #onAckSent} that the debt is paid.
 *
 * <ul>
 *   <li><b>Immediate</b> ({@link #ackNow}): out-of-order data, data that fills a hole, data cut
 *       at the window, duplicate data (RFC 5681 4.2), a FIN, the end of the handshake.</li>
 *   <li><b>Delayed</b> ({@link #onInOrderText}): in-order data is acknowledged at least every
 *       second full-sized segment and within the delayed-ACK timeout (RFC 1122 4.2.3.2, RFC
 *       5681 4.2), a segment longer than the MSS (coalesced by a device) counting as the
 *       full-sized segments it stands for; the timeout is capped at 500 ms by {@link TcpSettings}. The first
 *       {@code tcp.quickAcks} in-order segments of a connection are acknowledged at once (Linux's
 *       quick-ACK mode, which keeps the peer's slow start from waiting on our timer).</li>
 *   <li><b>Rate-limited</b> ({@link #mayAnswerInvalid}): a bare ACK out of window, a bad ACK,
 *       a PAWS reject draw at most one ACK per interval per connection (Linux's
 *       {@code tcp_invalid_ratelimit}): two stacks that disagree must not loop.</li>
 *   <li><b>Challenge</b> ({@link #mayChallenge}): RFC 5961's challenge ACKs, under the same
 *       per-connection interval and a stack-wide budget (RFC 5961 7).</li>
 *   <li><b>Window update</b> ({@link #windowUpdateWorthIt}): after the application reads.</li>
 * </ul>
 *
 * <p>Calls nothing but its timer (which the connection made and fires into the connection).
 */
final class AckScheduler {
    /** RFC 1122 4.2.3.2: an ACK for at least every second full-sized segment (counted in halves). */
    private static final int ACK_EVERY = 4;

    private final EventLoop loop;
    private final TcpSettings settings;
    private final TcpCounters counters;
    private final Timer delayedAckTimer;
    /** An ACK is owed now: the next chance sends it (the end of this segment's processing at the latest). */
    private boolean ackNow;
    /** In-order segments not yet acknowledged: 2 per full-sized one, 1 per smaller one. */
    private int segmentsUnacked;
    /** In-order segments still to be acknowledged at once (the quick-ACK start of the connection). */
    private int quickAcksLeft;
    private long lastInvalidAckAt = Long.MIN_VALUE / 2;

    AckScheduler(EventLoop loop, TcpSettings settings, TcpCounters counters, Timer delayedAckTimer) {
        this.loop = loop;
        this.settings = settings;
        this.counters = counters;
        this.delayedAckTimer = delayedAckTimer;
        this.quickAcksLeft = settings.quickAcks;
    }

    /** An ACK is owed at once. */
    void ackNow() {
        ackNow = true;
    }

    boolean due() {
        return ackNow;
    }

    /**
     * In-order text of {@code len} bytes arrived, nothing out of order pending (RFC 1122
     * 4.2.3.2 / RFC 5681 4.2): ACK at least every second full-sized segment, else within the
     * delayed-ACK timeout.
     */
    void onInOrderText(int len, int mss) {
        // A segment longer than the MSS was coalesced (by the peer's TSO and our device, or GRO):
        // it stands for that many full-sized segments, so it is ACKed as they would be.
        segmentsUnacked += len >= mss ? 2 * (int) Math.min(len / Math.max(mss, 1), ACK_EVERY) : 1;
        if (quickAcksLeft > 0) {
            quickAcksLeft--;
            ackNow = true;
        } else if (segmentsUnacked >= ACK_EVERY) {
            ackNow = true;
        } else if (!delayedAckTimer.isPending()) {
            delayedAckTimer.scheduleAfter(settings.delayedAckNanos);
        }
    }

    /** A segment carrying our current ACK left: nothing is owed. */
    void onAckSent() {
        ackNow = false;
        segmentsUnacked = 0;
        delayedAckTimer.cancel();
    }

    /** Whether an ACK for an unacceptable segment may go now (at most one per interval per connection). */
    boolean mayAnswerInvalid() {
        long now = loop.now();
        if (now - lastInvalidAckAt < settings.invalidAckIntervalNanos) {
            counters.ackRateLimited.increment();
            return false;
        }
        lastInvalidAckAt = now;
        return true;
    }

    /** Whether an RFC 5961 challenge ACK may go now: the per-connection and the stack-wide limits. */
    boolean mayChallenge() {
        long now = loop.now();
        // The connection's own limit first, so a throttled connection does not drain the
        // stack-wide budget (as Linux orders the two).
        if (now - lastInvalidAckAt < settings.invalidAckIntervalNanos || !settings.takeChallengeAck(now)) {
            counters.challengeAcksLimited.increment();
            return false;
        }
        lastInvalidAckAt = now;
        counters.challengeAcks.increment();
        return true;
    }

    /**
     * Whether the application's read freed enough for a window update of its own. Only when the
     * window the peer knows ({@code advertised}) has shrunk to half the buffer or less and would
     * at least double (as Linux's {@code tcp_cleanup_rbuf}): while data streams in, the next ACK
     * carries the new window anyway, and an update per read would double the ACKs. It must also
     * be worth a segment (receiver silly-window avoidance, RFC 1122 4.2.3.3).
     */
    boolean windowUpdateWorthIt(int free, int advertised, int capacity, int ourMss) {
        return free - advertised >= Math.min(ourMss, capacity / 2) && advertised <= capacity / 2
                && free >= 2L * advertised;
    }

    void cancel() {
        delayedAckTimer.cancel();
    }
}
