package dev.tsunagu.loop;

import java.util.Objects;

/**
 * A reusable one-shot timer on a {@link TimerWheel}.
 *
 * <p>Protocol code creates one timer per purpose per connection (retransmission, delayed ACK,
 * TIME_WAIT, keep-alive...) and re-arms it as often as it likes. The timer <em>is</em> its own
 * node in the wheel's lists (it carries the links and its position), so arming, moving and
 * cancelling it is O(1) and allocates nothing: a busy connection re-arms its RTO timer on every
 * ACK, and that must not churn the heap.
 *
 * <p>Not thread-safe: only the event loop that owns the wheel may touch it.
 */
public final class Timer {
    final TimerWheel wheel;
    private final String name;
    final Runnable action;

    /** The deadline asked for, in nanoseconds. */
    long deadline;
    /** {@code ceil(deadline / tickNanos)}: the first tick at or after the deadline. */
    long tick;
    /** Stamp of the last (re)arming; orders timers of one tick and detects moves during a scan. */
    long seq;
    /** The wheel list holding this timer, or {@link TimerWheel#NONE} when not pending. */
    int list = TimerWheel.NONE;
    Timer prev;
    Timer next;

    /**
     * Creates an idle timer; nothing is scheduled until {@link #scheduleAt} or
     * {@link #scheduleAfter}.
     *
     * @param wheel  the wheel this timer lives on, for good
     * @param name   a label for diagnostics ("rto", "delayed-ack"...)
     * @param action run on the loop thread when the timer fires; exceptions go to the wheel's
     *               error handler
     */
    public Timer(TimerWheel wheel, String name, Runnable action) {
        this.wheel = Objects.requireNonNull(wheel, "wheel");
        this.name = Objects.requireNonNull(name, "name");
        this.action = Objects.requireNonNull(action, "action");
    }

    /**
     * (Re)arms the timer to fire at the first wheel tick at or after {@code deadlineNanos}, and
     * never before {@code deadlineNanos}. Re-arming a pending timer moves it; it then ranks among
     * the timers of its tick as if newly scheduled.
     */
    public void scheduleAt(long deadlineNanos) {
        wheel.schedule(this, deadlineNanos);
    }

    /**
     * Arms the timer {@code delayNanos} after the wheel's clock's current time. A delay that
     * would overflow saturates at {@link Long#MAX_VALUE} (in effect "never").
     */
    public void scheduleAfter(long delayNanos) {
        long now = wheel.clock().nanoTime();
        long deadline = now + delayNanos;
        if (((now ^ deadline) & (delayNanos ^ deadline)) < 0) {
            deadline = delayNanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        scheduleAt(deadline);
    }

    /** Disarms the timer; a no-op if it is not pending. */
    public void cancel() {
        wheel.cancel(this);
    }

    /** Whether the timer is armed and has not fired yet. */
    public boolean isPending() {
        return list != TimerWheel.NONE;
    }

    /** The deadline (nanoseconds) asked for while pending; meaningless otherwise. */
    public long deadline() {
        return deadline;
    }

    /** The timer's purpose, for logs and {@code toString} ({@code tcp-rto}, {@code arp-expiry}). */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return isPending() ? "Timer[" + name + " at " + deadline + " ns]" : "Timer[" + name + ", idle]";
    }
}
