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

    /**
     * How long a loop that ran out of work keeps looking for more before it parks, in
     * nanoseconds (system property {@code tsunagu.loop.spinNanos}, default 0). Waking a parked
     * thread costs a futex call and a scheduler hop, several microseconds; in a bulk transfer
     * or a ping-pong the next frame often comes sooner. Spinning burns a CPU for that long
     * after each burst of work, so it is off unless asked for.
     */
    public static final long SPIN_NANOS = Long.getLong("tsunagu.loop.spinNanos", 0L);

    private static final java.lang.invoke.VarHandle SLEEPING;

    static {
        try {
            SLEEPING = java.lang.invoke.MethodHandles.lookup().findVarHandle(ThreadedEventLoop.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final long spinNanos;
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
        this(name, clock, tick, SPIN_NANOS);
    }

    /** A loop that spins up to {@code spinNanos} for more work before it parks (see {@link #SPIN_NANOS}). */
    public ThreadedEventLoop(String name, Clock clock, Duration tick, long spinNanos) {
        super(name, clock, tick);
        this.spinNanos = Math.max(0, spinNanos);
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
        // Only the producer that flips `sleeping` back unparks: a burst of frames for a
        // sleeping loop costs one unpark (a futex call), not one per frame. The loop clears the
        // flag itself when it wakes; a producer that finds it clear needs no unpark, as before.
        java.lang.invoke.VarHandle.fullFence();
        if (sleeping && SLEEPING.compareAndSet(this, true, false)) {
            stats.wakeups.increment();
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        while (!closed) {
            if (runOnce() || spinForWork()) {
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

    /** Spins up to {@link #spinNanos} for work; true if some came. */
    private boolean spinForWork() {
        if (spinNanos == 0) {
            return false;
        }
        long until = System.nanoTime() + spinNanos;
        do {
            Thread.onSpinWait();
            if (hasImmediateWork() || closed) {
                return true;
            }
        } while (System.nanoTime() - until < 0);
        return false;
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
