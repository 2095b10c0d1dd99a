package dev.tsunagu.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.cli.bench.PathComparison.Controller;
import dev.tsunagu.cli.bench.PathComparison.Path;
import dev.tsunagu.cli.bench.PathComparison.Row;
import dev.tsunagu.link.bottleneck.BottleneckPlan;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code bench --scenario paths} on short paths: the numbers are those of the path, and repeatable. */
class PathComparisonTest {
    private static final Controller NEWRENO = new Controller("newreno", "newreno", false);
    private static final Controller CUBIC = new Controller("cubic", "cubic", false);
    private static final BottleneckPlan TEN_MBIT_50_MS = BottleneckPlan.dropTail(10_000_000, Duration.ofMillis(25), 250_000);

    @Test
    void aBulkFlowFillsTheLinkAndItsBufferRepeatably() throws Exception {
        Path path = new Path("10 Mbit/s, 50 ms", TEN_MBIT_50_MS, Duration.ofSeconds(10));
        Row a = PathComparison.run(path, CUBIC, 1);
        assertThat(a.goodputMbps()).as("most of 10 Mbit/s, slow start included").isBetween(8.0, 10.0);
        assertThat(a.medianRttMs()).as("the path's 50 ms plus a queue of at most 200 ms").isBetween(50.0, 252.0);
        assertThat(a.p99RttMs()).isGreaterThanOrEqualTo(a.medianRttMs());
        assertThat(PathComparison.run(path, CUBIC, 1)).as("virtual clock: the same run twice").isEqualTo(a);
    }

    @Test
    void aSlowStartOvershootingOneSecondOfBufferIsRepairedAtThePipesPace() throws Exception {
        // NewReno's slow start (CUBIC's HyStart++ leaves it early) overshoots and loses hundreds
        // of segments of one window; with 64 receiver ranges and a 32-range scoreboard they were
        // repaired one tail loss probe at a time (1.04 Mbit/s over 60 s), with every range kept
        // it is one retransmission per drop.
        Path path = new Path("20 Mbit/s, 40 ms, 1 s of buffer",
                BottleneckPlan.dropTail(20_000_000, Duration.ofMillis(20), 2_500_000), Duration.ofSeconds(15));
        Row r = PathComparison.run(path, NEWRENO, 1);
        assertThat(r.dropped()).as("the overshoot drops hundreds").isGreaterThan(200);
        assertThat(r.goodputMbps()).as("most of 20 Mbit/s").isGreaterThan(15.0);
        assertThat(r.retransmitted()).as("about one retransmission per drop").isLessThanOrEqualTo(r.dropped() + r.dropped() / 10);
    }

    @Test
    void coDelKeepsTheQueueNearItsTarget() throws Exception {
        Path path = new Path("10 Mbit/s, 50 ms, CoDel", TEN_MBIT_50_MS.withAqm(BottleneckPlan.Aqm.CODEL),
                Duration.ofSeconds(10));
        Row r = PathComparison.run(path, NEWRENO, 1);
        assertThat(r.medianRttMs()).isBetween(50.0, 60.0);
        assertThat(r.dropped()).isPositive();
        assertThat(r.goodputMbps()).isGreaterThan(6.0);
    }

    @Test
    void withEcnCoDelMarksInsteadOfDroppingAndNothingIsResent() throws Exception {
        Path path = new Path("10 Mbit/s, 50 ms, CoDel+ECN",
                TEN_MBIT_50_MS.withAqm(BottleneckPlan.Aqm.CODEL).withEcn(true), Duration.ofSeconds(10));
        for (Controller cc : new Controller[] {NEWRENO, CUBIC}) {
            Row r = PathComparison.run(path, cc, 1);
            assertThat(r.marked()).as("%s: CoDel's signals are marks", cc).isPositive();
            assertThat(r.dropped()).as("%s: and no drops", cc).isZero();
            assertThat(r.retransmitted()).as("%s: so nothing is lost and nothing resent", cc).isZero();
            assertThat(r.medianRttMs()).as("%s: the queue still held near the target", cc).isBetween(50.0, 60.0);
            assertThat(r.goodputMbps()).isGreaterThan(6.0);
        }
    }
}
