package dev.tsunagu.cli.bench;

import dev.tsunagu.link.bottleneck.BottleneckDriver;
import dev.tsunagu.link.bottleneck.BottleneckPlan;
import dev.tsunagu.link.cable.Cable;
import dev.tsunagu.loop.VirtualClock;
import dev.tsunagu.loop.VirtualEventLoop;
import dev.tsunagu.socket.TcpServerSocket;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.tcp.TcpOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench --scenario paths}: each congestion control moves a bulk flow across simulated
 * paths, a {@link BottleneckDriver} on the sender's port (the bottleneck's rate, buffer, queue
 * discipline and random loss, and half the RTT) and one on the receiver's (the other half, for
 * its ACKs), on a virtual clock: seconds of simulated time in less of real time, the same
 * numbers on every run.
 *
 * <p>Per path and controller: goodput (bytes the receiving application read, over the run),
 * the median and 99th percentile of the RTT the data segments saw (the bottleneck's queueing
 * and serialization plus both propagation delays), the sender's retransmitted segments, the
 * frames the bottleneck dropped, and those it marked CE instead (a path whose plan has ECN: the
 * sender's stack then asks for ECN, {@code tcp.ecn} ON, and the receiver's grants it, as by
 * default). The controllers: NewReno, CUBIC unpaced and paced ({@code tcp.pacing}), and BBR
 * (which always paces). {@code -Dtsunagu.bench.paths.debug=true} prints each flow's TCP
 * counters, the bottleneck's statistics and the socket's row on stderr;
 * {@code -Dtsunagu.bench.paths.only=TEXT} runs only the rows whose path and label contain it.
 */
final class PathComparison {
    /** What is compared: a congestion control, and whether the stack paces ({@code tcp.pacing}). */
    record Controller(String label, String name, boolean pacing) {}

    static final List<Controller> CONTROLLERS = List.of(
            new Controller("newreno", "newreno", false),
            new Controller("cubic", "cubic", false),
            new Controller("cubic+pacing", "cubic", true),
            new Controller("bbr", "bbr", true));
    private static final AtomicInteger CABLES = new AtomicInteger();
    private static final long MBIT = 1_000_000L;
    private static final int CHUNK = 64 * 1024;

    /** A path: the bottleneck, its RTT, and how long a flow runs on it. */
    record Path(String name, BottleneckPlan forward, Duration length) {
        Duration rtt() {
            return forward.delay().multipliedBy(2);
        }
    }

    /** One flow's outcome. */
    record Row(String path, String controller, double goodputMbps, double medianRttMs, double p99RttMs,
               long retransmitted, long dropped, long marked) {}

    /** The five paths (#16). */
    static List<Path> paths(boolean quick) {
        int scale = quick ? 4 : 1;
        return List.of(
                // 10 Mbit/s, 50 ms RTT: BDP 62.5 kB; a deep buffer of 4 BDPs (200 ms of queue).
                new Path("10 Mbit/s, 50 ms, deep buffer (250 kB)",
                        BottleneckPlan.dropTail(10 * MBIT, Duration.ofMillis(25), 250_000), Duration.ofSeconds(60 / scale)),
                // A long fat pipe with random loss: BDP 1.25 MB, buffer 1 BDP, 1% lost on the way.
                new Path("100 Mbit/s, 100 ms, 1% loss",
                        BottleneckPlan.dropTail(100 * MBIT, Duration.ofMillis(50), 1_250_000).withLoss(0.01),
                        Duration.ofSeconds(60 / scale)),
                // A fast short path with a shallow buffer: BDP 1.25 MB, buffer 100 kB (0.8 ms).
                new Path("1 Gbit/s, 10 ms, shallow buffer (100 kB)",
                        BottleneckPlan.dropTail(1000 * MBIT, Duration.ofMillis(5), 100_000), Duration.ofSeconds(10 / scale)),
                // Bufferbloat: 1 s of buffer at 20 Mbit/s (2.5 MB) on a 40 ms path.
                new Path("20 Mbit/s, 40 ms, 1 s of buffer",
                        BottleneckPlan.dropTail(20 * MBIT, Duration.ofMillis(20), 2_500_000), Duration.ofSeconds(60 / scale)),
                new Path("20 Mbit/s, 40 ms, 1 s of buffer, CoDel",
                        BottleneckPlan.dropTail(20 * MBIT, Duration.ofMillis(20), 2_500_000).withAqm(BottleneckPlan.Aqm.CODEL),
                        Duration.ofSeconds(60 / scale)),
                // The same, CoDel marking CE in ECN-capable packets instead of dropping them (RFC 3168).
                new Path("20 Mbit/s, 40 ms, 1 s of buffer, CoDel+ECN",
                        BottleneckPlan.dropTail(20 * MBIT, Duration.ofMillis(20), 2_500_000).withAqm(BottleneckPlan.Aqm.CODEL)
                                .withEcn(true),
                        Duration.ofSeconds(60 / scale)));
    }

