package dev.tsunagu.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualEventLoopTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void tasksRunOnlyWhenTheLoopIsDriven() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        AtomicInteger ran = new AtomicInteger();
        loop.execute(ran::incrementAndGet);
        // posting from another thread is allowed, and does not run the task either
        CompletableFuture.runAsync(() -> loop.execute(ran::incrementAndGet)).get(5, TimeUnit.SECONDS);
        assertThat(ran.get()).isZero();
        assertThat(loop.statistics().tasks()).isZero();

        assertThat(loop.runUntilIdle()).isEqualTo(1);
        assertThat(ran.get()).isEqualTo(2);
        assertThat(loop.statistics().tasks()).isEqualTo(2);
        assertThat(loop.runUntilIdle()).as("nothing left").isZero();
        assertThat(loop.now()).as("running tasks does not move time").isZero();
    }

    @Test
    void runUntilIdleRunsTasksThatPostTasks() {
        VirtualEventLoop loop = new VirtualEventLoop();
        int depth = 5_000; // more than one turn's task budget
        List<Integer> order = new ArrayList<>();
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            order.add(order.size());
            if (order.size() < depth) {
                loop.execute(step[0]);
            }
        };
        loop.execute(step[0]);
        // a fan-out too: each of these posts two more
        AtomicInteger fan = new AtomicInteger();
        loop.execute(() -> {
            for (int i = 0; i < 2; i++) {
                loop.execute(() -> {
                    fan.incrementAndGet();
                    loop.execute(fan::incrementAndGet);
                });
            }
        });
        int turns = loop.runUntilIdle();
        assertThat(order).hasSize(depth);
        assertThat(order.get(depth - 1)).isEqualTo(depth - 1);
        assertThat(fan.get()).isEqualTo(4);
        assertThat(turns).isGreaterThanOrEqualTo(depth / EventLoop.TASK_BUDGET);
        assertThat(loop.statistics().tasks()).isEqualTo(depth + 1 + 2 + 2);
    }

    @Test
    void timerAtOneSecondFiresExactlyAtItsDeadline() {
        VirtualEventLoop loop = new VirtualEventLoop();
        List<Long> firedAt = new ArrayList<>();
        Timer t = loop.newTimer("rto", () -> firedAt.add(loop.now()));
        t.scheduleAt(SECOND);
        assertThat(t.isPending()).isTrue();
        assertThat(loop.pendingTimers()).isEqualTo(1);

        loop.advance(Duration.ofMillis(999));
        assertThat(loop.now()).isEqualTo(999 * MS);
        assertThat(firedAt).as("not yet at 999 ms").isEmpty();
        assertThat(t.isPending()).isTrue();

        loop.advanceNanos(MS - 1);
        assertThat(firedAt).as("not yet 1 ns before the deadline").isEmpty();

        loop.advanceNanos(1);
        assertThat(firedAt).as("fired at 1000 ms, observing its deadline as now").containsExactly(SECOND);
        assertThat(loop.now()).isEqualTo(SECOND);
        assertThat(t.isPending()).isFalse();
        assertThat(loop.pendingTimers()).isZero();
        assertThat(loop.statistics().timersFired()).isEqualTo(1);
    }

    @Test
    void advancingPastSeveralDeadlinesFiresEachAtItsOwnTimeInOrder() {
        VirtualEventLoop loop = new VirtualEventLoop();
        List<String> log = new ArrayList<>();
        loop.newTimer("c", () -> log.add("c@" + loop.now())).scheduleAt(3 * SECOND);
        loop.newTimer("a", () -> log.add("a@" + loop.now())).scheduleAt(250 * MS);
        loop.newTimer("b", () -> log.add("b@" + loop.now())).scheduleAfter(2 * SECOND);
        loop.advance(Duration.ofSeconds(10));
        assertThat(log).containsExactly("a@" + 250 * MS, "b@" + 2 * SECOND, "c@" + 3 * SECOND);
        assertThat(loop.now()).isEqualTo(10 * SECOND);
    }

    @Test
    void aDeadlineBetweenTicksFiresAtTheNextTickNeverBefore() {
        VirtualEventLoop loop = new VirtualEventLoop();
        List<Long> firedAt = new ArrayList<>();
        long deadline = 5 * MS + MS / 2;
        loop.newTimer("t", () -> firedAt.add(loop.now())).scheduleAt(deadline);
        loop.advanceTo(deadline - 1);
        assertThat(firedAt).isEmpty();
        loop.advance(Duration.ofMillis(10));
        assertThat(firedAt).hasSize(1);
        assertThat(firedAt.get(0)).isBetween(deadline, deadline + MS);
    }

    @Test
    void tasksPostedByATimerRunAtTheTimersInstant() {
        VirtualEventLoop loop = new VirtualEventLoop();
        List<Long> taskAt = new ArrayList<>();
        loop.newTimer("t", () -> loop.execute(() -> taskAt.add(loop.now()))).scheduleAt(700 * MS);
        loop.advance(Duration.ofSeconds(5));
        assertThat(taskAt).containsExactly(700 * MS);
    }

    @Test
    void anHourOfPeriodicTimersFiresTheExactCount() {
        VirtualEventLoop loop = new VirtualEventLoop();
        long[] periods = {7 * MS, 250 * MS, SECOND, 60 * SECOND};
        long hour = 3_600 * SECOND;
        long[] counts = new long[periods.length];
        List<String> misfires = new ArrayList<>();
        for (int i = 0; i < periods.length; i++) {
            int idx = i;
            long period = periods[i];
            Timer[] self = new Timer[1];
            self[0] = loop.newTimer("every-" + period, () -> {
                counts[idx]++;
                long expected = counts[idx] * period;
                if (loop.now() != expected && misfires.size() < 10) {
                    misfires.add("timer " + period + " fired at " + loop.now() + " instead of " + expected);
                }
                self[0].scheduleAfter(period);
            });
            self[0].scheduleAfter(period);
        }

        loop.advance(Duration.ofHours(1));

        assertThat(misfires).isEmpty();
        assertThat(loop.now()).isEqualTo(hour);
        for (int i = 0; i < periods.length; i++) {
            assertThat(counts[i]).as("fires of the %d ns timer", periods[i]).isEqualTo(hour / periods[i]);
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        assertThat(loop.statistics().timersFired()).isEqualTo(total);
        assertThat(loop.pendingTimers()).as("all re-armed").isEqualTo(periods.length);
        assertThat(loop.nextDeadline()).isGreaterThan(hour);
    }

    @Test
    void runUntilStopsAsSoonAsTheConditionHolds() {
        VirtualEventLoop loop = new VirtualEventLoop();
        AtomicBoolean done = new AtomicBoolean();
        AtomicBoolean late = new AtomicBoolean();
        loop.newTimer("done", () -> done.set(true)).scheduleAt(5 * SECOND);
        loop.newTimer("late", () -> late.set(true)).scheduleAt(8 * SECOND);

        assertThat(loop.runUntil(done::get, Duration.ofSeconds(30))).isTrue();
        assertThat(loop.now()).as("stopped at the instant the condition became true").isEqualTo(5 * SECOND);
        assertThat(late.get()).isFalse();
        assertThat(loop.pendingTimers()).isEqualTo(1);
    }

    @Test
    void runUntilReturnsTrueAtOnceIfTheConditionAlreadyHolds() {
        VirtualEventLoop loop = new VirtualEventLoop();
        loop.newTimer("t", () -> {}).scheduleAt(SECOND);
        assertThat(loop.runUntil(() -> true, Duration.ofSeconds(10))).isTrue();
        assertThat(loop.now()).isZero();
    }

    @Test
    void runUntilGivesUpAtTheLimit() {
        VirtualEventLoop loop = new VirtualEventLoop();
        AtomicInteger ticks = new AtomicInteger();
        Timer[] self = new Timer[1];
        self[0] = loop.newTimer("tick", () -> {
            ticks.incrementAndGet();
            self[0].scheduleAfter(SECOND);
        });
        self[0].scheduleAfter(SECOND);
        AtomicBoolean never = new AtomicBoolean();
        loop.newTimer("after-limit", () -> never.set(true)).scheduleAt(5 * SECOND);

        assertThat(loop.runUntil(never::get, Duration.ofSeconds(3))).isFalse();
        assertThat(loop.now()).isEqualTo(3 * SECOND);
        assertThat(ticks.get()).as("timers up to and at the limit fire").isEqualTo(3);
        assertThat(never.get()).isFalse();

        // a later call goes on from there
        assertThat(loop.runUntil(never::get, Duration.ofSeconds(3))).isTrue();
        assertThat(loop.now()).isEqualTo(5 * SECOND);
    }

    @Test
    void aThrowingTaskIsCountedAndLaterTasksStillRun() {
        VirtualEventLoop loop = new VirtualEventLoop();
        RuntimeException boom = new RuntimeException("boom");
        AtomicInteger after = new AtomicInteger();
        loop.execute(after::incrementAndGet);
        loop.execute(() -> {
            throw boom;
        });
        loop.execute(after::incrementAndGet);
        loop.runUntilIdle();

        assertThat(after.get()).isEqualTo(2);
        assertThat(loop.statistics().errors()).isEqualTo(1);
        assertThat(loop.statistics().lastError()).isSameAs(boom);

        loop.execute(after::incrementAndGet);
        loop.runUntilIdle();
        assertThat(after.get()).isEqualTo(3);
    }

    @Test
    void aThrowingTimerIsCountedAndOtherTimersStillFire() {
        VirtualEventLoop loop = new VirtualEventLoop();
        IllegalStateException boom = new IllegalStateException("timer boom");
        AtomicInteger others = new AtomicInteger();
        loop.newTimer("a", others::incrementAndGet).scheduleAt(SECOND);
        loop.newTimer("bad", () -> {
            throw boom;
        }).scheduleAt(SECOND);
        loop.newTimer("c", others::incrementAndGet).scheduleAt(SECOND);
        loop.newTimer("d", others::incrementAndGet).scheduleAt(2 * SECOND);
        loop.advance(Duration.ofSeconds(3));
        assertThat(others.get()).isEqualTo(3);
        assertThat(loop.statistics().errors()).isEqualTo(1);
        assertThat(loop.statistics().lastError()).isSameAs(boom);
    }

    @Test
    void callFromTheOwnerRunsInline() {
        VirtualEventLoop loop = new VirtualEventLoop();
        assertThat(loop.inEventLoop()).isTrue();
        AtomicBoolean inside = new AtomicBoolean();
        Integer v = loop.call(() -> {
            inside.set(loop.inEventLoop());
            return 42;
        });
        assertThat(v).isEqualTo(42);
        assertThat(inside.get()).isTrue();
        assertThat(loop.statistics().tasks()).as("not queued").isZero();

        AtomicInteger ran = new AtomicInteger();
        loop.run(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(1);

        RuntimeException boom = new RuntimeException("inline");
        assertThatThrownBy(() -> loop.call(() -> {
            throw boom;
        })).isSameAs(boom);
        assertThatThrownBy(() -> loop.call(() -> {
            throw new java.io.IOException("checked");
        })).isInstanceOf(java.util.concurrent.CompletionException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void callFromAnotherThreadIsRefused() throws Exception {
        VirtualEventLoop loop = new VirtualEventLoop();
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Throwable> thrown = CompletableFuture.supplyAsync(() -> {
            try {
                loop.call(() -> {
                    ran.set(true);
                    return 1;
                });
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        Throwable t = thrown.get(5, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Thread.currentThread().getName());
        CompletableFuture<Boolean> other = CompletableFuture.supplyAsync(loop::inEventLoop);
        assertThat(other.get(5, TimeUnit.SECONDS)).isFalse();
        loop.runUntilIdle();
        assertThat(ran.get()).as("the refused call was not queued either").isFalse();
    }

    @Test
    void theDrivingThreadBecomesTheOwner() throws Exception {
        VirtualEventLoop loop = CompletableFuture.supplyAsync(VirtualEventLoop::new).get(5, TimeUnit.SECONDS);
        assertThat(loop.inEventLoop()).isFalse();
        loop.runUntilIdle();
        assertThat(loop.inEventLoop()).isTrue();
        assertThat(loop.call(() -> "inline")).isEqualTo("inline");
    }

    @Test
    void timeNeverGoesBack() {
        VirtualEventLoop loop = new VirtualEventLoop();
        assertThatThrownBy(() -> loop.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class);
        loop.advance(Duration.ofSeconds(1));
        assertThatThrownBy(() -> loop.virtualClock().setTime(SECOND - 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(loop.now()).isEqualTo(SECOND);
        assertThat(loop.clock()).isSameAs(loop.virtualClock());
    }

    @Test
    void pollSourcesAreDrainedWhenDriven() {
        VirtualEventLoop loop = new VirtualEventLoop();
        int[] backlog = {200};
        PollSource source = new PollSource() {
            @Override
            public int poll(int budget) {
                int n = Math.min(budget, backlog[0]);
                backlog[0] -= n;
                return n;
            }

            @Override
            public boolean hasWork() {
                return backlog[0] > 0;
            }
        };
        loop.addSource(source);
        assertThat(backlog[0]).isEqualTo(200);
        loop.runUntilIdle();
        assertThat(backlog[0]).isZero();
        assertThat(loop.statistics().polled()).isEqualTo(200);
        loop.removeSource(source);
        backlog[0] = 5;
        loop.runUntilIdle();
        assertThat(backlog[0]).isEqualTo(5);
    }

    /**
     * Livelock detection. A <em>task</em> that re-posts itself would do: it is picked up again in
     * the same turn, so each of the 10M turns runs a full task budget (1024 tasks), about 10^10
     * runs that took over 9 minutes here; a poll source that always finds one more unit of work
     * reaches the same 10M-turn limit at one unit per turn.
     */
    @Test
    void aSourceThatNeverRunsDryIsReportedAsALivelock() {
        VirtualEventLoop loop = new VirtualEventLoop();
        long[] polls = {0};
        loop.addSource(new PollSource() {
            @Override
            public int poll(int budget) {
                polls[0]++;
                return 1;
            }

            @Override
            public boolean hasWork() {
                return true;
            }
        });
        assertThatThrownBy(loop::runUntilIdle)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("did not become idle");
        assertThat(polls[0]).isEqualTo(10_000_000L);
        assertThat(loop.now()).isZero();
    }
}
