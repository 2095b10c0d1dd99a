package dev.tsunagu.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    // ---- size classes ----

    @Test
    void defaultPoolPicksTheSmallestClassThatHoldsTheFramePlusHeadroom() {
        BufferPool pool = new BufferPool();
        assertThat(pool.headroom()).isEqualTo(BufferPool.DEFAULT_HEADROOM);

        assertThat(pool.acquire(1500).capacity()).as("1500-byte frame").isEqualTo(2048);
        assertThat(pool.acquire(1514).capacity()).as("1500 + Ethernet header").isEqualTo(2048);
        assertThat(pool.acquire(0).capacity()).isEqualTo(2048);
        assertThat(pool.acquire(2048 - 160).capacity()).as("exactly fills 2 KiB").isEqualTo(2048);
        assertThat(pool.acquire(2048 - 160 + 1).capacity()).as("one byte more").isEqualTo(16 * 1024);
        assertThat(pool.acquire(9000).capacity()).as("jumbo frame").isEqualTo(16 * 1024);
        assertThat(pool.acquire(9018).capacity()).isEqualTo(16 * 1024);
        int largest = 65535 + 14 + 4 + 160;
        assertThat(pool.acquire(65535).capacity()).as("largest IP packet").isEqualTo(largest);
        assertThat(pool.acquire(65535 + 18).capacity()).as("with Ethernet + VLAN header").isEqualTo(largest);
        assertThat(pool.maxLength()).isEqualTo(largest - 160);
        assertThat(pool.acquire(pool.maxLength()).capacity()).isEqualTo(largest);
    }

    @Test
    void acquiringMoreThanTheLargestClassThrows() {
        BufferPool pool = new BufferPool();
        assertThatThrownBy(() -> pool.acquire(pool.maxLength() + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(pool.maxLength() + 1))
                .hasMessageContaining(String.valueOf(pool.maxLength()));
        assertThatThrownBy(() -> pool.acquire(100_000)).isInstanceOf(IllegalArgumentException.class);
        assertThat(pool.misses()).as("a refused request allocates nothing").isZero();
    }

    @Test
    void constructorRejectsInconsistentClasses() {
        assertThatThrownBy(() -> new BufferPool(16, new int[] {}, new int[] {}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BufferPool(16, new int[] {256, 512}, new int[] {4}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BufferPool(16, new int[] {512, 512}, new int[] {4, 4}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BufferPool(16, new int[] {512, 256}, new int[] {4, 4}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructorCopiesTheClassArray() {
        int[] classes = {256, 1024};
        BufferPool pool = new BufferPool(16, classes, new int[] {4, 4});
        classes[1] = 64;
        assertThat(pool.maxLength()).isEqualTo(1024 - 16);
        assertThat(pool.acquire(500).capacity()).isEqualTo(1024);
    }

    // ---- headroom ----

    @Test
    void everyAcquiredBufferIsEmptyWithTheStandardHeadroom() {
        BufferPool pool = new BufferPool();
        for (int length : new int[] {0, 1, 1500, 9000, 65535}) {
            PacketBuffer b = pool.acquire(length);
            assertThat(b.headroom()).as("headroom for %d", length).isEqualTo(160);
            assertThat(b.length()).isZero();
            assertThat(b.tailroom()).isGreaterThanOrEqualTo(length);
            assertThat(b.isReleased()).isFalse();
            // the headroom really is usable for Ethernet + VLAN + IPv4 max + TCP max
            assertThat(b.prepend(14 + 4 + 60 + 60)).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void aRecycledBufferComesBackEmptyWithFreshHeadroom() {
        BufferPool pool = new BufferPool(32, new int[] {256}, new int[] {4});
        PacketBuffer b = pool.acquire(100);
        b.append(100);
        b.prepend(20);
        b.consume(50);
        b.release();
        assertThat(b.isReleased()).isTrue();

        PacketBuffer again = pool.acquire(10);
        assertThat(again).as("the released buffer is reused").isSameAs(b);
        assertThat(again.isReleased()).isFalse();
        assertThat(again.headroom()).isEqualTo(32);
        assertThat(again.length()).isZero();
        again.release(); // and it can be released again after re-acquisition
        assertThat(again.isReleased()).isTrue();
    }

    // ---- recycling ----

    @Test
    void steadyAcquireReleaseStopsMissing() {
        BufferPool pool = new BufferPool();
        List<PacketBuffer> held = new ArrayList<>();
        for (int round = 0; round < 1_000; round++) {
            for (int i = 0; i < 8; i++) {
                held.add(pool.acquire(i % 2 == 0 ? 1500 : 9000));
            }
            for (PacketBuffer b : held) {
                b.release();
            }
            held.clear();
            assertThat(pool.misses()).as("misses after round %d", round).isEqualTo(8);
            assertThat(pool.pooled()).isEqualTo(8);
        }
    }

    @Test
    void missesCountOnlyAllocations() {
        BufferPool pool = new BufferPool(16, new int[] {128, 1024}, new int[] {8, 8});
        PacketBuffer a = pool.acquire(10);
        PacketBuffer b = pool.acquire(500);
        assertThat(pool.misses()).isEqualTo(2);
        a.release();
        assertThat(pool.acquire(10)).isSameAs(a);
        assertThat(pool.misses()).isEqualTo(2);
        // a free small buffer does not serve a large request
        pool.acquire(10).release();
        assertThat(pool.misses()).isEqualTo(3);
        assertThat(pool.acquire(500)).isNotSameAs(b);
        assertThat(pool.misses()).isEqualTo(4);
    }

    @Test
    void unpooledBuffersDoNotEnterThePool() {
        BufferPool pool = new BufferPool();
        PacketBuffer.allocate(2048, 160).release();
        assertThat(pool.pooled()).isZero();
    }

    @Test
    void pooledCopiesHoldTheDataWithStandardHeadroom() {
        BufferPool pool = new BufferPool();
        PacketBuffer src = PacketBuffer.copyOf(new byte[] {1, 2, 3, 4, 5, 6}, 4);
        src.consume(1);
        PacketBuffer copy = pool.copyOf(src);
        assertThat(copy.headroom()).isEqualTo(160);
        assertThat(copy.toByteArray()).containsExactly(2, 3, 4, 5, 6);
        assertThat(copy.array()).isNotSameAs(src.array());

        PacketBuffer part = pool.copyOf(new byte[] {9, 8, 7, 6}, 1, 2);
        assertThat(part.headroom()).isEqualTo(160);
        assertThat(part.toByteArray()).containsExactly(8, 7);

        copy.release();
        part.release();
        assertThat(pool.pooled()).isEqualTo(2);
    }

    // ---- retained bound ----

    @Test
    void releasedBuffersBeyondTheRetainedCountAreDropped() {
        BufferPool pool = new BufferPool(16, new int[] {128, 1024}, new int[] {4, 2});
        List<PacketBuffer> small = new ArrayList<>();
        List<PacketBuffer> large = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            small.add(pool.acquire(50));
            large.add(pool.acquire(500));
        }
        small.forEach(PacketBuffer::release);
        assertThat(pool.pooled()).isEqualTo(4);
        large.forEach(PacketBuffer::release);
        assertThat(pool.pooled()).isEqualTo(4 + 2);
        assertThat(small).allMatch(PacketBuffer::isReleased);

        long missesBefore = pool.misses();
        for (int i = 0; i < 4; i++) {
            pool.acquire(50);
        }
        assertThat(pool.misses()).isEqualTo(missesBefore);
        pool.acquire(50);
        assertThat(pool.misses()).isEqualTo(missesBefore + 1);
    }

    /**
     * The retained count is the bound on free buffers per class; the pool must not keep more
     * than it was told to, whether or not the count is a power of two.
     */
    @Test
    void retainedCountsAreRoundedUpToAPowerOfTwoAndZeroMeansUnpooled() {
        BufferPool pool = new BufferPool(16, new int[] {128, 1024}, new int[] {3, 5});
        List<PacketBuffer> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(pool.acquire(50));
            held.add(pool.acquire(500));
        }
        held.forEach(PacketBuffer::release);
        assertThat(pool.pooled()).as("free buffers retained with retained = {3, 5}, rounded up").isEqualTo(4 + 8);

        BufferPool unpooled = new BufferPool(16, new int[] {128}, new int[] {0});
        unpooled.acquire(10).release();
        unpooled.acquire(10).release();
        assertThat(unpooled.pooled()).isZero();
        assertThat(unpooled.misses()).isEqualTo(2);
    }

    // ---- concurrency ----

    @Test
    void concurrentAcquireAndReleaseNeverHandsOutABufferTwice() throws Exception {
        long seed = new Random().nextLong();
        int threads = 4;
        int iterations = 50_000;
        BufferPool pool = new BufferPool(16, new int[] {256, 2048}, new int[] {1024, 1024});
        Set<PacketBuffer> owned = Collections.newSetFromMap(new ConcurrentHashMap<>());
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger acquisitions = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(exec.submit(() -> {
                    Random random = new Random(seed + id);
                    List<PacketBuffer> mine = new ArrayList<>();
                    start.await();
                    for (int i = 0; i < iterations && failure.get() == null; i++) {
                        if (mine.size() < 8 && (mine.isEmpty() || random.nextBoolean())) {
                            PacketBuffer b = pool.acquire(random.nextBoolean() ? 100 : 1500);
                            acquisitions.incrementAndGet();
                            if (!owned.add(b)) {
                                failure.compareAndSet(null, "buffer handed out twice: " + b + " (seed " + seed + ")");
                            }
                            if (b.isReleased() || b.length() != 0 || b.headroom() != 16) {
                                failure.compareAndSet(null, "bad state on acquire: " + b + " (seed " + seed + ")");
                            }
                            // stamp the buffer with our id; it must not change while we own it
                            b.append(4);
                            b.setI32(0, id * 1_000_000 + i);
                            b.setU8(0, id);
                            mine.add(b);
                        } else {
                            PacketBuffer b = mine.remove(random.nextInt(mine.size()));
                            if (b.getU8(0) != id) {
                                failure.compareAndSet(null, "buffer modified by another owner (seed " + seed + ")");
                            }
                            if (!owned.remove(b)) {
                                failure.compareAndSet(null, "owned set lost a buffer (seed " + seed + ")");
                            }
                            b.release();
                        }
                    }
                    for (PacketBuffer b : mine) {
                        owned.remove(b);
                        b.release();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
            assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(failure.get()).as("seed %d", seed).isNull();
        assertThat(owned).as("seed %d", seed).isEmpty();
        assertThat(acquisitions.get()).as("seed %d", seed).isGreaterThan(threads * 1000);
        // The free lists are lock-free and not linearizable: when a releasing thread is preempted
        // mid-offer a free list can look empty (a miss) and later full (a drop to the GC), so
        // exact recycling counts are not a property under oversubscription. What must hold: the
        // pool never holds more buffers than were made, and no buffer sits in it twice.
        int pooled = pool.pooled();
        assertThat((long) pooled).as("seed %d", seed).isLessThanOrEqualTo(pool.misses());
        Set<PacketBuffer> drained = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int length : new int[] {100, 1500}) { // one size per class
            while (true) {
                long missesBefore = pool.misses();
                PacketBuffer b = pool.acquire(length);
                if (pool.misses() != missesBefore) {
                    break; // the class is drained: this one was freshly made
                }
                assertThat(drained.add(b)).as("buffer pooled twice, seed %d", seed).isTrue();
            }
        }
        assertThat(drained).as("seed %d", seed).hasSize(pooled);
        assertThat(pool.pooled()).isZero();
    }
}
