package dev.tsunagu.loop;

import java.time.Duration;

/**
 * An event loop driven by hand on a {@link VirtualClock}, for tests and simulations.
 *
 * <p>Nothing happens until the owner calls {@link #runUntilIdle()} or {@link #advance}.
 * {@code advance(d)} moves time forward deadline by deadline, running everything due at each
 * instant to completion before moving on, so a retransmission timeout scheduled for 1 s fires
 * at exactly 1 s, and an hour of TIME_WAIT passes in microseconds. With every stack of a test
 * network on one virtual loop, a run is a pure function of its inputs and seeds.
 *
 * <p>The loop thread is whichever thread drives it (by default the one that created it);
 * {@link #call} from that thread runs the work at once.
 */
public final class VirtualEventLoop extends EventLoop {
    /** Turns without reaching idle after which {@link #runUntilIdle()} reports a livelock. */
    private static final int MAX_TURNS = 10_000_000;

    private final VirtualClock clock;
    private volatile Thread owner;

    /** A loop on a new {@link VirtualClock} at 0 ns; the calling thread owns (drives) it. */
    public VirtualEventLoop() {
        this(new VirtualClock());
    }

    /** A loop on {@code clock}; the calling thread owns (drives) it. */
    public VirtualEventLoop(VirtualClock clock) {
        this("virtual-loop", clock, DEFAULT_TICK);
    }

    /**
     * A loop called {@code name} on {@code clock} with timers of {@code tick} resolution; the calling
     * thread owns (drives) it: blocking calls made on that thread run the simulation instead of waiting.
     */
    public VirtualEventLoop(String name, VirtualClock clock, Duration tick) {
        super(name, clock, tick);
        this.clock = clock;
        this.owner = Thread.currentThread();
    }

    @Override
    public void close() {
        super.close();
        rejectPending();
    }

    /** The clock this loop moves. */
    public VirtualClock virtualClock() {
        return clock;
    }

    @Override
    public boolean inEventLoop() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void wakeup() {
        // Nobody sleeps: work is picked up when the owner next drives the loop.
    }

    @Override
    public <T> T call(java.util.concurrent.Callable<T> task) {
        if (!inEventLoop()) {
            throw new IllegalStateException("a virtual event loop runs only when its owner thread ("
                    + owner.getName() + ") drives it; call this from that thread");
        }
        return super.call(task);
    }

    @Override
    public <T> T await(java.util.concurrent.CompletableFuture<T> future, Duration timeout)
            throws java.util.concurrent.TimeoutException, java.util.concurrent.ExecutionException, InterruptedException {
        if (!inEventLoop() || future.isDone()) {
            return future.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (!runUntil(future::isDone, timeout)) {
            throw new java.util.concurrent.TimeoutException("not done after " + timeout + " of virtual time");
        }
        return future.get();
    }

    /**
     * Runs turns at the current instant until there is nothing left to do now.
     *
     * @return how many turns did work
     * @throws IllegalStateException if work keeps generating work (a livelock)
     */
    public int runUntilIdle() {
        owner = Thread.currentThread();
        int turns = 0;
        while (runOnce()) {
            if (++turns >= MAX_TURNS) {
                throw new IllegalStateException("event loop " + name() + " did not become idle after "
                        + MAX_TURNS + " turns at t=" + now() + "ns");
            }
        }
        return turns;
    }

    /** Advances virtual time by {@code d}, firing every timer due on the way, in order. */
    public void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    /**
     * Advances virtual time by {@code nanos}, firing every timer due on the way, in order.
     *
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time only moves forward: " + nanos);
        }
        advanceTo(clock.nanoTime() + nanos);
    }

    /** Advances virtual time to {@code target} nanoseconds. */
    public void advanceTo(long target) {
        runUntilIdle();
        while (true) {
            long next = nextDeadline();
            if (next > target) {
                break;
            }
            if (next > clock.nanoTime()) {
                clock.setTime(next);
            }
            runUntilIdle();
        }
        if (target > clock.nanoTime()) {
            clock.setTime(target);
        }
        runUntilIdle();
    }

    /**
     * Runs until {@code condition} holds, advancing time to each next deadline as needed, but
     * not beyond {@code limit} from now. Returns whether the condition was met.
     */
    public boolean runUntil(java.util.function.BooleanSupplier condition, Duration limit) {
        long end = clock.nanoTime() + limit.toNanos();
        runUntilIdle();
        while (!condition.getAsBoolean()) {
            long next = nextDeadline();
            if (next > end) {
                if (end > clock.nanoTime()) {
                    clock.setTime(end);
                }
                runUntilIdle();
                return condition.getAsBoolean();
            }
            if (next > clock.nanoTime()) {
                clock.setTime(next);
            }
            runUntilIdle();
        }
        return true;
    }
}
