package dev.tsunagu.loop;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on its own platform thread and the machine's clock: how a stack runs in
 * production. When there is nothing to do it parks until the next timer deadline or until a
 * producer {@linkplain #wakeup() wakes} it.
 */
public final class ThreadedEventLoop extends EventLoop {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Thread thread;
    private volatile boolean sleeping;

    /**
     * A loop named {@code tsunagu-loop-N} on the system clock with the default tick; its thread starts now.
     */
    public ThreadedEventLoop() {
        this("tsunagu-loop-" + COUNTER.incrementAndGet());
    }

    /** A loop called {@code name} on the system clock with the default tick; its thread starts now. */
    public ThreadedEventLoop(String name) {
        this(name, Clock.system(), DEFAULT_TICK);
    }

    /**
     * A loop called {@code name} on {@code clock}, firing timers to {@code tick} resolution; its
     * (daemon) thread starts now.
     */
    public ThreadedEventLoop(String name, Clock clock, Duration tick) {
        super(name, clock, tick);
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::loop);
        thread.start();
    }

    @Override
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    @Override
    public void wakeup() {
        // The loop publishes `sleeping` and then re-checks for work; a producer publishes its
        // work (the queue offer) and then reads `sleeping`. The full fence orders the two, so
        // at least one side sees the other and no wake-up is lost.
        java.lang.invoke.VarHandle.fullFence();
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        while (!closed) {
            if (runOnce()) {
                continue;
            }
            sleeping = true;
            java.lang.invoke.VarHandle.fullFence();
            if (!hasImmediateWork() && !closed) {
                long deadline = nextDeadline();
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    long wait = deadline - now();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, wait);
                    }
                }
            }
            sleeping = false;
        }
        rejectPending();
    }

    /** Stops the loop and waits (briefly) for its thread to end. Pending tasks are dropped; callers waiting on one (submit, call) get a RejectedExecutionException. */
    @Override
    public void close() {
        super.close();
        LockSupport.unpark(thread);
        if (!inEventLoop()) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
