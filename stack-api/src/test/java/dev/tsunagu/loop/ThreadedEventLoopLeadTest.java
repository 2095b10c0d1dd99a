package dev.tsunagu.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tsunagu.loop.ThreadedEventLoopDeviceTest.FakeDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Leader/follower ({@link ThreadedEventLoop#await}): a caller blocked on a loop's future runs
 * the loop itself while it waits, sleeping in the device when there is one, so input is handled
 * and answered on the thread it woke. Each rule is checked by who did what (the thread that
 * polled, ran the task or fired the timer, the timeout given to the device's wait), not by how
 * long anything took; the only waits are bounded spins on state and five-second limits.
 */
class ThreadedEventLoopLeadTest {
    private static final Duration FOREVER = Duration.ofDays(365);

    private final List<ThreadedEventLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private ThreadedEventLoop newLoop(String name) {
        ThreadedEventLoop loop = new ThreadedEventLoop(name);
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void closeLoops() throws InterruptedException {
        loops.forEach(ThreadedEventLoop::close);
        for (Thread t : threads) {
            t.join(5_000);
        }
    }

    private static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Until {@code t} sleeps in {@code d}'s wait. */
    private static void sleepsIn(FakeDevice d, Thread t) {
        until(t.getName() + " sleeps in the device", () -> d.inAwait && d.awaitThread == t && d.ready.hasQueuedThreads());
    }

    /** A thread that waits for {@code f} through the loop and keeps what it got (or the exception). */
    private Thread waiter(String name, ThreadedEventLoop loop, CompletableFuture<Integer> f, Duration timeout,
                          AtomicReference<Object> got, boolean virtual) {
        Runnable body = () -> {
            try {
                got.set(loop.await(f, timeout));
            } catch (Exception e) {
                got.set(e);
            }
        };
        Thread t = virtual ? Thread.ofVirtual().name(name).start(body) : Thread.ofPlatform().name(name).start(body);
        threads.add(t);
        return t;
    }

    @Test
    void aBlockedCallerSleepsInTheDeviceAndHandlesTheInputThatAnswersItOnItsOwnThread() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-input");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.onInput = () -> loop.completeOnRelease(f, 42); // as a segment's arrival serves a waiting read
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);
        assertThat(loop.statistics().leads()).isEqualTo(1);
        long wakeups = loop.statistics().wakeups();

        d.input(1);
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(42);
        assertThat(d.pollThread.get()).as("the input was read and handled by the thread the wire woke").isSameAs(caller);
        assertThat(loop.statistics().wakeups())
                .as("nobody was woken for the input; the loop thread at most once, told that the device is unwatched")
                .isLessThanOrEqualTo(wakeups + 1);
        assertThat(loop.statistics().waits()).as("it never parked on its future").isZero();
    }

    @Test
    void whileACallerLeadsTimersFireOnTimeOnItsThreadAndTheDeviceWaitEndsAtTheDeadline() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-timer");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);
        d.shortestTimeout.set(Long.MAX_VALUE);

        AtomicReference<Thread> firedOn = new AtomicReference<>();
        CountDownLatch fired = new CountDownLatch(1);
        long armedAt = System.nanoTime();
        assertThat(loop.tryRunInline(() -> loop.newTimer("rto", () -> {
            firedOn.set(Thread.currentThread());
            fired.countDown();
        }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(50)))).as("the leader sleeps without holding the loop").isTrue();
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - armedAt).as("not early").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(firedOn.get()).as("the leader fires the loop's timers").isSameAs(caller);
        assertThat(d.shortestTimeout.get()).as("woken to sleep toward the new deadline, not without limit")
                .isBetween(1L, TimeUnit.MILLISECONDS.toNanos(51));
        assertThat(caller.isAlive()).as("its own future is not done: it goes on leading").isTrue();
        f.complete(1);
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(1);
    }

    @Test
    void anotherThreadsTaskWakesTheLeaderAndRunsOnItsThread() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-task");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);

        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.submit(() -> {
            ranOn.set(Thread.currentThread());
            loop.completeOnRelease(f, 7);
            return null;
        }).get(5, TimeUnit.SECONDS);
        caller.join(5_000);
        assertThat(ranOn.get()).as("no wake-up lost: the leader sleeping in the device ran it").isSameAs(caller);
        assertThat(got.get()).isEqualTo(7);
    }

    @Test
    void aFutureCompletedOutsideTheLoopWakesItsLeadingCaller() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-outside");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);
        f.complete(3); // a failure completing it directly, as a socket's close does
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(3);
    }

    @Test
    void oneCallerLeadsAtATimeAndTheOthersAreWokenByItsTurns() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-two");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> fa = new CompletableFuture<>();
        CompletableFuture<Integer> fb = new CompletableFuture<>();
        AtomicReference<Object> gotA = new AtomicReference<>();
        AtomicReference<Object> gotB = new AtomicReference<>();
        Thread a = waiter("reader-a", loop, fa, FOREVER, gotA, false);
        sleepsIn(d, a);
        Thread b = waiter("reader-b", loop, fb, FOREVER, gotB, false);
        until("b parks on its future", () -> loop.statistics().waits() == 1);
        assertThat(loop.statistics().leads()).as("b found a leader and did not lead").isEqualTo(1);

        d.onInput = () -> loop.completeOnRelease(fb, 2);
        d.input(1);
        b.join(5_000);
        assertThat(gotB.get()).isEqualTo(2);
        assertThat(d.pollThread.get()).as("a handled b's input").isSameAs(a);
        sleepsIn(d, a);
        assertThat(a.isAlive()).isTrue();

        d.onInput = () -> loop.completeOnRelease(fa, 1);
        d.input(1);
        a.join(5_000);
        assertThat(gotA.get()).isEqualTo(1);
    }

    @Test
    void whenTheLeaderLeavesTheLoopThreadTakesTheDeviceBackForOtherInput() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-vacant");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        Thread loopThread = d.awaitThread;
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.onInput = () -> loop.completeOnRelease(f, 1);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);
        d.input(1);
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(1);

        // Nobody waits now: input for "another socket" must still be read, by the loop thread,
        // once the grace for the leader to come back has passed.
        d.onInput = null;
        int handled = d.handled.get();
        d.input(1);
        until("the loop thread read it", () -> d.handled.get() > handled);
        assertThat(d.pollThread.get()).isSameAs(loopThread);
        assertThat(loop.statistics().takeovers()).isPositive();
        sleepsIn(d, loopThread);
    }

    @Test
    void aTaskAfterTheLeaderLeftWakesTheLoopThread() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-after");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        Thread loopThread = d.awaitThread;
        CompletableFuture<Integer> f = new CompletableFuture<>();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        sleepsIn(d, caller);
        loop.execute(() -> loop.completeOnRelease(f, 5));
        caller.join(5_000);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.submit(() -> {
            ranOn.set(Thread.currentThread());
            return null;
        }).get(5, TimeUnit.SECONDS);
        assertThat(ranOn.get()).isSameAs(loopThread);
    }

    @Test
    void aTimedWaitEndsWhileLeadingAndTheLoopGoesOn() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-timed");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        assertThatThrownBy(() -> loop.await(f, Duration.ofMillis(20))).isInstanceOf(TimeoutException.class);
        assertThat(loop.statistics().leads()).isEqualTo(1);
        assertThat(d.shortestTimeout.get()).as("its wait in the device was bounded by its own timeout")
                .isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(loop.submit(() -> 9).get(5, TimeUnit.SECONDS)).isEqualTo(9);
    }

    @Test
    void withoutADeviceTheLeaderParksForTheLoopAndAProducerWakesIt() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-park");
        CompletableFuture<Integer> f = new CompletableFuture<>();
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("reader", loop, f, FOREVER, got, false);
        until("the caller leads, parked", () -> loop.statistics().leads() == 1 && caller.getState() == Thread.State.WAITING);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        loop.execute(() -> { // as a frame from a cable's peer would be queued to the loop
            ranOn.set(Thread.currentThread());
            loop.completeOnRelease(f, 4);
        });
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(4);
        assertThat(ranOn.get()).isSameAs(caller);
        assertThat(loop.statistics().waits()).isZero();
    }

    @Test
    void aVirtualThreadLeadsOnADeviceAndOtherVirtualThreadsStillRun() throws Exception {
        ThreadedEventLoop loop = newLoop("lead-virtual");
        FakeDevice d = new FakeDevice();
        ThreadedEventLoopDeviceTest.attached(loop, d);
        CompletableFuture<Integer> f = new CompletableFuture<>();
        d.onInput = () -> loop.completeOnRelease(f, 8);
        AtomicReference<Object> got = new AtomicReference<>();
        Thread caller = waiter("virtual-reader", loop, f, FOREVER, got, true);
        sleepsIn(d, caller);
        assertThat(Carriers.raisedBy()).as("its carrier, held in the wait, was made up for").isPositive();
        // As many other virtual threads as there are carriers, each of which must get one.
        int n = Runtime.getRuntime().availableProcessors();
        CountDownLatch ran = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            Thread.ofVirtual().start(ran::countDown);
        }
        assertThat(ran.await(5, TimeUnit.SECONDS)).as("the leader's wait took no carrier from them").isTrue();
        d.input(1);
        caller.join(5_000);
        assertThat(got.get()).isEqualTo(8);
        assertThat(d.pollThread.get()).isSameAs(caller);
    }

    @Test
    void withLeadingOffTheCallerParksAndTheLoopThreadHandlesTheInput() throws Exception {
        // The same path as -Dtsunagu.loop.lead=false, through a loop thread that owns the loop:
        // a caller on the loop's own thread never leads.
        ThreadedEventLoop loop = newLoop("lead-own");
        CompletableFuture<Integer> f = new CompletableFuture<>();
        loop.execute(() -> {
            assertThatThrownBy(() -> loop.await(f, FOREVER)).isInstanceOf(IllegalStateException.class);
            f.complete(0);
        });
        assertThat(f.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(loop.statistics().leads()).isZero();
    }
}
