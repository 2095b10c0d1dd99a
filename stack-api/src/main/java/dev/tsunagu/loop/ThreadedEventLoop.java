package dev.tsunagu.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.LockSupport;

/**
 * An event loop on its own platform thread and the machine's clock: how a stack runs in
 * production. When there is nothing to do it parks until the next timer deadline or until a
 * producer {@linkplain #wakeup() wakes} it.
 *
 * <p><b>Who owns the loop.</b> Protocol state is touched by whoever owns the loop: its thread
 * for each turn, or, while that thread is idle, a caller that {@linkplain #tryRunInline took
 * it} to run one operation itself (as a kernel runs TCP in the context of the system call). A
 * lock decides, so protocol code still sees one thread at a time, and {@link #inEventLoop()}
 * is true for the owner. A caller takes the loop only when no task is queued (its own earlier
 * tasks ran first, in order) and the loop thread is not waiting for it; the loop thread waits
 * for the lock, never a caller. The loop thread sleeps without holding the lock.
 *
 * <p><b>Where it sleeps.</b> With nothing to do the loop thread parks until its next timer
 * deadline, and a producer unparks it. If a driver {@linkplain #attachDevice attached} a
 * {@link PolledDevice}, it sleeps in the device's {@code await} instead, toward the same
 * deadline, and a producer {@linkplain PolledDevice#wake wakes the device}: input from the wire
 * wakes the loop thread itself, which reads and handles it in the same turn. An inline caller
 * may own the loop meanwhile; the loop thread waits for it as for any owner when it wakes.
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

    /**
     * Whether other threads may take the loop to run a call themselves ({@link #tryRunInline};
     * system property {@code tsunagu.loop.inline}, default true). Off, every call is handed to
     * the loop thread as before: for measuring what it saves.
     */
    public static final boolean INLINE = !"false".equals(System.getProperty("tsunagu.loop.inline"));

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
    private final ReentrantLock owner = new ReentrantLock();
    private volatile boolean sleeping;
    /** Futures to complete when the owner lets go of the loop, and their values (owner only). */
    private final ArrayList<CompletableFuture<Object>> onRelease = new ArrayList<>();
    private final ArrayList<Object> onReleaseValues = new ArrayList<>();
    /** The deadline the sleeping loop thread parks until (Long.MAX_VALUE: no timer); written under {@link #owner}. */
    private volatile long parkedUntil = Long.MAX_VALUE;
    /** The device the loop thread sleeps in this time (null: it parks); written before {@link #sleeping}. */
    private volatile PolledDevice sleeper;
    /** Held by the loop thread while it waits in a device's await, so that detaching can wait it out. */
    private final ReentrantLock sleepLock = new ReentrantLock();
    private final Object deviceLock = new Object();

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
        return Thread.currentThread() == thread || owner.isHeldByCurrentThread();
    }

    /**
     * Runs {@code task} now on the calling thread if it can take the loop: the loop thread is
     * between turns or asleep (and not waiting for the loop), no task is queued before this one,
     * and the loop is open.
     * The task then runs as loop code (an exception is reported and counted, as for a task),
     * with no hand-off to the loop thread and no wake-up. If it armed a timer earlier than the
     * one the loop thread sleeps toward, the loop thread is woken to sleep again for less.
     *
     * @return whether {@code task} ran; if not, nothing was done and the caller hands it over
     */
    @Override
    public boolean tryRunInline(Runnable task) {
        if (inEventLoop()) {
            return super.tryRunInline(task);
        }
        if (!INLINE || closed || owner.hasQueuedThreads() || !owner.tryLock()) {
            return false;
        }
        Object[] released;
        try {
            if (!hasNoTasks() || closed) {
                return false;
            }
            stats.inlineCalls.increment();
            try {
                task.run();
            } catch (Throwable e) {
                reportError(e);
            }
            if (nextDeadline() < parkedUntil) {
                wakeup();
            }
            released = takeReleased();
        } finally {
            owner.unlock();
        }
        complete(released);
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> void completeOnRelease(CompletableFuture<T> future, T value) {
        if (!owner.isHeldByCurrentThread()) {
            future.complete(value);
            return;
        }
        onRelease.add((CompletableFuture<Object>) future);
        onReleaseValues.add(value);
    }

    /** The futures to complete on release and their values, interleaved, or null; owner only. */
    private Object[] takeReleased() {
        int n = onRelease.size();
        if (n == 0) {
            return null;
        }
        Object[] out = new Object[2 * n];
        for (int i = 0; i < n; i++) {
            out[2 * i] = onRelease.get(i);
            out[2 * i + 1] = onReleaseValues.get(i);
        }
        onRelease.clear();
        onReleaseValues.clear();
        return out;
    }

    /** Completes what {@link #takeReleased} took, after the loop was let go. */
    @SuppressWarnings("unchecked")
    private static void complete(Object[] released) {
        if (released == null) {
            return;
        }
        for (int i = 0; i < released.length; i += 2) {
            ((CompletableFuture<Object>) released[i]).complete(released[i + 1]);
        }
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
            // `sleeper` was written before `sleeping`, so this is the one the loop sleeps in.
            PolledDevice d = sleeper;
            if (d != null) {
                d.wake();
            } else {
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public boolean attachDevice(PolledDevice d) {
        java.util.Objects.requireNonNull(d, "device");
        synchronized (deviceLock) {
            if (closed || device != null) {
                return false;
            }
            device = d;
        }
        wakeup(); // a parked loop turns once (reading what is there) and sleeps on the device from then on
        return true;
    }

    @Override
    public void detachDevice(PolledDevice d) {
        synchronized (deviceLock) {
            if (d == null || device != d) {
                return;
            }
            device = null;
        }
        d.wake();
        // The loop thread holds sleepLock while in d.await and checks `device` after taking it:
        // once we have had the lock, it has left the await and will not enter it again.
        sleepLock.lock();
        sleepLock.unlock();
    }

    private void loop() {
        while (!closed) {
            if (turnOwning() || spinForWork()) {
                continue;
            }
            long deadline = fallAsleep();
            PolledDevice d = sleeper;
            if (deadline != NO_SLEEP && d != null) {
                sleepIn(d, deadline);
            } else if (deadline != NO_SLEEP) {
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

    private static final long NO_SLEEP = Long.MIN_VALUE;

    /** Sleeps in the device's await toward {@code deadline}, unless it was detached meanwhile. */
    private void sleepIn(PolledDevice d, long deadline) {
        sleepLock.lock();
        try {
            if (device != d || closed) {
                return;
            }
            long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now();
            if (wait > 0) {
                d.await(wait);
            }
        } catch (Throwable e) {
            // A device must not throw here; if one does, the loop stops sleeping on it (and
            // reading it) rather than spin on a wait that fails at once.
            reportError(e);
            detachDevice(d);
        } finally {
            sleepLock.unlock();
        }
    }

    /** One turn, holding the loop; whether it did any work. */
    private boolean turnOwning() {
        boolean worked;
        Object[] released;
        owner.lock();
        try {
            worked = runOnce();
        } finally {
            released = takeReleased();
            owner.unlock();
        }
        complete(released);
        return worked;
    }

    /**
     * Publishes {@code sleeping} and, if no work came meanwhile, the deadline to sleep until
     * (Long.MAX_VALUE: none); {@link #NO_SLEEP} if there is work after all. Holds the loop, so
     * the timers it reads are not being changed by an inline caller.
     */
    private long fallAsleep() {
        owner.lock();
        try {
            sleeper = device;
            sleeping = true;
            java.lang.invoke.VarHandle.fullFence();
            if (hasImmediateWork() || closed) {
                return NO_SLEEP;
            }
            long deadline = nextDeadline();
            parkedUntil = deadline;
            return deadline;
        } finally {
            owner.unlock();
        }
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
        PolledDevice d = device;
        if (d != null) {
            d.wake();
        }
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
