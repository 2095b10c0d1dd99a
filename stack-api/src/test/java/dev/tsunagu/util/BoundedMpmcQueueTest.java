package dev.tsunagu.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BoundedMpmcQueueTest {

    @Test
    void capacityIsRoundedUpToAPowerOfTwo() {
        assertThat(new BoundedMpmcQueue<>(1).capacity()).isEqualTo(2);
        assertThat(new BoundedMpmcQueue<>(2).capacity()).isEqualTo(2);
        assertThat(new BoundedMpmcQueue<>(3).capacity()).isEqualTo(4);
        assertThat(new BoundedMpmcQueue<>(1000).capacity()).isEqualTo(1024);
        assertThat(new BoundedMpmcQueue<>(1024).capacity()).isEqualTo(1024);
        assertThat(new BoundedMpmcQueue<>(1025).capacity()).isEqualTo(2048);
        assertThatThrownBy(() -> new BoundedMpmcQueue<>(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BoundedMpmcQueue<>(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BoundedMpmcQueue<>((1 << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void singleThreadIsFifo() {
        BoundedMpmcQueue<String> q = new BoundedMpmcQueue<>(16);
        for (int i = 0; i < 16; i++) {
            assertThat(q.offer("e" + i)).isTrue();
        }
        for (int i = 0; i < 16; i++) {
            assertThat(q.poll()).isEqualTo("e" + i);
        }
        assertThat(q.poll()).isNull();
    }

    @Test
    void fullAndEmptyBoundaries() {
        BoundedMpmcQueue<Integer> q = new BoundedMpmcQueue<>(8);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
        assertThat(q.poll()).isNull();
        assertThatThrownBy(() -> q.offer(null)).isInstanceOf(NullPointerException.class);

        for (int i = 0; i < 8; i++) {
            assertThat(q.offer(i)).as("offer %d", i).isTrue();
            assertThat(q.size()).isEqualTo(i + 1);
        }
        assertThat(q.offer(8)).as("offer into a full queue").isFalse();
        assertThat(q.offer(9)).isFalse();
        assertThat(q.size()).isEqualTo(8);
        assertThat(q.isEmpty()).isFalse();

        assertThat(q.poll()).isEqualTo(0);
        assertThat(q.size()).isEqualTo(7);
        assertThat(q.offer(8)).isTrue();
        assertThat(q.offer(9)).isFalse();

        for (int i = 1; i <= 8; i++) {
            assertThat(q.poll()).isEqualTo(i);
        }
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.size()).isZero();
    }

    @Test
    void smallestQueueTellsFullFromEmpty() {
        BoundedMpmcQueue<String> q = new BoundedMpmcQueue<>(1);
        for (int lap = 0; lap < 10; lap++) {
            assertThat(q.offer("a")).isTrue();
            assertThat(q.offer("b")).isTrue();
            assertThat(q.offer("c")).isFalse();
            assertThat(q.poll()).isEqualTo("a");
            assertThat(q.poll()).isEqualTo("b");
            assertThat(q.poll()).isNull();
        }
    }

    @Test
    void wrapsAroundManyTimes() {
        BoundedMpmcQueue<Integer> q = new BoundedMpmcQueue<>(4);
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 20_000; round++) {
            int batch = 1 + round % 4; // shifts the start slot every round
            for (int i = 0; i < batch; i++) {
                assertThat(q.offer(next++)).isTrue();
            }
            assertThat(q.size()).isEqualTo(batch);
            for (int i = 0; i < batch; i++) {
                assertThat(q.poll()).as("round %d", round).isEqualTo(expected++);
            }
            assertThat(q.poll()).isNull();
        }
        assertThat(expected).isEqualTo(next).isGreaterThan(q.capacity() * 10_000);
    }

    @Test
    void drainStopsAtTheLimitOrWhenEmpty() {
        BoundedMpmcQueue<Integer> q = new BoundedMpmcQueue<>(16);
        for (int i = 0; i < 10; i++) {
            q.offer(i);
        }
        List<Integer> out = new ArrayList<>();
        assertThat(q.drain(out::add, 3)).isEqualTo(3);
        assertThat(out).containsExactly(0, 1, 2);
        assertThat(q.drain(out::add, 0)).isZero();
        assertThat(q.size()).isEqualTo(7);
        assertThat(q.drain(out::add, 100)).isEqualTo(7);
        assertThat(out).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(q.drain(out::add, 100)).isZero();
        assertThat(q.isEmpty()).isTrue();
        assertThatThrownBy(() -> q.drain(out::add, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.drain(null, 1)).isInstanceOf(NullPointerException.class);
    }

    /** Spin politely; yield now and then so a preempted thread holding a claimed slot can run. */
    private static void backOff(int failures) {
        if ((failures & 63) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    @Test
    void fourProducersFourConsumersLoseAndDuplicateNothing() throws InterruptedException {
        int producers = 4;
        int consumers = 4;
        int perProducer = 250_000;
        int total = producers * perProducer;
        BoundedMpmcQueue<Integer> q = new BoundedMpmcQueue<>(1024);
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        AtomicInteger received = new AtomicInteger();
        AtomicBoolean abort = new AtomicBoolean();
        AtomicReference<String> orderViolation = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(producers + consumers);
        List<Thread> threads = new ArrayList<>();

        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().daemon().name("producer-" + p).unstarted(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perProducer; i++) {
                        Integer value = base + i;
                        for (int failures = 1; !q.offer(value); failures++) {
                            if (abort.get()) {
                                return;
                            }
                            backOff(failures);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            threads.add(Thread.ofPlatform().daemon().name("consumer-" + c).unstarted(() -> {
                // A consumer's polls take increasing positions and a producer's offers take
                // increasing positions, so one consumer sees each producer's values in order.
                int[] last = new int[producers];
                Arrays.fill(last, -1);
                try {
                    start.await();
                    int failures = 0;
                    while (received.get() < total && !abort.get()) {
                        Integer value = q.poll();
                        if (value == null) {
                            backOff(++failures);
                            continue;
                        }
                        failures = 0;
                        seen.incrementAndGet(value);
                        received.incrementAndGet();
                        int producer = value / perProducer;
                        if (value <= last[producer]) {
                            orderViolation.compareAndSet(null, Thread.currentThread().getName() + " got "
                                    + value + " after " + last[producer]);
                        }
                        last[producer] = value;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }));
        }
        threads.forEach(Thread::start);
        start.countDown();
        boolean finished = done.await(30, TimeUnit.SECONDS);
        abort.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }

        assertThat(finished).as("all threads finished in time; received %d of %d", received.get(), total).isTrue();
        assertThat(received.get()).isEqualTo(total);
        for (int v = 0; v < total; v++) {
            if (seen.get(v) != 1) {
                assertThat(seen.get(v)).as("times value %d was received", v).isEqualTo(1);
            }
        }
        assertThat(orderViolation.get()).as("per-producer order seen by one consumer").isNull();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.poll()).isNull();
    }

    @Test
    void offerAndPollDoNotAllocate() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean b
                && b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BoundedMpmcQueue<Integer> q = new BoundedMpmcQueue<>(1024);
        Integer[] values = new Integer[1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = 100_000 + i;
        }
        fillAndEmpty(q, values); // warm up
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 100; round++) {
            fillAndEmpty(q, values);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated by 200k offers and polls").isLessThan(64 * 1024);
    }

    private static void fillAndEmpty(BoundedMpmcQueue<Integer> q, Integer[] values) {
        for (Integer v : values) {
            q.offer(v);
        }
        while (q.poll() != null) {
            // empty it
        }
    }
}
