package dev.tsunagu.loop;

import dev.tsunagu.util.BoundedMpmcQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread of control that owns protocol state.
 *
 * <p>Each turn of the loop reads the {@link PolledDevice} a driver may have attached, runs the
 * tasks other threads submitted, drains the registered {@link PollSource}s (received frames)
 * and fires due {@link Timer}s. Protocol code runs only
 * here, so it needs no locks. Other threads talk to it by {@link #execute submitting} work.
 *
 * <p>Two ways to run a loop share this logic: {@link ThreadedEventLoop} owns a platform thread
 * and a real clock; {@link VirtualEventLoop} is driven by a test on a {@link VirtualClock}
 * ("advance time, run until idle"). Several stacks may share one loop; in tests that is how a
 * whole network runs deterministically on one thread.
 *
 * <p>No exception escapes the loop: one thrown by a task, timer or source is logged, counted
 * in {@link #statistics()} and the loop goes on.
 */
public abstract sealed class EventLoop implements Executor, AutoCloseable permits ThreadedEventLoop, VirtualEventLoop {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** Default timer resolution. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(1);
    /** A wait at least this long is a wait without a limit ({@link #await}). */
    static final Duration UNTIMED = Duration.ofDays(365);
    /** Bound on tasks waiting for the loop. */
    static final int TASK_QUEUE_CAPACITY = 1 << 16;
    /** Frames (or other units) taken from one source per turn, so one busy source cannot starve the rest. */
    static final int POLL_BUDGET = 64;
    /** Tasks run per turn before sources and timers get their turn. */
    static final int TASK_BUDGET = 1024;

    private final String name;
    private final Clock clock;
    private final TimerWheel wheel;
    private final BoundedMpmcQueue<Runnable> tasks = new BoundedMpmcQueue<>(TASK_QUEUE_CAPACITY);
    private final List<PollSource> sources = new ArrayList<>();
    private PollSource[] sourceArray = new PollSource[0];
    /** The device the loop reads and sleeps on ({@link ThreadedEventLoop} only), or null. */
    volatile PolledDevice device;
    final LoopStatistics stats = new LoopStatistics();
    volatile boolean closed;
    private boolean insideTurn;

    EventLoop(String name, Clock clock, Duration tick) {
        this.name = name;
        this.clock = clock;
        this.wheel = new TimerWheel(clock, tick.toNanos(), this::reportError);
    }

    /** The loop's name, which is also its thread's name for a threaded loop; for logs. */
    public final String name() {
        return name;
    }

    /** The clock this loop reads; the only clock protocol code may use. */
    public final Clock clock() {
        return clock;
    }

    /** The loop's current time in nanoseconds. */
    public final long now() {
        return clock.nanoTime();
    }

    /** What the loop has done so far; readable from any thread. */
    public final LoopStatistics statistics() {
        return stats;
    }

    /** Whether the calling thread is this loop's thread (the one allowed to touch protocol state). */
    public abstract boolean inEventLoop();

    /** Creates a reusable timer whose action runs on this loop. Loop thread only. */
    public final Timer newTimer(String name, Runnable action) {
        return new Timer(wheel, name, action);
    }

    /** Pending timers, for statistics and tests. */
    public final int pendingTimers() {
        return wheel.size();
    }

    /**
     * Runs {@code task} on the loop soon. Thread-safe. When the task queue is full a caller on
     * another thread waits for room (backpressure); the loop itself is refused, since it would
     * wait for itself.
     */
    @Override
    public final void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("event loop " + name + " is closed");
        }
        while (!tasks.offer(task)) {
            if (inEventLoop()) {
                throw new RejectedExecutionException("event loop " + name + " task queue is full");
            }
            if (closed) {
                throw new RejectedExecutionException("event loop " + name + " is closed");
            }
            LockSupport.parkNanos(10_000);
        }
        wakeup();
    }

    /** Runs {@code task} on the loop and completes the future with its result. */
    public final <T> CompletableFuture<T> submit(Callable<T> task) {
        SubmittedTask<T> t = new SubmittedTask<>(task);
        execute(t);
        if (closed) {
            // The loop closed while we queued: make sure nobody waits for it forever.
            rejectPending();
        }
        return t.future;
    }

    /** A task whose caller waits on a future: if the loop closes first, the future fails. */
    private static final class SubmittedTask<T> implements Runnable {
        final Callable<T> task;
        final CompletableFuture<T> future = new CompletableFuture<>();

        SubmittedTask(Callable<T> task) {
            this.task = task;
        }

        @Override
        public void run() {
            try {
                future.complete(task.call());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }
    }

    /** Drops every queued task; those with a waiting caller fail with RejectedExecutionException. */
    final void rejectPending() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            if (r instanceof SubmittedTask<?> st) {
                st.future.completeExceptionally(new RejectedExecutionException("event loop " + name + " closed"));
            }
        }
    }

    /**
     * Runs {@code task} on the loop and waits for its result: directly if called on the loop,
     * otherwise by submitting it and parking (cheap on a virtual thread).
     */
    public <T> T call(Callable<T> task) {
        if (inEventLoop()) {
            try {
                return task.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }
        try {
            return submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CompletionException(cause);
        }
    }

    /**
     * Waits for {@code future} at most {@code timeout} (a year or more: without limit) and returns
     * its value. On a thread other than the loop's this parks the caller (cheap on a virtual thread). On a
     * {@link VirtualEventLoop}'s own thread it drives the simulation instead, advancing virtual
     * time until the future completes or the timeout passes, so blocking APIs work in tests.
     *
     * @throws java.util.concurrent.TimeoutException if the future is not done in time
     * @throws IllegalStateException if called on a threaded loop's own thread (it would wait for itself)
     */
    public <T> T await(CompletableFuture<T> future, Duration timeout)
            throws java.util.concurrent.TimeoutException, ExecutionException, InterruptedException {
        if (inEventLoop() && !future.isDone()) {
            throw new IllegalStateException("blocking call on the event loop thread of " + name
                    + ": use the asynchronous API from loop callbacks");
        }
        if (!future.isDone()) {
            stats.waits.increment();
        }
        if (timeout.compareTo(UNTIMED) >= 0) {
            // A virtual thread's timed park arms a timer on the JDK's scheduler thread (and
            // cancels it when woken), which costs that thread a wake-up on every blocking call;
            // a wait of a year or more is a wait without limit, so it parks untimed.
            return future.get();
        }
        return future.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code task} at once on the calling thread if that thread may act as the loop now,
     * and says whether it did; if not, nothing ran and the caller hands the task over
     * ({@link #execute}). On the loop's own thread it always runs. A {@link ThreadedEventLoop}
     * also lets another thread run it while the loop thread sleeps, so a blocking call costs no
     * hand-off; a task run this way must be as short as any loop task.
     */
    public boolean tryRunInline(Runnable task) {
        if (!inEventLoop()) {
            return false;
        }
        task.run();
        return true;
    }

    /**
     * Completes {@code future} with {@code value} once the loop's current owner lets go of the
     * loop (the loop thread at the end of its turn, or an inline caller when its call is done);
     * loop code only. For a future that only a blocked thread waits on: woken then, it finds the
     * loop free and can make its next call itself ({@link #tryRunInline}), where woken mid-turn
     * it would find the loop busy and hand that call over. Nothing may be attached to the future
     * that must run as loop code. A {@link VirtualEventLoop} completes it at once.
     */
    public <T> void completeOnRelease(CompletableFuture<T> future, T value) {
        future.complete(value);
    }

    /** Whether no submitted task is waiting. */
    final boolean hasNoTasks() {
        return tasks.isEmpty();
    }

    /** Same as {@link #call(Callable)} for work without a result. */
    public final void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /** Adds a source to drain every turn. Loop thread only (or before the loop starts). */
    public final void addSource(PollSource source) {
        sources.add(source);
        sourceArray = sources.toArray(PollSource[]::new);
    }

    /** Stops draining {@code source}. Loop thread only. */
    public final void removeSource(PollSource source) {
        sources.remove(source);
        sourceArray = sources.toArray(PollSource[]::new);
    }

    /** Wakes the loop if it is waiting for work; thread-safe, cheap when it is awake. */
    public abstract void wakeup();

    /**
     * Offers {@code device} to this loop: if taken, the loop polls it first every turn and,
     * with nothing to do, sleeps in its {@link PolledDevice#await} rather than parking. Any thread.
     *
     * @return whether the loop took it; if not (a {@link VirtualEventLoop}, a closed loop, or a
     *         loop that already has a device), the driver reads the device on a thread of its own
     */
    public boolean attachDevice(PolledDevice device) {
        return false;
    }

    /**
     * Stops polling {@code device} and sleeping on it. When this returns the loop thread is not
     * inside the device's {@code await} and will not enter it again; a {@code poll} already
     * under way may still finish (the driver guards its own close). Nothing happens if
     * {@code device} is not this loop's. Any thread, the loop's own included.
     */
    public void detachDevice(PolledDevice device) {
    }

    /**
     * One turn: the device, tasks, then sources, then due timers.
     *
     * @return whether any work was done
     */
    final boolean runOnce() {
        if (insideTurn) {
            throw new IllegalStateException("event loop " + name + " re-entered: a blocking call was made from"
                    + " inside a task, timer or callback; use the asynchronous API there");
        }
        insideTurn = true;
        try {
            return turn();
        } finally {
            insideTurn = false;
        }
    }

    private boolean turn() {
        int work = 0;
        PolledDevice d = device;
        if (d != null) {
            // First, so that what came from the wire is handled before the tasks and timers it
            // may answer; the frames go to the stack as they are read, with no queue between.
            work += pollSource(d);
        }
        for (int i = 0; i < TASK_BUDGET; i++) {
            Runnable t = tasks.poll();
            if (t == null) {
                break;
            }
            work++;
            stats.tasks.increment();
            try {
                t.run();
            } catch (Throwable e) {
                reportError(e);
            }
        }
        for (PollSource s : sourceArray) {
            work += pollSource(s);
        }
        int fired = wheel.advanceTo(clock.nanoTime());
        if (fired > 0) {
            stats.timers.add(fired);
            work += fired;
        }
        return work > 0;
    }

    /** Polls one source within the budget; how much work it did (an exception counts as one). */
    private int pollSource(PollSource s) {
        try {
            int n = s.poll(POLL_BUDGET);
            if (n > 0) {
                stats.polled.add(n);
                return n;
            }
            return 0;
        } catch (Throwable e) {
            reportError(e);
            return 1;
        }
    }

    /** Whether a turn would find work now (tasks or sources; timers are judged by deadline). */
    final boolean hasImmediateWork() {
        if (!tasks.isEmpty()) {
            return true;
        }
        PolledDevice d = device;
        if (d != null && d.hasWork()) {
            return true;
        }
        for (PollSource s : sourceArray) {
            if (s.hasWork()) {
                return true;
            }
        }
        return false;
    }

    /** The earliest pending timer deadline, or {@link Long#MAX_VALUE}. */
    final long nextDeadline() {
        return wheel.nextDeadline();
    }

    /**
     * Records an exception that reached the loop's boundary (from a task, a timer, or a layer
     * handling a frame): logged, counted in {@link #statistics()}, and the loop goes on.
     */
    public final void reportError(Throwable e) {
        stats.errors.increment();
        stats.lastError.set(e);
        log.error("event loop {}: uncaught exception (the loop goes on)", name, e);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Whether {@link #close()} has been called; a closed loop refuses new tasks. */
    public final boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
