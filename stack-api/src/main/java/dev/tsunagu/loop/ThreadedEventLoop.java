package dev.tsunagu.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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

    /**
     * Whether a caller blocked in {@link #await} may run the loop itself while it waits (the
     * leader/follower scheme above; system property {@code tsunagu.loop.lead}, default false).
     * Off by default since a CI run hung once with it on: a task posted from outside
     * (NetworkStack.close) was not run while a virtual thread led the loop asleep in the TAP's
     * ppoll and the loop thread was parked as follower — a lost wake-up not yet found. Off, a
     * blocked caller parks on its future and the loop thread wakes it, as before. stack-api's
     * own tests run with it on.
     */
    public static final boolean LEAD = "true".equals(System.getProperty("tsunagu.loop.lead"));

    /**
     * How long, in nanoseconds, a device may go unwatched after the caller that led the loop
     * returned to its application, before the loop thread takes the device back (system
     * property {@code tsunagu.loop.leadGraceMicros}, default 2000 µs). A caller that comes
     * back within it (the next read of a request/response exchange) leads again with no
     * wake-up of the loop thread; input for other sockets that arrives meanwhile waits at most
     * this long. Tasks, timers and a cable's frames need no grace: they wake the loop thread.
     */
    static final long LEAD_GRACE_NANOS = Long.getLong("tsunagu.loop.leadGraceMicros", 2000L) * 1000L;

    /** Who leads (runs turns and sleeps for the loop): its own thread. */
    private static final int LOOP = 0;
    /** A caller blocked in {@link #await} leads; the loop thread follows (parked, not on the device). */
    private static final int CALLER = 1;
    /** The caller that led returned to its application; the loop thread takes over when needed. */
    private static final int VACANT = 2;

    private static final java.lang.invoke.VarHandle SLEEPING;
    private static final java.lang.invoke.VarHandle LEADER;

    static {
        try {
            var lookup = java.lang.invoke.MethodHandles.lookup();
            SLEEPING = lookup.findVarHandle(ThreadedEventLoop.class, "sleeping", boolean.class);
            LEADER = lookup.findVarHandle(ThreadedEventLoop.class, "lead", int.class);
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
    /** The thread that sleeps for the loop this time (the loop thread or a leading caller); written before {@link #sleeping}. */
    private volatile Thread sleeperThread;
    /** {@link #LOOP}, {@link #CALLER} or {@link #VACANT}. */
    private volatile int lead = LOOP;
    /** When the last leading caller left (loop clock) and the next timer deadline it saw then. */
    private volatile long vacantSince;
    private volatile long vacantTimer = Long.MAX_VALUE;
    /** Until when the following loop thread is parked (loop clock; Long.MAX_VALUE: untimed). */
    private volatile long followerUntil = Long.MAX_VALUE;
    /** Wakes a leading caller (asleep for the loop) when its own future completes. */
    private final java.util.function.BiConsumer<Object, Throwable> wakeLeader = (v, e) -> wakeup();

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
            // `sleeper` was written before `sleeping`, so this is the one the loop sleeps in.
            Thread t = sleeperThread;
            if (t == thread) {
                stats.wakeups.increment(); // a leading caller's wake-up is its own (its context switch)
            } else {
                stats.leaderWakeups.increment();
            }
            PolledDevice d = sleeper;
            if (d != null) {
                d.wake();
            } else {
                LockSupport.unpark(t);
            }
        } else if (lead == VACANT) {
            // Nobody leads: the following loop thread takes the loop back for this work. (It
            // publishes what it waits for, then re-reads `lead`: the fence above pairs with its.)
            stats.wakeups.increment();
            LockSupport.unpark(thread);
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
            if (lead != LOOP) {
                follow();
                continue;
            }
            if (turnOwning() || spinForWork()) {
                continue;
            }
            long deadline = fallAsleep(null);
            PolledDevice d = sleeper;
            if (deadline != NO_SLEEP && d != null) {
                sleepIn(d, deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now());
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
            wokeUp();
        }
        rejectPending();
    }

    private static final long NO_SLEEP = Long.MIN_VALUE;

    /**
     * Sleeps in the device's await for at most {@code waitNanos} (Long.MAX_VALUE: no limit),
     * unless it was detached meanwhile. One thread at a time: a caller that takes the lead
     * waits here until the loop thread it displaced has left the device.
     */
    private void sleepIn(PolledDevice d, long waitNanos) {
        sleepLock.lock();
        try {
            if (device != d || closed || waitNanos <= 0) {
                return;
            }
            d.await(waitNanos);
        } catch (Throwable e) {
            // A device must not throw here; if one does, the loop stops sleeping on it (and
            // reading it) rather than spin on a wait that fails at once.
            reportError(e);
            detachDevice(d);
        } finally {
            sleepLock.unlock();
        }
    }

    /**
     * After a sleep: the flag is cleared by its sleeper only, and only if no other thread
     * became the sleeper meanwhile (a caller that took the lead while this one was leaving).
     */
    private void wokeUp() {
        owner.lock();
        try {
            if (sleeperThread == Thread.currentThread()) {
                sleeping = false;
            }
        } finally {
            owner.unlock();
        }
    }

    // ---- leader/follower: a blocked caller runs the loop while it waits ----

    /**
     * Waits for {@code future} as {@link EventLoop#await} does, but first, when it can, leads
     * the loop while it waits: if the loop thread is idle (or a caller that led has just left),
     * the caller takes its place, runs the turns and sleeps for the loop (in the device's
     * await when there is one, or parked), until its own future is done. Input that wakes it
     * is then handled, and its read answered, on the one thread the wire woke: no hand-off to
     * the loop thread and none back. The loop thread meanwhile follows: parked, not on the
     * device, until the leader leaves and something needs it. Another caller already leading
     * means this one parks on its future as before.
     */
    @Override
    public <T> T await(CompletableFuture<T> future, Duration timeout)
            throws java.util.concurrent.TimeoutException, ExecutionException, InterruptedException {
        if (LEAD && INLINE && !future.isDone() && Thread.currentThread() != thread && !owner.isHeldByCurrentThread()
                && !closed) {
            boolean untimed = timeout.compareTo(UNTIMED) >= 0;
            long limit = untimed ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            if (lead(future, limit) && !untimed && !future.isDone()) {
                timeout = Duration.ofNanos(Math.max(0, limit - System.nanoTime()));
            }
        }
        return super.await(future, timeout);
    }

    /** Leads the loop until {@code f} is done, the limit (System.nanoTime) passes, or the loop closes; whether it led. */
    private boolean lead(CompletableFuture<?> f, long limit) {
        Thread me = Thread.currentThread();
        PolledDevice dev = device;
        if (dev != null && me.isVirtual() && !Carriers.CAN_COMPENSATE) {
            return false; // its wait in the device would hold its carrier with nothing to make up for it
        }
        int from = lead;
        if (from == CALLER || !LEADER.compareAndSet(this, from, CALLER)) {
            return false;
        }
        stats.leads.increment();
        if (from == LOOP) {
            // The loop thread may be asleep (in the device): it leaves and follows. Told
            // directly, not through `sleeping`, so that it surely leaves the device's wait.
            if (dev != null) {
                dev.wake();
            } else {
                LockSupport.unpark(thread);
            }
        }
        f.whenComplete(wakeLeader); // completed by another owner (an inline caller, a failure)
        try {
            while (!f.isDone() && !closed && !me.isInterrupted()) {
                if (turnOwning()) {
                    continue;
                }
                long deadline = fallAsleep(f);
                try {
                    if (deadline == NO_SLEEP) {
                        continue;
                    }
                    long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - now();
                    if (limit != Long.MAX_VALUE) {
                        long left = limit - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        wait = Math.min(wait, left);
                    }
                    if (wait <= 0) {
                        continue; // a timer is due
                    }
                    PolledDevice d = sleeper;
                    if (d != null) {
                        if (me.isVirtual()) {
                            if (!Carriers.CAN_COMPENSATE) {
                                break;
                            }
                            Carriers.pin();
                            try {
                                sleepIn(d, wait);
                            } finally {
                                Carriers.unpin();
                            }
                        } else {
                            sleepIn(d, wait);
                        }
                    } else if (wait == Long.MAX_VALUE) {
                        LockSupport.park(this);
                    } else {
                        LockSupport.parkNanos(this, wait);
                    }
                } finally {
                    wokeUp();
                }
            }
        } finally {
            depart();
        }
        return true;
    }

    /**
     * The leading caller returns to its application. It leaves the loop vacant rather than
     * waking the loop thread: if it comes back to wait (the next read of an exchange), it
     * leads again and nobody was woken. The loop thread takes over when a producer wakes it,
     * when the next timer is due, or, with a device, when {@link #LEAD_GRACE_NANOS} passed
     * with nobody watching it; it is woken here only if it sleeps past that.
     */
    private void depart() {
        long timer;
        long since;
        owner.lock();
        try {
            timer = nextDeadline();
            since = now();
            vacantTimer = timer;
            vacantSince = since;
            parkedUntil = timer; // what an inline caller compares a timer it arms with
            departures++;
            lead = VACANT;
        } finally {
            owner.unlock();
        }
        java.lang.invoke.VarHandle.fullFence();
        long due = device != null ? Math.min(timer, since + LEAD_GRACE_NANOS) : timer;
        if (due < followerUntil || hasImmediateWork() || closed) {
            stats.wakeups.increment();
            LockSupport.unpark(thread);
        }
    }

    /** Times a leading caller left (written under {@link #owner}); the follower tells recent traffic from idle by it. */
    private volatile long departures;

    /**
     * The loop thread while a caller leads or the loop is vacant: parked, not on the device.
     * Returns when it leads again (it took a vacant loop back, or the loop closed).
     */
    private void follow() {
        long seen = -1;
        while (!closed) {
            int s = lead;
            if (s == LOOP) {
                return;
            }
            long now = now();
            long until;
            if (s == VACANT) {
                long timer = timerDeadline();
                long graceEnd = device != null ? vacantSince + LEAD_GRACE_NANOS : Long.MAX_VALUE;
                until = Math.min(timer, graceEnd);
                if (until <= now || hasImmediateWork()) {
                    if (LEADER.compareAndSet(this, VACANT, LOOP)) {
                        stats.takeovers.increment();
                        followerUntil = Long.MAX_VALUE;
                        return;
                    }
                    continue;
                }
            } else {
                // The leader fires the timers and watches the device. Parked toward the last
                // timer deadline a leader left with (so that departures seldom wake it), and,
                // with a device, for the grace after departures were seen (a later departure
                // then needs no wake-up), else without limit: idle costs nothing.
                long timer = vacantTimer;
                until = timer > now ? timer : Long.MAX_VALUE;
                long d = departures;
                if (device != null && d != seen) {
                    until = Math.min(until, now + LEAD_GRACE_NANOS);
                }
                seen = d;
            }
            followerUntil = until;
            java.lang.invoke.VarHandle.fullFence();
            if (lead != s || closed || (s == VACANT && hasImmediateWork())) {
                continue;
            }
            if (until == Long.MAX_VALUE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, until - now);
            }
        }
    }

    /** The next timer deadline, read holding the loop when it is free (a vacant loop's usually is), else the last one published. */
    private long timerDeadline() {
        if (!owner.tryLock()) {
            return Math.min(vacantTimer, parkedUntil);
        }
        try {
            long t = nextDeadline();
            vacantTimer = t;
            parkedUntil = t;
            return t;
        } finally {
            owner.unlock();
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
     * Publishes {@code sleeping} (with this thread as the sleeper) and, if no work came
     * meanwhile, the deadline to sleep until (Long.MAX_VALUE: none); {@link #NO_SLEEP} if there
     * is work after all, the loop thread no longer leads, or the leading caller's
     * {@code waitingFor} is done. Holds the loop, so the timers it reads are not being changed
     * by an inline caller.
     */
    private long fallAsleep(CompletableFuture<?> waitingFor) {
        owner.lock();
        try {
            if (waitingFor == null && lead != LOOP) {
                return NO_SLEEP; // a caller leads: the sleeper's place is its (not to be taken, even for a moment)
            }
            sleeper = device;
            sleeperThread = Thread.currentThread();
            sleeping = true;
            java.lang.invoke.VarHandle.fullFence();
            if (waitingFor == null && lead != LOOP) {
                // A caller took the lead meanwhile; it cannot have become the sleeper (that
                // takes the loop, which this thread holds), so the place is still this one's.
                sleeping = false;
                return NO_SLEEP;
            }
            if (hasImmediateWork() || closed || (waitingFor != null && waitingFor.isDone())) {
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
        Thread leader = sleeperThread;
        if (leader != null) {
            LockSupport.unpark(leader); // a leading caller parked for the loop leaves and waits as before
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
