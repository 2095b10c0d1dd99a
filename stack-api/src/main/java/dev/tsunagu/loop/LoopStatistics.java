package dev.tsunagu.loop;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** What an event loop has done; written by the loop, readable from any thread. */
public final class LoopStatistics {
    final LongAdder tasks = new LongAdder();
    final LongAdder timers = new LongAdder();
    final LongAdder polled = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder wakeups = new LongAdder();
    final LongAdder waits = new LongAdder();
    final LongAdder inlineCalls = new LongAdder();
    final LongAdder leads = new LongAdder();
    final LongAdder leaderWakeups = new LongAdder();
    final LongAdder takeovers = new LongAdder();
    final AtomicReference<Throwable> lastError = new AtomicReference<>();

    /** All counts at zero; a loop makes its own, so applications only read one. */
    public LoopStatistics() {}

    /** Tasks run that other threads (or the loop itself) submitted. */
    public long tasks() {
        return tasks.sum();
    }

    /** Timers that fired (each run of a timer's action counts once). */
    public long timersFired() {
        return timers.sum();
    }

    /** Units of work done by poll sources (frames received). */
    public long polled() {
        return polled.sum();
    }

    /** Exceptions that reached the loop from a task, timer or source; each was logged and the loop went on. */
    public long errors() {
        return errors.sum();
    }

    /**
     * Times another thread woke the sleeping loop thread (an unpark, or a device's wake); a loop
     * that wakes for its own timer deadline does not count, nor does a caller that leads the
     * loop ({@link #leaderWakeups()}). With {@link #waits()} this is what a blocking call
     * costs in thread hand-offs.
     */
    public long wakeups() {
        return wakeups.sum();
    }

    /**
     * Times a caller waited for a future of this loop's that was not yet done ({@link
     * EventLoop#await}): each is a thread put to sleep and woken again by the loop.
     */
    public long waits() {
        return waits.sum();
    }

    /**
     * Operations another thread ran itself, holding the loop while its thread slept, instead
     * of handing them over ({@link EventLoop#tryRunInline}).
     */
    public long inlineCalls() {
        return inlineCalls.sum();
    }

    /**
     * Blocking waits in which the caller led the loop itself (ran its turns and slept for it,
     * in the device's wait when there is one) instead of parking until the loop thread woke it
     * ({@link ThreadedEventLoop#await}).
     */
    public long leads() {
        return leads.sum();
    }

    /**
     * Times another thread woke a caller that led the loop and slept for it (a frame from a
     * cable, a task); not in {@link #wakeups()}, which counts the loop thread's only, since the
     * caller's own context switches are the caller's.
     */
    public long leaderWakeups() {
        return leaderWakeups.sum();
    }

    /**
     * Times the loop thread took the loop back after a leading caller left it (for work, a
     * timer, or a device left unwatched for the grace).
     */
    public long takeovers() {
        return takeovers.sum();
    }

    /** The most recent of those exceptions, or null. */
    public Throwable lastError() {
        return lastError.get();
    }
}
