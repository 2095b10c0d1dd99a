package dev.tsunagu.tcp;

import dev.tsunagu.loop.EventLoop;
import dev.tsunagu.loop.Timer;

/**
 * Keep-alive (RFC 1122 4.2.3.6), for a connection whose application asked for it: after the
 * idle time without a segment from the peer, a probe every interval; a peer that answers none
 * of the configured number is gone. Made only when asked for (most connections never are).
 *
 * <p>Called by the connection, into which its timer fires (the connection knows whether it is
 * still synchronized, and aborts when {@link #onTimer} says the peer is gone); calls the
 * {@link Sender} to send the probe.
 */
final class Keepalive {
    private final EventLoop loop;
    private final TcpSettings settings;
    private final TcpCounters counters;
    private final Sender snd;
    private final Timer timer;
    private boolean on;
    /** When the latest segment from the peer arrived. */
    private long lastReceivedAt;
    private int probes;

    Keepalive(EventLoop loop, TcpSettings settings, TcpCounters counters, Sender snd, Runnable fire) {
        this.loop = loop;
        this.settings = settings;
        this.counters = counters;
        this.snd = snd;
        this.timer = loop.newTimer("tcp-keepalive", fire);
    }

    /** A segment arrived from the peer: it is alive. */
    void onSegment(long now) {
        lastReceivedAt = now;
        probes = 0;
    }

    /** Turns keep-alive on or off; the idle time counts from now. */
    void set(boolean on, boolean established) {
        this.on = on;
        if (on) {
            lastReceivedAt = loop.now();
            arm(established);
        } else {
            timer.cancel();
        }
    }

    /** Arms the idle timer, if keep-alive is on and the connection established. */
    void arm(boolean established) {
        if (on && established) {
            timer.scheduleAt(lastReceivedAt + settings.keepaliveIdleNanos);
        }
    }

    /**
     * The timer fired on a synchronized connection: wait out the rest of the idle time, or probe.
     * A probe is a segment with SEG.SEQ = SND.NXT − 1 and no data, which draws an ACK.
     *
     * @return false if the peer answered none of the probes: the connection must be aborted
     */
    boolean onTimer() {
        if (!on) {
            return true;
        }
        long idle = loop.now() - lastReceivedAt;
        if (idle < settings.keepaliveIdleNanos && probes == 0) {
            timer.scheduleAt(lastReceivedAt + settings.keepaliveIdleNanos);
            return true;
        }
        if (probes >= settings.keepaliveProbes) {
            return false;
        }
        probes++;
        TcpTrace.timer(snd, "keepalive");
        counters.keepaliveProbes.increment();
        snd.sendKeepalive();
        timer.scheduleAfter(settings.keepaliveIntervalNanos);
        return true;
    }

    int probes() {
        return probes;
    }

    void cancel() {
        timer.cancel();
    }
}