    private PathComparison() {}

    /**
     * Runs every controller on every path and prints the table as it goes; with {@code html} (a
     * directory, or null) also writes a page per flow there and an {@code index.html} of them.
     */
    static List<Row> run(PrintWriter out, boolean quick, long seed, java.nio.file.Path html) throws Exception {
        List<Row> rows = new ArrayList<>();
        out.println("paths: a bulk flow per congestion control on simulated paths (virtual clock, seed " + seed + ")");
        out.printf("%-44s %-12s %12s %10s %10s %9s %8s %8s%n", "path", "cc", "goodput", "RTT p50", "RTT p99", "retrans",
                "drops", "marks");
        out.flush();
        String only = System.getProperty("tsunagu.bench.paths.only", "");
        for (Path p : paths(quick)) {
            for (Controller cc : CONTROLLERS) {
                if (!(p.name() + " " + cc.label()).replace(" ", "_").contains(only)) {
                    continue;
                }
                long t0 = System.nanoTime();
                java.nio.file.Path page = html == null ? null : html.resolve(pageName(p, cc));
                Row r = run(p, cc, seed, page);
                rows.add(r);
                out.printf(Locale.ROOT, "%-44s %-12s %7.2f Mb/s %7.1f ms %7.1f ms %9d %8d %8d   (%.1f s)%n", r.path(),
                        r.controller(), r.goodputMbps(), r.medianRttMs(), r.p99RttMs(), r.retransmitted(), r.dropped(),
                        r.marked(), (System.nanoTime() - t0) / 1e9);
                out.flush();
            }
        }
        if (html != null) {
            writeIndex(html, rows, seed);
            out.println("wrote " + html.resolve("index.html") + " and a page per flow");
        }
        return rows;
    }

