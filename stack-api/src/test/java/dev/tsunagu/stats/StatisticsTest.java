package dev.tsunagu.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatisticsTest {

    @Test
    void groupsAndCountersAreCreatedOnFirstUseAndKeepIdentity() {
        Statistics stats = new Statistics();
        CounterGroup ip = stats.group("ip");
        assertThat(stats.group("ip")).isSameAs(ip);
        assertThat(ip.name()).isEqualTo("ip");
        assertThat(stats.group("tcp")).isNotSameAs(ip);

        Counter in = ip.counter("InReceives", "datagrams received");
        assertThat(ip.counter("InReceives", "another description")).isSameAs(in);
        assertThat(in.name()).isEqualTo("InReceives");
        assertThat(in.description()).as("the first description stays").isEqualTo("datagrams received");
        assertThat(in.get()).isZero();
        assertThat(ip.get("InReceives")).isZero();
        assertThat(ip.get("NoSuchCounter")).isZero();
        assertThat(stats.group("tcp").counter("InReceives", "")).isNotSameAs(in);
    }

    @Test
    void countersCount() {
        CounterGroup g = new Statistics().group("eth0");
        Counter c = g.counter("RxFrames", "frames received");
        c.increment();
        c.increment();
        c.add(40);
        assertThat(c.get()).isEqualTo(42);
        assertThat(g.get("RxFrames")).isEqualTo(42);
        assertThat(c.toString()).isEqualTo("RxFrames=42");
        Counter s = g.sharedCounter("RxDrops", "dropped");
        s.add(3);
        s.increment();
        assertThat(s.get()).isEqualTo(4);
        assertThat(g.sharedCounter("RxDrops", "")).isSameAs(s);
    }

    @Test
    void snapshotHoldsTheValuesAtThatMoment() {
        Statistics stats = new Statistics();
        Counter rx = stats.group("ip").counter("InReceives", "");
        Counter bad = stats.group("ip").counter("InHdrErrors", "");
        Counter seg = stats.group("tcp").counter("InSegs", "");
        rx.add(10);
        seg.add(5);

        StatisticsSnapshot snap = stats.snapshot();
        rx.add(100);
        stats.group("udp").counter("InDatagrams", "").increment();

        assertThat(snap.get("ip", "InReceives")).isEqualTo(10);
        assertThat(snap.get("ip", "InHdrErrors")).isZero();
        assertThat(snap.get("tcp", "InSegs")).isEqualTo(5);
        assertThat(snap.get("udp", "InDatagrams")).as("group made after the snapshot").isZero();
        assertThat(snap.get("nope", "x")).isZero();
        assertThat(snap.get("ip", "nope")).isZero();
        assertThat(snap.groups()).containsOnlyKeys("ip", "tcp");
        assertThat(snap.groups().get("ip")).containsExactly(Map.entry("InReceives", 10L), Map.entry("InHdrErrors", 0L));

        StatisticsSnapshot later = stats.snapshot();
        assertThat(later.get("ip", "InReceives")).isEqualTo(110);
        assertThat(later.get("udp", "InDatagrams")).isEqualTo(1);
        assertThat(bad.get()).isZero();
    }

    @Test
    void groupSnapshotIsInCreationOrder() {
        CounterGroup g = new Statistics().group("arp");
        g.counter("z", "").increment();
        g.counter("a", "");
        g.counter("m", "").add(2);
        assertThat(new ArrayList<>(g.snapshot().keySet())).containsExactly("z", "a", "m");
        assertThat(g.snapshot()).containsEntry("m", 2L).containsEntry("a", 0L);
    }

    @Test
    void sharedCountersSumExactlyUnderContention() throws Exception {
        CounterGroup g = new Statistics().group("eth0");
        Counter c = g.sharedCounter("RxFrames", "frames received by driver threads");
        hammer(() -> g.sharedCounter("RxFrames", "").increment(), 4, 100_000);
        assertThat(c.get()).isEqualTo(400_000);
        assertThat(g.get("RxFrames")).isEqualTo(400_000);
        c.add(-400_000);
        hammer(() -> c.add(3), 4, 100_000);
        assertThat(c.get()).isEqualTo(1_200_000);
    }

    /**
     * A counter first made with {@link CounterGroup#counter} (loop-only) and then asked for with
     * {@link CounterGroup#sharedCounter} (several writers) must still count every add.
     */
    @Test
    void sharedCounterAskedForAfterAPlainOneOfTheSameNameStillSumsExactly() throws Exception {
        CounterGroup g = new Statistics().group("eth0");
        g.counter("RxFrames", "made by the loop first");
        Counter shared = g.sharedCounter("RxFrames", "then asked for by driver threads");
        hammer(shared::increment, 4, 100_000);
        assertThat(shared.get()).as("lost updates on a counter handed out as shared").isEqualTo(400_000);
    }

    /** Runs {@code action} {@code perThread} times on each of {@code threads} threads, all released at once. */
    private static void hammer(Runnable action, int threads, int perThread) throws Exception {
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(exec.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        action.run();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
            assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void formatListsNonZeroCountersUnlessAll() {
        Statistics stats = new Statistics();
        stats.group("tcp").counter("ActiveOpens", "").add(2);
        stats.group("tcp").counter("AttemptFails", "");
        stats.group("ip").counter("InReceives", "").add(7);
        stats.group("ip").counter("InHdrErrors", "");
        stats.group("arp").counter("Requests", "");
        StatisticsSnapshot snap = stats.snapshot();

        assertThat(snap.format(false)).isEqualTo("""
                arp:
                ip:
                    InReceives 7
                tcp:
                    ActiveOpens 2
                """);
        assertThat(snap.format(true)).isEqualTo("""
                arp:
                    Requests 0
                ip:
                    InReceives 7
                    InHdrErrors 0
                tcp:
                    ActiveOpens 2
                    AttemptFails 0
                """);
        assertThat(snap.toString()).isEqualTo(snap.format(false));
        assertThat(new Statistics().snapshot().format(true)).isEmpty();
    }
}
