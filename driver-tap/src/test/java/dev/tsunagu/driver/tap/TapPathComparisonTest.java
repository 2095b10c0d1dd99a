package dev.tsunagu.driver.tap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tsunagu.driver.LinkDriver;
import dev.tsunagu.link.bottleneck.BottleneckPlan;
import dev.tsunagu.socket.SocketInfo;
import dev.tsunagu.socket.TcpSocket;
import dev.tsunagu.socket.TcpSocketOptions;
import dev.tsunagu.stack.InterfaceConfig;
import dev.tsunagu.stack.NetworkStack;
import dev.tsunagu.testkit.host.NetNs;
import dev.tsunagu.testkit.host.PathEmulator;
import dev.tsunagu.testkit.host.Sh;
import dev.tsunagu.testkit.host.TapTests;
import dev.tsunagu.trace.TcpTraceEvent;
import dev.tsunagu.trace.TraceSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tsunagu's CUBIC beside Linux's CUBIC through the same emulated paths (issue #16's "against
 * Linux over TAP"): a kernel sender and a Tsunagu sender take turns sending for a fixed time
 * to the same kernel receiver across a path with a rate, a drop-tail buffer, a propagation delay
 * each way and random loss, and the receiver measures the goodput. Printed: each run's
 * goodput, the senders' retransmissions, recoveries, timeouts and tail loss probes, their mean
 * congestion window and RTT, what the path dropped, and per path the ratio Tsunagu ÷ Linux.
 * Asserted: every byte arrived, intact and in order; the path really delays, limits and loses
 * (the ping time, goodput under the rate, the loss rate); and each ratio was measured. The
 * ratios themselves are not asserted: on a loaded machine they are a measurement, and
 * docs/performance.md reports them.
 *
 * <p><b>The path.</b> This kernel has no {@code netem} qdisc, so the path is
 * {@link PathEmulator}: two TAP devices with stack-link's bottleneck between them, in this JVM.
 * Topology, all one subnet 10.86.0.0/24:
 *
 * <pre>
 *   namespace S:  br0 10.86.0.1 (the kernel sender, CUBIC by TCP_CONGESTION)
 *                  ├── the stack's TAP (Tsunagu 10.86.0.2, in this JVM, CUBIC: the default)
 *                  └── the emulator's sender side ══ PathEmulator ══ receiver side: namespace R,
 *                                                                      10.86.0.3, the Python sink
 * </pre>
 *
 * Both senders' frames cross the bridge into the same emulator device, and the kernel cuts
 * both into wire-sized segments there (the emulator's TAPs have no offloads), so the path is
 * the same for both. Each round runs every path once per sender, who goes first alternating by
 * round, with the same loss seed for both senders in a round (the same frames, by order, are
 * lost).
 *
 * <p><b>Settings that differ from the defaults, on purpose.</b> The kernel sender sets
 * {@code TCP_CONGESTION} to {@code cubic} on its socket: this machine's default is BBR, and a
 * namespace other than the first may not choose an algorithm outside
 * {@code tcp_allowed_congestion_control} for all its sockets. Tsunagu's send buffer is 4 MiB,
 * Linux's {@code tcp_wmem} ceiling, up to which Linux grows a sender's buffer by itself
 * (Tsunagu's 256 KiB default would cap the window below the deep buffer's). Both applications
 * keep at most {@link #NOT_SENT_LOW_WATER} unsent, the same way. Nothing else is tuned on
 * either side. The emulator's threads run at real-time priority, so the load of other
 * processes does not turn into bursts on the path. {@code -Dtsunagu.paths.rounds=N} runs more
 * rounds.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TapPathComparisonTest {
    private static final int SUBNET = 86;
    private static final String KERNEL_SENDER = "10." + SUBNET + ".0.1";
    private static final String STACK_SENDER = "10." + SUBNET + ".0.2";
    private static final String RECEIVER = "10." + SUBNET + ".0.3";
    private static final int ROUNDS = Integer.getInteger("tsunagu.paths.rounds", 2);
    /** {@code -Dtsunagu.paths.only=0,2}: only those paths (by index), to look at one more closely. */
    private static final List<Integer> ONLY = System.getProperty("tsunagu.paths.only", "").isBlank() ? List.of()
            : java.util.Arrays.stream(System.getProperty("tsunagu.paths.only").split(",")).map(String::strip)
                    .map(Integer::valueOf).toList();
    /** Linux's tcp_wmem ceiling: as far as Linux grows a sender's buffer on its own. */
    private static final int SEND_BUFFER = 4 << 20;
    /** The byte stream both senders send: byte i is i mod 251 (a prime, so no write lines up with it). */
    private static final int PERIOD = 251;
    private static final int CHUNK = 64 * 1024;
    /**
     * Both senders write only while less than this is waiting unsent (Linux's
     * {@code TCP_NOTSENT_LOWAT}; for Tsunagu the test checks the socket's {@code unsent}), so
     * what is left to send when the time is up (and the wait for it) stays short, while the
     * sender never runs dry: 256 KiB is 40 ms at the fastest path's rate.
     */
    private static final int NOT_SENT_LOW_WATER = Integer.getInteger("tsunagu.paths.notSentLowWater", 256 * 1024);
    /** The emulator's threads run at this real-time priority ({@link PathEmulator#realtime}). */
    private static final int EMULATOR_PRIORITY = 10;

    /** A path: its bottleneck, one-way delay, buffer and loss, and how long the receiver measures. */
    private record PathShape(String name, long rateBitsPerSecond, Duration oneWayDelay, long bufferBytes, double loss,
                             Duration window) {
        BottleneckPlan forward() {
            return new BottleneckPlan(rateBitsPerSecond, oneWayDelay, bufferBytes, BottleneckPlan.Aqm.DROP_TAIL, loss);
        }

        /** The ACKs' way back: the same rate and delay, a buffer they never fill, no loss. */
        BottleneckPlan reverse() {
            return BottleneckPlan.dropTail(rateBitsPerSecond, oneWayDelay, 1 << 20);
        }
    }

    private static final List<PathShape> PATHS = List.of(
            new PathShape("10 Mbit/s, 50 ms, deep buffer (250 kB, 4 BDP)", 10_000_000, Duration.ofMillis(25), 250_000, 0,
                    Duration.ofSeconds(5)),
            new PathShape("20 Mbit/s, 100 ms, 1% random loss (250 kB, 1 BDP)", 20_000_000, Duration.ofMillis(50), 250_000,
                    0.01, Duration.ofSeconds(8)),
            new PathShape("50 Mbit/s, 10 ms, shallow buffer (25 kB, 0.4 BDP)", 50_000_000, Duration.ofMillis(5), 25_000, 0,
                    Duration.ofSeconds(4)));

    /**
     * The receiver, one process for every run: for each line {@code W} on stdin, accepts one
     * connection and reads it to the end, checking every byte against the pattern; prints
     * {@code RESULT total bytes-within-W-seconds-of-the-first-byte ms-from-first-byte-to-end
     * first-bad-offset} (-1: none).
     */
    private static final String SINK = """
            import socket, sys, time
            P = bytes(i % 251 for i in range(251)) * ((1 << 16) // 251 + 2)
            srv = socket.socket()
            srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            srv.bind((sys.argv[1], int(sys.argv[2])))
            srv.listen(1)
            srv.settimeout(120)
            print("LISTENING", flush=True)
            buf = bytearray(1 << 16)
            view = memoryview(buf)
            while True:
                line = sys.stdin.readline()
                if not line:
                    break
                W = float(line)
                c, _ = srv.accept()
                c.settimeout(60)
                n, inwin, bad, t0 = 0, 0, -1, None
                while True:
                    k = c.recv_into(buf)
                    if not k:
                        break
                    now = time.monotonic()
                    if t0 is None:
                        t0 = now
                    o = n % 251
                    if bad < 0 and view[:k] != P[o:o + k]:
                        bad = n
                    n += k
                    if now - t0 <= W:
                        inwin = n
                ms = int((time.monotonic() - (t0 or time.monotonic())) * 1000)
                c.close()
                print("RESULT", n, inwin, ms, bad, flush=True)
            """;

    /**
     * The kernel sender, one process for every run: for each line {@code SECONDS} on stdin,
     * connects with CUBIC, sends the pattern for that long keeping at most argv[3] bytes unsent
     * ({@code TCP_NOTSENT_LOWAT}), samples TCP_INFO every 250 ms, half-closes and waits for the
     * receiver's close; prints {@code RESULT bytes cc mean-cwnd-segments mean-srtt-ms samples}.
     */
    private static final String SOURCE = """
            import socket, struct, sys, time
            P = memoryview(bytes(i % 251 for i in range(251)) * ((1 << 16) // 251 + 2))
            print("READY", flush=True)
            while True:
                line = sys.stdin.readline()
                if not line:
                    break
                s = socket.socket()
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, b"cubic")
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NOTSENT_LOWAT, int(sys.argv[3]))
                s.settimeout(60)
                s.connect((sys.argv[1], int(sys.argv[2])))
                cc = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).split(b"\\0")[0].decode()
                end = time.monotonic() + float(line)
                n, cwnd, rtt, samples, next_sample = 0, 0, 0, 0, time.monotonic() + 0.25
                while True:
                    now = time.monotonic()
                    if now >= end:
                        break
                    if now >= next_sample:
                        f = struct.unpack_from("24I", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104), 8)
                        rtt += f[15] / 1000.0
                        cwnd += f[18]
                        samples += 1
                        next_sample += 0.25
                    o = n % 251
                    n += s.send(P[o:o + 65536])
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
                s.close()
                print("RESULT", n, cc, round(cwnd / max(1, samples), 1), round(rtt / max(1, samples), 2), samples,
                      flush=True)
            """;

    private static final Pattern SINK_RESULT = Pattern.compile("RESULT (\\d+) (\\d+) (\\d+) (-?\\d+)");
    private static final Pattern SOURCE_RESULT = Pattern.compile("RESULT (\\d+) (\\S+) ([\\d.]+) ([\\d.]+) (\\d+)");

    private NetNs senders;
    private NetNs receiver;
    private PathEmulator path;
    private LinkDriver tap;
    private NetworkStack stack;
    private static final int PORT = 9100;
    private Process sink;
    private BufferedReader sinkOut;
    private Process source;
    private BufferedReader sourceOut;

    @AfterEach
    void tearDown() {
        try {
            if (stack != null) {
                stack.close(); // closes the TAP
            } else if (tap != null) {
                tap.close();
            }
        } finally {
            try {
                if (path != null) {
                    path.close();
                }
            } finally {
                if (senders != null) {
                    senders.close();
                }
                if (receiver != null) {
                    receiver.close();
                }
            }
        }
    }

    @Test
    void tsunaguCubicBesideLinuxCubicOnEachPath() throws Exception {
        TapTests.assumeTapAndNetns();
        TapTests.assumeCommand("python3", "python3");
        TapTests.assumeCommand("nstat", "iproute2");
        TapTests.assumeCommand("ping", "iputils-ping");
        startRig();
        checkThePathDelays(PATHS.get(0));

        // One warm-up transfer each, not counted: the JIT compiles Tsunagu's paths during its first
        // seconds, which would otherwise cost the first run (measured: a first run at 5.5 Mbit/s and
        // a 39 ms RTT on the 50 Mbit/s path, the next at 42 Mbit/s and 12 ms).
        PathShape fastest = PATHS.get(2);
        PathShape warmUp = new PathShape("warm-up", fastest.rateBitsPerSecond(), fastest.oneWayDelay(), fastest.bufferBytes(),
                0, Duration.ofSeconds(2));
        path.configure(warmUp.forward(), warmUp.reverse(), 0);
        System.err.println("driver-tap paths: warm-up (not counted): " + tsunaguSends(warmUp, -1, 0));
        path.configure(warmUp.forward(), warmUp.reverse(), 0);
        System.err.println("driver-tap paths: warm-up (not counted): " + kernelSends(warmUp, -1, 0));

        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int p = 0; p < PATHS.size(); p++) {
                PathShape shape = PATHS.get(p);
                if (!ONLY.isEmpty() && !ONLY.contains(p)) {
                    continue;
                }
                long seed = 1600L + 10L * p + round;
                boolean tsunaguFirst = round % 2 == 0;
                for (int turn = 0; turn < 2; turn++) {
                    boolean tsunagu = (turn == 0) == tsunaguFirst;
                    path.configure(shape.forward(), shape.reverse(), seed);
                    Run run = tsunagu ? tsunaguSends(shape, round, seed) : kernelSends(shape, round, seed);
                    runs.add(run);
                    System.err.println("driver-tap paths: " + run);
                    assertThat(run.goodputBitsPerSecond()).as("goodput under the path's rate (%s)", run)
                            .isLessThanOrEqualTo(shape.rateBitsPerSecond() * 1.1);
                    assertThat(run.path.lastError()).as("errors the emulator's devices reported").isNull();
                }
            }
        }

        String table = table(runs);
        System.err.print(table);
        Files.writeString(Path.of("target", "tap-paths.md"), table);
        for (PathShape shape : measured(runs)) {
            double ratio = ratio(runs, shape);
            assertThat(ratio).as("Tsunagu ÷ Linux goodput measured on %s", shape.name()).isFinite().isPositive();
        }
        PathShape lossy = PATHS.get(1);
        long offered = runs.stream().filter(r -> r.shape == lossy).mapToLong(r -> r.path.forward().offered()).sum();
        long lost = runs.stream().filter(r -> r.shape == lossy).mapToLong(r -> r.path.forward().randomDrops()).sum();
        assertThat(offered == 0 ? 1.0 : 100.0 * lost / offered).as("percent of the lossy path's frames lost (%d of %d)", lost, offered)
                .isBetween(0.5, 1.6);
    }

    // ---- the rig ----

    /** S with the bridge, the kernel sender and the stack; R with the receiver; the emulator between. */
    private void startRig() throws Exception {
        senders = NetNs.create();
        receiver = NetNs.create();
        path = PathEmulator.open("tsup");
        int raised = path.realtime(EMULATOR_PRIORITY);
        System.err.printf("driver-tap paths: %d of the emulator's 3 threads at real-time priority %d%n", raised,
                EMULATOR_PRIORITY);
        Sh.Result bridge = senders.exec("ip", "link", "add", "br0", "type", "bridge");
        if (!bridge.ok()) {
            TapTests.skip("cannot make a Linux bridge (the bridge module): " + bridge.output().strip());
        }
        senders.exec("ip", "addr", "add", KERNEL_SENDER + "/24", "dev", "br0").check();
        senders.exec("ip", "link", "set", "br0", "up").check();
        senders.adopt(path.senderSide);
        senders.exec("ip", "link", "set", path.senderSide, "master", "br0").check();
        senders.exec("ip", "link", "set", path.senderSide, "up").check();
        receiver.adopt(path.receiverSide);
        receiver.exec("ip", "addr", "add", RECEIVER + "/24", "dev", path.receiverSide).check();
        receiver.exec("ip", "link", "set", path.receiverSide, "up").check();

        String dev = TapTests.uniqueName("tsui");
        tap = TapTests.openTap(dev);
        senders.adopt(dev);
        senders.exec("ip", "link", "set", dev, "master", "br0").check();
        senders.exec("ip", "link", "set", dev, "up").check();
        stack = NetworkStack.builder().name("paths")
                .addInterface(InterfaceConfig.of(tap).address(STACK_SENDER + "/24")).build();

        sink = receiver.start("python3", "-c", SINK, RECEIVER, Integer.toString(PORT));
        sinkOut = reader(sink);
        assertThat(Sh.drainLineUntil(sinkOut, "LISTENING"::equals, Duration.ofSeconds(30))).as("the sink started").isNotNull();
        source = senders.start("python3", "-c", SOURCE, RECEIVER, Integer.toString(PORT), Integer.toString(NOT_SENT_LOW_WATER));
        sourceOut = reader(source);
        assertThat(Sh.drainLineUntil(sourceOut, "READY"::equals, Duration.ofSeconds(30))).as("the kernel sender started")
                .isNotNull();
    }

    /** Pings across the path: the round trip is at least twice its delay, and not far over. */
    private void checkThePathDelays(PathShape shape) throws Exception {
        path.configure(shape.forward(), shape.reverse(), 1);
        Sh.Result ping = senders.exec(Duration.ofSeconds(20), "ping", "-c", "6", "-i", "0.2", "-W", "2", RECEIVER);
        Matcher m = Pattern.compile("= ([\\d.]+)/([\\d.]+)/([\\d.]+)/").matcher(ping.output());
        assertThat(m.find()).as("ping's summary in%n%s", ping.output()).isTrue();
        double min = Double.parseDouble(m.group(1));
        double rtt = 2 * shape.oneWayDelay().toNanos() / 1e6;
        System.err.printf("driver-tap paths: ping across %s: min %s ms, avg %s ms (the path's RTT %.0f ms)%n",
                shape.name(), m.group(1), m.group(2), rtt);
        assertThat(min).as("the shortest round trip across a path of %.0f ms", rtt).isBetween(rtt, rtt + 20);
    }

    // ---- the runs ----

    /** A run's figures. */
    private record Run(PathShape shape, int round, long seed, String sender, String cc, long bytes, long windowBytes,
                       double meanCwndSegments, double meanRttMs, long retransmitted, long recoveries, long timeouts,
                       long probes, PathEmulator.Statistics path, String load, String trace) {
        double goodputBitsPerSecond() {
            return windowBytes * 8.0 / (shape.window().toNanos() / 1e9);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s, round %d, seed %d, %s (%s): %.2f Mbit/s (%d B in the %d s window, %d B in all);"
                            + " %d segments resent, %d recoveries, %d timeouts, %d tail loss probes; mean cwnd %.1f segments,"
                            + " mean RTT %.1f ms; path: %s; load %s%s",
                    shape.name(), round, seed, sender, cc, goodputBitsPerSecond() / 1e6, windowBytes, shape.window().toSeconds(),
                    bytes, retransmitted, recoveries, timeouts, probes, meanCwndSegments, meanRttMs, path.forward(), load,
                    sender.equals("Linux") ? "; nstat: " + trace : "; trace: " + trace);
        }
    }

    private Run kernelSends(PathShape shape, int round, long seed) throws Exception {
        tell(sink, seconds(shape.window()));
        long[] before = kernelCounters();
        String load = loadAverage();
        tell(source, seconds(sendTime(shape)));
        Matcher sent = result(sourceOut, SOURCE_RESULT, shape);
        Matcher got = result(sinkOut, SINK_RESULT, shape);
        long[] after = kernelCounters();
        String hystart = String.format(Locale.ROOT, "HyStart exits by ACK train %d (cwnd %d), by delay %d (cwnd %d); loss undos %d",
                after[4] - before[4], after[5] - before[5], after[6] - before[6], after[7] - before[7], after[8] - before[8]);
        long bytes = Long.parseLong(sent.group(1));
        checkArrived(bytes, got);
        return new Run(shape, round, seed, "Linux", sent.group(2), bytes, Long.parseLong(got.group(2)),
                Double.parseDouble(sent.group(3)), Double.parseDouble(sent.group(4)), after[0] - before[0],
                after[1] - before[1], after[2] - before[2], after[3] - before[3], path.statistics(), load, hystart);
    }

    private Run tsunaguSends(PathShape shape, int round, long seed) throws Exception {
        tell(sink, seconds(shape.window()));
        long[] before = stackCounters();
        String load = loadAverage();
        byte[] pattern = new byte[CHUNK + PERIOD];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i % PERIOD);
        }
        long bytes = 0;
        double cwnd = 0;
        double rtt = 0;
        int samples = 0;
        RetransmissionTally tally = new RetransmissionTally();
        try (TcpSocket s = stack.tcp().connect(new InetSocketAddress(RECEIVER, PORT),
                TcpSocketOptions.DEFAULT.withSendBuffer(SEND_BUFFER))) {
            s.trace(tally);
            long now = System.nanoTime();
            long end = now + sendTime(shape).toNanos();
            long nextSample = now + 250_000_000L;
            while ((now = System.nanoTime()) < end) {
                if (now >= nextSample) {
                    Map<String, String> d = info(s);
                    if (d != null && !d.get("rtt").equals("-")) {
                        cwnd += Double.parseDouble(d.get("cwnd")) / Double.parseDouble(d.get("mss"));
                        rtt += Double.parseDouble(d.get("rtt").replace("ms", ""));
                        samples++;
                    }
                    nextSample += 250_000_000L;
                }
                if (unsent(s) >= NOT_SENT_LOW_WATER) {
                    Thread.sleep(1); // as Linux's TCP_NOTSENT_LOWAT holds back a write (it wakes on the ACK)
                    continue;
                }
                s.write(pattern, (int) (bytes % PERIOD), CHUNK);
                bytes += CHUNK;
            }
            s.shutdownOutput();
            byte[] none = new byte[16];
            assertThat(s.read(none, 0, none.length, Duration.ofSeconds(60))).as("the receiver closes after the last byte")
                    .isEqualTo(-1);
        }
        Matcher got = result(sinkOut, SINK_RESULT, shape);
        long[] after = stackCounters();
        checkArrived(bytes, got);
        return new Run(shape, round, seed, "Tsunagu", "cubic", bytes, Long.parseLong(got.group(2)),
                cwnd / Math.max(1, samples), rtt / Math.max(1, samples), after[0] - before[0], after[1] - before[1],
                after[2] - before[2], after[3] - before[3], path.statistics(), load, tally.toString());
    }

    /**
     * What the trace says of a Tsunagu connection's retransmissions: how many went for each
     * reason, and at each retransmission timeout the sender's state just before it fired (the
     * last congestion record: SRTT, the RTO, cwnd, bytes in flight) and how long since the last
     * segment arrived. Counts on the stack's loop; read after.
     */
    private static final class RetransmissionTally implements TraceSink {
        private final Map<TcpTraceEvent.RetransmitReason, Integer> byReason = new EnumMap<>(TcpTraceEvent.RetransmitReason.class);
        private final List<String> timeouts = new ArrayList<>();
        private TcpTraceEvent.Congestion last;
        private long lastReceived;

        @Override
        public synchronized void onEvent(TcpTraceEvent event) {
            switch (event) {
                case TcpTraceEvent.Congestion c -> last = c;
                case TcpTraceEvent.Segment g when g.direction() == TcpTraceEvent.Direction.RECEIVED -> lastReceived = g.timeNanos();
                case TcpTraceEvent.Retransmission r -> byReason.merge(r.reason(), 1, Integer::sum);
                case TcpTraceEvent.TimerFired t when t.timer().equals("retransmission") && last != null ->
                        timeouts.add(String.format(Locale.ROOT,
                                "srtt %.0f ms, rto %.0f ms, cwnd %d B, in flight %d B, %.0f ms after the last segment in",
                                last.srttNanos() / 1e6, last.rtoNanos() / 1e6, last.cwnd(), last.inFlight(),
                                (t.timeNanos() - lastReceived) / 1e6));
                default -> { }
            }
        }

        @Override
        public synchronized String toString() {
            return "resent by reason " + byReason + (timeouts.isEmpty() ? "" : "; timeouts " + timeouts);
        }
    }

    /** The connection's row in the stack's socket table (cwnd, mss, rtt), or null once it is gone. */
    private Map<String, String> info(TcpSocket s) {
        for (SocketInfo i : stack.sockets()) {
            if (s.localAddress().equals(i.local()) && s.remoteAddress().equals(i.remote())) {
                return i.details();
            }
        }
        return null;
    }

    /** Bytes written to {@code s} and not yet sent (0 once the connection is gone). */
    private int unsent(TcpSocket s) {
        Map<String, String> d = info(s);
        return d == null ? 0 : Integer.parseInt(d.get("unsent"));
    }

    /** The sender sends this long after connecting: the receiver's window, and time for the first byte to arrive. */
    private static Duration sendTime(PathShape shape) {
        return shape.window().plusMillis(1000);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }

    /** One line to a Python end's stdin: the next run's figure. */
    private static void tell(Process p, String line) throws IOException {
        p.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
    }

    private static void checkArrived(long sent, Matcher got) {
        assertThat(Long.parseLong(got.group(1))).as("bytes the receiver got of the %d sent", sent).isEqualTo(sent);
        assertThat(Long.parseLong(got.group(4))).as("the first offset where the received bytes differ from those sent")
                .isEqualTo(-1);
    }

    /** The stack's RetransSegs, SackRecoveries, Timeouts, TailLossProbes. */
    private long[] stackCounters() {
        var s = stack.statistics();
        return new long[] {s.get("tcp", "RetransSegs"), s.get("tcp", "SackRecoveries"), s.get("tcp", "Timeouts"),
            s.get("tcp", "TailLossProbes")};
    }

    /**
     * The kernel senders' counters (nstat, absolute): retransmitted segments, SACK recoveries,
     * timeouts, tail loss probes; then CUBIC's HyStart exits by ACK train and by delay, with the
     * sums of the windows (segments) at those exits, and the undone loss reductions.
     */
    private long[] kernelCounters() throws IOException, InterruptedException {
        List<String> names = List.of("TcpRetransSegs", "TcpExtTCPSackRecovery", "TcpExtTCPTimeouts", "TcpExtTCPLossProbes",
                "TcpExtTCPHystartTrainDetect", "TcpExtTCPHystartTrainCwnd", "TcpExtTCPHystartDelayDetect",
                "TcpExtTCPHystartDelayCwnd", "TcpExtTCPLossUndo");
        List<String> command = new ArrayList<>(List.of("nstat", "-asz"));
        command.addAll(names);
        String out = senders.exec(command.toArray(String[]::new)).check().output();
        long[] c = new long[names.size()];
        for (String line : out.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            int i = names.indexOf(f[0]);
            if (i >= 0 && f.length > 1 && f[1].matches("\\d+")) {
                c[i] = Long.parseLong(f[1]);
            }
        }
        return c;
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static Matcher result(BufferedReader out, Pattern pattern, PathShape shape) throws InterruptedException {
        Duration limit = sendTime(shape).plusSeconds(60);
        String line = Sh.drainLineUntil(out, l -> l.startsWith("RESULT ") || l.contains("Error"), limit);
        assertThat(line).as("a RESULT line within " + limit).isNotNull();
        Matcher m = pattern.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return m;
    }

    // ---- the table ----

    /** Mean Tsunagu goodput over mean Linux goodput on {@code shape}. */
    private static double ratio(List<Run> runs, PathShape shape) {
        return mean(runs, shape, "Tsunagu") / mean(runs, shape, "Linux");
    }

    private static double mean(List<Run> runs, PathShape shape, String sender) {
        return runs.stream().filter(r -> r.shape == shape && r.sender.equals(sender))
                .mapToDouble(Run::goodputBitsPerSecond).average().orElse(Double.NaN);
    }

    /** The paths this run measured, in order. */
    private static List<PathShape> measured(List<Run> runs) {
        return PATHS.stream().filter(p -> runs.stream().anyMatch(r -> r.shape == p)).toList();
    }

    private static String table(List<Run> runs) {
        StringBuilder s = new StringBuilder();
        s.append("| path | round | sender | goodput | resent | recoveries | RTOs | TLPs | mean cwnd | mean RTT"
                + " | path drops (random + tail) | load |\n");
        s.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (PathShape shape : measured(runs)) {
            for (Run r : runs) {
                if (r.shape != shape) {
                    continue;
                }
                s.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f Mb/s | %d | %d | %d | %d | %.1f seg | %.1f ms"
                                + " | %d + %d | %s |%n", shape.name(), r.round, r.sender, r.goodputBitsPerSecond() / 1e6,
                        r.retransmitted, r.recoveries, r.timeouts, r.probes, r.meanCwndSegments, r.meanRttMs,
                        r.path.forward().randomDrops(), r.path.forward().tailDrops(), r.load));
            }
        }
        s.append("\n| path | Tsunagu (mean) | Linux (mean) | Tsunagu ÷ Linux | within 10% |\n| --- | ---: | ---: | ---: | --- |\n");
        for (PathShape shape : measured(runs)) {
            double ratio = ratio(runs, shape);
            s.append(String.format(Locale.ROOT, "| %s | %.2f Mb/s | %.2f Mb/s | %.2f | %s |%n", shape.name(),
                    mean(runs, shape, "Tsunagu") / 1e6, mean(runs, shape, "Linux") / 1e6, ratio,
                    Math.abs(ratio - 1) <= 0.10 ? "yes" : "no"));
        }
        return s.toString();
    }
}