    /** The page of one flow: {@code 10-mbit-s-50-ms-deep-buffer-250-kb-cubic.html}. */
    static String pageName(Path p, Controller cc) {
        String slug = (p.name() + " " + cc.label()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-|-$", "");
        return slug + ".html";
    }

    private static void writeIndex(java.nio.file.Path dir, List<Row> rows, long seed) throws java.io.IOException {
        StringBuilder list = new StringBuilder("<ul>\n");
        for (Row r : rows) {
            Path p = paths(false).stream().filter(x -> x.name().equals(r.path())).findFirst().orElse(null);
            Controller cc = CONTROLLERS.stream().filter(x -> x.label().equals(r.controller())).findFirst().orElseThrow();
            String name = p == null ? null : pageName(p, cc);
            list.append("<li><a href=\"").append(name).append("\">").append(esc(r.path() + ", " + r.controller()))
                    .append("</a>: ").append(esc(String.format(Locale.ROOT, "%.2f Mb/s, RTT p50 %.1f ms, p99 %.1f ms, %d"
                            + " retransmitted, %d dropped", r.goodputMbps(), r.medianRttMs(), r.p99RttMs(),
                            r.retransmitted(), r.dropped()))).append("</li>\n");
        }
        list.append("</ul>\n");
        new dev.tsunagu.viz.TraceReport("tsunagu bench --scenario paths (seed " + seed + ")")
                .section("flows", "Flows", "Each page shows the start of the flow as a time-sequence graph and the"
                        + " sender's congestion window, slow-start threshold, SRTT and RTO over the whole run.",
                        list.toString())
                .write(dir.resolve("index.html"));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** One flow of {@code controller} across {@code path} for the path's length. */
    static Row run(Path path, Controller controller, long seed) throws Exception {
        return run(path, controller, seed, null);
    }

    /** {@link #run(Path, Controller, long)}, and with {@code html} (a file, or null) the flow's page. */
    static Row run(Path path, Controller controller, long seed, java.nio.file.Path html) throws Exception {
        // A 100 µs tick: timers (pacing, the ACKs' arrival) fire close to their times on a 10 ms path.
        VirtualEventLoop loop = new VirtualEventLoop("paths", new VirtualClock(), Duration.ofNanos(100_000));
        Cable cable = new Cable("paths-" + CABLES.incrementAndGet(), 1500);
        BottleneckPlan f = path.forward();
        BottleneckDriver forward = new BottleneckDriver(cable.attach(), f, seed);
        // The reverse path: the same rate and delay, no loss, a buffer that never fills with ACKs.
        BottleneckDriver reverse = new BottleneckDriver(cable.attach(),
                BottleneckPlan.dropTail(f.rateBitsPerSecond(), f.delay(), 64L << 20), seed + 1);
        Histogram rtt = new Histogram();
        long reverseNanos = f.delay().toNanos();
        forward.onDelivered(latency -> rtt.add(latency + reverseNanos));
        // Windows large enough for the BDP plus the whole buffer, so the network, not the
        // receiver, limits every flow.
        int buffer = (int) Math.min(64L << 20, Math.max(4L << 20, 2 * (f.bdpBytes() + f.bufferBytes())));
        TcpSocketOptions options = TcpSocketOptions.DEFAULT.withSendBuffer(buffer).withReceiveBuffer(buffer);
        PathTrace trace = new PathTrace(path.length().toNanos());
        try (NetworkStack client = traced(html == null ? null : trace, NetworkStack.builder().name("sender").eventLoop(loop).seed(seed)
                     .congestionControl(controller.name()).option(TcpOptions.PACING, controller.pacing())
                     .option(TcpOptions.ECN, f.ecn() ? TcpOptions.EcnMode.ON : TcpOptions.EcnMode.ACCEPT)
                     .addInterface(InterfaceConfig.of(forward).address("10.0.0.1/24")).build());
             NetworkStack server = NetworkStack.builder().name("receiver").eventLoop(loop).seed(seed + 1)
                     .addInterface(InterfaceConfig.of(reverse).address("10.0.0.2/24")).build();
             TcpServerSocket listener = server.tcp().listen(5001, 1, options);
             TcpSocket sender = client.tcp().connect(new InetSocketAddress("10.0.0.2", 5001), options);
             TcpSocket receiver = listener.accept()) {
            byte[] chunk = new byte[CHUNK];
            long[] received = {0};
            long start = loop.now();
            rtt.clear(); // the handshake's and ARP's frames are not the flow's
            pump(sender, chunk);
            drain(receiver, new byte[CHUNK], received);
            loop.advance(path.length());
            double seconds = (loop.now() - start) / 1e9;
            long retransmitted = client.statistics().get("tcp", "RetransSegs");
            if (Boolean.getBoolean("tsunagu.bench.paths.debug")) {
                System.err.println(controller.label() + " " + path.name() + ": " + client.statistics().groups().get("tcp")
                        + "\n  " + forward.statistics() + "\n  " + client.sockets());
            }
            long dropped = forward.statistics().randomDrops() + forward.statistics().tailDrops()
                    + forward.statistics().aqmDrops();
            Row row = new Row(path.name(), controller.label(), received[0] * 8 / seconds / 1e6, rtt.quantile(0.5) / 1e6,
                    rtt.quantile(0.99) / 1e6, retransmitted, dropped, forward.statistics().ecnMarks());
            if (html != null) {
                trace.write(html, path.name() + ", " + controller.label(), String.format(Locale.ROOT,
                        "%s on %s for %.0f s of simulated time (seed %d): goodput %.2f Mb/s, RTT p50 %.1f ms, p99 %.1f ms,"
                                + " %d segments retransmitted, %d frames dropped at the bottleneck, %d marked CE.",
                        controller.label(), path.name(), seconds, seed, row.goodputMbps(), row.medianRttMs(),
                        row.p99RttMs(), row.retransmitted(), row.dropped(), row.marked()));
            }
            return row;
        }
    }

    /** {@code stack}, its TCP traced into {@code sink} from the start (unless null). */
    private static NetworkStack traced(dev.tsunagu.trace.TraceSink sink, NetworkStack stack) {
        if (sink != null) {
            stack.tcp().trace(sink); // until the stack closes
        }
        return stack;
    }

    /** Keeps the sender's buffer full: each write completes when it was taken, and the next follows. */
    private static void pump(TcpSocket s, byte[] chunk) {
        s.writeAsync(chunk, 0, chunk.length).whenComplete((v, e) -> {
            if (e == null) {
                pump(s, chunk);
            }
        });
    }

    /** Reads whatever arrives, counting it. */
    private static void drain(TcpSocket s, byte[] buffer, long[] received) {
        s.readAsync(buffer, 0, buffer.length).whenComplete((n, e) -> {
            if (e == null && n > 0) {
                received[0] += n;
                drain(s, buffer, received);
            }
        });
    }

    /** RTTs in 10 µs buckets up to 10 s (the last bucket holds the rest): exact enough for ms quantiles. */
    static final class Histogram {
        private static final long BUCKET_NANOS = 10_000;
        private final long[] counts = new long[1_000_000];
        private long total;

        void add(long nanos) {
            counts[(int) Math.min(counts.length - 1, Math.max(0, nanos / BUCKET_NANOS))]++;
            total++;
        }

        void clear() {
            java.util.Arrays.fill(counts, 0);
            total = 0;
        }

        /** The upper edge of the bucket holding quantile {@code q}, in nanoseconds; NaN when empty. */
        double quantile(double q) {
            if (total == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return (i + 1) * (double) BUCKET_NANOS;
                }
            }
            return counts.length * (double) BUCKET_NANOS;
        }
    }
}
