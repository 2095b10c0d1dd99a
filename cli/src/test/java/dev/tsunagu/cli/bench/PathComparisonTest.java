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
    private static final Controller BBR = new Controller("bbr", "bbr", true);
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

    /**
     * BBR paces at the bottleneck's rate with about a BDP in flight, so a deep buffer stays
     * nearly empty (the RTT near the path's 50 ms) where CUBIC fills it (its 200 ms), and the
     * link is still used: at least 90% of it, slow start included.
     */
    @Test
    void bbrKeepsADeepBufferNearlyEmptyAndStillFillsTheLink() throws Exception {
        Path path = new Path("10 Mbit/s, 50 ms", TEN_MBIT_50_MS, Duration.ofSeconds(15));
        Row bbr = PathComparison.run(path, BBR, 1);
        Row cubic = PathComparison.run(path, CUBIC, 1);
        assertThat(bbr.goodputMbps()).as("at least 90% of 10 Mbit/s").isGreaterThanOrEqualTo(9.0);
        assertThat(bbr.medianRttMs()).as("close to the base RTT, 50 ms").isBetween(50.0, 60.0);
        assertThat(cubic.medianRttMs()).as("CUBIC fills the buffer").isGreaterThan(150.0);
        assertThat(bbr.dropped()).as("no overflow").isZero();
        assertThat(PathComparison.run(path, BBR, 1)).as("virtual clock: the same run twice").isEqualTo(bbr);
    }

    /** BBRv1 does not take random loss for congestion: on 1% loss it keeps most of the link, CUBIC a sliver. */
    @Test
    void bbrIsNotHalvedByRandomLoss() throws Exception {
        Path path = new Path("100 Mbit/s, 100 ms, 1% loss",
                BottleneckPlan.dropTail(100_000_000, Duration.ofMillis(50), 1_250_000).withLoss(0.01), Duration.ofSeconds(10));
        Row bbr = PathComparison.run(path, BBR, 1);
        Row cubic = PathComparison.run(path, CUBIC, 1);
        assertThat(bbr.goodputMbps()).as("most of 100 Mbit/s").isGreaterThan(50.0);
        assertThat(bbr.goodputMbps()).as("many times CUBIC's").isGreaterThan(10 * cubic.goodputMbps());
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

    /**
     * {@code bench --scenario paths --html}: a flow's page is well-formed and draws its start
     * whole (a bar per data segment of the first events kept) and its congestion over the whole
     * run (a dot per change of cwnd among the figures kept), the same run as without a page.
     */
    @Test
    void aFlowsPageDrawsItsStartAndItsWholeRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Path path = new Path("10 Mbit/s, 50 ms", TEN_MBIT_50_MS, Duration.ofSeconds(5));
        java.nio.file.Path html = dir.resolve(PathComparison.pageName(path, CUBIC));
        Row r = PathComparison.run(path, CUBIC, 1, html);
        assertThat(r).as("tracing changes nothing in the run").isEqualTo(PathComparison.run(path, CUBIC, 1));
        assertThat(html.getFileName().toString()).isEqualTo("10-mbit-s-50-ms-cubic.html");
        String page = java.nio.file.Files.readString(html);
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
                page.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(3); // time-sequence, cwnd, RTT

        PathComparison.run(path, CUBIC, 1, dir.resolve("again.html"));
        assertThat(java.nio.file.Files.readString(dir.resolve("again.html"))).as("the same run, the same page").isEqualTo(page);
        long bars = count(page, "<line class=\"sent\"") + count(page, "<line class=\"retransmission\"");
        assertThat(bars).as("a bar per data segment of the start").isGreaterThan(1000);
        assertThat(count(page, "<circle class=\"cwnd-point\"")).as("cwnd over the run, thinned").isBetween(20L,
                (long) 4 * PathTrace.BUCKETS);
        assertThat(page).contains("The first " + PathTrace.FIRST + " trace events");
    }

    /** The thinning: the start whole, then one congestion figure per bucket and every fall of cwnd. */
    @Test
    void aFlowsTraceIsThinnedToWhatAPlotCanShow(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        long length = 10_000_000_000L;
        PathTrace trace = new PathTrace(length);
        var id = new dev.tsunagu.trace.TcpConnectionId("sender", new java.net.InetSocketAddress("10.0.0.1", 1),
                new java.net.InetSocketAddress("10.0.0.2", 2));
        for (int i = 0; i < 3; i++) {
            trace.onEvent(new dev.tsunagu.trace.TcpTraceEvent.Segment(0, id, dev.tsunagu.trace.TcpTraceEvent.Direction.SENT,
                    1000 * i, 0, dev.tsunagu.trace.TcpTraceEvent.ACK, 1000, 1000, java.util.List.of()));
        }
        int falls = 0;
        long cwnd = 10_000;
        for (long t = 0; t < length; t += 1_000_000) { // a figure every millisecond
            if (t % 500_000_000 == 0 && t > 0) {
                cwnd /= 2;
                falls++;
            } else {
                cwnd += 100;
            }
            trace.onEvent(new dev.tsunagu.trace.TcpTraceEvent.Congestion(t, id, cwnd, 1L << 50, 1, 2, 3, 4));
        }
        assertThat(trace.first()).hasSize(PathTrace.FIRST);
        assertThat(trace.run().size()).isBetween(PathTrace.BUCKETS - 1, PathTrace.BUCKETS + falls + 1);
        long kept = 0;
        long last = Long.MAX_VALUE;
        for (var e : trace.run()) {
            long c = ((dev.tsunagu.trace.TcpTraceEvent.Congestion) e).cwnd();
            if (c < last) {
                kept++;
            }
            last = c;
        }
        assertThat(kept - 1).as("every fall kept").isEqualTo(falls);

        // The page draws what was kept: a bar per data segment of the start, a dot per change of cwnd.
        java.nio.file.Path html = dir.resolve("flow.html");
        trace.write(html, "synthetic", "a made-up flow");
        String page = java.nio.file.Files.readString(html);
        long changes = 0;
        long previous = -1;
        for (var e : trace.run()) {
            long c = ((dev.tsunagu.trace.TcpTraceEvent.Congestion) e).cwnd();
            if (c != previous) {
                changes++;
                previous = c;
            }
        }
        assertThat(count(page, "<circle class=\"cwnd-point\"")).isEqualTo(changes);
        assertThat(count(page, "<line class=\"sent\"")).isEqualTo(3);
    }

    private static long count(String text, String what) {
        long n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
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
