package dev.tsunagu.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadedEventLoopTest {

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

    private static Thread loopThread(EventLoop loop) throws Exception {
        AtomicReference<Thread> t = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            t.set(Thread.currentThread());
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        return t.get();
    }

    @Test
    void countsTheWakeUpsOfItsThreadAndTheWaitsOfOthers() throws Exception {
        ThreadedEventLoop loop = newLoop("count-test");
        Thread t = loopThread(loop);
        awaitParked(t);
        long before = loop.statistics().wakeups();
        loop.call(() -> 1);
        assertThat(loop.statistics().wakeups()).as("a task for a parked loop wakes it once").isEqualTo(before + 1);

        java.util.concurrent.CompletableFuture<Integer> never = new java.util.concurrent.CompletableFuture<>();
        assertThatThrownBy(() -> loop.await(never, java.time.Duration.ofMillis(1)))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(loop.await(java.util.concurrent.CompletableFuture.completedFuture(2), java.time.Duration.ofMillis(1)))
                .isEqualTo(2);
        assertThat(loop.statistics().waits()).as("only the future that was not done made its caller wait").isEqualTo(1);
    }

    @Test
    void anotherThreadTakesTheIdleLoopAndRunsItsCallItself() throws Exception {
        ThreadedEventLoop loop = newLoop("inline-test");
        awaitParked(loopThread(loop));
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicBoolean inside = new AtomicBoolean();
        boolean ran = loop.tryRunInline(() -> {
            ranOn.set(Thread.currentThread());
            inside.set(loop.inEventLoop());
        });
        assertThat(ran).isTrue();
        assertThat(ranOn.get()).as("no hand-off").isSameAs(Thread.currentThread());
        assertThat(inside.get()).as("the caller owns the loop while it runs").isTrue();
        assertThat(loop.inEventLoop()).as("and lets go after").isFalse();
        assertThat(loop.statistics().inlineCalls()).isEqualTo(1);
    }

    @Test
    void aBusyLoopIsNotTaken() throws Exception {
        ThreadedEventLoop loop = newLoop("busy-test");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        AtomicBoolean ran = new AtomicBoolean();
        assertThat(loop.tryRunInline(() -> ran.set(true))).as("the loop thread holds it").isFalse();
        assertThat(ran).isFalse();
        release.countDown();
    }

    @Test
    void aTimerArmedInlineWakesTheSleepingLoopInTime() throws Exception {
        ThreadedEventLoop loop = newLoop("inline-timer-test");
        awaitParked(loopThread(loop)); // asleep with no deadline at all
        CountDownLatch fired = new CountDownLatch(1);
        assertThat(loop.tryRunInline(() -> loop.newTimer("t", fired::countDown).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(5))))
                .isTrue();
        assertThat(fired.await(5, TimeUnit.SECONDS)).as("the loop thread woke for the new deadline").isTrue();
    }

    @Test
    void futuresCompletedOnReleaseWaitUntilTheOwnerLetsGo() throws Exception {
        ThreadedEventLoop loop = newLoop("release-test");
        awaitParked(loopThread(loop));
        java.util.concurrent.CompletableFuture<Integer> f = new java.util.concurrent.CompletableFuture<>();
        AtomicBoolean doneInside = new AtomicBoolean(true);
        assertThat(loop.tryRunInline(() -> {
            loop.completeOnRelease(f, 7);
            doneInside.set(f.isDone());
        })).isTrue();
        assertThat(doneInside).as("not while the loop is held").isFalse();
        assertThat(f).isCompletedWithValue(7);

        java.util.concurrent.CompletableFuture<Integer> g = new java.util.concurrent.CompletableFuture<>();
        loop.execute(() -> loop.completeOnRelease(g, 8));
        assertThat(g.get(5, TimeUnit.SECONDS)).as("the loop thread completes it after its turn").isEqualTo(8);
    }

    /** Until {@code t} parks with nothing to do (its state says so; no sleeps). */
    private static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("loop thread parked").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void executeRunsOnTheLoopThread() throws Exception {
        ThreadedEventLoop loop = newLoop("exec-test");
        assertThat(loop.inEventLoop()).as("outside the loop").isFalse();
        AtomicBoolean inside = new AtomicBoolean();
        AtomicReference<String> threadName = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            inside.set(loop.inEventLoop());
            threadName.set(Thread.currentThread().getName());
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(inside.get()).as("inside the loop").isTrue();
        assertThat(threadName.get()).isEqualTo("exec-test");
        assertThat(loop.name()).isEqualTo("exec-test");
        Thread t = loopThread(loop);
        assertThat(t).isNotSameAs(Thread.currentThread());
        assertThat(t.isDaemon()).isTrue();
    }

    @Test
    void tasksFromOneThreadRunInOrder() throws Exception {
        ThreadedEventLoop loop = newLoop("order-test");
        List<Integer> seen = new ArrayList<>(); // touched on the loop thread only
        for (int i = 0; i < 10_000; i++) {
            int v = i;
            loop.execute(() -> seen.add(v));
        }
        List<Integer> copy = loop.call(() -> new ArrayList<>(seen));
        assertThat(copy).hasSize(10_000);
        for (int i = 0; i < copy.size(); i++) {
            assertThat(copy.get(i)).isEqualTo(i);
        }
    }

    @Test
    void callReturnsTheValueAndPropagatesExceptions() throws Exception {
        ThreadedEventLoop loop = newLoop("call-test");
        assertThat(loop.call(() -> 6 * 7)).isEqualTo(42);
        assertThat(loop.call(loop::inEventLoop)).isTrue();

        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertThatThrownBy(() -> loop.call(() -> {
            throw boom;
        })).isSameAs(boom);

        assertThatThrownBy(() -> loop.call(() -> {
            throw new IOException("checked");
        })).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);

        AtomicBoolean ran = new AtomicBoolean();
        loop.run(() -> ran.set(loop.inEventLoop()));
        assertThat(ran.get()).isTrue();

        assertThat(loop.submit(() -> "async").get(5, TimeUnit.SECONDS)).isEqualTo("async");
        assertThatThrownBy(() -> loop.submit(() -> {
            throw boom;
        }).get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(boom);

        // a call from the loop itself runs inline instead of waiting for itself
        assertThat(loop.call(() -> loop.call(() -> "nested"))).isEqualTo("nested");
        // an exception thrown by the call does not count as a loop error
        assertThat(loop.statistics().errors()).isZero();
    }

    @Test
    void aTimerFiftyMillisecondsAheadFiresNotBefore() throws Exception {
        ThreadedEventLoop loop = newLoop("timer-test");
        CountDownLatch fired = new CountDownLatch(1);
        AtomicLong scheduledAt = new AtomicLong();
        AtomicLong firedAt = new AtomicLong();
        AtomicLong deadline = new AtomicLong();
        AtomicLong loopNowAtFire = new AtomicLong();
        AtomicBoolean onLoop = new AtomicBoolean();
        loop.execute(() -> {
            Timer t = loop.newTimer("fifty", () -> {
                firedAt.set(System.nanoTime());
                loopNowAtFire.set(loop.now());
                onLoop.set(loop.inEventLoop());
                fired.countDown();
            });
            scheduledAt.set(System.nanoTime());
            t.scheduleAfter(TimeUnit.MILLISECONDS.toNanos(50));
            deadline.set(t.deadline());
        });
        assertThat(fired.await(5, TimeUnit.SECONDS)).as("timer fired within 5 s").isTrue();
        long elapsed = firedAt.get() - scheduledAt.get();
        assertThat(elapsed).as("elapsed ns").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(loopNowAtFire.get()).isGreaterThanOrEqualTo(deadline.get());
        assertThat(onLoop.get()).isTrue();
        assertThat(loop.call(loop::pendingTimers)).isZero();
        assertThat(loop.statistics().timersFired()).isEqualTo(1);
    }

    @Test
    void timersFireInDeadlineOrderWhileTheLoopSleepsBetweenThem() throws Exception {
        ThreadedEventLoop loop = newLoop("timer-order-test");
        List<String> order = new ArrayList<>(); // loop thread only
        CountDownLatch done = new CountDownLatch(3);
        loop.execute(() -> {
            loop.newTimer("c", () -> {
                order.add("c");
                done.countDown();
            }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(60));
            loop.newTimer("a", () -> {
                order.add("a");
                done.countDown();
            }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(10));
            loop.newTimer("b", () -> {
                order.add("b");
                done.countDown();
            }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(30));
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.call(() -> new ArrayList<>(order))).containsExactly("a", "b", "c");
    }

    @Test
    void manyProducersWakeTheLoopAndEveryTaskRuns() throws Exception {
        ThreadedEventLoop loop = newLoop("producers-test");
        int producers = 8;
        int perProducer = 10_000;
        long[] counted = {0}; // loop thread only
        CountDownLatch all = new CountDownLatch(producers * perProducer);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        for (int p = 0; p < producers; p++) {
            Thread t = Thread.ofPlatform().name("producer-" + p).start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perProducer; i++) {
                        loop.execute(() -> {
                            counted[0]++;
                            all.countDown();
                        });
                    }
                } catch (Throwable e) {
                    producerFailure.compareAndSet(null, e);
                }
            });
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(t.isAlive()).as("producer %s finished", t.getName()).isFalse();
        }
        assertThat(producerFailure.get()).isNull();
        assertThat(all.await(30, TimeUnit.SECONDS)).as("all tasks ran; %d left", all.getCount()).isTrue();
        assertThat(loop.call(() -> counted[0])).isEqualTo((long) producers * perProducer);
        assertThat(loop.statistics().tasks()).isGreaterThanOrEqualTo((long) producers * perProducer);
    }

    @Test
    void aLateProducerWakesAnIdleLoop() throws Exception {
        ThreadedEventLoop loop = newLoop("idle-wakeup-test");
        // round trips spaced out so that the loop is parked (no timers: indefinitely) each time
        for (int i = 0; i < 200; i++) {
            CountDownLatch done = new CountDownLatch(1);
            loop.execute(done::countDown);
            assertThat(done.await(5, TimeUnit.SECONDS)).as("round %d", i).isTrue();
        }
    }

    @Test
    void closeStopsTheThreadAndLaterWorkIsRejected() throws Exception {
        ThreadedEventLoop loop = newLoop("close-test");
        Thread t = loopThread(loop);
        assertThat(t.isAlive()).isTrue();
        assertThat(loop.isClosed()).isFalse();

        loop.close();

        assertThat(loop.isClosed()).isTrue();
        assertThat(t.isAlive()).as("close joins the loop thread").isFalse();
        assertThatThrownBy(() -> loop.execute(() -> {})).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("close-test");
        assertThatThrownBy(() -> loop.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        assertThatThrownBy(() -> loop.call(() -> 1)).isInstanceOf(RejectedExecutionException.class);
        loop.close(); // idempotent
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void closeFromTheLoopThreadItselfStopsIt() throws Exception {
        ThreadedEventLoop loop = newLoop("self-close-test");
        Thread t = loopThread(loop);
        loop.execute(loop::close);
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(loop.isClosed()).isTrue();
    }

    @Test
    void anExceptionInATaskDoesNotKillTheLoop() throws Exception {
        ThreadedEventLoop loop = newLoop("error-test");
        Thread t = loopThread(loop);
        RuntimeException boom = new RuntimeException("task boom");
        loop.execute(() -> {
            throw boom;
        });
        Error err = new AssertionError("an Error too");
        loop.execute(() -> {
            throw err;
        });
        assertThat(loop.call(() -> "alive")).isEqualTo("alive");
        assertThat(loop.statistics().errors()).isEqualTo(2);
        assertThat(loop.statistics().lastError()).isSameAs(err);
        assertThat(t.isAlive()).isTrue();
        assertThat(loopThread(loop)).as("same thread goes on").isSameAs(t);

        // a timer that throws does not kill it either
        CountDownLatch later = new CountDownLatch(1);
        loop.execute(() -> {
            loop.newTimer("bad", () -> {
                throw new IllegalStateException("timer boom");
            }).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(5));
            loop.newTimer("good", later::countDown).scheduleAfter(TimeUnit.MILLISECONDS.toNanos(10));
        });
        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.statistics().errors()).isEqualTo(3);
        assertThat(loop.statistics().lastError()).isInstanceOf(IllegalStateException.class);
    }
}
