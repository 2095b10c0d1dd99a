package dev.tsunagu.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A loop that sleeps in a device it reads itself ({@link PolledDevice}), with a device made of a
 * semaphore standing in for a TAP's fd and eventfd (the TAP suite runs the real one as root):
 * where it sleeps and for how long, who wakes it, inline callers meanwhile, and detaching.
 */
class ThreadedEventLoopDeviceTest {
    private static final long FIVE_SECONDS = TimeUnit.SECONDS.toNanos(5);

    private final List<ThreadedEventLoop> loops = new ArrayList<>();

    private ThreadedEventLoop newLoop(String name) {
        ThreadedEventLoop loop = new ThreadedEventLoop(name);
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void closeLoops() {
        loops.forEach(ThreadedEventLoop::close);
    }

    /**
     * Input and wake-ups release one semaphore, as a frame and an eventfd signal both end a
     * ppoll; {@code poll} takes the frames that are there, like reads until EAGAIN.
     */
    static final class FakeDevice implements PolledDevice {
        final Semaphore ready = new Semaphore(0);
        final AtomicInteger pending = new AtomicInteger();
        final AtomicInteger handled = new AtomicInteger();
        final AtomicInteger awaits = new AtomicInteger();
        final AtomicInteger wakes = new AtomicInteger();
        final AtomicReference<Thread> pollThread = new AtomicReference<>();
        volatile long lastTimeout = -1;
        final java.util.concurrent.atomic.AtomicLong shortestTimeout = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        volatile boolean inAwait;
        volatile RuntimeException failAwait;
        /** The thread in (or last in) the await. */
        volatile Thread awaitThread;
        /** Run as loop code by the poll that took input (what a frame's handling would do). */
        volatile Runnable onInput;

        void input(int frames) {
            pending.addAndGet(frames);
            ready.release();
        }

        @Override
        public int poll(int budget) {
            int n = Math.min(budget, pending.getAndSet(0));
            if (n > 0) {
                pollThread.set(Thread.currentThread());
                handled.addAndGet(n);
                Runnable r = onInput;
                if (r != null) {
                    r.run();
                }
            }
            return n;
        }

        @Override
        public boolean hasWork() {
            return false; // like a TAP: only a wait finds out that input came
        }

        @Override
        public void await(long timeoutNanos) {
            awaits.incrementAndGet();
            lastTimeout = timeoutNanos;
            shortestTimeout.accumulateAndGet(timeoutNanos, Math::min);
            RuntimeException f = failAwait;
            if (f != null) {
                throw f;
            }
            awaitThread = Thread.currentThread();
            inAwait = true;
            try {
                if (timeoutNanos == Long.MAX_VALUE) {
                    ready.acquire();
                } else {
                    ready.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
                }
                ready.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inAwait = false;
            }
        }

        @Override
        public void wake() {
            wakes.incrementAndGet();
            ready.release();
        }
    }

    /** Until the loop thread sleeps in {@code d}'s await (no sleeps: spins on its state). */
    static void awaitSleepingIn(FakeDevice d) {
        long deadline = System.nanoTime() + FIVE_SECONDS;
        while (!d.inAwait || !d.ready.hasQueuedThreads()) {
            assertThat(System.nanoTime()).as("the loop sleeps in the device").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    static ThreadedEventLoop attached(ThreadedEventLoop loop, FakeDevice d) {
        assertThat(loop.attachDevice(d)).isTrue();
        awaitSleepingIn(d);
        return loop;
    }

    @Test
    void withADeviceTheLoopSleepsInItAndInputIsReadOnTheLoopThreadWithNoWakeUp() throws Exception {
        ThreadedEventLoop loop = newLoop("device-input");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        assertThat(d.lastTimeout).as("no timer: no limit").isEqualTo(Long.MAX_VALUE);
        long wakeups = loop.statistics().wakeups();
        int awaits = d.awaits.get();

        d.input(3);
        long deadline = System.nanoTime() + FIVE_SECONDS;
        while (d.handled.get() < 3) {
            assertThat(System.nanoTime()).as("the frames were read").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(d.pollThread.get().getName()).isEqualTo("device-input");
        awaitSleepingIn(d);
        assertThat(d.awaits.get()).as("it went back to sleep in the device").isGreaterThan(awaits);
        assertThat(loop.statistics().wakeups()).as("input woke the loop thread itself, not a producer")
                .isEqualTo(wakeups);
    }

    @Test
    void theNextTimerDeadlineIsTheWaitsTimeoutAndTheTimerFires() throws Exception {
        ThreadedEventLoop loop = newLoop("device-timer");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        CountDownLatch fired = new CountDownLatch(1);
        long armedAt = System.nanoTime();
        loop.execute(() -> loop.newTimer("t", fired::countDown).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(200)));
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - armedAt).as("not early").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(d.wakes.get()).as("the task woke the loop through the device").isPositive();
        assertThat(d.shortestTimeout.get()).as("it slept toward the deadline, not without limit")
                .isBetween(1L, TimeUnit.MILLISECONDS.toNanos(202));
    }

    @Test
    void anotherThreadsTaskWakesTheLoopThroughTheDevice() throws Exception {
        ThreadedEventLoop loop = newLoop("device-task");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        long wakeups = loop.statistics().wakeups();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.submit(() -> {
            ranOn.set(Thread.currentThread());
            return null;
        }).get(5, TimeUnit.SECONDS);
        assertThat(ranOn.get().getName()).isEqualTo("device-task");
        assertThat(loop.statistics().wakeups()).isEqualTo(wakeups + 1);
        assertThat(d.wakes.get()).isEqualTo(1);
    }

    @Test
    void aCallerRunsInlineWhileTheLoopSleepsInTheDeviceAndAnEarlierTimerWakesIt() throws Exception {
        ThreadedEventLoop loop = newLoop("device-inline");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        AtomicBoolean owned = new AtomicBoolean();
        CountDownLatch fired = new CountDownLatch(1);
        assertThat(loop.tryRunInline(() -> {
            owned.set(loop.inEventLoop());
            loop.newTimer("t", fired::countDown).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(5));
        })).as("the loop thread sleeps without holding the loop").isTrue();
        assertThat(owned).isTrue();
        assertThat(fired.await(5, TimeUnit.SECONDS)).as("woken through the device for the new deadline").isTrue();
        assertThat(d.wakes.get()).isPositive();

        // Input while an inline caller owns the loop waits for it, then is read by the loop thread.
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        awaitSleepingIn(d);
        Thread caller = Thread.ofPlatform().start(() -> loop.tryRunInline(() -> {
            inside.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        d.input(1);
        assertThat(d.handled.get()).as("not while another thread owns the loop").isZero();
        letGo.countDown();
        caller.join(5_000);
        long deadline = System.nanoTime() + FIVE_SECONDS;
        while (d.handled.get() < 1) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aLoopTakesOneDeviceAndAVirtualLoopNone() {
        ThreadedEventLoop loop = newLoop("device-one");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        assertThat(loop.attachDevice(new FakeDevice())).as("a second device reads on its own thread").isFalse();
        assertThat(new VirtualEventLoop().attachDevice(new FakeDevice())).isFalse();
        ThreadedEventLoop closed = newLoop("device-closed");
        closed.close();
        assertThat(closed.attachDevice(new FakeDevice())).as("nor does a closed loop").isFalse();
    }

    @Test
    void detachingWaitsTheLoopOutOfTheDeviceAndItParksFromThenOn() throws Exception {
        ThreadedEventLoop loop = newLoop("device-detach");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        loop.detachDevice(d);
        assertThat(d.inAwait).as("out of the device's wait when detach returns").isFalse();
        int awaits = d.awaits.get();
        int handled = d.handled.get();
        d.input(2);
        assertThat(loop.submit(() -> 5).get(5, TimeUnit.SECONDS)).as("tasks still run").isEqualTo(5);
        assertThat(loop.submit(() -> 6).get(5, TimeUnit.SECONDS)).isEqualTo(6);
        assertThat(d.awaits.get()).as("never sleeps in it again").isEqualTo(awaits);
        assertThat(d.handled.get()).as("nor reads it").isEqualTo(handled);
        loop.detachDevice(d); // twice: nothing
        assertThat(loop.attachDevice(new FakeDevice())).as("the place is free again").isTrue();
    }

    @Test
    void aDeviceWhoseWaitThrowsIsReportedAndLetGoAndTheLoopGoesOn() throws Exception {
        ThreadedEventLoop loop = newLoop("device-throws");
        FakeDevice d = new FakeDevice();
        d.failAwait = new IllegalStateException("broken device");
        assertThat(loop.attachDevice(d)).isTrue();
        long deadline = System.nanoTime() + FIVE_SECONDS;
        while (loop.statistics().lastError() == null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(loop.statistics().lastError()).hasMessage("broken device");
        assertThat(loop.submit(() -> 1).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(d.awaits.get()).as("tried once, then parked").isEqualTo(1);
    }

    @Test
    void closeWakesALoopSleepingInItsDevice() throws Exception {
        ThreadedEventLoop loop = newLoop("device-close");
        FakeDevice d = new FakeDevice();
        attached(loop, d);
        Thread t = loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
        awaitSleepingIn(d);
        loop.close();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
    }
}
