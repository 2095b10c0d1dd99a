package dev.tsunagu.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** All on a {@link VirtualClock}: no test sleeps, and a hang (a wheel stuck in a loop) fails. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimerWheelTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final long HOUR = 3_600 * SECOND;
    private static final long DAY = 24 * HOUR;

    private final VirtualClock clock = new VirtualClock();
    private final List<Throwable> errors = new ArrayList<>();
    private final List<String> fired = new ArrayList<>();
    private TimerWheel wheel = new TimerWheel(clock, MS, errors::add);

    /** A timer that logs its name when it fires. */
    private Timer timer(String name) {
        return new Timer(wheel, name, () -> fired.add(name));
    }

    /** Moves the virtual clock and the wheel together, as the event loop does. */
    private int advanceTo(long now) {
        clock.setTime(now);
        return wheel.advanceTo(now);
    }

    @Test
    void firesExactlyAtItsDeadlineNotBefore() {
        Timer t = timer("rto");
        t.scheduleAt(SECOND);

        assertThat(advanceTo(SECOND - MS)).isZero();
        assertThat(advanceTo(SECOND - 1)).isZero();
        assertThat(t.isPending()).isTrue();
        assertThat(advanceTo(SECOND)).isEqualTo(1);
        assertThat(fired).containsExactly("rto");
        assertThat(t.isPending()).isFalse();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aDeadlineInsideATickFiresOnceReachedAndIsReportedAtTheTickBoundary() {
        Timer t = timer("mid");
        t.scheduleAt(1_500_000);
        assertThat(wheel.nextDeadline()).isEqualTo(2 * MS);

        assertThat(advanceTo(1_499_999)).isZero();
        assertThat(advanceTo(1_499_999)).isZero();
        assertThat(advanceTo(1_500_000)).isEqualTo(1);
        assertThat(fired).containsExactly("mid");
    }

    @Test
    void partlyDueTickFiresOnlyTheReachedDeadlinesAndKeepsTheRestInOrder() {
        Timer a = timer("a");
        Timer b = timer("b");
        Timer c = timer("c");
        Timer d = timer("d");
        a.scheduleAt(1_900_000);
        b.scheduleAt(1_200_000);
        c.scheduleAt(1_800_000);
        d.scheduleAt(1_300_000);

        assertThat(advanceTo(1_250_000)).isEqualTo(1);
        assertThat(fired).containsExactly("b");
        // A timer armed into the partly due tick joins it; so does one in the past of the tick.
        timer("e").scheduleAt(1_260_000);
        timer("f").scheduleAt(1_850_000);
        assertThat(advanceTo(1_300_000)).isEqualTo(2);
        assertThat(fired).containsExactly("b", "d", "e");
        assertThat(advanceTo(2 * MS)).isEqualTo(3);
        assertThat(fired).containsExactly("b", "d", "e", "a", "c", "f");
    }

    @Test
    void actionsInAPartlyDueTickMayCancelOrMoveTheTimersItSkipped() {
        Timer skipped = timer("skipped");
        Timer moved = timer("moved");
        Timer last = timer("last");
        Timer canceller = new Timer(wheel, "canceller", () -> {
            fired.add("canceller");
            skipped.cancel();
            moved.scheduleAt(1_100_000); // still in the partly due tick, but now reached
        });
        skipped.scheduleAt(1_900_000);
        moved.scheduleAt(1_800_000);
        canceller.scheduleAt(1_100_000);
        last.scheduleAt(1_200_000);

        assertThat(advanceTo(1_500_000)).isEqualTo(3);
        assertThat(fired).containsExactly("canceller", "last", "moved");
        assertThat(skipped.isPending()).isFalse();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aDeadlineInThePastOrAtNowFiresOnTheNextAdvanceInArmingOrder() {
        advanceTo(10 * SECOND);
        Timer now = timer("now");
        Timer past = timer("past");
        Timer soon = timer("soon");
        soon.scheduleAt(10 * SECOND + MS);
        now.scheduleAfter(0);
        past.scheduleAt(3 * SECOND);
        assertThat(wheel.nextDeadline()).isEqualTo(3 * SECOND);

        assertThat(wheel.advanceTo(10 * SECOND)).isEqualTo(2);
        assertThat(fired).containsExactly("now", "past");
        assertThat(wheel.nextDeadline()).isEqualTo(10 * SECOND + MS);
    }

    @Test
    void timersFireByTickAcrossLevelsAndTiesInArmingOrder() {
        // Deadlines straddling every level boundary, armed in a scrambled order.
        long[] deadlines = {
            4096 * MS, 1 * MS, 64 * MS, 63 * MS, 262_144 * MS, 65 * MS, 4095 * MS,
            HOUR, 262_143 * MS, 2 * MS, 16_777_216 * MS, 30 * DAY, 16_777_215 * MS, 4097 * MS,
        };
        List<String> expected = new ArrayList<>();
        long[] sorted = deadlines.clone();
        java.util.Arrays.sort(sorted);
        for (long d : deadlines) {
            timer("t" + d).scheduleAt(d);
        }
        // Ties: same tick, different nanoseconds, fire in arming order, not deadline order.
        timer("tie1").scheduleAt(64 * MS);
        timer("tie2").scheduleAt(63 * MS + 1);
        timer("tie3").scheduleAt(64 * MS - 500);
        for (long d : sorted) {
            expected.add("t" + d);
            if (d == 64 * MS) {
                expected.addAll(List.of("tie1", "tie2", "tie3"));
            }
        }

        assertThat(advanceTo(31 * DAY)).isEqualTo(deadlines.length + 3);
        assertThat(fired).containsExactlyElementsOf(expected);
    }

    @Test
    void cancelBeforeFiringAndCancelOfAnIdleTimerAreHarmless() {
        Timer t = timer("t");
        t.cancel();
        t.scheduleAt(5 * MS);
        timer("other").scheduleAt(6 * MS);
        t.cancel();
        t.cancel();
        assertThat(t.isPending()).isFalse();
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(wheel.nextDeadline()).isEqualTo(6 * MS);

        assertThat(advanceTo(SECOND)).isEqualTo(1);
        assertThat(fired).containsExactly("other");
    }

    @Test
    void reschedulingAPendingTimerMovesIt() {
        Timer t = timer("t");
        t.scheduleAt(10 * SECOND);
        t.scheduleAt(2 * SECOND);
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(t.deadline()).isEqualTo(2 * SECOND);
        assertThat(wheel.nextDeadline()).isEqualTo(2 * SECOND);
        assertThat(advanceTo(2 * SECOND - 1)).isZero();

        t.scheduleAt(5 * SECOND);
        assertThat(advanceTo(2 * SECOND)).isZero();
        assertThat(advanceTo(5 * SECOND - 1)).isZero();
        assertThat(advanceTo(5 * SECOND)).isEqualTo(1);
        assertThat(advanceTo(20 * SECOND)).isZero();
        assertThat(fired).containsExactly("t");
    }

    @Test
    void reArmingWithinATickRanksAsLastArmed() {
        Timer a = timer("a");
        Timer b = timer("b");
        a.scheduleAt(7 * MS);
        b.scheduleAt(7 * MS);
        a.scheduleAt(7 * MS);
        advanceTo(7 * MS);
        assertThat(fired).containsExactly("b", "a");
    }

    @Test
    void actionsMayCancelOrMoveTimersOfTheSameTick() {
        Timer victim = timer("victim");
        Timer moved = timer("moved");
        Timer boss = new Timer(wheel, "boss", () -> {
            fired.add("boss");
            victim.cancel();
            moved.scheduleAt(9 * MS);
        });
        boss.scheduleAt(5 * MS);
        victim.scheduleAt(5 * MS);
        moved.scheduleAt(5 * MS);

        assertThat(advanceTo(5 * MS)).isEqualTo(1);
        assertThat(fired).containsExactly("boss");
        assertThat(moved.isPending()).isTrue();
        assertThat(advanceTo(9 * MS)).isEqualTo(1);
        assertThat(fired).containsExactly("boss", "moved");

        // A timer re-arming itself from its own action (a periodic timer).
        Timer[] holder = new Timer[1];
        holder[0] = new Timer(wheel, "tick", () -> {
            fired.add("tick@" + clock.nanoTime() / MS);
            if (clock.nanoTime() < 40 * MS) {
                holder[0].scheduleAfter(10 * MS);
            }
        });
        holder[0].scheduleAt(10 * MS);
        for (long ms = 10; ms <= 60; ms++) {
            advanceTo(ms * MS);
        }
        assertThat(fired).containsExactly("boss", "moved", "tick@10", "tick@20", "tick@30", "tick@40");
        assertThat(victim.isPending()).isFalse();
    }

    @Test
    void anActionCanPostponeALaterTimerOfTheSameAdvance() {
        Timer later = timer("later");
        Timer first = new Timer(wheel, "first", () -> {
            fired.add("first");
            later.scheduleAt(HOUR);
        });
        first.scheduleAt(MS);
        later.scheduleAt(2 * MS);

        assertThat(advanceTo(SECOND)).isEqualTo(1);
        assertThat(later.isPending()).isTrue();
        assertThat(wheel.nextDeadline()).isEqualTo(HOUR);
    }

    @Test
    void anActionArmingADueTimerSeesItFireInTheSameAdvance() {
        Timer echo = timer("echo");
        Timer past = timer("past");
        Timer future = timer("future");
        Timer trigger = new Timer(wheel, "trigger", () -> {
            fired.add("trigger");
            echo.scheduleAfter(0);
            past.scheduleAt(0);
            future.scheduleAfter(1);
        });
        trigger.scheduleAt(3 * MS);
        timer("sameTickLater").scheduleAt(3 * MS);

        assertThat(advanceTo(3 * MS)).isEqualTo(4);
        // "past" is behind the tick being fired, so it is due at once; "echo" belongs to the tick
        // being fired and queues behind the timers armed for it earlier.
        assertThat(fired).containsExactly("trigger", "past", "sameTickLater", "echo");
        assertThat(future.isPending()).isTrue();
        assertThat(advanceTo(3 * MS + 1)).isEqualTo(1);
    }

    @Test
    void farFutureTimersFireExactlyWithinTheTopLevel() {
        Timer days = timer("days");
        Timer weeks = timer("weeks");
        days.scheduleAt(3 * DAY + 7);
        weeks.scheduleAt(40 * DAY + 5 * HOUR);
        assertThat(wheel.nextDeadline()).isEqualTo(3 * DAY + MS);

        assertThat(advanceTo(3 * DAY)).isZero();
        assertThat(advanceTo(3 * DAY + 6)).isZero();
        assertThat(advanceTo(3 * DAY + 7)).isEqualTo(1);
        assertThat(wheel.nextDeadline()).isEqualTo(40 * DAY + 5 * HOUR);
        assertThat(advanceTo(40 * DAY + 5 * HOUR - 1)).isZero();
        assertThat(advanceTo(40 * DAY + 5 * HOUR)).isEqualTo(1);
        assertThat(fired).containsExactly("days", "weeks");
    }

    @Test
    void timersBeyondTheTopLevelAreParkedAndStillFireExactly() {
        // With 1 ns ticks the six levels span 2^36 ns (about 69 s): days are far beyond.
        wheel = new TimerWheel(clock, 1, errors::add);
        long span = 1L << 36;
        long[] deadlines = {3 * DAY + 1, DAY, span, span - 1, span + 1, 2 * span, 5 * span + 63, 7 * DAY};
        for (long d : deadlines) {
            timer("t" + d).scheduleAt(d);
        }
        long[] sorted = deadlines.clone();
        java.util.Arrays.sort(sorted);
        List<String> expected = new ArrayList<>();
        for (long d : sorted) {
            assertThat(wheel.nextDeadline()).isEqualTo(d);
            assertThat(advanceTo(d - 1)).isZero();
            assertThat(advanceTo(d)).isEqualTo(1);
            expected.add("t" + d);
            assertThat(fired).containsExactlyElementsOf(expected);
        }
        assertThat(wheel.size()).isZero();
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void parkedTimersSurviveCancellationAndOneBigJump() {
        wheel = new TimerWheel(clock, 1, errors::add);
        Timer a = timer("a");
        Timer b = timer("b");
        Timer c = timer("c");
        a.scheduleAt(2 * DAY);
        b.scheduleAt(DAY);
        c.scheduleAt(3 * DAY);
        assertThat(wheel.nextDeadline()).isEqualTo(DAY);
        b.cancel();
        assertThat(wheel.nextDeadline()).isEqualTo(2 * DAY);
        assertThat(advanceTo(DAY)).isZero();
        assertThat(advanceTo(10 * DAY)).isEqualTo(2);
        assertThat(fired).containsExactly("a", "c");
    }

    @Test
    void nextDeadlineFollowsTimersAsTheyComeAndGo() {
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        Timer far = timer("far");
        Timer mid = timer("mid");
        Timer near = timer("near");
        far.scheduleAt(HOUR + 1);
        assertThat(wheel.nextDeadline()).isEqualTo(HOUR + MS);
        mid.scheduleAt(5 * SECOND);
        assertThat(wheel.nextDeadline()).isEqualTo(5 * SECOND);
        near.scheduleAt(20 * MS - 3);
        assertThat(wheel.nextDeadline()).isEqualTo(20 * MS);
        near.cancel();
        assertThat(wheel.nextDeadline()).isEqualTo(5 * SECOND);
        mid.scheduleAt(2 * HOUR);
        assertThat(wheel.nextDeadline()).isEqualTo(HOUR + MS);

        // Many timers sharing one wide upper-level slot: the minimum is still exact.
        List<Timer> crowd = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Timer t = timer("crowd" + i);
            t.scheduleAt(300 * SECOND - i * 1_234_567L);
            crowd.add(t);
        }
        assertThat(wheel.nextDeadline()).isEqualTo(Math.ceilDiv(300 * SECOND - 49 * 1_234_567L, MS) * MS);
        crowd.get(49).cancel();
        assertThat(wheel.nextDeadline()).isEqualTo(Math.ceilDiv(300 * SECOND - 48 * 1_234_567L, MS) * MS);

        advanceTo(300 * SECOND);
        assertThat(wheel.nextDeadline()).isEqualTo(HOUR + MS);
        advanceTo(HOUR + MS);
        assertThat(wheel.nextDeadline()).isEqualTo(2 * HOUR);
        advanceTo(2 * HOUR);
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aJumpOfHoursFiresEverythingInOrderAtOnce() {
        Random rnd = new Random(42);
        List<long[]> armed = new ArrayList<>(); // {tick, seq}
        List<Long> order = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            long deadline = 1 + (long) (rnd.nextDouble() * 3 * HOUR);
            int id = i;
            new Timer(wheel, "t" + i, () -> order.add((long) id)).scheduleAt(deadline);
            armed.add(new long[] {Math.ceilDiv(deadline, MS), i});
        }
        armed.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));

        assertThat(advanceTo(4 * HOUR)).isEqualTo(5_000);
        assertThat(order).containsExactlyElementsOf(armed.stream().map(a -> a[1]).toList());
    }

    @Test
    void anExceptionGoesToTheErrorHandlerAndLaterTimersStillFire() {
        RuntimeException boom = new IllegalStateException("boom");
        new Timer(wheel, "bad", () -> {
            throw boom;
        }).scheduleAt(MS);
        timer("sameTick").scheduleAt(MS);
        timer("later").scheduleAt(2 * MS);

        assertThat(advanceTo(5 * MS)).isEqualTo(3);
        assertThat(errors).containsExactly(boom);
        assertThat(fired).containsExactly("sameTick", "later");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void advanceToRefusesToBeCalledFromAnAction() {
        new Timer(wheel, "nested", () -> wheel.advanceTo(clock.nanoTime())).scheduleAt(MS);
        advanceTo(MS);
        assertThat(errors).singleElement().isInstanceOf(IllegalStateException.class);
        // ... and the wheel still works afterwards.
        timer("after").scheduleAt(2 * MS);
        assertThat(advanceTo(2 * MS)).isEqualTo(1);
    }

    @Test
    void worksWithANegativeClockOriginAndAcrossZero() {
        VirtualClock negative = new VirtualClock(-5 * SECOND - 300);
        wheel = new TimerWheel(negative, MS, errors::add);
        List<String> log = new ArrayList<>();
        long[] deadlines = {-4 * SECOND - 1, -MS, 0, 1, 3 * SECOND, -5 * SECOND + 1};
        for (long d : deadlines) {
            new Timer(wheel, "t" + d, () -> log.add("t" + d)).scheduleAt(d);
        }
        assertThat(wheel.nextDeadline()).isEqualTo(-5 * SECOND + MS);
        negative.setTime(-MS - 1);
        assertThat(wheel.advanceTo(-MS - 1)).isEqualTo(2);
        negative.setTime(0);
        assertThat(wheel.advanceTo(0)).isEqualTo(2);
        negative.setTime(10 * SECOND);
        assertThat(wheel.advanceTo(10 * SECOND)).isEqualTo(2);
        assertThat(log).containsExactly(
                "t" + (-5 * SECOND + 1), "t" + (-4 * SECOND - 1), "t" + (-MS), "t0", "t1", "t" + 3 * SECOND);
    }

    @Test
    void scheduleAfterSaturatesInsteadOfOverflowing() {
        advanceTo(SECOND);
        Timer never = timer("never");
        never.scheduleAfter(Long.MAX_VALUE);
        assertThat(never.deadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(advanceTo(1000 * DAY)).isZero();
        assertThat(never.isPending()).isTrue();
    }

    @Test
    void rejectsBadArgumentsAndDescribesItself() {
        assertThatThrownBy(() -> new TimerWheel(clock, 0, errors::add)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Timer(wheel, "x", null)).isInstanceOf(NullPointerException.class);
        assertThat(wheel.clock()).isSameAs(clock);
        assertThat(wheel.tickNanos()).isEqualTo(MS);
        Timer t = timer("delayed-ack");
        assertThat(t.name()).isEqualTo("delayed-ack");
        assertThat(t.toString()).contains("delayed-ack").contains("idle");
        t.scheduleAt(40 * MS);
        assertThat(t.toString()).contains("delayed-ack").contains(Long.toString(40 * MS));
    }

    @Test
    void aHundredThousandTimersScheduleCancelAndFireCorrectly() {
        int n = 100_000;
        Random rnd = new Random(7);
        long[] deadlines = new long[n];
        long[] armedAs = new long[n]; // arming order, the tie-break within a tick
        int[] firedInStep = new int[n];
        int[] firingOrder = new int[n];
        int[] counters = new int[2]; // {timers fired so far, current advance step}
        Timer[] timers = new Timer[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            timers[i] = new Timer(wheel, "t" + i, () -> {
                firingOrder[counters[0]++] = id;
                firedInStep[id] = counters[1];
            });
        }

        long start = System.nanoTime();
        long armings = 0;
        for (int i = 0; i < n; i++) {
            deadlines[i] = 1 + (long) (rnd.nextDouble() * 600 * SECOND);
            timers[i].scheduleAt(deadlines[i]);
            armedAs[i] = ++armings;
        }
        assertThat(wheel.size()).isEqualTo(n);
        for (int i = 0; i < n; i += 3) {
            timers[i].cancel();
        }
        for (int i = 1; i < n; i += 3) { // move a third of them, earlier or later
            deadlines[i] = 1 + (long) (rnd.nextDouble() * 700 * SECOND);
            timers[i].scheduleAt(deadlines[i]);
            armedAs[i] = ++armings;
        }
        int expected = n - (n + 2) / 3;
        assertThat(wheel.size()).isEqualTo(expected);

        List<Long> nows = new ArrayList<>(List.of(0L));
        int total = 0;
        while (wheel.size() > 0) {
            long now = nows.getLast() + 1 + rnd.nextLong(5 * SECOND);
            nows.add(now);
            counters[1] = nows.size() - 1;
            total += advanceTo(now);
        }
        long elapsedMs = (System.nanoTime() - start) / MS;

        assertThat(total).isEqualTo(expected);
        assertThat(counters[0]).isEqualTo(expected);
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            boolean cancelled = i % 3 == 0;
            int step = firedInStep[i];
            // Cancelled ones never fire; the others fire in the first advance reaching the deadline.
            boolean ok = cancelled
                    ? step == 0
                    : step > 0 && nows.get(step - 1) < deadlines[i] && deadlines[i] <= nows.get(step);
            wrong += ok ? 0 : 1;
        }
        assertThat(wrong).as("timers fired early, late, twice or despite cancel").isZero();
        int disordered = 0;
        for (int k = 1; k < expected; k++) {
            int a = firingOrder[k - 1];
            int b = firingOrder[k];
            long tickA = Math.ceilDiv(deadlines[a], MS);
            long tickB = Math.ceilDiv(deadlines[b], MS);
            disordered += tickA < tickB || (tickA == tickB && armedAs[a] < armedAs[b]) ? 0 : 1;
        }
        assertThat(disordered).as("pairs fired out of (tick, arming) order").isZero();
        assertThat(elapsedMs).as("100k timers took %d ms", elapsedMs).isLessThan(2_000);
    }

    // ---- randomized comparison with a reference model ----

    @Test
    void matchesASimpleReferenceModelOverManyRandomRuns() {
        for (long seed = 1; seed <= 200; seed++) {
            runAgainstReference(seed);
        }
    }

    /**
     * The reference: a sorted set of (effective tick, arming sequence). Firing takes, again and
     * again, the first entry whose deadline has been reached. A timer armed into the past
     * (tick before the cursor, the first tick not fully fired) ranks as the current tick.
     */
    private static final class Reference {
        record Entry(long effectiveTick, long seq, int id, long tick, long deadline) {}

        final long tickNanos;
        final TreeSet<Entry> pending = new TreeSet<>(
                Comparator.comparingLong(Entry::effectiveTick).thenComparingLong(Entry::seq));
        final Entry[] byId;
        long cursor;
        long seq;

        Reference(long startNanos, long tickNanos, int timers) {
            this.tickNanos = tickNanos;
            this.byId = new Entry[timers];
            this.cursor = Math.floorDiv(startNanos, tickNanos) + 1;
        }

        void schedule(int id, long deadline) {
            cancel(id);
            long tick = Math.ceilDiv(deadline, tickNanos);
            Entry e = new Entry(Math.max(tick, cursor - 1), ++seq, id, tick, deadline);
            pending.add(e);
            byId[id] = e;
        }

        void cancel(int id) {
            if (byId[id] != null) {
                pending.remove(byId[id]);
                byId[id] = null;
            }
        }

        boolean isPending(int id) {
            return byId[id] != null;
        }

        long nextDeadline() {
            long min = Long.MAX_VALUE;
            for (Entry e : pending) {
                min = Math.min(min, e.tick());
            }
            return min == Long.MAX_VALUE || min > Long.MAX_VALUE / tickNanos ? Long.MAX_VALUE : min * tickNanos;
        }

        int advanceTo(long now, IntConsumer action) {
            int fired = 0;
            while (true) {
                Entry next = null;
                for (Entry e : pending) {
                    if (e.deadline() <= now) {
                        next = e;
                        break;
                    }
                }
                if (next == null) {
                    break;
                }
                pending.remove(next);
                byId[next.id()] = null;
                cursor = Math.max(cursor, next.effectiveTick());
                fired++;
                action.accept(next.id());
            }
            cursor = Math.max(cursor, Math.floorDiv(now, tickNanos) + 1);
            return fired;
        }
    }

    /** What a fired action does, drawn from its own stream so both models replay the same. */
    private interface Ops {
        void schedule(int id, long deadline);

        void cancel(int id);
    }

    private static void sideEffect(Random actionRnd, long now, long tickNanos, int timers, Ops ops) {
        int roll = actionRnd.nextInt(12);
        int target = actionRnd.nextInt(timers);
        if (roll < 2) {
            ops.schedule(target, now + actionRnd.nextLong(-2, 3 * tickNanos)); // around "now"
        } else if (roll < 3) {
            ops.schedule(target, now + actionRnd.nextLong(200 * tickNanos));
        } else if (roll < 4) {
            ops.schedule(target, now - 1 - actionRnd.nextLong(100 * tickNanos)); // in the past
        } else if (roll < 5) {
            ops.cancel(target);
        }
    }

    private static long randomDelta(Random rnd, long tickNanos) {
        return switch (rnd.nextInt(7)) {
            case 0 -> -rnd.nextLong(5 * tickNanos + 1); // past
            case 1 -> rnd.nextLong(3 * tickNanos + 1); // now .. a few ticks, often mid-tick
            case 2 -> rnd.nextLong(64 * tickNanos);
            case 3 -> rnd.nextLong(64L * 64 * 3 * tickNanos);
            case 4 -> rnd.nextLong((1L << 24) * tickNanos);
            case 5 -> rnd.nextLong((1L << 38) * Math.min(tickNanos, 1_000)); // may pass the top level
            default -> (1 + rnd.nextInt(4)) * (1L << (6 * (1 + rnd.nextInt(5)))) * tickNanos
                    + rnd.nextInt(3) - 1; // right at level boundaries
        };
    }

    private static void runAgainstReference(long seed) {
        Random rnd = new Random(seed);
        long tickNanos = switch (rnd.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 7;
            case 2 -> 1_000;
            default -> 1_000_000;
        };
        long start = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> -rnd.nextLong(1L << 40); // System.nanoTime may well be negative
            case 2 -> ((1L << 36) - 1 - rnd.nextInt(100)) * tickNanos; // just before a wrap of the top level
            default -> rnd.nextLong(1L << 50);
        };
        int timers = 1 + rnd.nextInt(60);
        VirtualClock clock = new VirtualClock(start);
        List<Throwable> errors = new ArrayList<>();
        TimerWheel wheel = new TimerWheel(clock, tickNanos, errors::add);
        Reference ref = new Reference(start, tickNanos, timers);

        List<Integer> wheelLog = new ArrayList<>();
        List<Integer> refLog = new ArrayList<>();
        Random wheelActions = new Random(~seed);
        Random refActions = new Random(~seed);
        Timer[] ts = new Timer[timers];
        Ops wheelOps = new Ops() {
            @Override
            public void schedule(int id, long deadline) {
                ts[id].scheduleAt(deadline);
            }

            @Override
            public void cancel(int id) {
                ts[id].cancel();
            }
        };
        Ops refOps = new Ops() {
            @Override
            public void schedule(int id, long deadline) {
                ref.schedule(id, deadline);
            }

            @Override
            public void cancel(int id) {
                ref.cancel(id);
            }
        };
        boolean withSideEffects = rnd.nextBoolean();
        for (int i = 0; i < timers; i++) {
            int id = i;
            ts[i] = new Timer(wheel, "t" + i, () -> {
                wheelLog.add(id);
                if (withSideEffects) {
                    sideEffect(wheelActions, clock.nanoTime(), tickNanos, timers, wheelOps);
                }
            });
        }
        IntConsumer refAction = id -> {
            refLog.add(id);
            if (withSideEffects) {
                sideEffect(refActions, clock.nanoTime(), tickNanos, timers, refOps);
            }
        };

        int steps = 600;
        for (int step = 0; step < steps; step++) {
            String where = "seed " + seed + " step " + step + " (tick " + tickNanos + " ns, start " + start + ")";
            int op = rnd.nextInt(10);
            long now = clock.nanoTime();
            if (op < 4) {
                int id = rnd.nextInt(timers);
                long deadline = now + randomDelta(rnd, tickNanos);
                ts[id].scheduleAt(deadline);
                ref.schedule(id, deadline);
            } else if (op < 5) {
                int id = rnd.nextInt(timers);
                ts[id].cancel();
                ref.cancel(id);
            } else {
                long next = ref.nextDeadline();
                long target = switch (rnd.nextInt(6)) {
                    case 0 -> now; // no time passes
                    case 1 -> now + rnd.nextLong(2 * tickNanos + 1); // within a tick or two
                    case 2 -> next == Long.MAX_VALUE ? now : Math.max(now, next - rnd.nextInt(2)); // just at/before
                    case 3 -> now + rnd.nextLong(64L * 64 * tickNanos);
                    case 4 -> now + rnd.nextLong((1L << 30) * tickNanos);
                    default -> now + rnd.nextLong(1L << 40); // a leap
                };
                clock.setTime(target);
                int wheelFired = wheel.advanceTo(target);
                int refFired = ref.advanceTo(target, refAction);
                if (!wheelLog.equals(refLog)) {
                    assertThat(wheelLog).as(where + ": firing order").containsExactlyElementsOf(refLog);
                }
                assertThat(wheelFired).as(where + ": fired count").isEqualTo(refFired);
                wheelLog.clear();
                refLog.clear();
            }
            assertThat(wheel.size()).as(where + ": size").isEqualTo(ref.pending.size());
            assertThat(wheel.nextDeadline()).as(where + ": nextDeadline").isEqualTo(ref.nextDeadline());
            for (int i = 0; i < timers; i++) {
                if (ts[i].isPending() != ref.isPending(i)) {
                    assertThat(ts[i].isPending()).as(where + ": pending " + i).isEqualTo(ref.isPending(i));
                }
            }
        }
        assertThat(errors).as("seed " + seed).isEmpty();
    }

    @Test
    void nextDeadlineStaysExactAsTheEarliestOfACrowdedSlotLeaves() {
        // A thousand timers in one higher-level slot (as TIME_WAITs are), in shuffled order;
        // take the earliest away one by one, then let them fire: the deadline follows exactly.
        java.util.List<Long> ticks = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ticks.add(5 * SECOND + i * MS);
        }
        java.util.Collections.shuffle(ticks, new java.util.Random(1000));
        java.util.Map<Long, Timer> byDeadline = new java.util.TreeMap<>();
        for (long d : ticks) {
            Timer t = timer("tw" + d);
            t.scheduleAt(d);
            byDeadline.put(d, t);
        }
        for (int i = 0; i < 100; i++) {
            long earliest = 5 * SECOND + i * MS;
            assertThat(wheel.nextDeadline()).isEqualTo(earliest);
            byDeadline.get(earliest).cancel();
        }
        Timer late = timer("late");
        late.scheduleAt(5 * SECOND + 50 * MS); // into the same slot, below the cached minimum
        assertThat(wheel.nextDeadline()).isEqualTo(5 * SECOND + 50 * MS);
        late.cancel();
        assertThat(wheel.nextDeadline()).isEqualTo(5 * SECOND + 100 * MS);
        advanceTo(5 * SECOND + 100 * MS);
        assertThat(fired).containsExactly("tw" + (5 * SECOND + 100 * MS));
        assertThat(wheel.nextDeadline()).isEqualTo(5 * SECOND + 101 * MS);
    }
}
